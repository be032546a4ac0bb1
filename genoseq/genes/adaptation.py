"""Genome adaptation: statistics learned from an input's own first-pass gene calls.

The decoder's first pass scores ORFs with the network alone. The genes it calls
teach this module the input's dicodon usage, its upstream (ribosome-binding-site)
profile, an upstream motif and its start-codon usage, as log-odds tables
(:class:`GenomeAdaptation`); candidates are then rescored with them (the
self-training idea of Prodigal). What does not change between rounds is counted
once (:class:`AdaptationContext`, :class:`AdaptationBackground`).
"""
from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from genoseq.genes.codes import COMPLEMENT_CODE, codon_codes
from genoseq.genes.decode import EDGE, Candidates, on_both_strands
from genoseq.genes.start_model import START_UPSTREAM, StartModel, base_windows, sd_features, start_windows

#: bases before a start that the upstream profile reads. 35 (20 up to session 20) reaches a promoter
#: right upstream of a leaderless mRNA's start (an archaeal TATA box lies about 25-32 bases before it);
#: the Shine-Dalgarno motif window stays -20..-4 (MOTIF_REACH). Cut from the start model's windows,
#: so at most START_UPSTREAM.
UPSTREAM = 35
#: bases before a start in which the upstream motif (the best 4-mer) is looked for
MOTIF_REACH = 20


def _strand_codes(codes: np.ndarray, strand: int) -> np.ndarray:
    """The sequence as read on one strand (reverse complement for the minus strand)."""
    return codes if strand > 0 else COMPLEMENT_CODE[codes[::-1]]


def _strand_coords(n: int, c: Candidates, strand: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices and 5'/3' coordinates of the candidates of one strand, in that strand's reading."""
    idx = np.flatnonzero(c.strand == strand)
    if strand > 0:
        return idx, c.begin[idx], c.end[idx]
    return idx, n - c.end[idx], n - c.begin[idx]


def dicodon_codes(codes: np.ndarray, codons: np.ndarray | None = None) -> np.ndarray:
    """Code of the hexamer (two codons) starting at every position; 4096 = invalid.
    ``codons``: ``codon_codes(codes)`` if already at hand."""
    cc = (codon_codes(codes) if codons is None else codons).astype(np.int32)
    out = np.full(len(cc), 4096, dtype=np.int32)
    if len(cc) > 3:
        first, second = cc[:-3], cc[3:]
        out[:-3] = np.where((first < 64) & (second < 64), first * 64 + second, 4096)
    return out


def _dicodon_sums(hexamers: np.ndarray, begins: np.ndarray, ends: np.ndarray, partial3: np.ndarray,
                  table: np.ndarray) -> np.ndarray:
    """Sum of ``table[dicodon]`` over each candidate's consecutive codon pairs (stop codon excluded);
    ``hexamers`` are the strand's :func:`dicodon_codes`."""
    values = table[hexamers]
    out = np.zeros(len(begins))
    n_codons = np.maximum(0, (ends - begins) // 3 - np.where(partial3, 1, 2))
    for frame in range(3):
        sel = np.flatnonzero(begins % 3 == frame)
        if len(sel) == 0:
            continue
        prefix = np.concatenate([[0.0], np.cumsum(values[frame::3], dtype=np.float64)])
        k0 = (begins[sel] - frame) // 3
        out[sel] = prefix[np.minimum(k0 + n_codons[sel], len(prefix) - 1)] - prefix[k0]
    return out


def _upstream_windows(codes: np.ndarray, begins: np.ndarray) -> np.ndarray:
    """(n, UPSTREAM) base codes before each start (4 = unknown/outside), uint8."""
    return base_windows(codes, begins, UPSTREAM, 0)


MOTIF_K = 4
MOTIF_LAST = MOTIF_REACH - 3 - MOTIF_K  # last index of the motif window where a motif may begin (ends at -4)


def _motif_window(upstream: np.ndarray) -> np.ndarray:
    """The last MOTIF_REACH bases of (n, UPSTREAM) upstream windows."""
    return upstream[:, UPSTREAM - MOTIF_REACH :]


def _motif_codes(windows: np.ndarray) -> np.ndarray:
    """(n, MOTIF_LAST + 1) codes of the 4-mers starting at each allowed window position (256 = with N)."""
    out = np.zeros((len(windows), MOTIF_LAST + 1), dtype=np.int32)
    valid = np.ones(out.shape, dtype=bool)
    for k in range(MOTIF_K):
        part = windows[:, k : k + MOTIF_LAST + 1]
        out = out * 4 + np.minimum(part, 3)
        valid &= part < 4
    return np.where(valid, out, 4**MOTIF_K)


@dataclass
class StrandContext:
    """One strand of a contig as adaptation reads it, with its candidates' upstream sequence."""

    view: np.ndarray  # base codes read 5'->3' on this strand
    hexamers: np.ndarray  # dicodon code at every position (4096 = with N)
    idx: np.ndarray  # indices of this strand's candidates
    begins: np.ndarray  # their 5' and 3' ends in this strand's coordinates
    ends: np.ndarray
    upstream: np.ndarray  # (n, UPSTREAM) base codes before each start
    motifs: np.ndarray  # (n, MOTIF_LAST + 1) 4-mer codes in that window
    windows: np.ndarray  # (n, ...) the start model's bases around each start
    sd: np.ndarray  # (n, ...) their Shine-Dalgarno features (they depend on the sequence alone)


@dataclass
class AdaptationContext:
    """What adaptation needs of one contig and its candidates that does not change
    between rounds (only the learned tables do), computed once."""

    strands: tuple[StrandContext, StrandContext]  # plus, minus

    @classmethod
    def build(cls, codes: np.ndarray, candidates: Candidates, pool: Executor | None = None,
              codons: tuple[np.ndarray, np.ndarray] | None = None) -> "AdaptationContext":
        """``codons``: :func:`genoseq.genes.decode.strand_codons` of ``codes`` if already at hand."""

        def strand_context(strand: int) -> StrandContext:
            view = _strand_codes(codes, strand)
            strand_codons = None if codons is None else codons[0 if strand > 0 else 1]
            idx, begins, ends = _strand_coords(len(codes), candidates, strand)
            windows = start_windows(view, begins)
            upstream = windows[:, START_UPSTREAM - UPSTREAM : START_UPSTREAM]  # its last UPSTREAM bases before the start
            return StrandContext(view, dicodon_codes(view, strand_codons).astype(np.int16), idx, begins, ends, upstream,
                                 _motif_codes(_motif_window(upstream)).astype(np.int16), windows, sd_features(windows))

        return cls(on_both_strands(pool, lambda: strand_context(1), lambda: strand_context(-1)))


@dataclass
class AdaptationBackground:
    """The counts adaptation compares first-pass genes with; they depend only on the
    sequence and the candidates, so they are counted once for all adaptation rounds."""

    hexamers: np.ndarray  # (4096,) in-frame-agnostic hexamer counts, both strands
    bases: np.ndarray  # (4,)
    motifs: np.ndarray  # (257,) 4-mers upstream of every candidate start
    start_types: np.ndarray  # (3,) start codons of all candidates

    @classmethod
    def count(cls, contigs: list[tuple[AdaptationContext, Candidates]]) -> "AdaptationBackground":
        hexamers = np.full(4096, 0.5)  # pseudocounts
        bases = np.ones(4)
        motifs = np.ones(4**MOTIF_K + 1)
        start_types = np.ones(EDGE)
        for context, candidates in contigs:
            for side in context.strands:
                hexamers += np.bincount(side.hexamers[side.hexamers < 4096], minlength=4096)
                bases += np.bincount(side.view[side.view < 4], minlength=4)
                motifs += np.bincount(side.motifs[~candidates.partial5[side.idx]].ravel(), minlength=4**MOTIF_K + 1)
            real = candidates.start_type < EDGE
            start_types += np.bincount(candidates.start_type[real], minlength=EDGE + 1)[:EDGE]
        return cls(hexamers, bases, motifs, start_types)


@dataclass
class GenomeAdaptation:
    """Statistics learned from one input's first-pass genes (log-odds tables)."""

    dicodon_llr: np.ndarray  # (4097,) per hexamer code; 4096 (with N) -> 0
    upstream_llr: np.ndarray  # (UPSTREAM, 5) per position and base; base 4 -> 0
    motif_llr: np.ndarray  # (257,) per 4-mer code; 256 (with N) -> 0
    type_llr: np.ndarray  # (4,) ATG, GTG, TTG, Edge(0)
    start_model: StartModel | None = None  # fitted on the same first-pass genes (fit_start_model)
    edge_start: tuple[float, float] = (0.0, 0.0)  # start evidence credited to 5'-edge genes (score, choice)

    @classmethod
    def fit(
        cls, contigs: list[tuple[np.ndarray, Candidates, Candidates]],
        contexts: list[AdaptationContext] | None = None, background: AdaptationBackground | None = None,
    ) -> "GenomeAdaptation":
        """``contigs``: (codes, all candidates, first-pass genes) per contig. ``contexts`` and
        ``background`` (built here when not given) can be passed to reuse them across rounds."""
        contexts = contexts or [AdaptationContext.build(codes, c) for codes, c, _ in contigs]
        background = background or AdaptationBackground.count([(x, c) for x, (_, c, _) in zip(contexts, contigs)])
        coding = np.full(4096, 0.5)  # pseudocounts
        upstream = np.ones((UPSTREAM, 4))
        type_genes = np.ones(EDGE)
        motif_genes = np.ones(4**MOTIF_K + 1)
        for (codes, _, genes), context in zip(contigs, contexts):
            for strand, side in zip((1, -1), context.strands):
                view, hexamers = side.view, side.hexamers
                idx, begins, ends = _strand_coords(len(codes), genes, strand)
                in_genes = np.concatenate([hexamers[b : e - 6 : 3] for b, e in zip(begins.tolist(), ends.tolist())]
                                          or [np.zeros(0, dtype=np.int16)])
                coding += np.bincount(in_genes[in_genes < 4096], minlength=4096)
                complete = ~genes.partial5[idx]
                win = _upstream_windows(view, begins[complete])
                for pos in range(UPSTREAM):
                    col = win[:, pos]
                    upstream[pos] += np.bincount(col[col < 4], minlength=4)
                type_genes += np.bincount(genes.start_type[idx][complete], minlength=EDGE + 1)[:EDGE]
                motif_genes += np.bincount(_motif_codes(_motif_window(win)).ravel(), minlength=4**MOTIF_K + 1)
        b = background
        dicodon_llr = np.zeros(4097)
        other = np.maximum(b.hexamers - coding + 0.5, 0.5)  # every hexamer not read in a gene's frame
        dicodon_llr[:4096] = np.log(coding / coding.sum()) - np.log(other / other.sum())
        up = np.zeros((UPSTREAM, 5))
        up[:, :4] = np.log(upstream / upstream.sum(1, keepdims=True)) - np.log(b.bases / b.bases.sum())
        types = np.zeros(EDGE + 1)
        types[:EDGE] = np.log(type_genes / type_genes.sum()) - np.log(b.start_types / b.start_types.sum())
        motif = np.log(motif_genes / motif_genes.sum()) - np.log(b.motifs / b.motifs.sum())
        motif[-1] = 0.0
        return cls(dicodon_llr, up, motif, types)

    def apply(self, codes: np.ndarray, c: Candidates, context: AdaptationContext | None = None,
              pool: Executor | None = None) -> None:
        """Fill the genome-specific features of ``c`` in place (``context``: built from
        ``codes`` and ``c`` when not given; ``pool``: threads for the two strands)."""
        context = context or AdaptationContext.build(codes, c, pool)

        def fill(side: StrandContext) -> None:  # the strands' candidates are disjoint
            idx = side.idx
            if len(idx) == 0:
                return
            c.codon_score[idx] = _dicodon_sums(side.hexamers, side.begins, side.ends, c.partial3[idx], self.dicodon_llr)
            up = self.upstream_llr[np.arange(UPSTREAM)[None, :], side.upstream].sum(1)
            c.upstream_score[idx] = np.where(c.partial5[idx], 0.0, up)
            best_motif = self.motif_llr[side.motifs].max(1)
            c.motif_score[idx] = np.where(c.partial5[idx], 0.0, best_motif)
            if self.start_model is not None:
                apply_start_model(self.start_model, c, side)

        on_both_strands(pool, lambda: fill(context.strands[0]), lambda: fill(context.strands[1]))
        c.type_score = self.type_llr[c.start_type]


def fit_start_model(
    contigs: list[tuple[np.ndarray, Candidates, Candidates]], contexts: list[AdaptationContext], l2: float,
    previous: StartModel | None = None, prior: StartModel | None = None,
) -> StartModel:
    """Fit the genome's :class:`StartModel` on first-pass genes: each complete gene's ORF
    offers its candidate starts (``contigs``: (codes, all candidates, genes) per contig).
    ``previous`` (the last round's model) is where the fit starts; ``prior`` (learned across
    genomes, shipped with the model) is what the L2 penalty pulls towards."""
    parts: list[tuple[np.ndarray, ...]] = []
    n_groups = 0
    for (codes, c, genes), context in zip(contigs, contexts):
        for strand, side in zip((1, -1), context.strands):
            _, g_begins, g_ends = _strand_coords(len(codes), genes, strand)
            gene_idx = np.flatnonzero(genes.strand == strand)
            complete = ~genes.partial5[gene_idx]
            g_begins, g_ends = g_begins[complete], g_ends[complete]
            if len(g_ends) == 0:
                continue
            order = np.argsort(g_ends)
            g_begins, g_ends = g_begins[order], g_ends[order]
            slot = np.minimum(np.searchsorted(g_ends, side.ends), len(g_ends) - 1)
            in_gene_orf = (g_ends[slot] == side.ends) & ~c.partial5[side.idx]
            rows = np.flatnonzero(in_gene_orf)
            if len(rows) == 0:
                continue
            group = slot[rows]
            chosen = side.begins[rows] == g_begins[group]
            idx = side.idx[rows]
            parts.append((side.windows[rows], c.start_type[idx], side.sd[rows], group + n_groups, chosen))
            n_groups += len(g_ends)
    if not parts:
        empty = start_windows(np.zeros(0, dtype=np.uint8), np.zeros(0, dtype=np.int64))
        return StartModel.fit(empty, np.zeros(0, dtype=np.int64), sd_features(empty),
                              np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool), l2=l2, initial=previous,
                              prior=prior)
    windows, types, extra, group, chosen = (np.concatenate(x) for x in zip(*parts))
    # Renumber the groups that have candidates, keep only ORFs that offer a choice.
    _, group, sizes = np.unique(group, return_inverse=True, return_counts=True)
    keep = sizes[group] > 1
    _, group = np.unique(group[keep], return_inverse=True)
    return StartModel.fit(windows[keep], types[keep], extra[keep], group, chosen[keep], l2=l2, initial=previous,
                          prior=prior)


def apply_start_model(model: StartModel, c: Candidates, side: StrandContext) -> None:
    """Fill ``c.site_score`` of one strand's candidates (0 for 5'-partial candidates, which have no start)."""
    idx = side.idx
    if len(idx) == 0:
        return
    complete = ~c.partial5[idx]
    scores = np.zeros(len(idx))
    types = np.minimum(c.start_type[idx], EDGE - 1)
    scores[complete] = model.score(side.windows[complete], types[complete], side.sd[complete])
    c.site_score[idx] = scores
