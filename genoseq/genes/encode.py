"""DNA -> network input: one-hot bases (IUPAC codes as fractions) plus a phase channel."""
from __future__ import annotations

import numpy as np

#: One-hot rows for every ASCII code; IUPAC ambiguity codes spread their mass.
ONE_HOT = np.zeros((256, 4), dtype=np.float32)
_IUPAC = {
    "A": "A", "C": "C", "G": "G", "T": "T", "U": "T",
    "R": "AG", "Y": "CT", "S": "CG", "W": "AT", "K": "GT", "M": "AC",
    "B": "CGT", "D": "AGT", "H": "ACT", "V": "ACG", "N": "ACGT",
}
for _letter, _bases in _IUPAC.items():
    for _b in _bases:
        for _case in (_letter, _letter.lower()):
            ONE_HOT[ord(_case), "ACGT".index(_b)] = 1.0 / len(_bases)


def encode_window(seq: np.ndarray, phase_channel: bool = True, phase_offset: int = 0) -> np.ndarray:
    """ASCII bytes (L,) -> float32 (C, L); the phase channel one-hot encodes
    (position + phase_offset) mod 3."""
    onehot = ONE_HOT[seq].T
    if not phase_channel:
        return np.ascontiguousarray(onehot)
    phase = np.zeros((3, len(seq)), dtype=np.float32)
    idx = (np.arange(len(seq)) + phase_offset) % 3
    phase[idx, np.arange(len(seq))] = 1.0
    return np.concatenate([onehot, phase], axis=0)


def encode_batch(seqs: np.ndarray, phase_channel: bool = True) -> np.ndarray:
    """ASCII bytes (B, L) -> float32 (B, C, L); windows start at phase 0."""
    onehot = ONE_HOT[seqs].transpose(0, 2, 1)
    if not phase_channel:
        return np.ascontiguousarray(onehot)
    batch, length = seqs.shape
    phase = np.zeros((3, length), dtype=np.float32)
    phase[np.arange(length) % 3, np.arange(length)] = 1.0
    return np.concatenate([onehot, np.broadcast_to(phase, (batch, 3, length))], axis=1)


COMPLEMENT_ASCII = np.arange(256, dtype=np.uint8)
for _a, _b in zip("ACGTRYSWKMBDHVNacgtryswkmbdhvn", "TGCAYRSWMKVHDBNtgcayrswmkvhdbn"):
    COMPLEMENT_ASCII[ord(_a)] = ord(_b)


def reverse_complement_bytes(seq: np.ndarray) -> np.ndarray:
    """Reverse complement of ASCII bytes along the last axis (IUPAC aware)."""
    return COMPLEMENT_ASCII[seq[..., ::-1]]
