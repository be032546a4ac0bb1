"""Enhancer-gene tables -> the numbers the integrator needs, with the input checks.

A *pair table* has one row per element-gene pair with the columns of the CRISPR
benchmark files: element ``chrom, chromStart, chromEnd``, gene
``measuredGeneSymbol`` and TSS ``startTSS``, and per-element activity columns
(``DHS.RPM``, ``H3K27ac.RPM``, ...). A *landscape* is a genome-wide table of
candidate elements (``chr, start, end`` plus activity columns) that the
integrator walks through.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from genoseq.errors import InputError

PAIR_COLUMNS = ("chrom", "chromStart", "chromEnd", "measuredGeneSymbol", "startTSS")
LANDSCAPE_COLUMNS = ("chr", "start", "end")
#: Activity marks of the benchmark tables (reads per million in the element).
DEFAULT_MARKS = ("DHS.RPM", "H3K27ac.RPM", "H3K4me1.RPM", "H3K27ac.RPM.expandedRegion", "CTCF.RPM", "H3K27me3.RPM")
DEFAULT_LANDSCAPE_MARKS = ("DNase_signal", "H3K27ac_signal")
UBIQUITOUS = "measuredGeneUbiquitousExpressed"
#: the landscape column that carries the same assay as a pair-table mark
LANDSCAPE_MARK_OF = {"DHS.RPM": "DNase_signal", "H3K27ac.RPM": "H3K27ac_signal"}


def landscape_marks_for(marks: tuple[str, ...]) -> tuple[str, ...]:
    """The landscape columns of the assays a model's element marks use (DHS -> DNase_signal,
    H3K27ac -> H3K27ac_signal): a user with DHS alone has a DHS landscape alone."""
    found = tuple(LANDSCAPE_MARK_OF[m] for m in marks if m in LANDSCAPE_MARK_OF)
    if not found:
        raise InputError("a landscape model needs DHS.RPM or H3K27ac.RPM among its marks")
    return found


def read_table(path: str | Path, what: str) -> pd.DataFrame:
    """A tab-separated table (gzip allowed, ``-`` for stdin) with a header line."""
    import sys

    source = sys.stdin if str(path) == "-" else path
    try:
        table = pd.read_csv(source, sep="\t", low_memory=False, comment=None)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: {what} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError, EOFError) as exc:
        raise InputError(f"{path}: not a readable tab-separated {what} ({str(exc).splitlines()[0]})") from None
    if table.empty:
        raise InputError(f"{path}: {what} has a header but no rows")
    return table


def require_columns(table: pd.DataFrame, columns, path, what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(f"{path}: {what} lacks column(s) {', '.join(missing)}")


def numeric_column(table: pd.DataFrame, column: str, path, what: str) -> np.ndarray:
    """A column as float; text that is not a number is an error naming the first bad row."""
    values = pd.to_numeric(table[column], errors="coerce")
    bad = values.isna() & table[column].notna() & (table[column].astype(str).str.strip().str.upper() != "NA")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"{path}: {what} column {column!r} is not numeric (row {row + 2}: {table[column].iloc[row]!r})")
    return values.to_numpy(dtype=float)


@dataclass
class PairFeatures:
    """Per-pair inputs; ``ok`` marks the rows that can be scored."""

    chrom: np.ndarray
    element_start: np.ndarray
    element_end: np.ndarray
    tss: np.ndarray
    marks: np.ndarray  # (pairs, marks): log1p of activity
    ubiquitous: np.ndarray
    ok: np.ndarray
    reasons: dict[str, int]

    @property
    def midpoint(self) -> np.ndarray:
        return (self.element_start + self.element_end) / 2.0

    @property
    def distance(self) -> np.ndarray:
        return np.abs(self.midpoint - self.tss)


def pair_features(table: pd.DataFrame, marks: tuple[str, ...], path="pairs") -> PairFeatures:
    """Check a pair table and compute its features; unscorable rows are flagged, not fatal."""
    require_columns(table, PAIR_COLUMNS + tuple(marks), path, "pair table")
    start = numeric_column(table, "chromStart", path, "pair table")
    end = numeric_column(table, "chromEnd", path, "pair table")
    tss = numeric_column(table, "startTSS", path, "pair table")
    values = np.stack([numeric_column(table, m, path, "pair table") for m in marks], axis=1) if marks else np.zeros((len(table), 0))
    ubiquitous = (table[UBIQUITOUS].astype(str).str.upper() == "TRUE").to_numpy(float) if UBIQUITOUS in table else np.zeros(len(table))
    reasons: dict[str, int] = {}
    ok = np.ones(len(table), dtype=bool)

    def flag(mask: np.ndarray | np.bool_, reason: str) -> None:
        new = mask & ok
        if new.any():
            reasons[reason] = int(new.sum())
            ok[new] = False

    flag(~np.isfinite(start) | ~np.isfinite(end) | (start < 0) | (end <= start), "invalid element coordinates")
    flag(~np.isfinite(tss) | (tss < 0), "missing or negative TSS")
    flag(~np.isfinite(values).all(axis=1) | (values < 0).any(axis=1), "missing or negative activity")
    flag((tss >= start) & (tss < end), "element overlaps its own TSS")
    if "chrTSS" in table.columns:
        flag((table["chrTSS"].astype(str) != table["chrom"].astype(str)).to_numpy(), "TSS on another chromosome")
    return PairFeatures(
        chrom=table["chrom"].astype(str).to_numpy(), element_start=start, element_end=end, tss=tss,
        marks=np.log1p(np.where(np.isfinite(values), np.maximum(values, 0), 0)), ubiquitous=ubiquitous,
        ok=ok, reasons=reasons,
    )


@dataclass
class Landscape:
    """Candidate elements per chromosome: midpoints, log1p activity and (start, end)."""

    chroms: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]
    marks: tuple[str, ...]

    @property
    def size(self) -> int:
        return sum(len(v[0]) for v in self.chroms.values())


def read_landscape(path: str | Path, marks: tuple[str, ...] = DEFAULT_LANDSCAPE_MARKS) -> Landscape:
    return landscape_from_table(read_table(path, "landscape"), marks, path)


def landscape_from_table(table: pd.DataFrame, marks: tuple[str, ...], path: str | Path = "landscape") -> Landscape:
    """The landscape walk's arrays from a table already read (``read_table``)."""
    require_columns(table, LANDSCAPE_COLUMNS + tuple(marks), path, "landscape")
    start = numeric_column(table, "start", path, "landscape")
    end = numeric_column(table, "end", path, "landscape")
    values = np.stack([numeric_column(table, m, path, "landscape") for m in marks], axis=1)
    if (~np.isfinite(values)).any() or (values < 0).any():
        row = int(np.flatnonzero((~np.isfinite(values) | (values < 0)).any(axis=1))[0])
        raise InputError(f"{path}: landscape row {row + 2} has missing or negative activity")
    if (~np.isfinite(start) | ~np.isfinite(end) | (end <= start)).any():
        raise InputError(f"{path}: landscape has invalid coordinates")
    chroms = {}
    chrom_col = table["chr"].astype(str).to_numpy()
    for chrom in pd.unique(chrom_col):
        sel = chrom_col == chrom
        chroms[chrom] = ((start[sel] + end[sel]) / 2.0, np.log1p(values[sel]), start[sel], end[sel])
    return Landscape(chroms, tuple(marks))


#: the benchmark's label column
LABEL = "Regulated"


def labels_of(table: pd.DataFrame, path="pairs") -> np.ndarray:
    if LABEL not in table.columns:
        raise InputError(f"{path}: no {LABEL!r} column to train or evaluate on")
    text = table[LABEL].astype(str).str.strip().str.upper()
    bad = ~text.isin(["TRUE", "FALSE", "1", "0"])
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"{path}: {LABEL} must be TRUE/FALSE (row {row + 2}: {table[LABEL].iloc[row]!r})")
    return text.isin(["TRUE", "1"]).to_numpy()


def benchmark_rows(table: pd.DataFrame) -> np.ndarray:
    """Rows the benchmarks use: ``ValidConnection == TRUE`` when the column exists."""
    if "ValidConnection" not in table.columns:
        return np.ones(len(table), dtype=bool)
    return (table["ValidConnection"].astype(str).str.upper() == "TRUE").to_numpy()
