"""Synthetic pair tables and landscapes with the benchmark's columns."""
from __future__ import annotations

import numpy as np
import pandas as pd

from genoseq.ep.features import DEFAULT_MARKS


def synthetic_pairs(n: int = 300, seed: int = 0, chroms=("chr1", "chr2", "chr3")) -> pd.DataFrame:
    """Pairs whose label depends on activity and distance, as in real screens."""
    rng = np.random.default_rng(seed)
    chrom = rng.choice(chroms, size=n)
    tss = rng.integers(1_000_000, 2_000_000, size=n)
    distance = rng.lognormal(10.5, 1.2, size=n).astype(int) + 1000
    start = tss + np.where(rng.random(n) < 0.5, -1, 1) * distance
    table = pd.DataFrame({
        "chrom": chrom, "chromStart": start, "chromEnd": start + 500, "name": [f"e{i}" for i in range(n)],
        "chrTSS": chrom, "startTSS": tss, "endTSS": tss + 1, "measuredGeneSymbol": [f"G{i % 40}" for i in range(n)],
    })
    activity = rng.lognormal(1.0, 1.0, size=(n, len(DEFAULT_MARKS)))
    for k, mark in enumerate(DEFAULT_MARKS):
        table[mark] = activity[:, k]
    table["measuredGeneUbiquitousExpressed"] = rng.random(n) < 0.3
    logit = 1.2 * np.log1p(activity[:, 0]) - 1.5 * np.log10(distance) + 4.5
    table["Regulated"] = rng.random(n) < 1 / (1 + np.exp(-logit))
    table["ValidConnection"] = "TRUE"
    return table


def synthetic_landscape(seed: int = 0, chroms=("chr1", "chr2", "chr3")) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for chrom in chroms:
        starts = np.sort(rng.integers(0, 3_000_000, size=300))
        for s in starts:
            rows.append((chrom, int(s), int(s) + 150, int(rng.integers(1, 200)), float(rng.uniform(0, 30))))
    return pd.DataFrame(rows, columns=["chr", "start", "end", "DNase_signal", "H3K27ac_signal"])
