"""The secondary-structure API: ``SSPredictor`` / ``predict_ss`` for users, ``train`` and
``evaluate`` beside them (in ``training.py`` and ``evaluate.py``)."""
from __future__ import annotations

from collections import deque
from contextlib import nullcontext
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

import numpy as np
import torch

from genoseq.io.fasta import FastaRecord
from genoseq.nn.device import precision_autocast, release_freed_memory, resolve_device, single_threaded_ops
from genoseq.nn.device import resolve_precision as resolve_arithmetic
from genoseq.nn.registry import ModelEntry, load_module
from genoseq.ss import PRECISIONS
from genoseq.ss.decode import SSPrediction, state_probabilities
from genoseq.ss.encode import clean_protein, encode_residues
from genoseq.ss.model import build_ss_model

#: Residues per network batch (padding included), by device. Measured on 2 cores with one
#: batch per core: 8,192 beats 16,384 by 1.17x in float32 and bfloat16; int8 is fastest at 16,384.
DEFAULT_BATCH_TOKENS = {"cpu": 8192, "cuda": 262144}
INT8_BATCH_TOKENS = 16384
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
                   precision: str = "mixed", workers: int | None = None) -> Iterator[ProteinOutput]:
    """One :class:`ProteinOutput` per protein, in batch order.

    ``precision``: a resolved precision (:func:`resolve_precision`; "mixed" is a no-op on
    CPU). On CPU, ``workers`` batches (default: torch's thread count) run side by side on threads of
    one core each, which beats splitting each batch's small LSTM steps across cores
    (1.4x on 2 cores). Batches are formed before any runs, so outputs do not depend on
    the number of workers.
    """
    batches = length_batches([len(t) for t in tokens], max_tokens)
    workers = (workers or torch.get_num_threads()) if device.type == "cpu" else 1
    # A model cast to bfloat16 (see SSPredictor.load) already runs in it: no autocast, so no casts per batch.
    # (A context per batch: worker threads enter them side by side.)
    in_bf16 = next(model.parameters()).dtype == torch.bfloat16
    autocast = nullcontext if in_bf16 else partial(precision_autocast, device, precision)

    def run(batch: list[int]) -> list[ProteinOutput]:
        lengths = torch.tensor([len(tokens[i]) for i in batch])
        padded = torch.zeros((len(batch), int(lengths.max())), dtype=torch.long)
        for row, i in enumerate(batch):
            padded[row, : len(tokens[i])] = torch.from_numpy(tokens[i])
        with torch.inference_mode(), autocast():
            out = model(padded.to(device), lengths)
            p3, p8 = state_probabilities(out[0], out[1])
        q3, q8, heads3 = p3.cpu().numpy(), p8.cpu().numpy(), out[1].float().cpu().numpy()
        dis = torch.sigmoid(out[2].float()).cpu().numpy() if len(out) > 2 else None
        outputs = []
        for row, i in enumerate(batch):
            n = len(tokens[i])
            outputs.append(ProteinOutput(i, q3[row, :n], q8[row, :n], heads3[row, :n],
                                         None if dis is None else dis[row, :n]))
        return outputs

    if workers <= 1 or len(batches) <= 1:
        for batch in batches:
            yield from run(batch)
        return
    with ThreadPoolExecutor(workers) as pool, single_threaded_ops():
        in_flight: deque[Future] = deque()
        for batch in batches:
            in_flight.append(pool.submit(run, batch))
            if len(in_flight) > workers:
                yield from in_flight.popleft().result()
        while in_flight:
            yield from in_flight.popleft().result()


def quantize_for_cpu(model: torch.nn.Module) -> torch.nn.Module:
    """Dynamic int8 quantization of the LSTM and linear layers (weights int8, activations
    quantized on the fly, per batch). Measured on the validation set: the same Q3/Q8 as
    float32 to 0.01 point. Returns the model unchanged where PyTorch lacks it."""
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


def resolve_precision(precision: str, device: torch.device) -> str:
    """The arithmetic an SS run uses: "bf16", "int8" or "fp32" on CPU ("auto": bf16 where the
    CPU has it natively, else int8); "mixed" or "fp32" on CUDA.

    Measured on 3,000 proteins (2 CPU cores with AVX512-BF16), against float32: bfloat16
    changes 0.07 % of q3 calls, int8 0.45 %; both run 1.7x faster than float32. int8
    scales activations per batch, so a protein's output varies slightly with the proteins
    batched with it; float32 and bfloat16 outputs do not.
    """
    return resolve_arithmetic(precision, device, PRECISIONS, cpu_fallback="int8")


@dataclass
class SSPredictor:
    """A loaded SS model ready to annotate proteins."""

    model: torch.nn.Module
    entry: ModelEntry
    device: torch.device
    batch_tokens: int
    consistent: bool = False
    disorder: bool = False  # the model has a disorder head
    precision: str = "fp32"  # as resolved by resolve_precision

    @classmethod
    def load(cls, model: str = "ss-default", device: str = "auto", batch_tokens: int | None = None,
             precision: str = "auto", consistent: bool = False) -> "SSPredictor":
        """Load a model to run in ``precision`` (one of :data:`PRECISIONS`). ``consistent``
        restricts each 8-state call to the chosen 3-state class."""
        net, entry = load_module(model, "ss", build_ss_model)
        dev = resolve_device(device)
        net.to(dev).eval()
        arithmetic = resolve_precision(precision, dev)
        runner: torch.nn.Module = quantize_for_cpu(net) if arithmetic == "int8" else net
        if arithmetic == "bf16":
            # Weights cast once instead of autocast's casts in every batch: 1.15x faster, and the
            # same share of q3 calls differs from float32 as under autocast (tested).
            runner = net.to(torch.bfloat16)
        batch_tokens = batch_tokens or (INT8_BATCH_TOKENS if arithmetic == "int8" else DEFAULT_BATCH_TOKENS[dev.type])
        return cls(runner, entry, dev, batch_tokens, consistent, net.has_disorder, arithmetic)

    def outputs(self, tokens: list[np.ndarray]) -> Iterator[ProteinOutput]:
        """The network's outputs for encoded proteins, in batch order (see :func:`predict_tokens`)."""
        return predict_tokens(self.model, tokens, self.device, self.batch_tokens, self.precision)

    def predict_records(self, records: Iterable[FastaRecord], source: str = "",
                        progress: Callable[[int], None] | None = None) -> Iterator[SSPrediction]:
        """Predict every record, yielding predictions in input order.

        Records are checked (see :func:`genoseq.ss.encode.clean_protein`) chunk by
        chunk, so a bad record stops the run before anything of its chunk is yielded.
        """
        iterator = iter(records)
        for number, chunk in enumerate(iter(lambda: list(islice(iterator, CHUNK_PROTEINS)), [])):
            if number:  # between chunks only (malloc_trim took about 0.05 s a call in a CB513 profile)
                release_freed_memory()
            seqs = [clean_protein(r, source) for r in chunk]
            tokens = [encode_residues(s) for s in seqs]
            results: dict[int, SSPrediction] = {}
            for out in self.outputs(tokens):
                i = out.number
                results[i] = SSPrediction(chunk[i].id, seqs[i], out.p3, out.p8, chunk[i].description, self.consistent,
                                          out.disorder)
                if progress:
                    progress(1)
            yield from (results[i] for i in range(len(chunk)))


def predict_ss(fasta: str | Path | Iterable[FastaRecord], model: str = "ss-default",
               device: str = "auto", **options) -> list[SSPrediction]:
    """Predict secondary structure for a FASTA file (or records); ``options`` go to
    :meth:`SSPredictor.load`."""
    from genoseq.io.fasta import read_fasta

    predictor = SSPredictor.load(model, device, **options)
    records = read_fasta(fasta) if isinstance(fasta, (str, Path)) else fasta
    return list(predictor.predict_records(records, source=str(fasta) if isinstance(fasta, (str, Path)) else ""))
