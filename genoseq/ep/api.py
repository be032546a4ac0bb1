"""The enhancer-promoter API: score pair tables, train, cross-validate, save and load."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from genoseq.ep.features import Landscape, pair_features, read_landscape, read_table
from genoseq.ep.integrator import integrate
from genoseq.ep.model import EPConfig, EPIntegrator
from genoseq.ep.scoring import PreparedPairs, score_pairs
from genoseq.errors import GenoseqError
from genoseq.nn.checkpoint import save_checkpoint
from genoseq.nn.registry import ModelEntry, load_module

#: Shipped parameter sets: through the genome-wide landscape, and element by element.
LANDSCAPE_MODEL, ELEMENT_MODEL = "ep-default", "ep-element"


def load_integrator(name_or_path: str) -> tuple[EPIntegrator, ModelEntry]:
    model, entry = load_module(name_or_path, "ep", lambda config: EPIntegrator(EPConfig.from_dict(config)))
    return model.double(), entry


def save_integrator(model: EPIntegrator, path: str | Path, **extra) -> None:
    save_checkpoint(path, "ep", model.config.as_dict(), {k: v.detach().cpu() for k, v in model.state_dict().items()},
                    **extra)


@dataclass
class ScoredPairs:
    """The input table with the score columns appended, and why rows were left unscored."""

    table: pd.DataFrame
    unscored: dict[str, int] = field(default_factory=dict)

    @property
    def n_unscored(self) -> int:
        return sum(self.unscored.values())


def score_table(table: pd.DataFrame, model: EPIntegrator, landscape: Landscape | None = None,
                source: str = "pairs") -> ScoredPairs:
    """Append ``genoseq.Score`` (the read-out probability), ``genoseq.Contribution`` (the
    element's decayed kick at the promoter), ``genoseq.State`` (the promoter's integrator
    state) and ``genoseq.Share`` (contribution / state) to every row; rows that cannot
    be scored keep empty values and are counted by reason."""
    if model.uses_landscape and landscape is None:
        raise GenoseqError("this model reads a landscape: give --landscape (or use the element-wise model)")
    features = pair_features(table, model.config.marks, source)
    prepared = PreparedPairs(features, landscape if model.uses_landscape else None)
    with torch.no_grad():
        result = score_pairs(model.double(), prepared)
    out = table.copy()
    columns = {
        "genoseq.Score": result.probability.numpy(),
        "genoseq.Contribution": result.log_contribution.exp().numpy(),
        "genoseq.State": result.log_state.exp().numpy(),
        "genoseq.Share": (result.log_contribution - result.log_state).exp().numpy(),
    }
    for name, values in columns.items():
        full = np.full(len(table), np.nan)
        full[prepared.rows] = values
        out[name] = full
    unscored = dict(features.reasons)
    if prepared.unknown_chromosomes:
        unscored["chromosome not in the landscape"] = prepared.unknown_chromosomes
    return ScoredPairs(out, unscored)


def score_file(pairs: str, model: str | None = None, landscape: str | None = None) -> ScoredPairs:
    """Read a pair table (and landscape) and score it with a shipped or saved model."""
    name = model or (LANDSCAPE_MODEL if landscape else ELEMENT_MODEL)
    integrator, _ = load_integrator(name)
    table = read_table(pairs, "pair table")
    land = read_landscape(landscape, integrator.config.landscape_marks) if (landscape and integrator.uses_landscape) else None
    return score_table(table, integrator, land, pairs)


def scan_sequences(fasta: str, promoters: str, outputs, prefix: str, enhancers: str | None = None,
                   track: str | None = None, motifs: str | None = None, motif_ids: str | None = None,
                   motif_threshold: float = 0.8, model: str = "ep-default", tau: float | None = None,
                   low: float = 0.5, high: float = float("inf")) -> pd.DataFrame:
    """``genoseq ep scan``: per-base integrator state and promoter calls for every sequence.

    Writes ``prefix``.state.bedgraph.gz (+ .tbi) and ``prefix``.promoters.tsv through
    ``outputs``; returns the promoter table.
    """
    from genoseq.ep import scan
    from genoseq.io.fasta import read_dna
    from genoseq.io.tables import write_tsv
    from genoseq.io.tracks import BedGraphTrack

    if not (enhancers or track or motifs):
        raise GenoseqError("give at least one source of kicks: --enhancers, --track or --motifs")
    if tau is not None:
        taus, weights = np.array([tau]), np.array([1.0])
    else:
        integrator, _ = load_integrator(model)
        taus = np.asarray(integrator.config.taus, dtype=float)
        weights = torch.softmax(integrator.decay_logits.detach().double(), 0).numpy()
    promoter_bed = scan.read_bed(promoters, "promoter BED")
    enhancer_bed = scan.read_bed(enhancers, "enhancer BED") if enhancers else None
    track_bed = scan.read_bed(track, "bedGraph", min_columns=4) if track else None
    pssms = scan.load_motifs(motifs, set(motif_ids.split(",")) if motif_ids else None) if motifs else []
    records = list(read_dna(fasta))
    known = {r.id for r in records}
    for bed, what in ((promoter_bed, promoters), (enhancer_bed, enhancers), (track_bed, track)):
        if bed is not None and not set(bed.chrom) & known:
            raise GenoseqError(f"{what}: no chromosome matches a FASTA id (e.g. {bed.chrom.iloc[0]!r})")
    states, calls = [], []
    for record in records:
        kicks = scan.Kicks.empty()
        if enhancer_bed is not None:
            kicks = kicks + scan.kicks_from_intervals(enhancer_bed, record.id)
        if track_bed is not None:
            kicks = kicks + scan.kicks_from_track(track_bed, record.id)
        if pssms:
            kicks = kicks + scan.kicks_from_motifs(record.sequence, pssms, motif_threshold)
        state = scan.state_along(len(record), kicks, taus, weights)
        states.append((record.id, state))
        calls.append(scan.promoter_calls(state, promoter_bed, record.id, low, high))
    top = max((float(s.max()) for _, s in states if len(s)), default=0.0) or 1.0
    bedgraph = BedGraphTrack(outputs, f"{prefix}.state.bedgraph.gz", "integrator_state", step=0.001, max_value=top)
    for seqid, state in states:
        bedgraph.add(seqid, state)
    bedgraph.close()
    table = pd.concat(calls, ignore_index=True) if calls else pd.DataFrame()
    write_tsv(table, f"{prefix}.promoters.tsv", outputs)
    return table


def read_gene_tss(path: str) -> pd.DataFrame:
    """Genes with a TSS: a table with ``chr, name, TSS_hg38`` (the shared promoter file) or
    a BED (``chrom, start, end, name``) whose interval midpoint is the TSS."""
    table = read_table(path, "gene table")
    if {"chr", "name", "TSS_hg38"} <= set(table.columns):
        return pd.DataFrame({"chrom": table["chr"].astype(str), "gene": table["name"].astype(str),
                             "tss": pd.to_numeric(table["TSS_hg38"], errors="coerce")}).dropna()
    from genoseq.ep.scan import read_bed

    bed = read_bed(path, "gene BED", min_columns=4)
    return pd.DataFrame({"chrom": bed.chrom, "gene": bed.rest.map(lambda r: r[0]),
                         "tss": ((bed.start + bed.end - 1) // 2).astype(float)})


def predict_landscape(model: EPIntegrator, landscape: Landscape, genes: pd.DataFrame, outputs, output: str,
                      max_distance: float = 5e6, min_share: float = 0.005, cell_type: str = "K562",
                      progress=None) -> int:
    """An ABC-style prediction table: for each gene, every landscape element within
    ``max_distance`` of its TSS whose share of the promoter's state is at least ``min_share``.

    Here the tested element is itself a landscape element, so its kick uses the
    landscape's kick transform; the share (``genoseq.Share``) is the ABC-like normalised
    score and ``genoseq.Score`` applies the fitted read-out window. Returns the rows written.
    """
    from genoseq.io.tables import TsvWriter

    writer = TsvWriter(output, outputs)
    written = 0
    columns = ["chr", "start", "end", "name", "TargetGene", "TargetGeneTSS", "CellType", "genoseq.Score",
               "genoseq.Share", "genoseq.Contribution", "genoseq.State", "distance"]
    for chrom, group in genes.groupby("chrom", sort=False):
        if chrom not in landscape.chroms:
            continue
        pos, marks, start, end = landscape.chroms[chrom]
        order = np.argsort(pos)
        pos, marks, start, end = pos[order], marks[order], start[order], end[order]
        with torch.no_grad():
            log_k = model.log_landscape_kick(torch.from_numpy(marks))
            tss = torch.from_numpy(group["tss"].to_numpy(float, copy=True))
            per_tau = integrate(torch.from_numpy(pos), log_k, tss, model.taus)
            log_state = torch.logsumexp(per_tau + model.log_mixture(), dim=1).numpy()
        parts = []
        for k, (gene, t) in enumerate(zip(group["gene"], group["tss"])):
            lo, hi = np.searchsorted(pos, [t - max_distance, t + max_distance])
            if hi <= lo:
                continue
            idx = np.arange(lo, hi)
            with torch.no_grad():
                log_c = log_k[idx] + model.log_contact(torch.from_numpy(pos[idx] - t))
                state = torch.full_like(log_c, float(log_state[k]))
                p, _ = model.read_out(log_c, state, torch.zeros_like(log_c))
            share = np.exp(log_c.numpy() - log_state[k])
            keep = share >= min_share
            if not keep.any():
                continue
            ids = idx[keep]
            parts.append(pd.DataFrame({
                "chr": chrom, "start": start[ids].astype(np.int64), "end": end[ids].astype(np.int64),
                "name": [f"{chrom}:{int(s)}-{int(e)}" for s, e in zip(start[ids], end[ids])],
                "TargetGene": gene, "TargetGeneTSS": int(t), "CellType": cell_type,
                "genoseq.Score": p.numpy()[keep], "genoseq.Share": share[keep],
                "genoseq.Contribution": np.exp(log_c.numpy()[keep]), "genoseq.State": np.exp(log_state[k]),
                "distance": np.abs(pos[ids] - t).astype(np.int64),
            }, columns=columns))
            if progress:
                progress(1)
        if parts:
            block = pd.concat(parts, ignore_index=True)
            writer.write(block)
            written += len(block)
    if written == 0:
        writer.write(pd.DataFrame(columns=columns))
    writer.close()
    return written
