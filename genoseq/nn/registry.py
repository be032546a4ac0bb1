"""The registry of shipped weights: ``models/registry.json`` maps a model name to
its file, sha256, family, version, card and measured metrics. Weights are verified
against the recorded sha256 before they are loaded (with ``weights_only=True``).

Everything that changes a model's output (decoder settings, thresholds) travels in
the checkpoint itself (``settings``), so a model behaves the same loaded by name or
by path; the registry only names files."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Callable, TypeVar

from genoseq.errors import ModelError
from genoseq.nn.checkpoint import load_checkpoint, sha256_file

if TYPE_CHECKING:
    import torch

    from genoseq.nn.onnx import OnnxNetwork

M = TypeVar("M", bound="torch.nn.Module")


@dataclass(frozen=True)
class ModelEntry:
    name: str
    family: str
    file: Path
    sha256: str | None
    version: str = ""
    card: str = ""
    settings: dict = field(default_factory=dict)  # the checkpoint's own, filled in by load_module
    onnx_file: Path | None = None  # the same network exported for ONNX Runtime (see genoseq.nn.onnx)
    onnx_sha256: str | None = None


def models_dir() -> Path:
    """Where the shipped weights live (``models/``, installed as ``genoseq.models``)."""
    return Path(str(resources.files("genoseq.models")))


def read_registry(directory: Path | None = None) -> dict[str, dict]:
    path = (directory or models_dir()) / "registry.json"
    if not path.exists():
        return {}
    with open(path) as handle:
        return json.load(handle)


def _write_registry(registry: dict[str, dict], directory: Path) -> None:
    with open(directory / "registry.json", "w") as handle:
        json.dump(registry, handle, indent=2, sort_keys=True)
        handle.write("\n")


def resolve_model(name_or_path: str, family: str) -> ModelEntry:
    """A registry name (e.g. ``genes-default``) or a path to a checkpoint file."""
    registry = read_registry()
    if name_or_path in registry:
        info = registry[name_or_path]
        if info.get("family") != family:
            raise ModelError(f"model {name_or_path!r} is a {info.get('family')!r} model, not {family!r}")
        onnx = info.get("onnx") or {}
        return ModelEntry(
            name_or_path, family, models_dir() / info["file"], info.get("sha256"),
            info.get("version", ""), info.get("card", ""),
            onnx_file=models_dir() / onnx["file"] if onnx else None, onnx_sha256=onnx.get("sha256"),
        )
    path = Path(name_or_path)
    if path.suffix == ".onnx":
        return ModelEntry(path.stem, family, path, None, onnx_file=path)
    if path.suffix in (".pt", ".pth") or path.exists():
        return ModelEntry(path.stem, family, path, None)
    known = ", ".join(k for k, v in registry.items() if v.get("family") == family) or "none"
    raise ModelError(f"unknown model {name_or_path!r} (shipped {family} models: {known}; or give a .pt or .onnx path)")


def verify_file(file: Path, sha256: str | None) -> None:
    """The file exists and, for registry models, has the recorded sha256."""
    if not file.is_file():
        raise ModelError(f"model file not found: {file}")
    if sha256 is not None:
        actual = sha256_file(file)
        if actual != sha256:
            raise ModelError(
                f"{file}: sha256 {actual[:12]}... does not match the registry ({sha256[:12]}...); "
                "the file is corrupted or was replaced"
            )


def load_model_checkpoint(entry: ModelEntry) -> dict:
    """Verify the sha256 (for registry models) and load the checkpoint dict."""
    if entry.file.suffix == ".onnx":
        raise ModelError(f"{entry.file}: an ONNX export runs only on CPU through ONNX Runtime; "
                         "give the .pt checkpoint for torch (GPU, --precision bf16, training)")
    verify_file(entry.file, entry.sha256)
    return load_checkpoint(entry.file, entry.family)


def load_onnx(entry: ModelEntry) -> tuple["OnnxNetwork", ModelEntry]:
    """Verify and open a model's ONNX export; the returned entry carries its ``settings``."""
    from genoseq.nn.onnx import OnnxNetwork

    if entry.onnx_file is None:
        raise ModelError(f"model {entry.name!r} has no ONNX export")
    verify_file(entry.onnx_file, entry.onnx_sha256)
    network = OnnxNetwork(entry.onnx_file, entry.family)
    if entry.sha256 is not None and network.source_sha256 != entry.sha256:
        raise ModelError(f"{entry.onnx_file}: exported from another checkpoint than {entry.file.name}")
    return network, replace(entry, settings=dict(network.settings))


def register_onnx(
    name: str, module: "torch.nn.Module", example: "torch.Tensor", dynamic_axes: dict[str, dict[int, str]],
    directory: Path | None = None,
) -> ModelEntry:
    """Export a registered model's network (``module``: the loaded weights, possibly wrapped so
    that its output is the scores inference uses) to ONNX beside its checkpoint and record the
    file in registry.json (used when preparing a release)."""
    from genoseq.nn.onnx import export_onnx

    directory = directory or models_dir()
    registry = read_registry(directory)
    info = registry[name]
    source = directory / info["file"]
    state = load_checkpoint(source, info["family"])
    target = directory / (Path(info["file"]).stem + ".onnx")
    export_onnx(module, example, target, info["family"], state["model_config"], state.get("settings") or {},
                dynamic_axes, source_sha256=sha256_file(source))
    info["onnx"] = {"file": target.name, "sha256": sha256_file(target)}
    _write_registry(registry, directory)
    return resolve_model(name, info["family"])


def save_slim(checkpoint: str | Path, family: str, target: Path, settings: dict | None = None,
              half: bool = False) -> None:
    """Write a checkpoint's weights, configuration and ``settings`` (default: its own) to ``target``
    without the optimizer state (float16 weights with ``half``)."""
    import shutil

    import torch

    state = load_checkpoint(checkpoint, family)
    slim = {k: state[k] for k in ("format", "family", "model_config", "state_dict", "genoseq_version")}
    if half:  # loading casts back to the module's float32
        slim["state_dict"] = {k: v.half() if v.is_floating_point() else v for k, v in slim["state_dict"].items()}
    slim["metrics"] = state.get("metrics", {})
    slim["settings"] = settings if settings is not None else state.get("settings", {})
    slim["epoch"] = state.get("epoch")
    tmp = target.with_suffix(".tmp")
    torch.save(slim, tmp)
    shutil.move(tmp, target)


def register_model(
    name: str, family: str, checkpoint: str | Path, file_name: str, version: str, card: str,
    settings: dict | None = None, directory: Path | None = None, metrics: dict | None = None, half: bool = False,
) -> ModelEntry:
    """Copy a checkpoint's weights (no optimizer state; float16 with ``half``) and ``settings``
    into the models folder and record it in registry.json with its sha256 (used when preparing
    a release)."""
    directory = directory or models_dir()
    target = directory / file_name
    save_slim(checkpoint, family, target, settings, half)
    registry = read_registry(directory)
    registry[name] = {
        "family": family, "file": file_name, "sha256": sha256_file(target), "version": version,
        "card": card, "metrics": metrics or {},
    }
    _write_registry(registry, directory)
    return resolve_model(name, family)


def load_module(name_or_path: str, family: str, build: Callable[[dict], M]) -> tuple[M, ModelEntry]:
    """Resolve, verify and load a model: ``build(model_config)`` makes the module, whose
    weights are then loaded; a checkpoint that does not fit is a :class:`ModelError`. The
    returned entry carries the checkpoint's ``settings``."""
    entry = resolve_model(name_or_path, family)
    state = load_model_checkpoint(entry)
    entry = replace(entry, settings=dict(state.get("settings") or {}))
    try:
        module = build(state["model_config"])
        module.load_state_dict(state["state_dict"])
    except (TypeError, RuntimeError, KeyError, ValueError) as exc:
        first = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise ModelError(f"{entry.file}: weights do not fit this genoseq version's {family} model ({first})") from None
    return module.eval(), entry
