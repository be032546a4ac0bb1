"""The gene-finding network: parallel dilated convolutions -> bidirectional GRU -> per-base heads.

Every base keeps its own output: the convolutions have no pooling and no stride.
The GRU runs at codon resolution: each step reads the convolution features of
three consecutive bases (``codons_per_step`` codons: 3, 6 or 9 bases; a lossless
space-to-depth reshape, not pooling), which cuts the sequential work, the cost that
dominates CPU inference, by as much. Its output is unfolded back to the step's bases
and joined with the per-base convolution features before the heads. (Measured on one
CPU core, 63k-parameter networks, bfloat16 front end, 24 windows of 6 kb: 0.167 s with
one codon per step, 0.104 s with two, 0.067 s with three.)

Outputs per base (channel axis): 7 coding logits (non-coding; codon position
1/2/3 on the plus strand; 1/2/3 on the minus strand) and 2 start-site logits
(a plus-strand / minus-strand gene starts at this base).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import ContextManager, cast

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from genoseq.genes.encode import encode_batch
from genoseq.genes.labels import N_CODING_CLASSES, N_OUTPUTS, N_START_CHANNELS
from genoseq.nn.device import precision_autocast, single_threaded_ops

__all__ = ["N_OUTPUTS", "N_START_CHANNELS", "GeneNet", "GeneNetConfig", "GeneScores", "TorchScorer"]


@dataclass
class GeneNetConfig:
    """Architecture hyper-parameters (stored in every checkpoint)."""

    phase_channel: bool = True
    branch_kernels: list[int] = field(default_factory=lambda: [9, 9, 9, 9])
    branch_dilations: list[int] = field(default_factory=lambda: [1, 2, 4, 8])
    branch_channels: int = 16
    codon_channels: int = 96
    block_kernels: list[int] = field(default_factory=lambda: [3, 3, 3])
    block_dilations: list[int] = field(default_factory=lambda: [1, 3, 9])
    gru_hidden: int = 64
    gru_layers: int = 1
    head_channels: int = 32
    codons_per_step: int = 1  # codons (3 bases each) that one GRU step reads

    @property
    def step_bases(self) -> int:
        """Bases per GRU step: window lengths must be multiples of this."""
        return 3 * self.codons_per_step

    @property
    def in_channels(self) -> int:
        return 4 + (3 if self.phase_channel else 0)

    def to_dict(self) -> dict:
        return asdict(self)


class ParallelDilatedConv(nn.Module):
    """Several 'same'-padded Conv1d branches side by side, outputs concatenated."""

    def __init__(self, in_channels: int, out_per_branch: int, kernels: list[int], dilations: list[int]):
        super().__init__()
        self.branches = nn.ModuleList(
            nn.Conv1d(in_channels, out_per_branch, k, dilation=d, padding=d * (k - 1) // 2)
            for k, d in zip(kernels, dilations)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([branch(x) for branch in self.branches], dim=1)


class GeneNet(nn.Module):
    """Per-base dilated CNN -> codon-step dilated CNN and BiGRU -> per-base heads."""

    def __init__(self, config: GeneNetConfig | None = None):
        super().__init__()
        self.config = config = config or GeneNetConfig()
        base_channels = config.branch_channels * len(config.branch_kernels)
        self._phase_cache: dict[tuple, torch.Tensor] = {}
        self.stem = ParallelDilatedConv(
            config.in_channels, config.branch_channels, config.branch_kernels, config.branch_dilations
        )
        cc = config.codon_channels
        self.codon_in = nn.Conv1d(config.step_bases * base_channels, cc, 1)
        per_branch = cc // len(config.block_kernels)
        self.block = ParallelDilatedConv(cc, per_branch, config.block_kernels, config.block_dilations)
        self.block_mix = nn.Conv1d(per_branch * len(config.block_kernels), cc, 1)
        self.norm = nn.GroupNorm(1, cc)
        self.gru = nn.GRU(
            cc, config.gru_hidden, num_layers=config.gru_layers, batch_first=True, bidirectional=True
        )
        self.codon_out = nn.Linear(2 * config.gru_hidden + cc, config.step_bases * config.head_channels)
        self.head = nn.Sequential(
            nn.Conv1d(base_channels + config.head_channels, config.head_channels, 1),
            nn.ReLU(inplace=True),
            nn.Conv1d(config.head_channels, N_OUTPUTS, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x``: (batch, in_channels, length), length a multiple of ``config.step_bases`` -> (batch, 9, length)."""
        bases, steps = self.features(x)
        rnn_out, _ = self.gru(steps)
        return self.heads(bases, steps, rnn_out)

    def features(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The convolutional front end: per-base features (B, Cb, L) and the codon-step
        GRU inputs (B, L/3, C). Split from :meth:`forward` so that inference can run
        the convolutions in small, cache-friendly batches and the GRU in large ones."""
        batch, _, length = x.shape
        step = self.config.step_bases
        if length % step:
            raise ValueError(f"sequence length must be a multiple of {step}")
        bases = torch.relu(self._stem(x))  # (B, Cb, L)
        n_steps = length // step
        # Lossless space-to-depth: the bases of a step side by side.
        codons = bases.reshape(batch, -1, n_steps, step).permute(0, 1, 3, 2).reshape(batch, -1, n_steps)
        h = torch.relu(self.codon_in(codons))
        h = torch.relu(self.norm(h + self.block_mix(torch.relu(self.block(h)))))
        return bases, h.transpose(1, 2)

    def _stem(self, x: torch.Tensor) -> torch.Tensor:
        """The per-base convolutions. ``x`` may hold the base channels alone (inference,
        windows starting at phase 0): the phase channels then add the same term to every
        window, computed once per length, and the convolutions read 4 channels instead of 7."""
        if x.shape[1] == self.config.in_channels:
            return self.stem(x)
        if not self.config.phase_channel or x.shape[1] != 4:
            raise ValueError(f"expected {self.config.in_channels} input channels, got {x.shape[1]}")
        convs = cast("list[nn.Conv1d]", list(self.stem.branches))
        bases = torch.cat([
            F.conv1d(x, conv.weight[:, :4], None, padding=conv.padding[0], dilation=conv.dilation[0])
            for conv in convs
        ], dim=1)
        return (bases + self._phase_term(x.shape[2], x.device)).to(bases.dtype)

    def _phase_term(self, length: int, device: torch.device) -> torch.Tensor:
        """(1, Cb, length) float32: the phase channels' and biases' share of the per-base
        convolutions for a window starting at phase 0 (zero padding at its edges, as in training)."""
        key = (length, str(device), tuple(branch.weight._version for branch in self.stem.branches))
        cached = self._phase_cache.get(key)
        if cached is None:
            positions = torch.arange(length, device=device)
            phase = torch.zeros(1, self.config.in_channels, length, device=device)
            phase[0, 4 + positions % 3, positions] = 1.0
            with torch.autocast(device.type, enabled=False):
                cached = self.stem(phase).float()
            if len(self._phase_cache) > 16:
                self._phase_cache.clear()
            self._phase_cache[key] = cached
        return cached

    def heads(self, bases: torch.Tensor, steps: torch.Tensor, rnn_out: torch.Tensor) -> torch.Tensor:
        """Per-base outputs (B, 9, L) from the front end's features and the GRU output."""
        batch, _, length = bases.shape
        unfolded = self.codon_out(torch.cat([rnn_out, steps], dim=2))  # (B, T, 3*H)
        per_base = unfolded.reshape(batch, length, -1).transpose(1, 2)
        return self.head(torch.cat([bases, torch.relu(per_base)], dim=1))

    def n_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())


def score_channels(logits: torch.Tensor) -> torch.Tensor:
    """The network's logits (B, 9, L) as inference scores: log-probabilities of the 7
    coding classes, then the 2 start logits as they are."""
    return torch.cat([torch.log_softmax(logits[:, :N_CODING_CLASSES], dim=1), logits[:, N_CODING_CLASSES:]], dim=1)


class GeneScores(nn.Module):
    """A :class:`GeneNet` whose output is the inference scores (:func:`score_channels`):
    the module exported to ONNX (see :func:`export_gene_onnx`)."""

    def __init__(self, net: GeneNet):
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return score_channels(self.net(x))


def export_gene_onnx(model: str, target: str | Path | None = None) -> Path:
    """Export a gene network to ONNX for the CPU engine (needs the ``onnx`` package).

    A registered model (by name) is written beside its checkpoint and recorded in the
    registry (release preparation); a checkpoint path is written to ``target`` (default:
    the same path ending in .onnx), for ``predict-genes -m <file>.onnx``. Returns the file."""
    from genoseq.nn.checkpoint import sha256_file
    from genoseq.nn.onnx import export_onnx
    from genoseq.nn.registry import load_module, read_registry, register_onnx

    net, entry = load_module(model, "genes", build_gene_net)
    example = torch.zeros(2, net.config.in_channels, 100 * net.config.step_bases)
    axes = {"x": {0: "windows", 2: "bases"}, "y": {0: "windows", 2: "bases"}}
    if target is None and model in read_registry():
        onnx_file = register_onnx(model, GeneScores(net), example, axes).onnx_file
        assert onnx_file is not None
        return onnx_file
    path = Path(target) if target is not None else entry.file.with_suffix(".onnx")
    export_onnx(GeneScores(net), example, path, "genes", net.config.to_dict(), entry.settings, axes,
                source_sha256=sha256_file(entry.file))
    return path


def forward_windows(model: GeneNet, x: torch.Tensor, conv_batch: int, precision: str = "mixed") -> torch.Tensor:
    """``model(x)`` as inference scores (:func:`score_channels`, float32, (B, 9, L)), with
    the convolutions run ``conv_batch`` windows at a time (their activations stay in
    cache) and the GRU over the whole batch (its per-step cost shrinks per window as
    more windows share a step).

    ``precision``: a resolved precision ("mixed" is a no-op on CPU). Under "bf16" the
    convolutions and heads run in bfloat16 and the GRU in float32 (a bfloat16 GRU is
    slower on CPU).
    """
    device = x.device
    gru_precision = "fp32" if precision == "bf16" else precision
    with torch.inference_mode():
        with precision_autocast(device, precision):
            parts = [model.features(x[i : i + conv_batch]) for i in range(0, len(x), conv_batch)]
        steps = torch.cat([steps for _, steps in parts])
        with precision_autocast(device, gru_precision):
            rnn_out, _ = model.gru(steps.float() if gru_precision == "fp32" else steps)
        out, offset = [], 0
        with precision_autocast(device, precision):
            for bases, part in parts:
                out.append(model.heads(bases, part, rnn_out[offset : offset + len(part)]))
                offset += len(part)
        return score_channels(torch.cat(out).float())


class TorchScorer:
    """The network through torch (a :class:`genoseq.genes.scoring.WindowScorer`): any device,
    any precision. On CPU ``workers`` threads each run one batch with one torch thread."""

    def __init__(self, model: GeneNet, device: torch.device = torch.device("cpu"), precision: str = "mixed",
                 conv_batch: int = 12, workers: int = 1):
        self.model = model.eval()
        self.device, self.precision, self.conv_batch = device, precision, conv_batch
        self.workers = max(1, workers) if device.type == "cpu" else 1

    def score(self, windows: np.ndarray) -> np.ndarray:
        # base channels only: the model adds the phase channels' share, the same for every window
        x = torch.from_numpy(encode_batch(windows, phase_channel=False)).to(self.device)
        return forward_windows(self.model, x, self.conv_batch, self.precision).cpu().numpy()

    def running(self) -> ContextManager[None]:
        return single_threaded_ops(self.workers > 1)


def build_gene_net(config: dict) -> GeneNet:
    """A :class:`GeneNet` from a checkpoint's ``model_config`` (for :func:`genoseq.nn.registry.load_module`)."""
    return GeneNet(GeneNetConfig(**config))
