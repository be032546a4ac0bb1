"""``genoseq evaluate ss``: Q3, Q8, per-class precision/recall and SOV'99 against DSSP labels."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from genoseq.ss.labels import SS3, SS8, SS8_TO_SS3, state_indices


@dataclass
class SSScores:
    residues: int
    chains: int
    q3: float
    q8: float
    sov3: float
    per_class: dict[str, dict[str, float]] = field(default_factory=dict)
    disorder: dict[str, float] = field(default_factory=dict)  # MCC and AUC, for models with a disorder head

    def as_dict(self) -> dict:
        flat = {"chains": self.chains, "residues": self.residues, "q3": self.q3, "q8": self.q8, "sov3": self.sov3}
        flat.update({f"disorder_{key}": value for key, value in self.disorder.items()})
        for state, values in self.per_class.items():
            for key, value in values.items():
                flat[f"{key}_{state}"] = value
        return flat


def _runs(states: np.ndarray) -> list[tuple[int, int, int]]:
    """Maximal runs of equal values as (state, start, end) with ``end`` exclusive."""
    if not len(states):
        return []
    edges = np.flatnonzero(np.diff(states)) + 1
    starts = np.concatenate([[0], edges])
    ends = np.concatenate([edges, [len(states)]])
    return [(int(states[s]), int(s), int(e)) for s, e in zip(starts, ends)]


def sov99(observed: np.ndarray, predicted: np.ndarray) -> tuple[float, int]:
    """Segment overlap (Zemla et al. 1999, SOV'99) summed over states: returns
    (sum of the weighted overlap terms, normaliser N), so chains can be pooled."""
    obs_runs, pred_runs = _runs(observed), _runs(predicted)
    total, norm = 0.0, 0
    for state, s1, e1 in obs_runs:
        len1 = e1 - s1
        overlapping = [(s2, e2) for st, s2, e2 in pred_runs if st == state and s2 < e1 and e2 > s1]
        if not overlapping:
            norm += len1
            continue
        for s2, e2 in overlapping:
            norm += len1
            minov = min(e1, e2) - max(s1, s2)
            maxov = max(e1, e2) - min(s1, s2)
            delta = min(maxov - minov, minov, len1 // 2, (e2 - s2) // 2)
            total += (minov + delta) / maxov * len1
    return total, norm


def disorder_scores(truth: list[np.ndarray], probability: list[np.ndarray], threshold: float = 0.5) -> dict[str, float]:
    """Disorder as NetSurfP-2 reports it: Matthews correlation of the calls at ``threshold``
    and the area under the ROC curve, over residues whose target is 0 or 1 (-1 = not scored)."""
    import pandas as pd

    t = np.concatenate(truth) if truth else np.zeros(0, np.int8)
    p = np.concatenate(probability) if probability else np.zeros(0)
    keep = t >= 0
    t, p = t[keep].astype(bool), p[keep].astype(np.float64)
    positives, negatives = int(t.sum()), int((~t).sum())
    if not positives or not negatives:
        return {"residues": int(keep.sum()), "disordered": positives, "mcc": float("nan"), "auc": float("nan")}
    ranks = pd.Series(p).rank().to_numpy()  # ties share their mean rank
    auc = (ranks[t].sum() - positives * (positives + 1) / 2) / (positives * negatives)
    called = p >= threshold
    tp, fp = float((called & t).sum()), float((called & ~t).sum())
    fn, tn = float((~called & t).sum()), float((~called & ~t).sum())
    denominator = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    mcc = (tp * tn - fp * fn) / denominator if denominator else 0.0
    return {"residues": int(keep.sum()), "disordered": positives, "mcc": float(mcc), "auc": float(auc)}


def _scored_stretches(mask: np.ndarray) -> list[tuple[int, int]]:
    return [(s, e) for value, s, e in _runs(mask.astype(np.int64)) if value]


def evaluate_predictions(true8: list[np.ndarray], pred3: list[np.ndarray], pred8: list[np.ndarray]) -> SSScores:
    """Score per-chain 8-state targets (negative = not scored) against predicted class indices.

    SOV is computed over each contiguous stretch of scored residues, so unresolved
    gaps split segments instead of joining them.
    """
    t3_all, p3_all, t8_all, p8_all = [], [], [], []
    sov_sum = 0.0
    sov_norm = 0
    for t8, p3, p8 in zip(true8, pred3, pred8):
        ok = t8 >= 0
        t3 = np.where(ok, SS8_TO_SS3[np.maximum(t8, 0)], -1)
        t3_all.append(t3[ok])
        p3_all.append(p3[ok])
        t8_all.append(t8[ok])
        p8_all.append(p8[ok])
        for s, e in _scored_stretches(ok):
            part, norm = sov99(t3[s:e], p3[s:e])
            sov_sum += part
            sov_norm += norm
    t3, p3, t8, p8 = (np.concatenate(x) if x else np.zeros(0, int) for x in (t3_all, p3_all, t8_all, p8_all))
    n = len(t3)
    per_class: dict[str, dict[str, float]] = {}
    for alphabet, truth, pred in ((SS3, t3, p3), (SS8, t8, p8)):
        prefix = "q3" if alphabet is SS3 else "q8"
        for k, state in enumerate(alphabet):
            tp = int(((pred == k) & (truth == k)).sum())
            per_class[f"{prefix}_{state}"] = {
                "precision": tp / max(1, int((pred == k).sum())),
                "recall": tp / max(1, int((truth == k).sum())),
                "count": int((truth == k).sum()),
            }
    return SSScores(
        residues=n, chains=len(true8),
        q3=float((t3 == p3).mean()) if n else float("nan"),
        q8=float((t8 == p8).mean()) if n else float("nan"),
        sov3=sov_sum / sov_norm if sov_norm else float("nan"),  # a fraction, like q3 and q8
        per_class=per_class,
    )


def read_predictions_csv(path: str) -> dict[str, tuple[str, str]]:
    """(q3, q8) strings per id from a ``genoseq ss`` CSV."""
    import pandas as pd

    from genoseq.errors import InputError

    try:
        table = pd.read_csv(path, dtype={"id": str, "q3": str, "q8": str}, keep_default_na=False)
    except (FileNotFoundError, pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a readable genoseq ss CSV ({exc})") from None
    missing = [c for c in ("id", "n", "q3", "q8") if c not in table.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    table = table.sort_values(["id", "n"], kind="stable")
    return {ident: ("".join(g["q3"]), "".join(g["q8"])) for ident, g in table.groupby("id", sort=False)}


def evaluate_table(ref: str, pred_csv: str | None = None, model: str = "ss-default", device: str = "auto",
                   **options) -> SSScores:
    """Score a prediction CSV, or the named model's predictions (``options`` go to
    :meth:`SSPredictor.load`), against a labelled TSV."""
    from genoseq.errors import InputError
    from genoseq.ss.dataset import read_ss_table

    chains = read_ss_table(ref)
    pred3: list[np.ndarray] = []
    pred8: list[np.ndarray] = []
    if pred_csv is not None:
        predicted = read_predictions_csv(pred_csv)
        for ident, seq in zip(chains.ids, chains.sequences):
            if ident not in predicted:
                raise InputError(f"{pred_csv}: no prediction for {ident!r}")
            q3, q8 = predicted[ident]
            if len(q3) != len(seq):
                raise InputError(f"{pred_csv}: {ident}: {len(q3)} predicted states for {len(seq)} residues")
            pred3.append(state_indices(q3, SS3))
            pred8.append(state_indices(q8, SS8))
    else:
        from genoseq.ss.api import SSPredictor
        from genoseq.ss.decode import decode_q8

        predictor = SSPredictor.load(model, device, **options)
        by_index = {}
        for out in predictor.outputs(chains.tokens):
            by_index[out.number] = (out.p3.argmax(1), decode_q8(out.p3, out.p8, predictor.consistent), out.disorder)
        pred3 = [by_index[i][0] for i in range(len(chains))]
        pred8 = [by_index[i][1] for i in range(len(chains))]
        if predictor.disorder:
            scores = evaluate_predictions(chains.targets8, pred3, pred8)
            scores.disorder = disorder_scores(chains.disorder, [np.asarray(by_index[i][2]) for i in range(len(chains))])
            return scores
    return evaluate_predictions(chains.targets8, pred3, pred8)
