"""The enhancer-promoter API: score pair tables, train, cross-validate, save and load."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from genoseq.ep.features import Landscape, pair_features, read_landscape, read_table
from genoseq.ep.model import EPConfig, EPIntegrator
from genoseq.ep.scoring import PreparedPairs, score_pairs
from genoseq.errors import GenoseqError
from genoseq.nn.checkpoint import save_checkpoint
from genoseq.nn.registry import ModelEntry, load_model_checkpoint, resolve_model

#: Shipped parameter sets: through the genome-wide landscape, and element by element.
LANDSCAPE_MODEL, ELEMENT_MODEL = "ep-default", "ep-element"
SCORE_COLUMNS = ("genoseq.Score", "genoseq.Contribution", "genoseq.State", "genoseq.Share")


def load_integrator(name_or_path: str) -> tuple[EPIntegrator, ModelEntry]:
    entry = resolve_model(name_or_path, "ep")
    state = load_model_checkpoint(entry)
    model = EPIntegrator(EPConfig.from_dict(state["model_config"]))
    try:
        model.load_state_dict(state["state_dict"])
    except RuntimeError as exc:
        raise GenoseqError(f"{entry.file}: parameters do not fit the EP model ({str(exc).splitlines()[0]})") from None
    return model.double().eval(), entry


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
