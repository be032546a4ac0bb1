"""From per-base network scores to gene calls.

Candidates are open reading frames: a start codon (ATG, GTG, TTG of the
translation table) to the first in-frame stop, at least ``min_length`` long;
where no in-frame stop (or start) exists before a contig edge, the ORF runs off
the edge and the gene is partial (not allowed with ``closed``). Each candidate
carries these features:

    coding score   = sum over its bases of log p(codon position) - log p(non-coding)
                     (network, per base; prefix sums per frame make this vectorised)
    start score    = the network's start-site logit at its start codon (0 at an edge)
    codon score    = sum over its consecutive codon pairs of log f_genes(dicodon) /
                     f_other(hexamer), other = every hexamer not read in a gene's frame
    upstream score = log-odds of the 35 bases before its start under a position
                     weight matrix of the genome's own first-pass starts (RBS; a
                     leaderless start's promoter)
    motif score    = the best 4-mer in bases -20..-4 before its start, scored by how
                     much more often it occurs before first-pass starts than before
                     other start codons (a Shine-Dalgarno motif at any spacing)
    type score     = log-odds of its start codon (ATG/GTG/TTG) among first-pass starts
    site score     = the genome's start model (genoseq.genes.start_model), learned from
                     the first-pass genes whose start choice was surest

All but the first two are learned from each input's own first-pass calls
(genoseq.genes.adaptation; the self-training idea of Prodigal), so a genome with
unusual codon usage or translation-initiation signals is scored on its own terms.
Two weighted sums (:class:`DecoderSettings`) are formed: a *gene score* (is this
ORF a gene?) and a *choice score* (which of its starts?). For each stop the start
with the best choice is kept, with the ORF's best gene score, plus a few shorter
alternatives at the cost of their choice deficit; dynamic programming (weighted
interval scheduling that tolerates overlaps up to ``max_overlap`` bases, ``convergent_overlap``
where two genes' 3' ends face each other) then picks
the highest-scoring consistent set on both strands. The minus strand is handled by
running the plus-strand code on the reverse complement.
"""
from __future__ import annotations

import math
from concurrent.futures import Executor
from dataclasses import dataclass, fields
from typing import Callable, Sequence, TypeVar

import numpy as np

from genoseq.errors import GenoseqError
from genoseq.genes.codes import COMPLEMENT_CODE, DECODER_STARTS, GeneticCode, codon_codes

START_NAMES = np.array(list(DECODER_STARTS) + ["Edge"])
EDGE = len(DECODER_STARTS)

T = TypeVar("T")


def on_both_strands(pool: Executor | None, plus: Callable[[], T], minus: Callable[[], T]) -> tuple[T, T]:
    """Run the plus- and minus-strand halves of a step, side by side when ``pool`` is given:
    the decoder's work is numpy array operations, which release the GIL, so a second
    thread uses a second core. Results never depend on it."""
    if pool is None:
        return plus(), minus()
    later = pool.submit(minus)
    return plus(), later.result()


@dataclass(frozen=True)
class DecoderSettings:
    """Decoding parameters. The defaults are the settings tuned for the shipped model
    (``models/genes_v6.md``); a checkpoint may carry its own (``settings["decoder"]``)."""

    min_length: int = 90
    max_overlap: int = 60  # most bases two neighbouring genes may share
    # ... where their 3' ends face each other (a plus-strand gene overlapping a minus-strand gene to its
    # right; Prodigal allows 200). 120 (session 20, out of sample on the tuning genomes): 0.07 point more
    # genes found for 0.05 of precision, a better trade than any gene_bias; at most max_overlap: no exception.
    convergent_overlap: int = 120
    closed: bool = False
    # Network-only scoring (first pass, and inputs too small to adapt to).
    start_weight: float = 0.5
    gene_bias: float = 0.0
    # Genome-adapted scoring.
    adapt: bool = True
    adapt_rounds: int = 2
    min_adapt_genes: int = 10  # fewer first-pass genes than this: no adaptation
    adapt_max_bases: int = 20_000_000  # learn from the first contigs up to this size, apply to the rest
    adapted_coding_weight: float = 0.03
    adapted_start_weight: float = 6.0
    adapted_bias: float = 8.0
    codon_weight: float = 2.0
    upstream_weight: float = 2.0
    motif_weight: float = 6.0
    type_weight: float = 4.0
    # A prior against short genes: most short ORFs are not genes. A gene of min_length bases
    # loses short_gene_penalty from its adapted gene score, falling linearly to 0 at short_gene_length.
    short_gene_penalty: float = 30.0
    short_gene_length: int = 250
    site_weight: float = 0.0  # the genome's start model in the gene score
    site_l2: float = 3.0  # its L2 penalty
    # The start model learns from this share of the first-pass genes, those whose start choice is surest
    # (the largest lead over the ORF's next-best start; 1: every gene, as up to session 21). Self-training
    # on every start teaches the model the first pass's own mistakes.
    start_learning_share: float = 0.5
    # Inputs with fewer complete first-pass genes than site_prior_genes (plasmids, phages, short contigs
    # run alone) fit the start model towards the prior the model ships, learned across genomes, with this
    # penalty; larger inputs fit it towards 0 with site_l2, as before the prior existed.
    site_prior_l2: float = 9.0
    site_prior_genes: int = 500
    # Such small inputs also blend in the whole-genome statistics of the model's library genome that
    # fits them best (genoseq.genes.library): the input's own share is n / (n + library_genes), n its
    # complete first-pass genes (0: no library).
    library_genes: float = 100.0
    # Choosing among the starts of one ORF weighs start evidence apart from deciding whether
    # the ORF is a gene at all (None: as in the gene score).
    choice_start_weight: float | None = 2.0
    choice_site_weight: float | None = 4.0
    # Shorter starts that gene selection may take to resolve an overlap (at a cost: their choice deficit).
    # The deficit cap is high (v5) so that two real neighbours are kept rather than one dropped.
    alternative_starts: int = 4
    alternative_max_deficit: float = 200.0
    # A gene that runs off a contig's 5' edge has no start codon to score; it is credited with this
    # share of the start evidence of the genome's average first-pass gene (0: none, as up to session 13,
    # when 14 % of genes cut by an edge in draft-like inputs were called complete from an inner start).
    edge_start_share: float = 1.0

    def __post_init__(self) -> None:
        if self.min_length < 3 or self.max_overlap < 0 or self.convergent_overlap < 0:
            raise GenoseqError("min_length must be at least 3 and max_overlap and convergent_overlap at least 0")
        if self.min_length <= self.max_overlap:
            # selection relies on it: two starts of one ORF always overlap by more than max_overlap
            raise GenoseqError(f"min_length ({self.min_length}) must be longer than max_overlap ({self.max_overlap})")
        if self.adapt_rounds < 0 or self.min_adapt_genes < 0 or self.adapt_max_bases < 1:
            raise GenoseqError("adapt_rounds and min_adapt_genes must be >= 0 and adapt_max_bases >= 1")
        if not 0.0 < self.start_learning_share <= 1.0:
            raise GenoseqError("start_learning_share must be in (0, 1]")
        if (self.alternative_starts < 0 or self.alternative_max_deficit < 0 or self.site_l2 < 0
                or self.site_prior_l2 < 0 or self.site_prior_genes < 0 or self.library_genes < 0):
            raise GenoseqError("alternative_starts, alternative_max_deficit, site_l2, site_prior_l2, "
                               "site_prior_genes and library_genes must be >= 0")
        weights = [getattr(self, f.name) for f in fields(self) if f.type in ("float", "float | None")]
        if not all(math.isfinite(w) for w in weights if w is not None):
            raise GenoseqError("decoder weights must be finite numbers")

    @property
    def fits_start_model(self) -> bool:
        return bool(self.site_weight or self.choice_site_weight)


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
    codon_score: np.ndarray
    upstream_score: np.ndarray
    motif_score: np.ndarray
    type_score: np.ndarray
    site_score: np.ndarray  # the genome's start model (genoseq.genes.start_model); 0 until adapted
    choice: np.ndarray  # which start of an ORF is taken: the highest choice
    score: np.ndarray  # the gene's evidence, for selecting genes

    def take(self, index: np.ndarray) -> "Candidates":
        return Candidates(*(getattr(self, f.name)[index] for f in fields(self)))

    def __len__(self) -> int:
        return len(self.begin)

    def shifted(self, offset: int) -> "Candidates":
        out = self.take(np.arange(len(self)))
        out.begin, out.end = out.begin + offset, out.end + offset
        return out

    @staticmethod
    def concat(parts: list["Candidates"]) -> "Candidates":
        if not parts:
            return empty_candidates()
        return Candidates(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Candidates)))


#: Candidate fields filled by genome adaptation and scoring; zero when candidates are made
LATER_FIELDS = ("codon_score", "upstream_score", "motif_score", "type_score", "site_score", "choice", "score")


def _zeros(n: int) -> dict[str, np.ndarray]:
    return {name: np.zeros(n) for name in LATER_FIELDS}


def empty_candidates() -> Candidates:
    z = np.zeros(0)
    i, b = z.astype(np.int64), z.astype(bool)
    return Candidates(i, i, z.astype(np.int8), b, b, z, z, z.astype(np.int8), **_zeros(0))


def strand_codons(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codon codes (:func:`codon_codes`) of both strands, each as read 5' to 3': the plus
    strand's, and the minus strand's on the reverse complement. Computed once per contig
    for candidates, adaptation and protein translation."""
    return codon_codes(codes), codon_codes(COMPLEMENT_CODE[codes[::-1]])


def plus_strand_candidates(
    codes: np.ndarray, coding_lp: Sequence[np.ndarray], start_logit: np.ndarray, code: GeneticCode,
    settings: DecoderSettings, codons: np.ndarray | None = None,
) -> Candidates:
    """All plus-strand candidates (every start of every ORF) of one sequence.

    ``codes``: base codes (L,); ``coding_lp``: four (L,) arrays (views are fine) of
    log-probabilities of non-coding and codon positions 1, 2, 3 on this strand;
    ``start_logit``: (L,); ``codons``: ``codon_codes(codes)`` if already at hand.
    """
    length = len(codes)
    codons = codon_codes(codes) if codons is None else codons
    positions = np.arange(length)
    parts = []
    for frame in range(3):
        in_frame = positions[frame : max(frame, length - 2) : 3]
        if len(in_frame) == 0:
            continue
        fc = codons[in_frame]
        stops = in_frame[code.is_stop[fc]]
        is_start = code.is_start[fc]
        starts = in_frame[is_start]
        last_codon_end = frame + 3 * ((length - frame) // 3)
        idx = np.searchsorted(stops, starts)
        has_stop = idx < len(stops)
        ends = stops[np.minimum(idx, len(stops) - 1)] + 3 if len(stops) else np.zeros(len(starts), dtype=np.int64)
        ends = np.where(has_stop, ends, last_codon_end)
        begins = starts
        partial5 = np.zeros(len(starts), dtype=bool)
        start_type = code.start_rank[fc[is_start]].astype(np.int8)
        if not settings.closed:
            # The ORF before the first stop (or spanning the whole sequence) is open at its 5' end.
            begins = np.append(begins, frame)
            ends = np.append(ends, stops[0] + 3 if len(stops) else last_codon_end)
            has_stop = np.append(has_stop, len(stops) > 0)
            partial5 = np.append(partial5, True)
            start_type = np.append(start_type, np.int8(EDGE))
        partial3 = ~has_stop
        keep = (ends - begins) >= settings.min_length
        if settings.closed:
            keep &= ~partial3
        begins, ends, partial5, partial3, start_type = (a[keep] for a in (begins, ends, partial5, partial3, start_type))
        if len(begins) == 0:
            continue
        # Per codon of this frame: the log-odds of its three bases being codon positions 1, 2, 3.
        n_codons = (length - frame) // 3

        def at(row: int, offset: int) -> np.ndarray:  # row's values at codon position ``offset``
            return coding_lp[row][frame + offset : frame + offset + 3 * n_codons : 3]

        per_codon = (at(1, 0) + at(2, 1) + at(3, 2)) - (at(0, 0) + at(0, 1) + at(0, 2))
        prefix = np.concatenate([[0.0], np.cumsum(per_codon, dtype=np.float64)])
        coding = prefix[(ends - frame) // 3] - prefix[(begins - frame) // 3]
        start = np.where(partial5, 0.0, start_logit[np.minimum(begins, length - 1)])
        parts.append(Candidates(
            begins.astype(np.int64), ends.astype(np.int64), np.ones(len(begins), dtype=np.int8), partial5, partial3,
            coding, start, start_type, **_zeros(len(begins)),
        ))
    return Candidates.concat(parts)


def contig_candidates(codes: np.ndarray, scores: np.ndarray, code: GeneticCode, settings: DecoderSettings,
                      pool: Executor | None = None, codons: tuple[np.ndarray, np.ndarray] | None = None) -> Candidates:
    """All candidates on both strands. ``scores``: (9, L) = 7 coding log-probabilities
    (non-coding, +1, +2, +3, -1, -2, -3) and 2 start logits (+, -). ``pool``: a thread
    pool for the two strands (see :func:`on_both_strands`); ``codons``: :func:`strand_codons`
    of ``codes`` if already at hand."""
    length = len(codes)
    plus_codons, minus_codons = codons or (None, None)
    plus, minus = on_both_strands(
        pool,
        lambda: plus_strand_candidates(codes, [scores[i] for i in (0, 1, 2, 3)], scores[7], code, settings,
                                       plus_codons),
        lambda: plus_strand_candidates(COMPLEMENT_CODE[codes[::-1]], [scores[i, ::-1] for i in (0, 4, 5, 6)],
                                       scores[8, ::-1], code, settings, minus_codons),
    )
    minus.begin, minus.end = length - minus.end, length - minus.begin
    minus.strand = -minus.strand
    out = Candidates.concat([plus, minus])
    total_score(out, settings, adapted=False)
    return out


def start_score_parts(c: Candidates, settings: DecoderSettings, adapted: bool) -> tuple[np.ndarray, ...]:
    """The start-related parts of each candidate's gene score, as Prodigal reports them:
    ribosome-binding site (``rscore``: the upstream motif and the genome's start model),
    upstream context (``uscore``: the upstream profile and the network's start logit) and
    start codon (``tscore``)."""
    if not adapted:
        zero = np.zeros(len(c))
        return zero, settings.start_weight * c.start_score, zero.copy()
    rbs = settings.motif_weight * c.motif_score + settings.site_weight * c.site_score
    upstream = settings.upstream_weight * c.upstream_score + settings.adapted_start_weight * c.start_score
    return rbs, upstream, settings.type_weight * c.type_score


def total_score(c: Candidates, settings: DecoderSettings, adapted: bool,
                edge_start: tuple[float, float] = (0.0, 0.0)) -> None:
    """Set ``c.score`` (gene evidence) and ``c.choice`` (start choice) from the features
    (genome-specific ones only when ``adapted``): coding terms plus the start parts of
    :func:`start_score_parts`. ``edge_start``: the start evidence (gene score, choice)
    credited to candidates that run off a 5' edge (see :func:`start_evidence`)."""
    rbs, upstream, start_type = start_score_parts(c, settings, adapted)
    if not adapted:
        c.score = c.coding_score + settings.gene_bias + upstream
        c.choice = c.score
        return
    c.score = (settings.adapted_coding_weight * c.coding_score + settings.adapted_bias
               + settings.codon_weight * c.codon_score + rbs + upstream + start_type + edge_start[0] * c.partial5)
    c.choice = _with_choice_weights(c.score + (edge_start[1] - edge_start[0]) * c.partial5, c, settings)
    if settings.short_gene_penalty:
        # gene evidence only: start choice within one ORF is not pushed towards longer genes
        c.score = c.score - short_gene_prior(c.end - c.begin, settings)


def _with_choice_weights(values: np.ndarray, c: Candidates, settings: DecoderSettings) -> np.ndarray:
    """``values`` (gene-score terms) with the start evidence reweighted as the start choice
    weighs it (``choice_start_weight``, ``choice_site_weight``)."""
    if settings.choice_start_weight is not None:
        values = values + (settings.choice_start_weight - settings.adapted_start_weight) * c.start_score
    if settings.choice_site_weight is not None:
        values = values + (settings.choice_site_weight - settings.site_weight) * c.site_score
    return values


def start_evidence(c: Candidates, settings: DecoderSettings) -> tuple[np.ndarray, np.ndarray]:
    """The adapted start evidence of each candidate: its share of the gene score and of the
    start choice (0 for candidates without a start codon)."""
    rbs, upstream, start_type = start_score_parts(c, settings, adapted=True)
    score = rbs + upstream + start_type
    return score, _with_choice_weights(score, c, settings)


def short_gene_prior(length: np.ndarray, settings: DecoderSettings) -> np.ndarray:
    """The short-gene penalty of genes of ``length`` bases (see :class:`DecoderSettings`)."""
    span = max(1, settings.short_gene_length - settings.min_length)
    ramp = np.clip((settings.short_gene_length - length) / span, 0.0, 1.0)
    return settings.short_gene_penalty * ramp


def _orf_keys(c: Candidates) -> np.ndarray:
    """One key per ORF (strand and 3' end): the end of plus-strand candidates, minus the
    begin of minus-strand ones."""
    return np.where(c.strand > 0, c.end, -c.begin)


def _start_ends(c: Candidates) -> np.ndarray:
    """The coordinate of each candidate's start codon end (begin on the plus strand, end on the minus)."""
    return np.where(c.strand > 0, c.begin, c.end)


def starts_per_stop(c: Candidates, alternatives: int = 0, max_deficit: float = 0.0) -> Candidates:
    """Keep, for every stop (strand and 3' end), the start with the highest choice score, and
    up to ``alternatives`` shorter starts whose choice score is at most ``max_deficit`` lower
    (so gene selection can shorten a gene to resolve an overlap). Each kept start's gene score
    is the best gene score of its ORF (the evidence that the ORF is a gene) less its
    choice-score deficit to the best start."""
    if len(c) == 0:
        return c
    three_prime = _orf_keys(c)
    order = np.lexsort((-c.choice, three_prime))
    c = c.take(order)
    keys = three_prime[order]
    _, first, counts = np.unique(keys, return_index=True, return_counts=True)
    group = np.repeat(np.arange(len(first)), counts)
    best_score = np.maximum.reduceat(c.score, first)[group]
    head = first[group]
    deficit = c.choice[head] - c.choice
    rank = np.arange(len(c)) - head
    shorter = (c.end - c.begin) < (c.end - c.begin)[head]
    keep = (rank == 0) | ((rank <= alternatives) & shorter & (deficit <= max_deficit))
    c.score = best_score - deficit
    return c.take(np.flatnonzero(keep))


def start_margins(c: Candidates, genes: Candidates) -> np.ndarray:
    """For each of ``genes`` (chosen from the candidates ``c``), how far its start's choice score
    leads the best other start of its ORF (inf where the ORF offers no other start; negative
    for a shorter alternative taken to resolve an overlap; nan for a gene whose ORF is not
    among ``c``): how sure the start choice is."""
    if len(genes) == 0 or len(c) == 0:
        return np.full(len(genes), np.nan)

    orf = _orf_keys(c)
    order = np.lexsort((-c.choice, orf))
    orf, five, choice = orf[order], _start_ends(c)[order], c.choice[order]
    first = np.flatnonzero(np.r_[True, orf[1:] != orf[:-1]])
    second = first + 1
    has_second = np.r_[first[1:], len(orf)] > second
    top_orf, top_choice, top_five = orf[first], choice[first], five[first]
    runner = np.where(has_second, choice[np.minimum(second, len(orf) - 1)], -np.inf)
    gene_orf = _orf_keys(genes)
    slot = np.minimum(np.searchsorted(top_orf, gene_orf), len(first) - 1)
    best_other = np.where(top_five[slot] == _start_ends(genes), runner[slot], top_choice[slot])
    return np.where(top_orf[slot] == gene_orf, genes.choice - best_other, np.nan)


def select_genes(c: Candidates, max_overlap: int, convergent_overlap: int = 0) -> Candidates:
    """Weighted interval scheduling: the highest-scoring set of candidates whose
    overlaps with their neighbours are at most ``max_overlap`` bases, or ``convergent_overlap``
    where a plus-strand gene's 3' end overlaps that of a minus-strand gene to its right."""
    c = c.take(np.flatnonzero(c.score > 0))
    if len(c) == 0:
        return c
    c = c.take(np.lexsort((c.begin, c.end)))
    # pred[j]: candidates ending at or before begin_j + max_overlap (compatible
    # predecessors of j, since genes are longer than max_overlap).
    first = np.searchsorted(c.end, np.minimum(c.begin + max_overlap, c.end - 1), side="right")
    pred = first.tolist()
    # facing[j]: for a minus-strand j, the candidates that may overlap it by more than max_overlap
    # (plus-strand ones ending up to convergent_overlap into it and starting before it)
    facing: dict[int, list[int]] = {}
    if convergent_overlap > max_overlap:
        upto = np.searchsorted(c.end, np.minimum(c.begin + convergent_overlap, c.end - 1), side="right")
        for j in np.flatnonzero((c.strand < 0) & (upto > first)).tolist():
            near = np.arange(pred[j], upto[j])
            near = near[(c.strand[near] > 0) & (c.begin[near] < c.begin[j])]
            if len(near):
                facing[j] = near.tolist()
    scores = c.score.tolist()
    n = len(c)
    best = [0.0] * (n + 1)  # best[j]: the best set among the first j candidates
    ending = [0.0] * n  # the best set whose last (rightmost-ending) gene is j
    link = [-1] * n  # that set's previous gene when it faces j (else: the best of its prefix)
    take = [False] * n
    for j in range(n):
        ending[j] = scores[j] + best[pred[j]]
        if j in facing:
            k = max(facing[j], key=ending.__getitem__)
            if scores[j] + ending[k] > ending[j]:
                ending[j], link[j] = scores[j] + ending[k], k
        if ending[j] > best[j]:
            best[j + 1], take[j] = ending[j], True
        else:
            best[j + 1] = best[j]
    chosen, j = [], n
    while j > 0:
        if take[j - 1]:
            gene = j - 1
            chosen.append(gene)
            while link[gene] >= 0:
                gene = link[gene]
                chosen.append(gene)
            j = pred[gene]
        else:
            j -= 1
    return c.take(np.sort(np.array(chosen, dtype=np.int64)))


def choose_genes(c: Candidates, settings: DecoderSettings) -> Candidates:
    """Genes from all candidates: starts per stop, then the best consistent set."""
    return select_genes(starts_per_stop(c, settings.alternative_starts, settings.alternative_max_deficit),
                        settings.max_overlap, settings.convergent_overlap)


def decode_genes(codes: np.ndarray, scores: np.ndarray, code: GeneticCode, settings: DecoderSettings) -> Candidates:
    """One contig, network scores only (no genome adaptation)."""
    return choose_genes(contig_candidates(codes, scores, code, settings), settings)
