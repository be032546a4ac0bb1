"""ONNX Runtime inference on CPU: a shipped network exported once to ONNX, run without torch.

Why: on a 2-core machine ``import torch`` alone costs 0.7-1.0 s of every run, a third of
Prodigal's whole run on *E. coli*, and ONNX Runtime's CPU kernels run the gene network
in float32 faster than torch does in bfloat16
(measured on one core, 24 windows of 2,997 bp: 0.026 s against 0.034 s). The ONNX file is
made from the ``.pt`` checkpoint (:func:`export_onnx`) and carries the checkpoint's
``model_config`` and ``settings`` as metadata, so a model behaves the same whichever
file runs it; outputs agree with torch's float32 to about 1e-5.

torch and the ``onnx`` package are needed only to export; running needs ``onnxruntime``.
"""
from __future__ import annotations

import importlib.util
import json
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genoseq import __version__
from genoseq.errors import GenoseqError, ModelError

if TYPE_CHECKING:
    import onnxruntime
    import torch

#: metadata key of the JSON that describes the network (family, model_config, settings)
METADATA_KEY = "genoseq"
OPSET = 17


def onnxruntime_available() -> bool:
    """onnxruntime imports here (it is a dependency, but some platforms lack wheels, and a
    broken install should fall back to torch rather than fail)."""
    if importlib.util.find_spec("onnxruntime") is None:
        return False
    try:
        import onnxruntime  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def export_onnx(
    module: "torch.nn.Module", example: "torch.Tensor", path: str | Path, family: str, model_config: dict,
    settings: dict, dynamic_axes: dict[str, dict[int, str]], source_sha256: str = "",
) -> None:
    """Export ``module`` (one input ``x``, one output ``y``) to ``path`` with the checkpoint's
    description as metadata; ``dynamic_axes`` names the axes of ``x``/``y`` that vary."""
    try:
        import onnx
    except ImportError:
        raise GenoseqError("exporting to ONNX needs the onnx package: pip install onnx") from None
    import torch

    path = Path(path)
    tmp = path.with_suffix(".tmp.onnx")
    module.eval()
    # The tracer warns about shape checks it freezes and about GRUs with a batch axis; the
    # exported graph keeps both axes dynamic (tests run it on other batch sizes and lengths).
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (example,), str(tmp), input_names=["x"], output_names=["y"],
                          dynamic_axes=dynamic_axes, opset_version=OPSET, dynamo=False)
    model = onnx.load(str(tmp))
    description = {"family": family, "model_config": model_config, "settings": settings,
                   "genoseq_version": __version__, "source_sha256": source_sha256}
    del model.metadata_props[:]
    entry = model.metadata_props.add()
    entry.key, entry.value = METADATA_KEY, json.dumps(description, sort_keys=True)
    onnx.save(model, str(tmp))
    tmp.replace(path)


class OnnxNetwork:
    """An ONNX Runtime session of one exported network, plus its description.

    :meth:`run` may be called from several threads at once: each call runs on the calling
    thread's core alone (ONNX Runtime releases the GIL), which beats splitting one call's
    small operations across cores."""

    def __init__(self, path: str | Path, family: str):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only
        try:
            self.session: onnxruntime.InferenceSession = ort.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"])
            description = json.loads(self.session.get_modelmeta().custom_metadata_map[METADATA_KEY])
        except Exception:  # truncated, foreign, or exported without genoseq's metadata
            raise ModelError(f"{path}: not a readable genoseq ONNX model") from None
        if description.get("family") != family:
            raise ModelError(f"{path}: a {description.get('family')!r} model, but a {family!r} model is needed")
        self.path = Path(path)
        self.model_config: dict[str, Any] = description["model_config"]
        self.settings: dict[str, Any] = description.get("settings") or {}
        self.source_sha256: str = description.get("source_sha256", "")

    def run(self, x: Any) -> Any:
        """The network's output for one float32 input array."""
        return self.session.run(None, {"x": x})[0]
