"""Training data for the SS model: labelled chains -> length-bucketed, cropped batches."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from genoseq.errors import InputError
from genoseq.ss.encode import encode_residues
from genoseq.ss.labels import IGNORE, SS8_TO_SS3, ss3_from_ss8, ss8_targets
from genoseq.ss.model import SSNet, SSNetConfig

if TYPE_CHECKING:
    from genoseq.ss.distill import SoftChains

REQUIRED_COLUMNS = ("id", "sequence", "ss8")


@dataclass
class LabelledChains:
    """Chains with tokens and 8-state targets (IGNORE where unresolved or outside a scoring mask)."""

    ids: list[str]
    sequences: list[str]
    tokens: list[np.ndarray]
    targets8: list[np.ndarray]
    #: 1 = residue without coordinates (disordered), 0 = resolved, -1 = not scored (outside a
    #: scoring mask, or a table without a ``resolved`` column)
    disorder: list[np.ndarray]

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def residues(self) -> int:
        return sum(len(t) for t in self.tokens)


def read_ss_table(path: str | Path, use_mask: bool = True) -> LabelledChains:
    """Read a labelled TSV (``id, sequence, ss8[, ss3, resolved, cb513_mask]``).

    Residues with ``resolved == 0`` are not scored; with ``use_mask`` residues
    with ``cb513_mask == 0`` are not scored either (the CB513 protocol).
    """
    try:
        table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (pd.errors.EmptyDataError, UnicodeDecodeError, EOFError, OSError) as exc:
        raise InputError(f"{path}: not a readable TSV table ({exc})") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    chains = LabelledChains([], [], [], [], [])
    for row in table.itertuples(index=False):
        seq = row.sequence.upper()
        if len(row.ss8) != len(seq):
            raise InputError(f"{path}: {row.id}: ss8 has {len(row.ss8)} states for {len(seq)} residues")
        try:
            targets = ss8_targets(row.ss8, getattr(row, "resolved", None) or None)
        except ValueError as exc:
            raise InputError(f"{path}: {row.id}: {exc}") from None
        resolved = getattr(row, "resolved", "")
        disorder = (np.frombuffer(resolved.encode("ascii"), dtype=np.uint8) == ord("0")).astype(np.int8) \
            if resolved else np.full(len(seq), -1, dtype=np.int8)
        mask = getattr(row, "cb513_mask", "") if use_mask else ""
        if mask:
            outside = np.frombuffer(mask.encode("ascii"), dtype=np.uint8) == ord("0")
            targets[outside] = IGNORE
            disorder[outside] = -1
        chains.ids.append(row.id)
        chains.sequences.append(seq)
        chains.tokens.append(encode_residues(seq))
        chains.targets8.append(targets)
        chains.disorder.append(disorder)
    if not len(chains):
        raise InputError(f"{path}: no chains")
    return chains


def _cropped_batches(rng: np.random.Generator, tokens: list[np.ndarray], per_residue: list[list[np.ndarray]],
                     batch_size: int, max_length: int) -> Iterator[tuple[torch.Tensor, ...]]:
    """Endless batches of ``batch_size`` chains that are neighbours in length order, each
    cropped (at a random offset) to the shortest member's length, at most ``max_length``:
    no padding, so the LSTM runs at full speed. Yields tokens plus each per-residue array."""
    order = np.argsort([len(t) for t in tokens], kind="stable")
    n, b = len(order), min(batch_size, len(order))
    while True:
        first = int(rng.integers(0, n - b + 1))
        members = order[first : first + b]
        length = min(max_length, min(len(tokens[i]) for i in members))
        offsets = [int(rng.integers(0, len(tokens[i]) - length + 1)) for i in members]
        out = [torch.from_numpy(np.stack([tokens[i][o : o + length] for i, o in zip(members, offsets)]))]
        for arrays in per_residue:
            out.append(torch.from_numpy(np.stack([arrays[i][o : o + length] for i, o in zip(members, offsets)])))
        yield tuple(out)


class SSTrainingTask:
    """Batches of chains of similar length, cropped to a common length; loss = CE(8-state)
    + CE(3-state), against DSSP labels or, for unlabelled chains, a teacher's probabilities,
    + BCE(disorder) on labelled chains when the network has a disorder head."""

    family = "ss"
    monitor = "val_q3"
    monitor_mode = "max"

    def __init__(self, train: LabelledChains, valid: LabelledChains | None, config: SSNetConfig,
                 batch_size: int = 32, max_length: int = 512, valid_tokens: int = 16384,
                 unlabelled: "SoftChains | None" = None, unlabelled_fraction: float = 0.5,
                 model: SSNet | None = None, monitor: str = "val_q3"):
        self.train, self.valid, self.unlabelled = train, valid, unlabelled
        self.model = model if model is not None else SSNet(config)
        self.monitor = monitor
        self.model_config = config.as_dict()
        self.batch_size, self.max_length, self.valid_tokens = batch_size, max_length, valid_tokens
        self.unlabelled_fraction = unlabelled_fraction if unlabelled is not None and len(unlabelled) else 0.0

    def train_batches(self, rng: np.random.Generator) -> Iterator[tuple[torch.Tensor, ...]]:
        """Labelled batches ``(tokens, targets8, disorder)``, mixed (with ``unlabelled_fraction``)
        with soft-labelled ones ``(tokens, p8, p3)``; each from chains of neighbouring length."""
        labelled = _cropped_batches(rng, self.train.tokens, [self.train.targets8, self.train.disorder],
                                    self.batch_size, self.max_length)
        soft = None
        if self.unlabelled is not None and self.unlabelled_fraction:
            soft = _cropped_batches(rng, self.unlabelled.tokens, [self.unlabelled.p8, self.unlabelled.p3],
                                    self.batch_size, self.max_length)
        while True:
            yield next(soft) if soft is not None and rng.random() < self.unlabelled_fraction else next(labelled)

    def loss(self, model: nn.Module, batch, device: torch.device) -> tuple[torch.Tensor, dict[str, float]]:
        tokens = batch[0].to(device)
        out = model(tokens)
        logits8, logits3 = out[0].float().flatten(0, 1), out[1].float().flatten(0, 1)
        if batch[1].is_floating_point():  # soft targets: cross-entropy against the teacher's probabilities
            p8, p3 = (t.to(device).float().flatten(0, 1) for t in batch[1:])
            loss8, loss3 = F.cross_entropy(logits8, p8), F.cross_entropy(logits3, p3)
            return loss8 + loss3, {"soft_loss8": loss8.item(), "soft_loss3": loss3.item()}
        targets8 = batch[1].to(device)
        targets3 = torch.from_numpy(ss3_from_ss8(batch[1].numpy())).to(device)
        loss8 = F.cross_entropy(logits8, targets8.flatten(), ignore_index=IGNORE)
        loss3 = F.cross_entropy(logits3, targets3.flatten(), ignore_index=IGNORE)
        parts = {"loss8": loss8.item(), "loss3": loss3.item()}
        loss = loss8 + loss3
        if len(out) > 2:
            target = batch[2].to(device).flatten()
            scored = target >= 0
            if scored.any():
                loss_d = F.binary_cross_entropy_with_logits(out[2].float().flatten()[scored], target[scored].float())
                loss = loss + loss_d
                parts["loss_disorder"] = loss_d.item()
        return loss, parts

    def validate(self, model: nn.Module, device: torch.device) -> dict[str, float]:
        if self.valid is None:
            return {"val_q3": float("nan")}
        from genoseq.ss.api import predict_tokens
        from genoseq.ss.decode import consistent_q8

        from genoseq.ss.evaluate import disorder_scores

        right3 = right3_head = right8 = total = 0
        dis_true, dis_prob = [], []
        for out in predict_tokens(model, self.valid.tokens, device, self.valid_tokens):
            t8 = self.valid.targets8[out.number]
            ok = t8 >= 0
            t3 = SS8_TO_SS3[t8[ok]]
            pred3 = out.p3.argmax(1)[ok]
            pred8 = consistent_q8(out.p3, out.p8)[ok]
            right3 += int((pred3 == t3).sum())
            right3_head += int((out.logits3.argmax(1)[ok] == t3).sum())
            right8 += int((pred8 == t8[ok]).sum())
            total += int(ok.sum())
            if out.disorder is not None:
                dis_true.append(self.valid.disorder[out.number])
                dis_prob.append(out.disorder)
        metrics = {"val_q3": right3 / total, "val_q3_head": right3_head / total, "val_q8": right8 / total}
        if dis_true:
            scores = disorder_scores(dis_true, dis_prob)
            metrics.update({"val_disorder_mcc": scores["mcc"], "val_disorder_auc": scores["auc"]})
        return metrics
