"""Genetic codes (NCBI translation tables via Biopython) as vectorised codon look-ups."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from Bio.Data import CodonTable

from genoseq.errors import GenoseqError

#: Base codes used throughout the gene family: A C G T, anything else (N, IUPAC) = 4.
BASE_CODE = np.full(256, 4, dtype=np.uint8)
for _i, _b in enumerate("ACGT"):
    BASE_CODE[ord(_b)] = _i
    BASE_CODE[ord(_b.lower())] = _i
BASE_CODE[ord("U")] = BASE_CODE[ord("u")] = 3
COMPLEMENT_CODE = np.array([3, 2, 1, 0, 4], dtype=np.uint8)
#: Start codons the decoder considers (the usual prokaryotic three, as Prodigal does).
DECODER_STARTS = ("ATG", "GTG", "TTG")
INVALID_CODON = 64


@dataclass(frozen=True)
class GeneticCode:
    """Look-up tables for one NCBI translation table."""

    table_id: int
    is_start: np.ndarray  # bool[65], indexed by codon code (64 = contains N)
    is_stop: np.ndarray  # bool[65]
    start_rank: np.ndarray  # int8[65]: 0 ATG, 1 GTG, 2 TTG, -1 otherwise
    amino_acids: np.ndarray  # uint8[65] ASCII one-letter code, 'X' for 64, '*' for stops
    biopython_table: CodonTable.CodonTable

    def translate(self, codons: np.ndarray) -> str:
        """Translate codon codes (64 = with an unknown base -> X; stops -> '*'). The caller sets
        the initiator to M (see ``genoseq.genes.api``)."""
        aa = self.amino_acids[codons].copy()
        return aa.tobytes().decode("ascii")


def codon_code(triplet: str) -> int:
    a, b, c = (int(BASE_CODE[ord(ch)]) for ch in triplet)
    return 16 * a + 4 * b + c


@lru_cache(maxsize=None)
def genetic_code(table_id: int) -> GeneticCode:
    """The look-up tables for NCBI translation table ``table_id``."""
    try:
        table = CodonTable.unambiguous_dna_by_id[table_id]
    except KeyError:
        valid = ", ".join(str(k) for k in sorted(CodonTable.unambiguous_dna_by_id))
        raise GenoseqError(f"unknown genetic code {table_id} (valid: {valid})") from None
    is_start = np.zeros(65, dtype=bool)
    is_stop = np.zeros(65, dtype=bool)
    start_rank = np.full(65, -1, dtype=np.int8)
    amino = np.full(65, ord("X"), dtype=np.uint8)
    for codon, aa in table.forward_table.items():
        amino[codon_code(codon)] = ord(aa)
    for rank, codon in enumerate(DECODER_STARTS):
        if codon in table.start_codons:
            is_start[codon_code(codon)] = True
            start_rank[codon_code(codon)] = rank
    for codon in table.stop_codons:
        is_stop[codon_code(codon)] = True
        amino[codon_code(codon)] = ord("*")
    return GeneticCode(table_id, is_start, is_stop, start_rank, amino, table)


def encode_bases(seq: np.ndarray) -> np.ndarray:
    """ASCII bytes -> base codes 0-4."""
    return BASE_CODE[seq]


def codon_codes(codes: np.ndarray) -> np.ndarray:
    """Codon code of the forward triplet starting at every position along the last
    axis (64 where it runs past the end or contains N)."""
    out = np.full(codes.shape, INVALID_CODON, dtype=np.int16)
    if codes.shape[-1] < 3:
        return out
    a = codes[..., :-2].astype(np.int16)
    b = codes[..., 1:-1].astype(np.int16)
    c = codes[..., 2:].astype(np.int16)
    valid = (a < 4) & (b < 4) & (c < 4)
    out[..., :-2] = np.where(valid, 16 * a + 4 * b + c, INVALID_CODON)
    return out


def reverse_codon_codes(codes: np.ndarray) -> np.ndarray:
    """Minus-strand codon codes: entry i is the reverse complement of bases
    i-2..i, i.e. the minus-strand codon whose first base is at forward position i."""
    rc = COMPLEMENT_CODE[codes[..., ::-1]]
    return np.ascontiguousarray(codon_codes(rc)[..., ::-1])
