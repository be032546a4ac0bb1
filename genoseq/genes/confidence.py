"""``conf``: the probability that a called gene is real, calibrated on held-out genomes.

A gene's decoder score is a log-odds summed over its codons, so long genes reach
thousands and a plain logistic of the score says 100 % for nearly every call. The
calibration is a logistic regression on ``asinh(score / 10)`` and ``log(length / 300)``,
fitted on the decoder-tuning genomes (a call is right when a reference CDS has its
seqid, strand and stop), and stored in the checkpoint's settings (``"confidence"``),
so a model loaded by name or by path reports the same figures.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class ConfidenceCalibration:
    intercept: float = 0.0
    score_weight: float = 10.0  # with length_weight 0 and intercept 0 this is ~ the plain logistic of the score
    length_weight: float = 0.0

    def features(self, score: np.ndarray, length: np.ndarray) -> np.ndarray:
        return np.stack([np.ones(len(score)), np.arcsinh(np.asarray(score, float) / 10.0),
                         np.log(np.maximum(np.asarray(length, float), 1.0) / 300.0)], axis=1)

    def probability(self, score, length) -> np.ndarray:
        """P(real gene) for arrays of gene scores and lengths (nt)."""
        z = self.features(np.atleast_1d(score), np.atleast_1d(length)) @ np.array(
            [self.intercept, self.score_weight, self.length_weight])
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_settings(cls, settings: dict) -> "ConfidenceCalibration":
        return cls(**settings.get("confidence", {}))


def fit_calibration(score: np.ndarray, length: np.ndarray, correct: np.ndarray, l2: float = 1e-3,
                    iterations: int = 50) -> ConfidenceCalibration:
    """Maximum-likelihood logistic regression (Newton's method, a small ridge for stability)."""
    x = ConfidenceCalibration().features(score, length)
    y = np.asarray(correct, float)
    w = np.zeros(x.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -50, 50)))
        gradient = x.T @ (p - y) + l2 * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + l2 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return ConfidenceCalibration(float(w[0]), float(w[1]), float(w[2]))


def reliability_table(probability: np.ndarray, correct: np.ndarray,
                      edges: tuple[float, ...] = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)) -> list[dict]:
    """Per bin of predicted probability: calls, mean prediction and the share that were right."""
    probability, correct = np.asarray(probability, float), np.asarray(correct, bool)
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (probability >= lo) & ((probability < hi) | (hi == edges[-1]))
        if inside.any():
            rows.append({"bin": f"{lo:.2f}-{hi:.2f}", "calls": int(inside.sum()),
                         "mean_conf": float(probability[inside].mean()), "observed": float(correct[inside].mean())})
    return rows


def expected_calibration_error(probability: np.ndarray, correct: np.ndarray) -> float:
    """Call-weighted mean |mean prediction - observed share| over the reliability bins."""
    rows = reliability_table(probability, correct)
    total = sum(r["calls"] for r in rows)
    return sum(r["calls"] * abs(r["mean_conf"] - r["observed"]) for r in rows) / total if total else float("nan")
