"""The secondary-structure API: ``SSPredictor`` / ``predict_ss`` for users, ``train`` and
``evaluate`` beside them (in ``training.py`` and ``evaluate.py``)."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

import numpy as np
import torch

from genoseq.io.fasta import FastaRecord
from genoseq.nn.device import autocast, release_freed_memory, resolve_device
from genoseq.nn.registry import ModelEntry, load_module
from genoseq.ss.decode import SSPrediction, state_probabilities
from genoseq.ss.encode import clean_protein, encode_residues
from genoseq.ss.model import build_ss_model

#: Residues per network batch (padding included); larger batches were slower on CPU.
DEFAULT_BATCH_TOKENS = {"cpu": 16384, "cuda": 262144}
#: Proteins read ahead, sorted by length and batched; bounds memory on huge inputs.
CHUNK_PROTEINS = 2000  # proteins read, predicted and yielded together; freed memory is returned after each


def length_batches(lengths: list[int], max_tokens: int) -> list[list[int]]:
    """Group indices sorted by length so that ``rows x longest`` stays under ``max_tokens``
    (a protein longer than that runs alone, untruncated)."""
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        longest = lengths[current[0]] if current else lengths[i]
        if current and (len(current) + 1) * longest > max_tokens:
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


class ProteinOutput(NamedTuple):
    """One protein's network output: 3- and 8-state probabilities, the 3-state head's own
    logits, and disorder probabilities (None for models without a disorder head)."""

    number: int  # the protein's position in the input list
    p3: np.ndarray
    p8: np.ndarray
    logits3: np.ndarray
    disorder: np.ndarray | None


def predict_tokens(model: torch.nn.Module, tokens: list[np.ndarray], device: torch.device, max_tokens: int,
                   amp: bool = True) -> Iterator[ProteinOutput]:
    """One :class:`ProteinOutput` per protein, in batch order."""
    for batch in length_batches([len(t) for t in tokens], max_tokens):
        lengths = torch.tensor([len(tokens[i]) for i in batch])
        padded = torch.zeros((len(batch), int(lengths.max())), dtype=torch.long)
        for row, i in enumerate(batch):
            padded[row, : len(tokens[i])] = torch.from_numpy(tokens[i])
        with torch.inference_mode(), autocast(device, amp):
            out = model(padded.to(device), lengths)
            p3, p8 = state_probabilities(out[0], out[1])
        q3, q8, heads3 = p3.cpu().numpy(), p8.cpu().numpy(), out[1].float().cpu().numpy()
        dis = torch.sigmoid(out[2].float()).cpu().numpy() if len(out) > 2 else None
        for row, i in enumerate(batch):
            n = len(tokens[i])
            yield ProteinOutput(i, q3[row, :n], q8[row, :n], heads3[row, :n], None if dis is None else dis[row, :n])


def quantize_for_cpu(model: torch.nn.Module) -> torch.nn.Module:
    """Dynamic int8 quantization of the LSTM and linear layers (weights int8, activations
    quantized on the fly). Measured on the validation set: the same Q3/Q8 to 0.01 point,
    1.8x faster on CB513 (2 cores). Returns the model unchanged where PyTorch lacks it."""
    import warnings

    try:
        from torch.ao.quantization import quantize_dynamic
    except ImportError:  # pragma: no cover - removed in some future PyTorch
        return model
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the eager-mode API announces its move to torchao
        try:
            return quantize_dynamic(model, {torch.nn.LSTM, torch.nn.Linear}, dtype=torch.qint8)
        except (RuntimeError, AssertionError):  # no int8 engine on this CPU
            return model


@dataclass
class SSPredictor:
    """A loaded SS model ready to annotate proteins."""

    model: torch.nn.Module
    entry: ModelEntry
    device: torch.device
    batch_tokens: int
    consistent: bool = False
    disorder: bool = False  # the model has a disorder head

    @classmethod
    def load(cls, model: str = "ss-default", device: str = "auto", batch_tokens: int | None = None,
             quantize: bool = True, consistent: bool = False) -> "SSPredictor":
        """Load a model; on CPU its LSTM and linear layers run in int8 unless ``quantize`` is
        False. ``consistent`` restricts each 8-state call to the chosen 3-state class."""
        net, entry = load_module(model, "ss", build_ss_model)
        dev = resolve_device(device)
        net.to(dev).eval()
        runner: torch.nn.Module = quantize_for_cpu(net) if quantize and dev.type == "cpu" else net
        return cls(runner, entry, dev, batch_tokens or DEFAULT_BATCH_TOKENS[dev.type], consistent, net.has_disorder)

    def predict_records(self, records: Iterable[FastaRecord], source: str = "",
                        progress: Callable[[int], None] | None = None) -> Iterator[SSPrediction]:
        """Predict every record, yielding predictions in input order.

        Records are checked (see :func:`genoseq.ss.encode.clean_protein`) chunk by
        chunk, so a bad record stops the run before anything of its chunk is yielded.
        """
        iterator = iter(records)
        while chunk := list(islice(iterator, CHUNK_PROTEINS)):
            seqs = [clean_protein(r, source) for r in chunk]
            tokens = [encode_residues(s) for s in seqs]
            results: dict[int, SSPrediction] = {}
            for out in predict_tokens(self.model, tokens, self.device, self.batch_tokens):
                i = out.number
                results[i] = SSPrediction(chunk[i].id, seqs[i], out.p3, out.p8, chunk[i].description, self.consistent,
                                          out.disorder)
                if progress:
                    progress(1)
            yield from (results[i] for i in range(len(chunk)))
            release_freed_memory()


def predict_ss(fasta: str | Path | Iterable[FastaRecord], model: str = "ss-default",
               device: str = "auto", **options) -> list[SSPrediction]:
    """Predict secondary structure for a FASTA file (or records); ``options`` go to
    :meth:`SSPredictor.load`."""
    from genoseq.io.fasta import read_fasta

    predictor = SSPredictor.load(model, device, **options)
    records = read_fasta(fasta) if isinstance(fasta, (str, Path)) else fasta
    return list(predictor.predict_records(records, source=str(fasta) if isinstance(fasta, (str, Path)) else ""))
