"""Per-base tracks as bgzip-compressed, tabix-indexed bedGraph (IGV and JBrowse load them directly)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import numpy as np

from genoseq.errors import GenoseqError
from genoseq.io.atomic import OutputSet


def value_runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """0-based starts and (exclusive) ends of the runs of equal consecutive values."""
    change = np.flatnonzero(values[1:] != values[:-1]) + 1
    return np.concatenate([[0], change]), np.concatenate([change, [len(values)]])


class BedGraphTrack:
    """Collect per-base values in [0, ``max_value``] contig by contig, written as runs of
    equal values after rounding to multiples of ``step`` x ``max_value`` (0.02 keeps two
    decimals of a probability and halves the file compared with 0.01).

    Contigs are written in ``LC_ALL=C sort -k1,1 -k2,2n`` order, which UCSC's
    ``bedGraphToBigWig`` requires: they are spooled in input order and reordered on
    :meth:`close` by copying each contig's block, so memory stays flat.
    """

    def __init__(self, outputs: OutputSet, path: str | Path, name: str, step: float = 0.02, max_value: float = 1.0):
        path = Path(path)
        if not path.name.endswith(".gz"):
            path = path.with_name(path.name + ".gz")
        self.target = path
        self.step = step * max_value
        self.max_value = max_value
        levels = int(round(1 / step))
        self._labels = [f"{i * step:.2f}" if max_value == 1.0 else f"{i * self.step:.4g}" for i in range(levels + 1)]
        self._plain_tmp = outputs.reserve(path.with_name(path.name[:-3]))
        self._outputs = outputs
        self._header = f"#track type=bedGraph name={name}\n"
        self._spool = tempfile.NamedTemporaryFile(prefix="genoseq-bedgraph.", suffix=".txt", delete=False)
        self._blocks: list[tuple[bytes, int, int]] = []  # (seqid, offset, size) in the spool

    def add(self, seqid: str, values: np.ndarray) -> None:
        """Append one contig's values (one per base)."""
        if len(values) == 0:
            return
        q = np.rint(np.clip(values, 0.0, self.max_value) / self.step).astype(np.int64)
        starts, ends = value_runs(q)
        labels = self._labels
        text = "".join(
            f"{seqid}\t{s}\t{e}\t{labels[v]}\n" for s, e, v in zip(starts.tolist(), ends.tolist(), q[starts].tolist())
        ).encode()
        self._blocks.append((seqid.encode(), self._spool.tell(), len(text)))
        self._spool.write(text)

    def finish_async(self) -> None:
        """Nothing to start early: compression and indexing run on :meth:`close`."""

    def abort(self) -> None:
        self._spool.close()
        Path(self._spool.name).unlink(missing_ok=True)

    def _write_sorted(self) -> None:
        self._spool.flush()
        with open(self._plain_tmp, "wb") as out, open(self._spool.name, "rb") as spool:
            out.write(self._header.encode())
            for _, offset, size in sorted(self._blocks, key=lambda block: block[0]):  # byte order, as LC_ALL=C
                spool.seek(offset)
                while size > 0:
                    chunk = spool.read(min(size, 1 << 24))
                    out.write(chunk)
                    size -= len(chunk)
        self.abort()

    def close(self) -> None:
        """Sort, compress with bgzip and index with tabix; the files join the output set."""
        import pysam

        self._write_sorted()
        compressed = pysam.tabix_index(
            str(self._plain_tmp), seq_col=0, start_col=1, end_col=2, zerobased=True, meta_char="#", force=True
        )
        # tabix_index replaced the plain temp file by tmp.gz (+ .tbi); commit those instead.
        self._outputs.forget(self._plain_tmp)
        self._outputs.add_companion(Path(compressed), self.target)
        self._outputs.add_companion(Path(compressed + ".tbi"), Path(str(self.target) + ".tbi"))


def _levels(values: np.ndarray, step: float) -> np.ndarray:
    """Values in [0, 1] as multiples of ``step`` (uint8)."""
    with np.errstate(invalid="ignore"):
        return np.rint(np.clip(values, 0.0, 1.0) / step).astype(np.uint8)


@lru_cache(maxsize=4)
def _half_levels(step: float) -> np.ndarray:
    """:func:`_levels` of every float16 bit pattern, so float16 values map by lookup (same result)."""
    return _levels(np.arange(1 << 16, dtype=np.uint16).view(np.float16), step)


class BigWigBuilder:
    """A child process that builds bigWig files from their spools, one job per attached
    track. It is started early, so that its imports overlap the parent's work, and reads
    its jobs from stdin, building each as it comes (stdin closes at :meth:`wait`); tracks
    that share one builder pay for one interpreter and one set of imports."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, "-m", "genoseq.io.tracks"],
                                        stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        self._error: str | None = None

    def submit(self, job: dict) -> None:
        try:
            self.process.stdin.write(json.dumps(job).encode() + b"\n")
            self.process.stdin.flush()
        except BrokenPipeError:  # the child died; wait() reports why
            pass

    def wait(self) -> None:
        """Wait for every job (raises if the child failed); later calls repeat the verdict."""
        if self._error is None:
            if not self.process.stdin.closed:
                self.process.stdin.close()
            stderr = self.process.stderr.read().decode(errors="replace").strip()
            self._error = "" if self.process.wait() == 0 else (stderr.splitlines() or ["?"])[-1]
        if self._error:
            raise GenoseqError(f"could not write the bigWig track: {self._error}")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._error = self._error or "aborted"


class BigWigTrack:
    """Per-base values in [0, 1] as a bigWig file (pybigtools) with zoom levels.

    A bigWig header must list every contig before any value is written, but
    contigs arrive one at a time (stdin, gzip): values are spooled to a temporary
    file as one byte per base (multiples of ``step``), so memory stays flat however
    large the input. The file is built from the spool by a child process
    (:class:`BigWigBuilder`, which tracks may share). Given ``contigs`` (every contig's
    id and length, in input order, read beforehand) the child starts at once and builds
    each contig as soon as its values are spooled, so the file is done shortly after
    the last contig; otherwise it starts at :meth:`finish_async`, when the last contig is
    in (or at :meth:`close` at the latest).
    """

    def __init__(self, outputs: OutputSet, path: str | Path, step: float = 0.02,
                 builder: BigWigBuilder | None = None, contigs: list[tuple[str, int]] | None = None):
        self.step = step
        self._tmp = outputs.reserve(path)
        self._spool = tempfile.NamedTemporaryFile(prefix="genoseq-track.", suffix=".u8", delete=False)
        self._contigs: list[tuple[str, int]] = []
        self._builder = builder or BigWigBuilder()
        self._finished = False
        self._expected = list(contigs) if contigs else None
        if self._expected is not None:
            self._submit(self._expected)

    def add(self, seqid: str, values: np.ndarray) -> None:
        if self._finished:
            raise RuntimeError("track already finished")
        if len(values) == 0:
            return
        if self._expected is not None:
            at = len(self._contigs)
            if at >= len(self._expected) or self._expected[at] != (seqid, len(values)):
                self._builder.kill()  # it waits for other bytes
                raise GenoseqError(f"the input changed while it was read (sequence {seqid!r})")
        if values.dtype == np.float16:  # one table lookup instead of half-precision arithmetic
            levels = _half_levels(self.step)[values.view(np.uint16)]
        else:
            levels = _levels(values, self.step)
        self._spool.write(levels.tobytes())
        self._contigs.append((seqid, len(levels)))
        if self._expected is not None:
            self._spool.flush()  # the builder reads it now

    def _submit(self, contigs: list[tuple[str, int]]) -> None:
        self._builder.submit({"spool": self._spool.name, "target": str(self._tmp), "contigs": contigs,
                              "step": self.step})

    def finish_async(self) -> None:
        """No more contigs: the child process builds (or finishes) the bigWig now."""
        if self._finished:
            return
        self._finished = True
        self._spool.close()
        if self._expected is None:
            self._submit(self._contigs)
        elif self._contigs != self._expected:
            self._builder.kill()
            raise GenoseqError("the input changed while it was read (fewer sequences than before)")

    def close(self) -> None:
        """Wait for the bigWig (starting it if needed); raises if it could not be built."""
        self.finish_async()
        try:
            self._builder.wait()
        finally:
            Path(self._spool.name).unlink(missing_ok=True)

    def abort(self) -> None:
        """Stop the build (the output set discards the file)."""
        self._builder.kill()
        self._spool.close()
        Path(self._spool.name).unlink(missing_ok=True)


def _spooled_levels(spool: str | Path, contigs: list[tuple[str, int]], poll: float = 0.005) -> Iterator[np.ndarray]:
    """Each contig's levels from the spool, in order, waiting for bytes that the parent has
    not written yet (a streamed build); exits if the parent process is gone."""
    parent = os.getppid()
    with open(spool, "rb") as handle:
        for _, n in contigs:
            parts, missing = [], n
            while missing:
                chunk = handle.read(missing)
                if chunk:
                    parts.append(chunk)
                    missing -= len(chunk)
                elif os.getppid() != parent:
                    raise SystemExit("genoseq: the parent process is gone")
                else:
                    time.sleep(poll)
            yield np.frombuffer(b"".join(parts), dtype=np.uint8)


def build_bigwig(spool: str | Path, contigs: list[tuple[str, int]], target: str | Path, step: float) -> None:
    """Write a bigWig from a spool of one byte per base (value = byte x ``step``), which may
    still be growing (see :func:`_spooled_levels`).

    pybigtools writes it, zoom levels included: pyBigWig 0.3 writes the last record of
    each zoom block with sum and sum of squares 0, so genome browsers show wrong means
    when zoomed out. pybigtools picks the zoom resolutions.
    """
    import pybigtools

    def intervals():
        for (seqid, _), levels in zip(contigs, _spooled_levels(spool, contigs)):
            # One entry per run of equal values: far fewer entries to write and zoom.
            starts, ends = value_runs(levels)
            yield from zip([seqid] * len(starts), starts.tolist(), ends.tolist(), (levels[starts] * step).tolist())

    named = Path(f"{target}.bw")  # pybigtools picks the file type from the name's extension
    try:
        pybigtools.open(str(named), "w").write(dict(contigs), intervals())
        named.replace(target)
    finally:
        named.unlink(missing_ok=True)


if __name__ == "__main__":  # the child process of BigWigBuilder: import first, then build each job as it comes
    import pybigtools  # noqa: F401

    for _line in sys.stdin:  # no job: the parent aborted
        if _line.strip():
            _job = json.loads(_line)
            build_bigwig(_job["spool"], _job["contigs"], _job["target"], _job["step"])
