"""Score gene predictions against a reference annotation.

A prediction matches a reference CDS when seqid, strand and stop coordinate (the
3' end) agree. sensitivity = matched non-pseudo reference CDS / non-pseudo
reference CDS; start_exact = share of those matches whose start coordinate also
agrees; precision = predictions matching any reference CDS (pseudo included) /
predictions; per-base coding F1 compares the bases covered by any predicted CDS
with those covered by any non-pseudo reference CDS.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from genoseq.genes.codes import GeneticCode, codon_codes, encode_bases, reverse_codon_codes
from genoseq.io.fasta import as_bytes
from genoseq.io.gff3 import CDSFeature, read_cds


@dataclass
class GeneEvaluation:
    reference_cds: int
    predicted: int
    matched: int
    start_exact: float
    sensitivity: float
    precision: float
    base_f1: float
    base_precision: float
    base_recall: float

    def as_dict(self) -> dict:
        return asdict(self)


def match_key(f: CDSFeature) -> tuple[str, str, int]:
    """What makes a call match an annotated CDS: seqid, strand and stop."""
    return (f.seqid, f.strand, f.stop_coordinate)


def _coverage(features: list[CDSFeature], lengths: dict[str, int]) -> dict[str, np.ndarray]:
    cover = {s: np.zeros(n, dtype=bool) for s, n in lengths.items()}
    for f in features:
        for s, e in f.parts:
            cover[f.seqid][s - 1 : e] = True
    return cover


def evaluate_features(predicted: list[CDSFeature], reference: list[CDSFeature]) -> GeneEvaluation:
    """Compare two lists of CDS features (see the module docstring for the definitions)."""
    real = [f for f in reference if not f.pseudo]
    pred_by_key: dict[tuple, CDSFeature] = {}
    for f in predicted:
        pred_by_key.setdefault(match_key(f), f)
    matched = [f for f in real if match_key(f) in pred_by_key]
    exact = sum(1 for f in matched if pred_by_key[match_key(f)].start_coordinate == f.start_coordinate)
    all_ref_keys = {match_key(f) for f in reference}
    pred_hits = sum(1 for f in predicted if match_key(f) in all_ref_keys)
    lengths: dict[str, int] = {}
    for f in predicted + reference:
        lengths[f.seqid] = max(lengths.get(f.seqid, 0), f.end)
    ref_cover, pred_cover = _coverage(real, lengths), _coverage(predicted, lengths)
    tp = sum(int((ref_cover[s] & pred_cover[s]).sum()) for s in lengths)
    fp = sum(int((~ref_cover[s] & pred_cover[s]).sum()) for s in lengths)
    fn = sum(int((ref_cover[s] & ~pred_cover[s]).sum()) for s in lengths)
    bp = tp / (tp + fp) if tp + fp else 0.0
    br = tp / (tp + fn) if tp + fn else 0.0
    return GeneEvaluation(
        reference_cds=len(real), predicted=len(predicted), matched=len(matched),
        start_exact=exact / len(matched) if matched else 0.0,
        sensitivity=len(matched) / len(real) if real else 0.0,
        precision=pred_hits / len(predicted) if predicted else 0.0,
        base_f1=2 * bp * br / (bp + br) if bp + br else 0.0, base_precision=bp, base_recall=br,
    )


def evaluate_files(pred_gff: str | Path, ref_gff: str | Path) -> GeneEvaluation:
    """Evaluate a predicted GFF3 (genoseq, Prodigal, ...) against a reference GFF3."""
    return evaluate_features(read_cds(pred_gff), read_cds(ref_gff))



def most_upstream_starts(features: list[CDSFeature], sequences: dict[str, str], code: GeneticCode) -> tuple[int, int]:
    """How many of the ``features`` (non-pseudo, one part, inside a sequence of ``sequences``)
    start at the most upstream start codon (ATG, GTG, TTG where ``code`` allows them) of their
    open reading frame, and how many were checked. An annotation made by taking every ORF's
    longest version scores near 1; verified start sets and current gene finders score 0.5-0.65
    on genomes of average GC (``benchmarks/start_annotation_bias.py``). ORFs that run off the
    sequence's edge are not counted."""
    codons: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # per sequence: plus- and minus-strand codon codes
    hits = checked = 0
    for f in features:
        if f.pseudo or len(f.parts) != 1 or f.seqid not in sequences:
            continue
        if f.seqid not in codons:
            codes = encode_bases(as_bytes(sequences[f.seqid]))
            codons[f.seqid] = (codon_codes(codes), reverse_codon_codes(codes))
        plus, minus = codons[f.seqid]
        # walk codon by codon upstream of the start codon until a stop
        table, i, step = (plus, f.start - 4, -3) if f.strand == "+" else (minus, f.end + 2, 3)
        longest = True
        while 0 <= i < len(table) and not code.is_stop[table[i]]:
            longest = longest and not code.is_start[table[i]]
            i += step
        if 0 <= i < len(table):  # else the ORF runs off the sequence
            checked += 1
            hits += longest
    return hits, checked
