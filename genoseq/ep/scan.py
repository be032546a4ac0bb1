"""``genoseq ep scan``: run the integrator base by base along DNA sequences.

Kicks come from enhancer intervals (BED; column 5 as strength when numeric),
from a per-base activity track (bedGraph; value x length as strength), or from
JASPAR motif matches found with Biopython's PSSM scanner on both strands. The
decay is the shipped model's learned mixture (or one decay length). The state
is read at every base and at each promoter; a promoter is called active when its
state lies in ``[low, high]`` (soft sigmoid edges in log space).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from genoseq.ep.integrator import integrate
from genoseq.errors import InputError

READ_CHUNK = 1 << 20


@dataclass
class Kicks:
    """Kick positions (0-based) and strengths on one sequence."""

    positions: np.ndarray
    strengths: np.ndarray

    @staticmethod
    def empty() -> "Kicks":
        return Kicks(np.zeros(0), np.zeros(0))

    def __add__(self, other: "Kicks") -> "Kicks":
        return Kicks(np.r_[self.positions, other.positions], np.r_[self.strengths, other.strengths])


def read_bed(path: str | Path, what: str = "BED", min_columns: int = 3) -> pd.DataFrame:
    """A BED-like file (gzip allowed): header, ``track`` and ``browser`` lines and extra
    columns are fine."""
    from genoseq.io.fasta import open_text

    rows: list[tuple[str, int, int, list[str]]] = []
    try:
        with open_text(path) as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip() or line.startswith(("#", "track", "browser")):
                    continue
                fields = line.rstrip("\n").split("\t")
                if len(fields) < min_columns:
                    raise InputError(f"{path}: line {number}: {what} needs at least {min_columns} tab-separated columns")
                try:
                    start, end = int(fields[1]), int(fields[2])
                except ValueError:
                    if number == 1 or not rows:  # a header line without '#'
                        continue
                    raise InputError(f"{path}: line {number}: start/end are not integers") from None
                if start < 0 or end <= start:
                    raise InputError(f"{path}: line {number}: invalid interval {start}-{end}")
                rows.append((fields[0], start, end, fields[3:]))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    if not rows:
        raise InputError(f"{path}: no intervals")
    return pd.DataFrame(rows, columns=["chrom", "start", "end", "rest"])


def kicks_from_intervals(bed: pd.DataFrame, chrom: str, score_column: int | None = 1) -> Kicks:
    """Interval midpoints; strength = BED column 5 (``rest[1]``) where it is a number, else 1."""
    sel = bed[bed.chrom == chrom]
    strengths = np.ones(len(sel))
    if score_column is not None and len(sel):
        values = pd.to_numeric(sel.rest.map(lambda r: r[score_column] if len(r) > score_column else None), errors="coerce")
        strengths = np.maximum(values.fillna(1.0).to_numpy(float), 0.0)
    return Kicks(((sel.start + sel.end) / 2.0).to_numpy(float), strengths)


def kicks_from_track(bedgraph: pd.DataFrame, chrom: str) -> Kicks:
    sel = bedgraph[bedgraph.chrom == chrom]
    values = pd.to_numeric(sel.rest.map(lambda r: r[0] if r else None), errors="coerce")
    if values.isna().any():
        raise InputError("activity track: the 4th column must be numeric")
    return Kicks(((sel.start + sel.end) / 2.0).to_numpy(float),
                 np.maximum(values.to_numpy(float), 0.0) * (sel.end - sel.start).to_numpy(float))


def load_motifs(path: str | Path, ids: set[str] | None = None) -> list:
    """JASPAR matrices (gzip allowed) as Biopython log-odds PSSMs (pseudocount 0.5 per base)."""
    from Bio import motifs

    from genoseq.io.fasta import open_text

    try:
        with open_text(path) as handle:
            found = motifs.parse(handle, "jaspar")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except Exception as exc:  # Biopython raises various errors for malformed files
        raise InputError(f"{path}: not a JASPAR motif file ({exc})") from None
    chosen = [m for m in found if ids is None or m.matrix_id in ids or m.name in ids]
    if not chosen:
        raise InputError(f"{path}: no motifs" + (" with the requested ids" if ids else ""))
    return [(m.matrix_id, m.counts.normalize(pseudocounts=0.5).log_odds()) for m in chosen]


def kicks_from_motifs(sequence: str, pssms: list, min_fraction: float = 0.8) -> Kicks:
    """A kick at the centre of every match scoring at least ``min_fraction`` of the way from
    0 to the motif's best score, on either strand; strength rises linearly from 0 at that
    threshold to 1 at the best score."""
    from Bio.Seq import Seq

    seq = Seq(sequence.upper())
    positions, strengths = [], []
    for _, pssm in pssms:
        if len(seq) < pssm.length:
            continue
        threshold = min_fraction * pssm.max
        for strand_pssm in (pssm, pssm.reverse_complement()):
            scores = np.nan_to_num(np.asarray(strand_pssm.calculate(seq), dtype=float), nan=-np.inf)
            hits = np.flatnonzero(scores >= threshold)
            positions.append(hits + pssm.length / 2.0)
            strengths.append((scores[hits] - threshold) / max(1e-9, pssm.max - threshold))
    if not positions:
        return Kicks.empty()
    return Kicks(np.concatenate(positions), np.concatenate(strengths))


def state_along(length: int, kicks: Kicks, taus: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The integrator state at every base ``0 .. length-1`` (float64)."""
    keep = kicks.strengths > 0
    if not keep.any():
        return np.zeros(length)
    pos = torch.from_numpy(kicks.positions[keep])
    log_k = torch.from_numpy(np.log(kicks.strengths[keep]))
    taus_t = torch.from_numpy(np.asarray(taus, dtype=float))
    log_w = torch.from_numpy(np.log(np.maximum(np.asarray(weights, dtype=float), 1e-300)))
    out = np.empty(length)
    for start in range(0, length, READ_CHUNK):
        reads = torch.arange(start, min(length, start + READ_CHUNK), dtype=torch.float64)
        out[start : start + len(reads)] = torch.logsumexp(integrate(pos, log_k, reads, taus_t) + log_w, dim=1).exp().numpy()
    return out


def promoter_calls(state: np.ndarray, promoters: pd.DataFrame, chrom: str, low: float, high: float,
                   sharpness: float = 4.0) -> pd.DataFrame:
    """State at each promoter's TSS (BED start, or end - 1 on the '-' strand) and the call."""
    sel = promoters[promoters.chrom == chrom]
    rows = []
    for row in sel.itertuples(index=False):
        strand = row.rest[2] if len(row.rest) > 2 else "+"
        name = row.rest[0] if row.rest else f"{chrom}:{row.start}"
        tss = row.end - 1 if strand == "-" else row.start
        if tss >= len(state):
            raise InputError(f"promoter {name} at {chrom}:{tss} lies beyond the sequence ({len(state)} bp)")
        value = float(state[tss])
        log_v = math.log(max(value, 1e-300))
        p = _sigmoid(sharpness * (log_v - math.log(low))) * (_sigmoid(sharpness * (math.log(high) - log_v))
                                                             if math.isfinite(high) else 1.0)
        rows.append({"chrom": chrom, "tss": tss, "name": name, "strand": strand, "state": value,
                     "p_active": p, "active": low <= value <= high})
    return pd.DataFrame(rows, columns=["chrom", "tss", "name", "strand", "state", "p_active", "active"])


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0
