"""One checkpoint format for every model family.

A checkpoint is a plain dict saved with ``torch.save`` and loaded with
``weights_only=True`` (no pickled code is ever executed):
``format``, ``family``, ``model_config`` (dict), ``state_dict``, ``genoseq_version``,
optionally ``settings`` (how the model decodes: everything beside the weights that changes
its output), and for training checkpoints ``optimizer``, ``scheduler``, ``step``, ``epoch``,
``best_metric`` and ``train_config``.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

from genoseq import __version__
from genoseq.errors import ModelError

FORMAT = "genoseq-checkpoint/1"


def save_checkpoint(path: str | Path, family: str, model_config: dict, state_dict: dict, **extra: Any) -> None:
    """Atomically save a checkpoint dict."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": FORMAT,
        "family": family,
        "model_config": model_config,
        "state_dict": state_dict,
        "genoseq_version": __version__,
        **extra,
    }
    import torch

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    torch.save(payload, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str | Path, family: str | None = None) -> dict:
    """Load a checkpoint safely; raise :class:`ModelError` for anything that is not one."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"model file not found: {path}")
    import torch

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # corrupted, truncated or foreign (pickled code) files
        raise ModelError(
            f"{path}: not a readable genoseq model (corrupted, truncated, or not a plain weights file)"
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ModelError(f"{path}: not a genoseq model file (format {FORMAT} expected)")
    if family is not None and payload.get("family") != family:
        raise ModelError(f"{path}: a {payload.get('family')!r} model, but a {family!r} model is needed")
    return payload


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
