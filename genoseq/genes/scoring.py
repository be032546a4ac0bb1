"""Run the gene network over contigs of any length: overlapping windows, batched, stitched.

Each window is ``window`` bases long and contributes only its central core
(``window - 2 * flank`` bases); the flanks give the convolutions and the GRU
context on both sides, so window edges cost no accuracy. Windows start at
multiples of 3 of the contig coordinate. Windows of many contigs are batched
together (grouped by length, so short contigs are not padded to full windows),
and contigs come out in input order as soon as all their windows are scored.

The network itself is a :class:`WindowScorer`: :class:`OnnxScorer` (ONNX Runtime, the
CPU default) or :class:`genoseq.genes.model.TorchScorer` (GPUs, bfloat16, training).
On CPU ``workers`` threads (one core each) run batches of ``batch_size`` windows side
by side; results do not depend on timing, so the same input always gives the same scores.
"""
from __future__ import annotations

from collections import OrderedDict, deque
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ContextManager, Iterable, Iterator, Protocol

import numpy as np

from genoseq.genes.encode import encode_batch, reverse_complement_bytes
from genoseq.genes.labels import N_CODING_CLASSES, N_OUTPUTS, RC_CHANNELS

if TYPE_CHECKING:
    from genoseq.nn.onnx import OnnxNetwork

PAD = ord("N")


@dataclass(frozen=True)
class WindowSettings:
    window: int = 6000
    flank: int = 300
    batch_size: int = 24  # windows per GRU call
    conv_batch: int = 12  # windows per convolution call
    length_step: int = 600  # short contigs are padded up to a multiple of this
    max_pending_bases: int = 4_000_000  # scored-but-unreleased contig bases before part-filled batches run
    orientations: int = 1  # 2: also score each window's reverse complement and average (BothOrientations)

    def __post_init__(self):
        if self.orientations not in (1, 2):
            raise ValueError("orientations must be 1 or 2")
        if self.window % 3 or self.flank % 3 or self.length_step % 3:
            raise ValueError("window, flank and length_step must be multiples of 3")
        if self.window <= 2 * self.flank:
            raise ValueError("window must be longer than twice the flank")

    @property
    def core(self) -> int:
        return self.window - 2 * self.flank

    def aligned(self, step: int) -> "WindowSettings":
        """These settings with window, flank and length step rounded down to multiples of
        ``step`` (a network's bases per GRU step, a multiple of 3)."""
        return replace(self, window=self.window - self.window % step, flank=self.flank - self.flank % step,
                       length_step=max(step, self.length_step - self.length_step % step))


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


class WindowScorer(Protocol):
    """The network behind :func:`score_sequences`: ASCII windows (B, L) in, float32
    (B, 9, L) out (log-probabilities of the 7 coding classes, then the 2 start logits).
    ``workers`` batches run side by side on CPU threads, inside :meth:`running`."""

    workers: int

    def score(self, windows: np.ndarray) -> np.ndarray: ...

    def running(self) -> ContextManager[None]: ...


class OnnxScorer:
    """The network through ONNX Runtime (CPU, float32; see :mod:`genoseq.nn.onnx`):
    ``workers`` threads each run one batch on one core."""

    def __init__(self, network: OnnxNetwork, workers: int = 1):
        self.network, self.workers = network, max(1, workers)
        self.phase_channel = bool(network.model_config.get("phase_channel", True))

    def score(self, windows: np.ndarray) -> np.ndarray:
        return self.network.run(encode_batch(windows, phase_channel=self.phase_channel))

    def running(self) -> ContextManager[None]:
        return nullcontext()


class BothOrientations:
    """Test-time augmentation: a :class:`WindowScorer` that scores every window and its
    reverse complement and averages the two readings of each base (coding log-probabilities
    as a geometric mean, renormalised; start logits as a mean). The network runs on twice
    the windows; it was trained on both orientations, so each is a valid, different reading."""

    def __init__(self, inner: WindowScorer):
        self.inner, self.workers = inner, inner.workers

    def score(self, windows: np.ndarray) -> np.ndarray:
        both = self.inner.score(np.concatenate([windows, reverse_complement_bytes(windows)]))
        return average_orientations(both[: len(windows)], both[len(windows) :])

    def running(self) -> ContextManager[None]:
        return self.inner.running()


def average_orientations(forward: np.ndarray, reverse: np.ndarray) -> np.ndarray:
    """Mean of scores (B, 9, L) of windows and of their reverse complements (mapped back:
    bases reversed, strands swapped), with the coding log-probabilities renormalised."""
    return average_scores([forward, reverse[:, RC_CHANNELS, ::-1]])


def average_scores(readings: list[np.ndarray]) -> np.ndarray:
    """Mean of several readings of the same bases (..., 9, L), e.g. of two networks: the
    coding log-probabilities as a geometric mean of the probabilities, renormalised; the
    start logits as a plain mean."""
    mean = sum(readings[1:], readings[0].astype(np.float32, copy=True)) * np.float32(1 / len(readings))
    coding = mean[..., :N_CODING_CLASSES, :]
    top = coding.max(axis=-2, keepdims=True)
    coding -= top + np.log(np.exp(coding - top).sum(axis=-2, keepdims=True))
    return mean


def score_sequences(
    scorer: WindowScorer,
    items: Iterable[tuple[Any, np.ndarray]],
    settings: WindowSettings = WindowSettings(),
    progress=None,
) -> Iterator[tuple[Any, np.ndarray, np.ndarray]]:
    """Yield ``(key, seq, scores)`` for each ``(key, seq)``, in input order.

    ``seq`` is ASCII bytes; ``scores`` is float32 (9, L): log-probabilities of the 7
    coding classes and the 2 start-site logits. ``progress(n_bases)`` is called as
    bases are scored. The scorer's ``workers`` batches run at once on CPU threads.
    """
    workers = scorer.workers
    pending: OrderedDict[int, _Pending] = OrderedDict()
    buckets: dict[int, list[tuple[_Pending, int, np.ndarray]]] = {}
    in_flight: deque[tuple[list, int, Future]] = deque()
    counter = 0

    def core_length(item: _Pending, core_start: int, width: int) -> int:
        n = len(item.seq)
        return min(settings.core, n - core_start) if width == settings.window else n

    def job(entries: list[tuple[_Pending, int, np.ndarray]], width: int) -> None:
        # Runs on a worker thread: encoding, the network and the copies into each contig's
        # score array (disjoint slices) all release the GIL for most of their time.
        out = scorer.score(np.stack([e[2] for e in entries]))
        for (item, core_start, _), result in zip(entries, out):
            take = core_length(item, core_start, width)
            item.scores[:, core_start : core_start + take] = result[:, settings.flank : settings.flank + take]

    def submit(width: int, pool: ThreadPoolExecutor) -> None:
        entries = buckets.pop(width)
        in_flight.append((entries, width, pool.submit(job, entries, width)))
        while len(in_flight) > workers:
            collect()

    def collect() -> None:
        entries, width, future = in_flight.popleft()
        future.result()
        for item, core_start, _ in entries:
            item.remaining -= 1
            if progress is not None:
                progress(core_length(item, core_start, width))

    def drain(pool: ThreadPoolExecutor) -> None:
        for width in list(buckets):
            submit(width, pool)
        while in_flight:
            collect()

    def flush_ready() -> Iterator[tuple[Any, np.ndarray, np.ndarray]]:
        while pending:
            pid, item = next(iter(pending.items()))
            if item.remaining:
                return
            pending.popitem(last=False)
            yield item.key, item.seq, item.scores

    with ThreadPoolExecutor(workers) as pool, scorer.running():
        for key, seq in items:
            windows = _contig_windows(seq, settings)
            pid = counter
            counter += 1
            item = pending[pid] = _Pending(key, seq, len(windows))
            for core_start, buf in windows:
                bucket = buckets.setdefault(len(buf), [])
                bucket.append((item, core_start, buf))
                if len(bucket) >= settings.batch_size:
                    submit(len(buf), pool)
            yield from flush_ready()
            # Contigs leave in input order, so one whose last windows wait in a part-filled
            # batch holds back every later contig (and its scores): past a few contigs or
            # max_pending_bases, run the part-filled batches so that memory stays flat.
            held = sum(len(p.seq) for p in pending.values())
            if len(pending) > 4 * settings.batch_size or (len(pending) > 1 and held > settings.max_pending_bases):
                drain(pool)
                yield from flush_ready()
        drain(pool)
        yield from flush_ready()
