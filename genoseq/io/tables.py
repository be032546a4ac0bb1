"""Tab-separated tables out: gzip by file name, stdout for '-', empty cells for missing values."""
from __future__ import annotations

import gzip

import pandas as pd

from genoseq.io.atomic import OutputSet


def write_tsv(table: pd.DataFrame, path: str, outputs: OutputSet) -> None:
    """Write ``table`` with a header; ``.gz`` paths are gzip-compressed."""
    if str(path).endswith(".gz"):
        raw = outputs.open(path, "wb")
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
            handle.write(table.to_csv(sep="\t", index=False, na_rep="").encode())
        raw.close()
    else:
        handle = outputs.open(path)
        table.to_csv(handle, sep="\t", index=False, na_rep="")
        if path != "-":
            handle.close()
