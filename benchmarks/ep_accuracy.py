#!/usr/bin/env python
"""Enhancer-gene accuracy: genoseq's integrator against distance and ABC-style baselines.

    python benchmarks/ep_accuracy.py --cv-landscape runs/ep/ep_landscape.pt.cv.tsv \\
        --cv-element runs/ep/ep_element.pt.cv.tsv

Prints AUPRC and precision at 70 % recall on the K562 training benchmark
(genoseq rows: leave-one-chromosome-out scores written by ``genoseq train ep``),
on its subset with a published ABC power-law score, and the held-out cell-type
table scored by the shipped parameters (a transfer test: K562 rows through the
K562 landscape, all rows element by element).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from genoseq.datapaths import default_data_root
from genoseq.ep.api import ELEMENT_MODEL, LANDSCAPE_MODEL, load_integrator, score_table
from genoseq.ep.evaluate import score_report
from genoseq.ep.features import read_landscape
from genoseq.ep.features import benchmark_rows, labels_of

ABC_GAMMA = 1.024  # ABC's fitted power-law exponent for K562 contact (Fulco et al. 2019)


def landscape_abc(table: pd.DataFrame, landscape_path: Path, own_activity: np.ndarray | None) -> np.ndarray:
    """ABC with power-law contact: activity x contact over the sum for all landscape
    elements within 5 Mb of the TSS. ``own_activity`` replaces the tested element's
    landscape activity with its own measurement (the denominator stays the landscape)."""
    land = pd.read_csv(landscape_path, sep="\t")
    mids = {c: ((g.start + g.end) / 2).to_numpy() for c, g in land.groupby("chr")}
    acts = {c: g.activity_base.to_numpy() for c, g in land.groupby("chr")}
    out = np.full(len(table), np.nan)
    for i, row in enumerate(table.itertuples(index=False)):
        if row.chrom not in mids:
            continue
        d = np.abs(mids[row.chrom] - row.startTSS)
        near = d <= 5e6
        contact = np.maximum(d[near], 5000.0) ** -ABC_GAMMA
        denominator = (acts[row.chrom][near] * contact).sum()
        e_mid = (row.chromStart + row.chromEnd) / 2
        e_contact = max(abs(e_mid - row.startTSS), 5000.0) ** -ABC_GAMMA
        if own_activity is None:
            inside = (np.abs(mids[row.chrom] - e_mid) <= 250 + (row.chromEnd - row.chromStart) / 2)
            numerator = (acts[row.chrom][inside] * e_contact).sum()
        else:
            numerator = own_activity[i] * e_contact
        out[i] = numerator / denominator if denominator > 0 else np.nan
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-root", default=str(default_data_root()))
    parser.add_argument("--cv-landscape", required=True, help="cv.tsv of genoseq train ep (landscape model)")
    parser.add_argument("--cv-element", required=True, help="cv.tsv of genoseq train ep --landscape none")
    args = parser.parse_args()
    root = Path(args.data_root) / "enhancers"
    landscape_path = root / "k562_landscape" / "K562_DHS_elements_ENCODE_uniform.hg38.tsv.gz"
    table = pd.read_csv(root / "crispr_combined_K562_training.GRCh38.tsv.gz", sep="\t")
    use = benchmark_rows(table)
    labels = labels_of(table)
    distance = np.maximum(np.abs((table.chromStart + table.chromEnd) / 2 - table.startTSS), 1.0).to_numpy()
    activity = np.sqrt(table["DHS.RPM"] * table["H3K27ac.RPM"]).to_numpy()
    scores = {
        "1 / distance": 1 / distance,
        "activity / distance (5 kb floor)": activity / np.maximum(distance, 5000),
        "ABC power law over the landscape": landscape_abc(table, landscape_path, None),
        "ABC, own activity / landscape sum": landscape_abc(table, landscape_path, activity),
        "genoseq element-wise (LOCO)": pd.read_csv(args.cv_element, sep="\t")["genoseq.CVScore"].to_numpy(),
        "genoseq landscape (LOCO)": pd.read_csv(args.cv_landscape, sep="\t")["genoseq.CVScore"].to_numpy(),
    }
    has_abc = use & table["ABC_powerlaw_score"].notna().to_numpy()
    print("## K562 training benchmark\n")
    print("| score | AUPRC | precision at 70 % recall | AUPRC on pairs with a published ABC score |")
    print("|---|---|---|---|")
    for name, values in list(scores.items()) + [("published ABC power-law score", table["ABC_powerlaw_score"].to_numpy())]:
        full = score_report(labels[use], values[use]) if name != "published ABC power-law score" else None
        subset = score_report(labels[has_abc], values[has_abc])
        if full is None:
            print(f"| {name} | - | - | {subset['auprc']:.3f} |")
        else:
            print(f"| {name} | {full['auprc']:.3f} | {full['precision_at_70_recall']:.3f} | {subset['auprc']:.3f} |")
    print(f"\n{int(use.sum())} pairs, {int(labels[use].sum())} positives; "
          f"{int(has_abc.sum())} pairs ({int(labels[has_abc].sum())} positives) with a published ABC score.\n")

    held = pd.read_csv(root / "crispr_combined_heldout_celltypes.GRCh38.tsv.gz", sep="\t")
    held_use = benchmark_rows(held)
    held_labels = labels_of(held)
    element, _ = load_integrator(ELEMENT_MODEL)
    land_model, _ = load_integrator(LANDSCAPE_MODEL)
    element_scores = score_table(held, element).table["genoseq.Score"].to_numpy()
    k562 = (held.CellType == "K562").to_numpy()
    landscape = read_landscape(landscape_path, land_model.config.landscape_marks)
    land_scores = np.full(len(held), np.nan)
    land_scores[k562] = score_table(held[k562], land_model, landscape).table["genoseq.Score"].to_numpy()
    held_distance = np.maximum(np.abs((held.chromStart + held.chromEnd) / 2 - held.startTSS), 1.0).to_numpy()
    held_activity = np.sqrt(held["DHS.RPM"] * held["H3K27ac.RPM"]).to_numpy()
    print("## Held-out cell types (shipped parameters, fitted on the K562 training benchmark)\n")
    print("| cell type | pairs | positives | 1/distance | activity/distance | genoseq element-wise | genoseq landscape (K562 only) |")
    print("|---|---|---|---|---|---|---|")
    for cell in ["all"] + sorted(held.CellType.unique()):
        sel = held_use & ((held.CellType == cell).to_numpy() if cell != "all" else True)
        rep = [score_report(held_labels[sel], s[sel]) for s in
               (1 / held_distance, held_activity / np.maximum(held_distance, 5000), element_scores)]
        land = score_report(held_labels[sel & k562], land_scores[sel & k562]) if (sel & k562).any() else None
        print(f"| {cell} | {rep[0]['pairs']} | {rep[0]['positives']} | {rep[0]['auprc']:.3f} | {rep[1]['auprc']:.3f} "
              f"| {rep[2]['auprc']:.3f} | {land['auprc']:.3f} |" if land else
              f"| {cell} | {rep[0]['pairs']} | {rep[0]['positives']} | {rep[0]['auprc']:.3f} | {rep[1]['auprc']:.3f} "
              f"| {rep[2]['auprc']:.3f} | - |")


if __name__ == "__main__":
    main()
