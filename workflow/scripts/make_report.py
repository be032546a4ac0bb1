"""Collect the workflow's metrics into tables and plots (matplotlib) for the report."""
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from genoseq.ep.evaluate import precision_recall  # noqa: E402
from genoseq.ep.features import benchmark_rows, labels_of  # noqa: E402
from genoseq.ss.dataset import read_ss_table  # noqa: E402
from genoseq.ss.labels import SS3, SS8_TO_SS3  # noqa: E402

sm = snakemake  # noqa: F821
sys.stderr = open(sm.log[0], "w")

# genes: one row per genome and tool
rows = []
for path in sm.input.genes:
    genome, tool = Path(path).name[: -len(".json")].rsplit(".", 1)
    rows.append({"genome": genome, "tool": tool, **json.loads(Path(path).read_text())})
genes = pd.DataFrame(rows)
genes.to_csv(sm.output.genes, sep="\t", index=False)
metrics = [m for m in ("sensitivity", "start_exact", "precision", "base_f1") if m in genes.columns]
fig, axes = plt.subplots(1, len(metrics), figsize=(4 * len(metrics), 3.5), squeeze=False)
for ax, metric in zip(axes[0], metrics):
    table = genes.pivot(index="genome", columns="tool", values=metric)
    table.plot.bar(ax=ax, rot=30, ylim=(0, 1), legend=ax is axes[0][0])
    ax.set_title(metric)
fig.tight_layout()
fig.savefig(sm.output.genes_plot, dpi=100)

# training curves
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
gm = pd.read_csv(sm.input.genes_metrics)
axes[0].plot(gm["epoch"], gm["val_acc"], marker="o")
axes[0].set(title="genes: validation per-base accuracy", xlabel="epoch")
sm_metrics = pd.read_csv(sm.input.ss_metrics)
for column in ("val_q3", "val_q8"):
    axes[1].plot(sm_metrics["epoch"], sm_metrics[column], marker="o", label=column)
axes[1].set(title="ss: validation Q3 / Q8", xlabel="epoch")
axes[1].legend()
fig.tight_layout()
fig.savefig(sm.output.curves, dpi=100)

# ss metrics and 3-state confusion matrix
ss = json.loads(Path(sm.input.ss_eval[0]).read_text())
# object columns keep counts as integers (7286, not 7286.0) beside the fractions
pd.DataFrame({"metric": list(ss), "value": pd.Series(list(ss.values()), dtype=object)}).to_csv(
    sm.output.ss, sep="\t", index=False)
ref = read_ss_table(sm.input.ss_ref)
pred = pd.read_csv(sm.input.ss_pred[0], dtype={"id": str}).groupby("id", sort=False)["q3"].apply("".join)
confusion = np.zeros((3, 3), dtype=int)
for ident, targets in zip(ref.ids, ref.targets8):
    states = np.array([SS3.index(s) for s in pred[ident]])
    ok = targets >= 0
    np.add.at(confusion, (SS8_TO_SS3[targets[ok]], states[ok]), 1)
fig, ax = plt.subplots(figsize=(4, 3.5))
ax.imshow(confusion / confusion.sum(1, keepdims=True), cmap="Blues", vmin=0, vmax=1)
for i in range(3):
    for j in range(3):
        ax.text(j, i, f"{confusion[i, j]}", ha="center", va="center")
ax.set(xticks=range(3), yticks=range(3), xticklabels=list(SS3), yticklabels=list(SS3), xlabel="predicted", ylabel="DSSP")
fig.tight_layout()
fig.savefig(sm.output.confusion, dpi=100)

# ep metrics and precision-recall curve
ep_rows = []
for path in sm.input.ep:
    for key, value in json.loads(Path(path).read_text()).items():
        ep_rows.append({"evaluation": Path(path).stem, "metric": key, "value": value})
pd.DataFrame(ep_rows, dtype=object).to_csv(sm.output.ep, sep="\t", index=False)
cv = pd.read_csv(sm.input.ep_cv, sep="\t")
use = benchmark_rows(cv)
labels = labels_of(cv)[use]
fig, ax = plt.subplots(figsize=(4.5, 4))
distance = np.abs((cv.chromStart + cv.chromEnd) / 2 - cv.startTSS).to_numpy()[use]
for name, scores in (("genoseq (LOCO)", cv["genoseq.CVScore"].to_numpy()[use]), ("1 / distance", 1 / np.maximum(distance, 1))):
    ok = np.isfinite(scores)
    precision, recall, _ = precision_recall(labels[ok], scores[ok])
    ax.plot(recall, precision, label=name)
ax.set(xlabel="recall", ylabel="precision", xlim=(0, 1), ylim=(0, 1))
ax.legend()
fig.tight_layout()
fig.savefig(sm.output.pr, dpi=100)
