"""From per-base network scores to gene calls.

Candidates are open reading frames: a start codon (ATG, GTG, TTG of the
translation table) to the first in-frame stop, at least ``min_length`` long;
where no in-frame stop (or start) exists before a contig edge, the ORF runs off
the edge and the gene is partial (not allowed with ``closed``). Each candidate
is scored as

    coding score  = sum over its bases of log p(codon position | base) - log (1 - p(codon position | base))
    start score   = start-site logit at its start codon (0 for an edge start)
    score         = coding score + start_weight * start score + gene_bias

using prefix sums per frame, so scoring every candidate of a genome is a few
vectorised array operations. For each stop the best-scoring start is kept, and
dynamic programming (weighted interval scheduling that tolerates overlaps up to
``max_overlap`` bases) picks the highest-scoring consistent set on both strands.
The minus strand is handled by running the plus-strand code on the reverse
complement.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from genoseq.genes.codes import COMPLEMENT_CODE, DECODER_STARTS, GeneticCode, codon_codes

START_NAMES = np.array(list(DECODER_STARTS) + ["Edge"])


@dataclass(frozen=True)
class DecoderSettings:
    """Decoding parameters (the defaults are the ones the shipped model was tuned with)."""

    min_length: int = 90
    max_overlap: int = 60
    closed: bool = False
    start_weight: float = 1.0
    gene_bias: float = 0.0
    #: What a base's codon-position probability is weighed against: "rest" (all other
    #: classes: penalises antisense shadows of real genes) or "noncoding".
    background: str = "rest"


@dataclass
class Candidates:
    """Candidate genes as parallel arrays, forward coordinates, 0-based half-open."""

    begin: np.ndarray
    end: np.ndarray
    strand: np.ndarray  # +1 / -1
    partial5: np.ndarray  # bool: runs off the edge at its 5' end (no start codon)
    partial3: np.ndarray  # bool: runs off the edge at its 3' end (no stop codon)
    coding_score: np.ndarray
    start_score: np.ndarray
    start_type: np.ndarray  # index into START_NAMES
    score: np.ndarray

    def take(self, index: np.ndarray) -> "Candidates":
        return Candidates(*(getattr(self, f)[index] for f in self.__dataclass_fields__))

    def __len__(self) -> int:
        return len(self.begin)

    @staticmethod
    def concat(parts: list["Candidates"]) -> "Candidates":
        return Candidates(*(np.concatenate([getattr(p, f) for p in parts]) for f in Candidates.__dataclass_fields__))


def plus_strand_candidates(
    codes: np.ndarray, coding_lp: np.ndarray, start_logit: np.ndarray, code: GeneticCode, settings: DecoderSettings
) -> Candidates:
    """Plus-strand candidates of one sequence.

    ``codes``: base codes (L,); ``coding_lp``: (4, L) log-probabilities of
    non-coding and codon positions 1, 2, 3 on this strand; ``start_logit``: (L,).
    """
    length = len(codes)
    codons = codon_codes(codes)
    positions = np.arange(length)
    parts = []
    for frame in range(3):
        in_frame = positions[frame : max(frame, length - 2) : 3]
        if len(in_frame) == 0:
            continue
        fc = codons[in_frame]
        stops = in_frame[code.is_stop[fc]]
        starts = in_frame[code.is_start[fc]]
        last_codon_end = frame + 3 * ((length - frame) // 3)
        # Each start's stop: the first in-frame stop at or after it.
        idx = np.searchsorted(stops, starts)
        has_stop = idx < len(stops)
        ends = np.where(has_stop, stops[np.minimum(idx, len(stops) - 1)] + 3 if len(stops) else 0, last_codon_end)
        begins = starts
        partial5 = np.zeros(len(starts), dtype=bool)
        start_type = code.start_rank[fc[code.is_start[fc]]].astype(np.int8)
        # The ORF before the first stop (or spanning the whole sequence) is open at its 5' end.
        if not settings.closed and frame < length:
            first_end = stops[0] + 3 if len(stops) else last_codon_end
            begins = np.append(begins, frame)
            ends = np.append(ends, first_end)
            has_stop = np.append(has_stop, len(stops) > 0)
            partial5 = np.append(partial5, True)
            start_type = np.append(start_type, np.int8(len(DECODER_STARTS)))
        partial3 = ~has_stop
        keep = (ends - begins) >= settings.min_length
        if settings.closed:
            keep &= ~partial3
        begins, ends, partial5, partial3, start_type = (
            a[keep] for a in (begins, ends, partial5, partial3, start_type)
        )
        if len(begins) == 0:
            continue
        # Coding log-odds of this frame: base i has codon position (i - frame) mod 3.
        cls = 1 + (positions - frame) % 3
        this = np.take_along_axis(coding_lp, cls[None, :], axis=0)[0]
        if settings.background == "rest":
            log_odds = this - np.log1p(-np.minimum(np.exp(this), 1 - 1e-6))
        else:
            log_odds = this - coding_lp[0]
        prefix = np.concatenate([[0.0], np.cumsum(log_odds, dtype=np.float64)])
        coding = prefix[ends] - prefix[begins]
        start = np.where(partial5, 0.0, start_logit[np.minimum(begins, length - 1)])
        score = coding + settings.start_weight * start + settings.gene_bias
        parts.append(Candidates(
            begins, ends, np.ones(len(begins), dtype=np.int8), partial5, partial3,
            coding, start, start_type, score,
        ))
    if not parts:
        return _empty()
    return best_start_per_stop(Candidates.concat(parts))


def _empty() -> Candidates:
    z = np.zeros(0)
    return Candidates(z.astype(np.int64), z.astype(np.int64), z.astype(np.int8), z.astype(bool), z.astype(bool),
                      z, z, z.astype(np.int8), z)


def best_start_per_stop(c: Candidates) -> Candidates:
    """Keep, for every 3' end, the candidate with the highest score."""
    if len(c) == 0:
        return c
    order = np.lexsort((-c.score, c.end))
    c = c.take(order)
    _, first = np.unique(c.end, return_index=True)
    return c.take(first)


def contig_candidates(
    codes: np.ndarray, scores: np.ndarray, code: GeneticCode, settings: DecoderSettings
) -> Candidates:
    """Candidates on both strands. ``scores``: (9, L) = 7 coding log-probabilities
    (non-coding, +1, +2, +3, -1, -2, -3) and 2 start logits (+, -)."""
    length = len(codes)
    plus = plus_strand_candidates(codes, scores[[0, 1, 2, 3]], scores[7], code, settings)
    rc_codes = COMPLEMENT_CODE[codes[::-1]]
    minus = plus_strand_candidates(
        rc_codes, np.ascontiguousarray(scores[[0, 4, 5, 6], ::-1]), np.ascontiguousarray(scores[8, ::-1]),
        code, settings,
    )
    minus.begin, minus.end = length - minus.end, length - minus.begin
    minus.strand = -minus.strand
    return Candidates.concat([plus, minus])


def select_genes(c: Candidates, max_overlap: int) -> Candidates:
    """Weighted interval scheduling: the highest-scoring set of candidates whose
    pairwise overlaps (between neighbours) are at most ``max_overlap`` bases."""
    c = c.take(np.flatnonzero(c.score > 0))
    if len(c) == 0:
        return c
    c = c.take(np.lexsort((c.begin, c.end)))
    # p[j]: number of candidates that end at or before begin_j + max_overlap
    # (all compatible predecessors of j, since genes are longer than 2 * max_overlap).
    limit = np.minimum(c.begin + max_overlap, c.end - 1)
    pred = np.searchsorted(c.end, limit, side="right")
    n = len(c)
    best = np.zeros(n + 1)
    take = np.zeros(n, dtype=bool)
    scores = c.score.tolist()
    pred_list = pred.tolist()
    best_list = [0.0] * (n + 1)
    for j in range(n):
        with_j = scores[j] + best_list[pred_list[j]]
        if with_j > best_list[j]:
            best_list[j + 1] = with_j
            take[j] = True
        else:
            best_list[j + 1] = best_list[j]
    best[:] = best_list
    chosen = []
    j = n
    while j > 0:
        if take[j - 1]:
            chosen.append(j - 1)
            j = pred_list[j - 1]
        else:
            j -= 1
    return c.take(np.array(chosen[::-1], dtype=np.int64))


def decode_genes(codes: np.ndarray, scores: np.ndarray, code: GeneticCode, settings: DecoderSettings) -> Candidates:
    """All steps for one contig: candidates on both strands, then the best set."""
    return select_genes(contig_candidates(codes, scores, code, settings), settings.max_overlap)
