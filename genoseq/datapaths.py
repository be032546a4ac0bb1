"""Where the shared training and evaluation data live (configurable)."""
from __future__ import annotations

import os
from pathlib import Path

from genoseq.errors import GenoseqError

ENV_VAR = "GENOSEQ_DATA"


def default_data_root() -> Path:
    """``$GENOSEQ_DATA``, else ``../shared/data`` beside the current directory."""
    return Path(os.environ.get(ENV_VAR, "../shared/data"))


def data_root_or_none(path: str | None) -> Path:
    root = Path(path) if path else default_data_root()
    if not root.is_dir():
        raise GenoseqError(f"data root {root} not found (use --data-root or set {ENV_VAR})")
    return root
