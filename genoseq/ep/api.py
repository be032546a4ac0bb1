"""The enhancer-promoter API: score pair tables, train, cross-validate, save and load."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from genoseq.ep.features import Landscape, landscape_from_table, pair_features, read_table
from genoseq.ep.integrator import integrate
from genoseq.ep.model import EPConfig, EPIntegrator
from genoseq.ep.scoring import PreparedPairs, score_pairs
from genoseq.errors import GenoseqError, InputError
from genoseq.nn.checkpoint import save_checkpoint
from genoseq.nn.registry import ModelEntry, load_module

#: Shipped parameter sets, through the genome-wide landscape and element by element, by the
#: activity marks they read, richest first: the first whose marks a table (and landscape)
#: has is used when no model is named.
LANDSCAPE_MODELS = ("ep-default", "ep-dhs-h3k27ac", "ep-dhs")
ELEMENT_MODELS = ("ep-element", "ep-element-dhs-h3k27ac", "ep-element-dhs")
LANDSCAPE_MODEL, ELEMENT_MODEL = LANDSCAPE_MODELS[0], ELEMENT_MODELS[0]  # the six-mark defaults


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
    model: str = ""  # the model that scored them

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


def model_for_columns(pair_columns, landscape_columns=None) -> str:
    """The richest shipped model whose activity marks are all among ``pair_columns`` (and,
    with a landscape, its landscape marks among ``landscape_columns``)."""
    names = LANDSCAPE_MODELS if landscape_columns is not None else ELEMENT_MODELS
    pair, land = set(pair_columns), set(landscape_columns if landscape_columns is not None else ())
    for name in names:
        config = load_integrator(name)[0].config
        if set(config.marks) <= pair and set(config.landscape_marks) <= land:
            return name
    needed = "DHS.RPM (and DNase_signal in the landscape)" if landscape_columns is not None else "DHS.RPM"
    raise InputError(f"no shipped model fits these columns: every model needs at least {needed}")


def score_file(pairs: str, model: str | None = None, landscape: str | None = None,
               score_column: str = "genoseq.Score") -> ScoredPairs:
    """Read a pair table (and landscape) and score it with a shipped or saved model; without
    ``model``, the richest shipped model that the table's activity columns allow. The score
    is named ``score_column`` (e.g. ``ABC.Score`` for benchmark configs written for ABC)."""
    table = read_table(pairs, "pair table")
    if score_column != "genoseq.Score" and score_column in table.columns:
        raise InputError(f"the pair table already has a column {score_column!r}; choose another --score-column")
    land_table = read_table(landscape, "landscape") if landscape else None
    name = model or model_for_columns(table.columns, None if land_table is None else land_table.columns)
    integrator, entry = load_integrator(name)
    land = None
    if land_table is not None and integrator.uses_landscape:
        land = landscape_from_table(land_table, integrator.config.landscape_marks, str(landscape))
    scored = score_table(table, integrator, land, pairs)
    scored.table = scored.table.rename(columns={"genoseq.Score": score_column})
    scored.model = entry.name
    return scored


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
    # inputs are read in the order of the command's arguments, so the first problem is reported first
    records = list(read_dna(fasta))
    promoter_bed = scan.read_bed(promoters, "promoter BED")
    enhancer_bed = scan.read_bed(enhancers, "enhancer BED") if enhancers else None
    track_bed = scan.read_bed(track, "bedGraph", min_columns=4) if track else None
    pssms = scan.load_motifs(motifs, set(motif_ids.split(",")) if motif_ids else None) if motifs else []
    if tau is not None:
        taus, weights = np.array([tau]), np.array([1.0])
    else:
        integrator, _ = load_integrator(model)
        taus = np.asarray(integrator.config.taus, dtype=float)
        weights = torch.softmax(integrator.decay_logits.detach().double(), 0).numpy()
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


#: ABC's promoter window: an element within this distance of a TSS is a promoter element
PROMOTER_WINDOW = 500


def _overlaps(start: np.ndarray, end: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Which intervals [start, end) overlap any of the intervals [lo, hi) (one chromosome)."""
    if len(lo) == 0:
        return np.zeros(len(start), dtype=bool)
    order = np.argsort(lo)
    lo, hi = lo[order], np.maximum.accumulate(hi[order])
    k = np.searchsorted(lo, end, side="left") - 1  # last interval starting before the element ends
    return (k >= 0) & (hi[np.maximum(k, 0)] > start)


def element_classes(chrom: str, start: np.ndarray, end: np.ndarray, all_genes: pd.DataFrame,
                    bodies: pd.DataFrame | None) -> np.ndarray:
    """ABC's element classes: ``promoter`` within 500 bp of any gene's TSS, else ``genic``
    inside a gene body (when ``bodies`` are given), else ``intergenic``."""
    tss = all_genes.loc[all_genes.chrom == chrom, "tss"].to_numpy(float)
    classes = np.full(len(start), "intergenic", dtype=object)
    if bodies is not None:
        on = bodies[bodies.chrom == chrom]
        classes[_overlaps(start, end, on.start.to_numpy(float), on.end.to_numpy(float))] = "genic"
    classes[_overlaps(start, end, tss - PROMOTER_WINDOW, tss + PROMOTER_WINDOW)] = "promoter"
    return classes


def predict_landscape(model: EPIntegrator, landscape: Landscape, genes: pd.DataFrame, outputs, output: str,
                      max_distance: float = 5e6, min_share: float = 0.005, cell_type: str = "K562",
                      progress=None, all_genes: pd.DataFrame | None = None, bodies: pd.DataFrame | None = None,
                      expressed: set[str] | None = None, score_column: str = "genoseq.Score") -> int:
    """An ABC-style prediction table: for each gene, every landscape element within
    ``max_distance`` of its TSS whose share of the promoter's state is at least ``min_share``.

    Columns follow ABC's ``EnhancerPredictionsAllPutative`` order for those genoseq can
    fill: ``chr, start, end, name`` (``class|chr:start-end``), ``class``, ``activity_base``
    (geometric mean of the landscape marks, ABC's sqrt(DHS x H3K27ac)), ``TargetGene,
    TargetGeneTSS``, ``TargetGeneIsExpressed`` (with ``expressed``), ``distance``,
    ``isSelfPromoter``, the genoseq scores (``score_column`` in place of ABC.Score) and
    ``CellType``. Classes use the TSSs of ``all_genes`` (default ``genes``) and the
    gene ``bodies`` when given.

    Here the tested element is itself a landscape element, so its kick uses the
    landscape's kick transform; the share (``genoseq.Share``) is the ABC-like normalised
    score and the score applies the fitted read-out window. Returns the rows written.
    """
    from genoseq.io.tables import TsvWriter

    all_genes = genes if all_genes is None else all_genes
    writer = TsvWriter(output, outputs)
    written = 0
    columns = ["chr", "start", "end", "name", "class", "activity_base", "TargetGene", "TargetGeneTSS"]
    columns += ["TargetGeneIsExpressed"] * (expressed is not None)
    columns += ["distance", "isSelfPromoter", score_column, "genoseq.Share", "genoseq.Contribution", "genoseq.State",
                "CellType"]
    for chrom, group in genes.groupby("chrom", sort=False):
        if chrom not in landscape.chroms:
            continue
        pos, marks, start, end = landscape.chroms[chrom]
        order = np.argsort(pos)
        pos, marks, start, end = pos[order], marks[order], start[order], end[order]
        classes = element_classes(chrom, start, end, all_genes, bodies)
        raw = np.maximum(np.expm1(marks), 0.0)  # the landscape holds log1p(activity)
        activity = raw.prod(axis=1) ** (1.0 / raw.shape[1]) if raw.shape[1] else np.ones(len(pos))
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
            s, e = start[ids].astype(np.int64), end[ids].astype(np.int64)
            block = {
                "chr": chrom, "start": s, "end": e,
                "name": [f"{c}|{chrom}:{a}-{b}" for c, a, b in zip(classes[ids], s, e)],
                "class": classes[ids], "activity_base": activity[ids], "TargetGene": gene, "TargetGeneTSS": int(t),
                "distance": np.abs(pos[ids] - t).astype(np.int64),
                "isSelfPromoter": (classes[ids] == "promoter") & (s < t + PROMOTER_WINDOW) & (e > t - PROMOTER_WINDOW),
                score_column: p.numpy()[keep], "genoseq.Share": share[keep],
                "genoseq.Contribution": np.exp(log_c.numpy()[keep]), "genoseq.State": np.exp(log_state[k]),
                "CellType": cell_type,
            }
            if expressed is not None:
                block["TargetGeneIsExpressed"] = gene in expressed
            parts.append(pd.DataFrame(block, columns=columns))
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


def read_gene_bodies(path: str) -> pd.DataFrame:
    """Gene bodies from a BED (``chrom, start, end, name``), e.g. ABC's CollapsedGeneBounds."""
    from genoseq.ep.scan import read_bed

    bed = read_bed(path, "gene-body BED", min_columns=3)
    return pd.DataFrame({"chrom": bed.chrom, "start": bed.start, "end": bed.end})


def read_expressed_genes(path: str, cell_type: str) -> set[str]:
    """Genes marked expressed in ``cell_type``: a table ``cell_type, gene, expressed``
    (the benchmark's expressed-gene files), or ``gene, expressed`` for one cell type."""
    from genoseq.ep.features import require_columns

    table = read_table(path, "expressed-gene table")
    require_columns(table, ("gene", "expressed"), path, "expressed-gene table")
    if "cell_type" in table.columns:
        table = table[table["cell_type"].astype(str) == cell_type]
        if table.empty:
            raise InputError(f"{path}: no rows for cell type {cell_type!r}")
    yes = table["expressed"].astype(str).str.strip().str.upper().isin(["TRUE", "1"])
    return set(table.loc[yes, "gene"].astype(str))
