"""Per-base training targets from GFF3 CDS features.

Classes: 0 non-coding; 1, 2, 3 codon position of a plus-strand CDS; 4, 5, 6 codon
position of a minus-strand CDS (counted from the gene's 5' end); -1 ignored
(pseudo CDS, and bases where overlapping genes disagree).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genoseq.genes.codes import GeneticCode, codon_codes, reverse_codon_codes
from genoseq.io.gff3 import CDSFeature

IGNORE = -1
N_CODING_CLASSES = 7
N_START_CHANNELS = 2  # a plus-strand / minus-strand gene starts at this base
N_OUTPUTS = N_CODING_CLASSES + N_START_CHANNELS  # the network's channels per base
#: The coding class of each class on the reverse complement: the strands swap, codon positions stay.
RC_CODING_CLASSES = np.array([0, 4, 5, 6, 1, 2, 3], dtype=np.int8)
#: The same for all the network's output channels: the two start channels swap too.
RC_CHANNELS = np.r_[RC_CODING_CLASSES, N_CODING_CLASSES + 1, N_CODING_CLASSES]


@dataclass
class ContigLabels:
    """Targets for one contig: ``coding`` (int8[L]) and ``starts`` (uint8[2, L])."""

    coding: np.ndarray
    starts: np.ndarray  # row 0: a + gene starts at this base; row 1: a - gene starts here


def cds_positions(feature: CDSFeature) -> np.ndarray:
    """0-based genome positions of a CDS in transcript (5' to 3') order."""
    pieces = [np.arange(s - 1, e, dtype=np.int64) for s, e in feature.parts]
    positions = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)
    return positions if feature.strand == "+" else positions[::-1]


def contig_labels(
    length: int, features: list[CDSFeature], codes: np.ndarray, code: GeneticCode
) -> ContigLabels:
    """Build per-base targets for one contig from its CDS features."""
    coding = np.zeros(length, dtype=np.int8)
    starts = np.zeros((2, length), dtype=np.uint8)
    fwd_codons = codon_codes(codes)
    rev_codons = reverse_codon_codes(codes)
    for feat in features:
        if feat.pseudo:
            continue
        pos = cds_positions(feat)
        pos = pos[(pos >= 0) & (pos < length)]
        if len(pos) == 0:
            continue
        base = 1 if feat.strand == "+" else 4
        values = (base + (np.arange(len(pos)) - feat.phase) % 3).astype(np.int8)
        existing = coding[pos]
        clash = (existing != 0) & (existing != values)
        coding[pos] = np.where(clash, IGNORE, values)
        if feat.phase == 0:
            first = pos[0]
            if feat.strand == "+" and code.is_start[fwd_codons[first]]:
                starts[0, first] = 1
            elif feat.strand == "-" and code.is_start[rev_codons[first]]:
                starts[1, first] = 1
    for feat in features:
        if feat.pseudo:
            pos = cds_positions(feat)
            pos = pos[(pos >= 0) & (pos < length)]
            coding[pos[coding[pos] == 0]] = IGNORE
    return ContigLabels(coding, starts)


def reverse_complement_labels(coding: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Targets of the reverse-complemented sequence (strands swap, order reverses)."""
    swap = np.append(RC_CODING_CLASSES, np.int8(IGNORE))  # index -1 -> last entry
    return swap[coding[..., ::-1]], starts[..., ::-1, ::-1]
