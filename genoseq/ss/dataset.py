"""Training data for the SS model: labelled chains -> length-bucketed, cropped batches."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from genoseq.errors import InputError
from genoseq.ss.encode import encode_residues
from genoseq.ss.labels import IGNORE, SS8_TO_SS3, ss3_from_ss8, ss8_targets
from genoseq.ss.model import SSNet, SSNetConfig

REQUIRED_COLUMNS = ("id", "sequence", "ss8")


@dataclass
class LabelledChains:
    """Chains with tokens and 8-state targets (IGNORE where unresolved or outside a scoring mask)."""

    ids: list[str]
    sequences: list[str]
    tokens: list[np.ndarray]
    targets8: list[np.ndarray]

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
    chains = LabelledChains([], [], [], [])
    for row in table.itertuples(index=False):
        seq = row.sequence.upper()
        if len(row.ss8) != len(seq):
            raise InputError(f"{path}: {row.id}: ss8 has {len(row.ss8)} states for {len(seq)} residues")
        try:
            targets = ss8_targets(row.ss8, getattr(row, "resolved", None) or None)
        except ValueError as exc:
            raise InputError(f"{path}: {row.id}: {exc}") from None
        mask = getattr(row, "cb513_mask", "") if use_mask else ""
        if mask:
            targets[np.frombuffer(mask.encode("ascii"), dtype=np.uint8) == ord("0")] = IGNORE
        chains.ids.append(row.id)
        chains.sequences.append(seq)
        chains.tokens.append(encode_residues(seq))
        chains.targets8.append(targets)
    if not len(chains):
        raise InputError(f"{path}: no chains")
    return chains


class SSTrainingTask:
    """Batches of chains of similar length, cropped to a common length (no padding,
    so the LSTM runs at full speed on CPU); loss = CE(8-state) + CE(3-state)."""

    family = "ss"
    monitor = "val_q3"
    monitor_mode = "max"

    def __init__(self, train: LabelledChains, valid: LabelledChains | None, config: SSNetConfig,
                 batch_size: int = 32, max_length: int = 512, valid_tokens: int = 16384):
        self.train, self.valid = train, valid
        self.model = SSNet(config)
        self.model_config = config.as_dict()
        self.batch_size, self.max_length, self.valid_tokens = batch_size, max_length, valid_tokens
        self._order = np.argsort([len(t) for t in train.tokens], kind="stable")

    def train_batches(self, rng: np.random.Generator) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n, b = len(self._order), min(self.batch_size, len(self._order))
        while True:
            first = int(rng.integers(0, n - b + 1))
            members = self._order[first : first + b]
            length = min(self.max_length, min(len(self.train.tokens[i]) for i in members))
            tokens = np.empty((b, length), dtype=np.int64)
            targets = np.empty((b, length), dtype=np.int64)
            for row, i in enumerate(members):
                offset = int(rng.integers(0, len(self.train.tokens[i]) - length + 1))
                tokens[row] = self.train.tokens[i][offset : offset + length]
                targets[row] = self.train.targets8[i][offset : offset + length]
            yield torch.from_numpy(tokens), torch.from_numpy(targets)

    def loss(self, model: SSNet, batch, device: torch.device) -> tuple[torch.Tensor, dict[str, float]]:
        tokens, targets8 = (t.to(device) for t in batch)
        targets3 = torch.from_numpy(ss3_from_ss8(targets8.cpu().numpy())).to(device)
        logits8, logits3 = model(tokens)
        loss8 = F.cross_entropy(logits8.float().flatten(0, 1), targets8.flatten(), ignore_index=IGNORE)
        loss3 = F.cross_entropy(logits3.float().flatten(0, 1), targets3.flatten(), ignore_index=IGNORE)
        return loss8 + loss3, {"loss8": loss8.item(), "loss3": loss3.item()}

    def validate(self, model: SSNet, device: torch.device) -> dict[str, float]:
        if self.valid is None:
            return {"val_q3": float("nan")}
        from genoseq.ss.api import predict_tokens
        from genoseq.ss.decode import consistent_q8

        right3 = right3_head = right8 = total = 0
        for i, p3, p8, logits3 in predict_tokens(model, self.valid.tokens, device, self.valid_tokens, heads=True):
            t8 = self.valid.targets8[i]
            ok = t8 >= 0
            t3 = SS8_TO_SS3[t8[ok]]
            pred3 = p3.argmax(1)[ok]
            pred8 = consistent_q8(p3, p8)[ok]
            right3 += int((pred3 == t3).sum())
            right3_head += int((logits3.argmax(1)[ok] == t3).sum())
            right8 += int((pred8 == t8[ok]).sum())
            total += int(ok.sum())
        return {"val_q3": right3 / total, "val_q3_head": right3_head / total, "val_q8": right8 / total}
