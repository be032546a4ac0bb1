"""Codon-level facts about a sequence: start and stop codons on both strands."""
from __future__ import annotations

import numpy as np

from genoseq.genes.codes import GeneticCode, codon_codes, reverse_codon_codes


def start_candidates(codes: np.ndarray, code: GeneticCode) -> np.ndarray:
    """bool (..., 2, L): a start codon begins at this base on the plus (row 0)
    or minus (row 1) strand; works on one sequence (L,) or a batch (B, L)."""
    fwd = code.is_start[codon_codes(codes)]
    rev = code.is_start[reverse_codon_codes(codes)]
    return np.stack([fwd, rev], axis=-2)
