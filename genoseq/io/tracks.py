"""Per-base tracks as bgzip-compressed, tabix-indexed bedGraph (IGV and JBrowse load them directly)."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pysam

from genoseq.io.atomic import OutputSet


class BedGraphTrack:
    """Collect per-base values contig by contig, written as runs of equal (rounded) values."""

    def __init__(self, outputs: OutputSet, path: str | Path, name: str, decimals: int = 2):
        path = Path(path)
        if not path.name.endswith(".gz"):
            path = path.with_name(path.name + ".gz")
        self.target = path
        self.decimals = decimals
        self._plain_tmp = outputs.reserve(path.with_name(path.name[:-3]))
        self._plain_target = path.with_name(path.name[:-3])
        self._outputs = outputs
        self._handle = open(self._plain_tmp, "w")
        self._handle.write(f"#track type=bedGraph name={name}\n")

    def add(self, seqid: str, values: np.ndarray) -> None:
        """Append one contig's values (float array, one per base)."""
        if len(values) == 0:
            return
        scale = 10**self.decimals
        q = np.rint(np.asarray(values, dtype=np.float64) * scale).astype(np.int64)
        change = np.flatnonzero(np.diff(q)) + 1
        starts = np.concatenate([[0], change])
        ends = np.concatenate([change, [len(q)]])
        fmt = f"{{:.{self.decimals}f}}"
        vals = [fmt.format(v / scale) for v in q[starts]]
        lines = [f"{seqid}\t{s}\t{e}\t{v}\n" for s, e, v in zip(starts.tolist(), ends.tolist(), vals)]
        self._handle.write("".join(lines))

    def close(self) -> None:
        """Compress with bgzip and index with tabix; the files join the output set."""
        self._handle.close()
        compressed = pysam.tabix_index(
            str(self._plain_tmp), seq_col=0, start_col=1, end_col=2, zerobased=True, meta_char="#", force=True
        )
        # tabix_index replaced the plain temp file by tmp.gz (+ .tbi); commit those instead.
        self._outputs.forget(self._plain_tmp)
        self._outputs.add_companion(Path(compressed), self.target)
        self._outputs.add_companion(Path(compressed + ".tbi"), Path(str(self.target) + ".tbi"))
