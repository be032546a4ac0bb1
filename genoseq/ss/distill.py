"""Semi-supervised SS training: a teacher model labels unlabelled proteins (for instance
the proteomes that ``genoseq predict-genes`` writes) with soft 3- and 8-state
probabilities, and the student learns from those beside the DSSP-labelled chains
(S4PRED's pseudo-labelling idea, with our own single-sequence ensemble as the teacher).

Unlabelled proteins that share a 25-residue stretch with a held-out chain (the
validation table, or any table given to exclude) are dropped, so near-copies of
evaluation chains never enter training even with predicted labels.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import torch

from genoseq.errors import InputError
from genoseq.io.fasta import FastaRecord, read_fasta
from genoseq.ss.encode import clean_protein, encode_residues

#: Shared stretch length that marks an unlabelled protein as a near-copy of a held-out chain.
SHARED_KMER = 25
MIN_LENGTH = 30


@dataclass
class SoftChains:
    """Unlabelled chains with a teacher's per-residue probabilities (float16)."""

    ids: list[str]
    tokens: list[np.ndarray]
    p8: list[np.ndarray]  # (length, 8)
    p3: list[np.ndarray]  # (length, 3)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def residues(self) -> int:
        return sum(len(t) for t in self.tokens)

    def save(self, path: str | Path, fingerprint: str) -> None:
        """One uncompressed .npz (concatenated arrays + offsets), written atomically."""
        path = Path(path)
        tmp = path.with_name(path.name + ".part.npz")
        offsets = np.cumsum([0] + [len(t) for t in self.tokens])
        np.savez(tmp, ids=np.array(self.ids), offsets=offsets, fingerprint=np.array(fingerprint),
                 tokens=np.concatenate(self.tokens).astype(np.uint8),
                 p8=np.concatenate(self.p8), p3=np.concatenate(self.p3))
        tmp.replace(path)

    @classmethod
    def load(cls, path: str | Path, fingerprint: str | None = None) -> "SoftChains | None":
        """The chains saved at ``path``; None if absent or made from other inputs."""
        if not Path(path).is_file():
            return None
        with np.load(path) as data:
            if fingerprint is not None and str(data["fingerprint"]) != fingerprint:
                return None
            bounds = list(zip(data["offsets"][:-1], data["offsets"][1:]))
            tokens, p8, p3 = data["tokens"].astype(np.int64), data["p8"], data["p3"]
            return cls(list(data["ids"]), [tokens[a:b] for a, b in bounds], [p8[a:b] for a, b in bounds],
                       [p3[a:b] for a, b in bounds])


def _kmers(sequence: str, k: int = SHARED_KMER) -> Iterable[str]:
    return (sequence[i : i + k] for i in range(0, max(0, len(sequence) - k + 1)))


def unlabelled_proteins(paths: list[str | Path], held_out: Iterable[str] = (),
                        min_length: int = MIN_LENGTH) -> tuple[list[FastaRecord], list[str], dict[str, int]]:
    """Read FASTA files of unlabelled proteins: cleaned, de-duplicated, at least
    ``min_length`` residues, and without near-copies of the ``held_out`` sequences.
    Returns (records, cleaned sequences, counts of what was dropped)."""
    banned = {kmer for seq in held_out for kmer in _kmers(seq.upper())}
    seen: set[str] = set()
    records, sequences = [], []
    dropped = {"short": 0, "duplicate": 0, "held_out": 0}
    for path in paths:
        for record in read_fasta(path):
            seq = clean_protein(record, str(path))
            if len(seq) < min_length:
                dropped["short"] += 1
            elif seq in seen:
                dropped["duplicate"] += 1
            elif banned and any(k in banned for k in _kmers(seq)):
                dropped["held_out"] += 1
            else:
                seen.add(seq)
                records.append(record)
                sequences.append(seq)
    if not records:
        raise InputError(f"no usable unlabelled proteins in {', '.join(map(str, paths))}")
    return records, sequences, dropped


def fingerprint(teacher_sha256: str, sequences: list[str]) -> str:
    """Identifies a set of soft labels: the teacher's weights and the exact inputs."""
    digest = hashlib.sha256(teacher_sha256.encode())
    for seq in sequences:
        digest.update(seq.encode() + b"\n")
    return digest.hexdigest()


def soft_label(teacher: torch.nn.Module, ids: list[str], sequences: list[str], device: torch.device,
               max_tokens: int, progress: Callable[[int], None] | None = None) -> SoftChains:
    """Run the teacher over the proteins; keep its 3- and 8-state probabilities as float16."""
    from genoseq.ss.api import predict_tokens

    tokens = [encode_residues(s) for s in sequences]
    p8: list[np.ndarray | None] = [None] * len(tokens)
    p3: list[np.ndarray | None] = [None] * len(tokens)
    teacher.to(device).eval()
    for out in predict_tokens(teacher, tokens, device, max_tokens):
        p3[out.number], p8[out.number] = out.p3.astype(np.float16), out.p8.astype(np.float16)
        if progress:
            progress(1)
    return SoftChains(list(ids), tokens, p8, p3)  # type: ignore[arg-type]


def prepare_soft_chains(fasta_paths: list[str | Path], teacher: str, held_out: Iterable[str],
                        cache: str | Path, device: torch.device, log=print) -> SoftChains:
    """Soft-labelled unlabelled proteins, computed once and cached at ``cache``."""
    from genoseq.nn.checkpoint import sha256_file
    from genoseq.nn.registry import load_module
    from genoseq.ss.api import DEFAULT_BATCH_TOKENS
    from genoseq.ss.model import build_ss_model

    records, sequences, dropped = unlabelled_proteins(fasta_paths, held_out)
    model, entry = load_module(teacher, "ss", build_ss_model)
    key = fingerprint(entry.sha256 or sha256_file(entry.file), sequences)
    cached = SoftChains.load(cache, key)
    summary = (f"{len(records):,} unlabelled proteins ({sum(map(len, sequences)):,} residues; dropped: "
               + ", ".join(f"{v:,} {k}" for k, v in dropped.items()) + ")")
    if cached is not None:
        log(f"{summary}; soft labels from {cache}")
        return cached
    log(f"{summary}; labelling them with {entry.name}")
    from genoseq.progress import CountProgress

    with CountProgress("soft labels", "protein") as bar:  # hidden when stderr is not a terminal
        chains = soft_label(model, [r.id for r in records], sequences, device, DEFAULT_BATCH_TOKENS[device.type],
                            progress=bar.update)
    Path(cache).parent.mkdir(parents=True, exist_ok=True)
    chains.save(cache, key)
    return chains
