#!/usr/bin/env python
"""Draw what the fitted integrator learned: its contact (decay) curve against ABC's
power law, and its read-out window over the pairs it was fitted on.

    pip install matplotlib
    python benchmarks/ep_plot.py -o models/ep_default.png
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from genoseq.datapaths import default_data_root
from genoseq.ep.api import ELEMENT_MODEL, LANDSCAPE_MODEL, load_integrator
from genoseq.ep.features import pair_features, read_landscape, read_table
from genoseq.ep.scoring import PreparedPairs, score_pairs
from genoseq.ep.features import benchmark_rows, labels_of
from genoseq.ep.training import subset


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-root", default=str(default_data_root()))
    parser.add_argument("-o", "--output", default="models/ep_default.png")
    args = parser.parse_args()
    root = Path(args.data_root) / "enhancers"
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    distance = torch.logspace(3, 7, 200, dtype=torch.float64)
    for name, style in ((LANDSCAPE_MODEL, "-"), (ELEMENT_MODEL, "--")):
        model, _ = load_integrator(name)
        with torch.no_grad():
            contact = model.log_contact(distance).exp().numpy()
            weights = torch.softmax(model.decay_logits.double(), 0).numpy()
        axes[0].loglog(distance, contact / contact[np.searchsorted(distance.numpy(), 5000)], style, label=name)
        axes[1].semilogx(model.config.taus, weights, "o" + style, label=name)
    abc = np.maximum(distance.numpy(), 5000) ** -1.024
    axes[0].loglog(distance, abc / abc[np.searchsorted(distance.numpy(), 5000)], ":", color="grey", label="ABC power law d^-1.024")
    axes[0].set(xlabel="element-TSS distance (bp)", ylabel="contact c(d), 1 at 5 kb", title="learned decay")
    axes[0].legend()
    axes[1].set(xlabel="decay length tau (bp)", ylabel="mixture weight", title="decay bank mixture")
    axes[1].legend()

    model, _ = load_integrator(LANDSCAPE_MODEL)
    table = read_table(root / "crispr_combined_K562_training.GRCh38.tsv.gz", "pairs")
    use = benchmark_rows(table)
    features = subset(pair_features(table, model.config.marks), use)
    landscape = read_landscape(root / "k562_landscape" / "K562_DHS_elements_ENCODE_uniform.hg38.tsv.gz",
                               model.config.landscape_marks)
    prepared = PreparedPairs(features, landscape)
    labels = labels_of(table)[use][prepared.rows]
    with torch.no_grad():
        u = score_pairs(model, prepared).u.numpy()
        grid = torch.linspace(float(u.min()) - 1, float(u.max()) + 3, 300, dtype=torch.float64)
        lower = torch.sigmoid(model.log_slope_lo.exp() * (grid - model.lo))
        upper = torch.sigmoid(model.log_slope_hi.exp() * (model.hi - grid))
    bins = np.linspace(grid[0].item(), grid[-1].item(), 40)
    axes[2].hist(u[~labels], bins=bins, density=True, alpha=0.5, label="not regulated")
    axes[2].hist(u[labels], bins=bins, density=True, alpha=0.5, label="regulated")
    twin = axes[2].twinx()
    twin.plot(grid, (lower * upper).numpy(), color="black", label="window p(u)")
    twin.set_ylim(0, 1.05)
    twin.set_ylabel("read-out probability")
    axes[2].set(xlabel="read-out u = log C - rho log S (+ ubiquitous shift)", ylabel="density",
                title=f"{LANDSCAPE_MODEL}: read-out window")
    axes[2].legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(args.output, dpi=110)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
