"""Tab-separated tables out: gzip by file name, stdout for '-', empty cells for missing values."""
from __future__ import annotations

import gzip
import io
from typing import IO

import pandas as pd

from genoseq.io.atomic import OutputSet


class TsvWriter:
    """Write a table in chunks (header once); ``.gz`` paths are gzip-compressed."""

    def __init__(self, path: str, outputs: OutputSet):
        self.path = str(path)
        self._raw: IO | None = None
        if self.path.endswith(".gz"):
            self._raw = outputs.open(self.path, "wb")
            # mtime=0: the same table gives the same bytes
            self._gzip = gzip.GzipFile(fileobj=self._raw, mode="wb", compresslevel=6, mtime=0)
            self._handle: IO = io.TextIOWrapper(self._gzip, encoding="utf-8", newline="")
        else:
            self._handle = outputs.open(self.path)
        self._header = True

    def write(self, table: pd.DataFrame) -> None:
        table.to_csv(self._handle, sep="\t", index=False, na_rep="", header=self._header)
        self._header = False

    def close(self) -> None:
        if self.path == "-":
            self._handle.flush()
            return
        self._handle.close()  # closes the gzip stream too
        if self._raw is not None:
            self._raw.close()


def write_tsv(table: pd.DataFrame, path: str, outputs: OutputSet) -> None:
    """Write ``table`` with a header in one go."""
    writer = TsvWriter(path, outputs)
    writer.write(table)
    writer.close()
