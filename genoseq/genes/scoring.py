"""Run the gene network over contigs of any length: overlapping windows, batched, stitched.

Each window is ``window`` bases long and contributes only its central core
(``window - 2 * flank`` bases); the flanks give the convolutions and the GRU
context on both sides, so window edges cost no accuracy. Windows start at
multiples of 3 of the contig coordinate. Windows of many contigs are batched
together (grouped by length, so short contigs are not padded to full windows),
and contigs come out in input order as soon as all their windows are scored.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np
import torch

from genoseq.genes.encode import encode_batch
from genoseq.genes.model import N_OUTPUTS, GeneNet
from genoseq.nn.device import autocast

PAD = ord("N")


@dataclass(frozen=True)
class WindowSettings:
    window: int = 6000
    flank: int = 450
    batch_size: int = 16
    length_step: int = 600  # short contigs are padded up to a multiple of this

    def __post_init__(self):
        if self.window % 3 or self.flank % 3 or self.length_step % 3:
            raise ValueError("window, flank and length_step must be multiples of 3")
        if self.window <= 2 * self.flank:
            raise ValueError("window must be longer than twice the flank")

    @property
    def core(self) -> int:
        return self.window - 2 * self.flank


def _contig_windows(seq: np.ndarray, s: WindowSettings) -> list[tuple[int, np.ndarray]]:
    """(core offset, window bytes) pairs covering the contig."""
    n = len(seq)
    if n + 2 * s.flank <= s.window:
        # One window, padded to the next length step (a multiple of 3).
        width = min(s.window, -(-(n + 2 * s.flank) // s.length_step) * s.length_step)
        buf = np.full(width, PAD, dtype=np.uint8)
        buf[s.flank : s.flank + n] = seq
        return [(0, buf)]
    out = []
    for core_start in range(0, n, s.core):
        begin = core_start - s.flank
        buf = np.full(s.window, PAD, dtype=np.uint8)
        lo, hi = max(0, begin), min(n, begin + s.window)
        buf[lo - begin : hi - begin] = seq[lo:hi]
        out.append((core_start, buf))
    return out


class _Pending:
    def __init__(self, key, seq: np.ndarray, n_windows: int):
        self.key, self.seq = key, seq
        self.scores = np.empty((N_OUTPUTS, len(seq)), dtype=np.float32)
        self.remaining = n_windows


def score_sequences(
    model: GeneNet,
    items: Iterable[tuple[object, np.ndarray]],
    settings: WindowSettings = WindowSettings(),
    device: torch.device = torch.device("cpu"),
    progress=None,
) -> Iterator[tuple[object, np.ndarray, np.ndarray]]:
    """Yield ``(key, seq, scores)`` for each ``(key, seq)``, in input order.

    ``seq`` is ASCII bytes; ``scores`` is float32 (9, L): log-probabilities of the 7
    coding classes and the 2 start-site logits. ``progress(n_bases)`` is called as
    bases are scored.
    """
    model.eval()
    phase = model.config.phase_channel
    pending: OrderedDict[int, _Pending] = OrderedDict()
    buckets: dict[int, list[tuple[int, int, np.ndarray]]] = {}
    counter = 0

    def run(width: int) -> None:
        entries = buckets.pop(width)
        x = torch.from_numpy(encode_batch(np.stack([e[2] for e in entries]), phase)).to(device)
        with torch.inference_mode(), autocast(device):
            out = model(x).float()
        coding = torch.log_softmax(out[:, :7], dim=1)
        out = torch.cat([coding, out[:, 7:]], dim=1).cpu().numpy()
        for (pid, core_start, _), result in zip(entries, out):
            item = pending[pid]
            n = len(item.seq)
            take = min(settings.core, n - core_start) if width == settings.window else n
            item.scores[:, core_start : core_start + take] = result[:, settings.flank : settings.flank + take]
            item.remaining -= 1
            if progress is not None:
                progress(take)

    def flush_ready() -> Iterator[tuple[object, np.ndarray, np.ndarray]]:
        while pending:
            pid, item = next(iter(pending.items()))
            if item.remaining:
                return
            pending.popitem(last=False)
            yield item.key, item.seq, item.scores

    for key, seq in items:
        windows = _contig_windows(seq, settings)
        pid = counter
        counter += 1
        pending[pid] = _Pending(key, seq, len(windows))
        for core_start, buf in windows:
            bucket = buckets.setdefault(len(buf), [])
            bucket.append((pid, core_start, buf))
            if len(bucket) >= settings.batch_size:
                run(len(buf))
        yield from flush_ready()
        # Do not hold many finished-but-unflushed contigs: force the oldest through.
        if len(pending) > 4 * settings.batch_size:
            for width in list(buckets):
                run(width)
            yield from flush_ready()
    for width in list(buckets):
        run(width)
    yield from flush_ready()
