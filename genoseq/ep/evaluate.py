"""Ranking metrics for enhancer-gene scores: AUPRC (average precision) and precision
at a fixed recall, as the CRISPR benchmarks report them."""
from __future__ import annotations

import numpy as np


def precision_recall(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision and recall at every distinct score threshold (highest first), and the thresholds.
    Tied scores enter together, so the curve does not depend on row order."""
    labels = np.asarray(labels, dtype=bool)
    scores = np.asarray(scores, dtype=float)
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]
    tp = np.cumsum(y)[last_of_tie]
    called = last_of_tie + 1
    return tp / called, tp / max(1, labels.sum()), s[last_of_tie]


def average_precision(labels: np.ndarray, scores: np.ndarray) -> float:
    """AUPRC as average precision: sum over thresholds of (recall step) x precision."""
    precision, recall, _ = precision_recall(labels, scores)
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def precision_at_recall(labels: np.ndarray, scores: np.ndarray, recall_level: float = 0.7) -> float:
    """Precision at the first threshold whose recall reaches ``recall_level``."""
    precision, recall, _ = precision_recall(labels, scores)
    reached = np.flatnonzero(recall >= recall_level)
    return float(precision[reached[0]]) if len(reached) else float("nan")


def score_report(labels: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """AUPRC, precision at 70 % recall, pair and positive counts (rows without a score are left out)."""
    labels = np.asarray(labels, dtype=bool)
    scores = np.asarray(scores, dtype=float)
    ok = np.isfinite(scores)
    return {
        "pairs": int(ok.sum()), "positives": int(labels[ok].sum()),
        "auprc": average_precision(labels[ok], scores[ok]),
        "precision_at_70_recall": precision_at_recall(labels[ok], scores[ok], 0.7),
    }


def evaluate_scored_table(path: str, score_column: str = "genoseq.Score", by: str | None = None) -> dict:
    """Metrics of a scored pair table, overall and (with ``by``) per group."""
    from genoseq.ep.features import benchmark_rows, labels_of, numeric_column, read_table, require_columns

    table = read_table(path, "scored table")
    require_columns(table, [score_column] + ([by] if by else []), path, "scored table")
    use = benchmark_rows(table)
    labels = labels_of(table, path)
    scores = numeric_column(table, score_column, path, "scored table")
    result: dict = score_report(labels[use], scores[use])
    if by:
        groups = table[by].astype(str).to_numpy()
        for group in sorted(set(groups[use])):
            sel = use & (groups == group)
            for key, value in score_report(labels[sel], scores[sel]).items():
                result[f"{group}.{key}"] = value
    return result
