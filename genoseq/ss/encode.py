"""Protein sequences -> integer tokens, with the input checks ``genoseq ss`` promises.

Tokens: 0 is padding, 1-20 the standard amino acids, 21 anything unknown.
Non-standard letters are handled as follows (documented in ``genoseq ss --help``):
``U`` (selenocysteine) is read as ``C``, ``O`` (pyrrolysine) as ``K``; ``B``, ``Z``,
``J`` and ``X`` are ambiguous and read as unknown. Lower case is upper-cased by the
FASTA reader; one trailing ``*`` (a translated stop) is removed; a ``*`` inside a
sequence is an error, as are gaps and other characters.
"""
from __future__ import annotations

import numpy as np

from genoseq.errors import InputError
from genoseq.io.fasta import FastaRecord

AMINO_ACIDS = "ACDEFGHIKLMNPQRSTVWY"
PAD, UNKNOWN = 0, 21
VOCAB_SIZE = 22
SUBSTITUTES = {"U": "C", "O": "K"}
AMBIGUOUS = set("BZJX")
_TABLE = np.full(256, -1, dtype=np.int64)
for _i, _aa in enumerate(AMINO_ACIDS, start=1):
    _TABLE[ord(_aa)] = _i
for _src, _dst in SUBSTITUTES.items():
    _TABLE[ord(_src)] = _TABLE[ord(_dst)]
for _aa in AMBIGUOUS:
    _TABLE[ord(_aa)] = UNKNOWN
NUCLEOTIDES = set("ACGTUN")


def clean_protein(record: FastaRecord, source: str = "") -> str:
    """The residues of ``record`` ready to encode, or an :class:`InputError` naming it."""
    where = f"{source}: " if source else ""
    seq = record.sequence
    if seq.endswith("*"):
        seq = seq[:-1]
    if not seq:
        raise InputError(f"{where}sequence {record.id!r} is empty")
    if "*" in seq:
        raise InputError(f"{where}sequence {record.id!r} has a stop '*' inside it (position {seq.index('*') + 1})")
    if len(seq) >= 20 and set(seq) <= NUCLEOTIDES:
        raise InputError(f"{where}sequence {record.id!r} looks like DNA, not protein (translate it first, "
                         "or run genoseq predict-genes)")
    codes = np.frombuffer(seq.encode("ascii", "replace"), dtype=np.uint8)
    bad = sorted({chr(c) for c in codes[_TABLE[codes] < 0]})
    if bad:
        raise InputError(f"{where}sequence {record.id!r} has characters that are not amino acids: {''.join(bad)[:10]!r}")
    return seq


def encode_residues(seq: str) -> np.ndarray:
    """Tokens (int64) of an already cleaned, upper-case protein sequence."""
    return _TABLE[np.frombuffer(seq.encode("ascii"), dtype=np.uint8)]
