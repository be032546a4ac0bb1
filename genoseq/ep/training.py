"""Fitting the integrator: full-batch maximum likelihood with L-BFGS, and
leave-one-chromosome-out cross-validation.

The model has about 25 parameters and the data a few thousand pairs, so the
whole table is one batch and a quasi-Newton fit converges in seconds; the
minibatch loop of :mod:`genoseq.nn.train` (made for deep networks) would only add
noise here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from genoseq.ep.evaluate import score_report
from genoseq.ep.features import Landscape, PairFeatures, benchmark_rows, labels_of, pair_features
from genoseq.ep.model import EPConfig, EPIntegrator
from genoseq.ep.scoring import PreparedPairs, score_pairs
from genoseq.errors import InputError



def subset(features: PairFeatures, mask: np.ndarray) -> PairFeatures:
    return PairFeatures(**{k: (v[mask] if isinstance(v, np.ndarray) else v) for k, v in vars(features).items()})


def fit_integrator(prepared: PreparedPairs, labels: np.ndarray, config: EPConfig, max_iter: int = 80,
                   l2: float = 1e-3, seed: int = 1) -> EPIntegrator:
    """Maximum-likelihood fit (binary cross-entropy + a small L2 on the kick weights)."""
    torch.manual_seed(seed)
    model = EPIntegrator(config).double()
    if len(prepared) == 0 or labels.sum() == 0:
        raise InputError("no scorable positive pairs to train on")
    target = torch.from_numpy(labels.astype(float))
    with torch.no_grad():  # start the window's lower edge near the top decile of the read-out, the upper edge above all
        u = score_pairs(model, prepared).u
        model.lo.fill_(torch.quantile(u, 0.9).item())
        model.hi.fill_(u.max().item() + 5.0)
    optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=max_iter, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        p = score_pairs(model, prepared).probability.clamp(1e-9, 1 - 1e-9)
        loss = torch.nn.functional.binary_cross_entropy(p, target)
        loss = loss + l2 * ((model.mark_weights ** 2).sum() + (model.land_weights ** 2).sum())
        loss.backward()
        return loss

    optimizer.step(closure)
    return model.float()


@dataclass
class CVResult:
    scores: np.ndarray  # one held-out score per input row (NaN where unscorable)
    report: dict[str, float]
    per_fold: dict[str, dict[str, float]] = field(default_factory=dict)


def cross_validate(table: pd.DataFrame, config: EPConfig, landscape: Landscape | None, max_iter: int = 80,
                   log=print) -> CVResult:
    """Leave-one-chromosome-out: each chromosome is scored by a model fitted on the others."""
    features = pair_features(table, config.marks)
    labels = labels_of(table)
    use = benchmark_rows(table)
    scores = np.full(len(table), np.nan)
    import time

    from genoseq.progress import eta_text

    per_fold = {}
    chromosomes = sorted(set(features.chrom[use]))
    began = time.time()
    log(f"leave-one-chromosome-out: {len(chromosomes)} folds, a line per fold")
    for k, chrom in enumerate(chromosomes, start=1):
        held = use & (features.chrom == chrom)
        train_mask = use & ~held
        prepared_train = PreparedPairs(subset(features, train_mask), landscape)
        model = fit_integrator(prepared_train, labels[train_mask][prepared_train.rows], config, max_iter)
        prepared_test = PreparedPairs(subset(features, held), landscape)
        with torch.no_grad():
            fold_scores = score_pairs(model.double(), prepared_test).probability.numpy()
        rows = np.flatnonzero(held)[prepared_test.rows]
        scores[rows] = fold_scores
        per_fold[chrom] = score_report(labels[held], scores[held])
        left = (time.time() - began) / k * (len(chromosomes) - k)
        log(f"  fold {k}/{len(chromosomes)} {chrom}: {per_fold[chrom]['pairs']} pairs, "
            f"{per_fold[chrom]['positives']} positives, AUPRC {per_fold[chrom]['auprc']:.3f}"
            + (f"  (about {eta_text(left)} left)" if k < len(chromosomes) else ""))
    return CVResult(scores, score_report(labels[use], scores[use]), per_fold)


def describe(model: EPIntegrator) -> dict:
    """The fitted parameters in readable form (decay mixture per tau, window edges, ...)."""
    with torch.no_grad():
        mixture = torch.softmax(model.decay_logits.double(), 0).tolist()
        return {
            "mark_weights": dict(zip(model.config.marks, model.mark_weights.tolist())),
            "kick_bias": model.kick_bias.item(),
            "landscape_weights": dict(zip(model.config.landscape_marks, model.land_weights.tolist())),
            "landscape_bias": model.land_bias.item(),
            "decay_mixture": {f"{tau:g}": w for tau, w in zip(model.config.taus, mixture)},
            "rho": torch.sigmoid(model.rho_logit).item(),
            "ubiquitous_shift": model.eta.item(),
            "window_lower": model.lo.item(), "window_lower_slope": model.log_slope_lo.exp().item(),
            "window_upper": model.hi.item(), "window_upper_slope": model.log_slope_hi.exp().item(),
        }


def train_and_validate(pairs: str, landscape_path: str | None, output: str, marks: tuple[str, ...] | None = None,
                       cv: bool = True, max_iter: int = 80, seed: int = 1, upper_edge: bool = True,
                       landscape_marks: tuple[str, ...] | None = None, log=print) -> dict:
    """``genoseq train ep``: optional LOCO cross-validation, then a fit on every benchmark row.

    Writes the parameters to ``output`` and, with ``cv``, ``output``.cv.tsv (the input
    rows plus ``genoseq.CVScore``) and ``output``.cv.json (metrics and per-fold results).
    """
    import json

    from genoseq.ep.api import save_integrator
    from genoseq.ep.features import DEFAULT_MARKS, landscape_marks_for, read_landscape, read_table
    from genoseq.io.atomic import output_set
    from genoseq.io.tables import write_tsv

    table = read_table(pairs, "pair table")
    marks = tuple(marks or DEFAULT_MARKS)
    if landscape_path:
        landscape_marks = tuple(landscape_marks or landscape_marks_for(marks))
        landscape = read_landscape(landscape_path, landscape_marks)
    else:
        landscape_marks, landscape = (), None
    config = EPConfig(marks, landscape_marks, upper_edge=upper_edge)
    labels = labels_of(table, pairs)
    use = benchmark_rows(table)
    log(f"{int(use.sum())} benchmark pairs, {int(labels[use].sum())} positives; "
        f"landscape: {landscape.size if landscape else 0} elements")
    summary: dict = {"pairs": pairs, "landscape": landscape_path, "config": config.as_dict()}
    with output_set() as outputs:
        if cv:
            result = cross_validate(table, config, landscape, max_iter, log)
            log(f"leave-one-chromosome-out: AUPRC {result.report['auprc']:.4f}, "
                f"precision at 70% recall {result.report['precision_at_70_recall']:.4f}")
            summary["cv"] = result.report
            summary["cv_per_fold"] = result.per_fold
            cv_table = table.copy()
            cv_table["genoseq.CVScore"] = result.scores
            write_tsv(cv_table, f"{output}.cv.tsv", outputs)
        features = pair_features(table, config.marks, pairs)
        train_features = subset(features, use)
        prepared = PreparedPairs(train_features, landscape)
        model = fit_integrator(prepared, labels[use][prepared.rows], config, max_iter, seed=seed)
        summary["parameters"] = describe(model)
        with outputs.open(f"{output}.cv.json" if cv else f"{output}.json") as handle:
            json.dump(summary, handle, indent=2)
        save_integrator(model, outputs.reserve(output), metrics=summary.get("cv", {}), train_summary=json.dumps(summary))
    log(f"parameters written to {output}")
    return summary
