"""Which translation table an input uses, 11 or 4, read from the network's own scores.

Mycoplasma, Spiroplasma and their relatives read TGA as tryptophan (NCBI table 4); nearly all
other bacteria and archaea read it as a stop (table 11). Decoded with the wrong table, a
table-4 genome's genes break at every TGA. The network was trained on genomes of both tables
and scores coding frames from the sequence alone, so in a table-4 genome it calls coding
straight through TGA codons, which a table-11 genome never has inside its genes.

The evidence is the share of TGA among codons that sit inside confidently coding frames (the
codon and its in-frame neighbours each P >= 0.9 of being a codon's first base on their strand).
Measured with network scores of genomes the network never saw (``models/genes_v6.md``): 5.4
to 8.6 per 1,000 codons in the three table-4 genomes of ``../shared/data/genomes``, 0.02 to 0.12
per 1,000 in the thirteen table-11 ones; the threshold sits at 1 per 1,000. A small input is
called table 4 once at least 5 TGA codons are read through at that rate, and table 11 once 3,000
confident codons show fewer (windows of the 13 tuning genomes, 5-30 kb: ``models/genes_v6.md``);
with less evidence it is decoded with table 11 and a warning.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

#: TGA codons per 1,000 confidently coding codons above which an input is taken to use table 4
TGA_PER_1000 = 1.0
#: TGA codons read through (at that rate) needed to call table 4
MIN_TGA = 5
#: confidently coding codons needed to call table 11; with fewer (and no call of table 4) the input
#: is decoded with table 11 and a warning
MIN_CODONS = 3_000
#: codons after which the evidence is conclusive (read from about 0.7 Mb of coding sequence)
ENOUGH_CODONS = 200_000
_CONFIDENT = float(np.log(0.9))
# base codes of genoseq.genes.codes.BASE_CODE
_A, _C, _G, _T = 0, 1, 2, 3


@dataclass(frozen=True)
class TableCall:
    """The table chosen for an input and the evidence it was chosen on."""

    table: int
    tga: int  # TGA codons inside confidently coding frames
    codons: int  # all codons there

    @property
    def read_through(self) -> bool:
        """TGA is read through inside coding frames above the threshold rate."""
        return self.codons > 0 and 1000.0 * self.tga / self.codons > TGA_PER_1000

    @property
    def decided(self) -> bool:
        """Enough coding sequence was seen to tell the tables apart."""
        return self.table == 4 or (self.codons >= MIN_CODONS and not self.read_through)

    @property
    def tga_per_1000(self) -> float:
        return 1000.0 * self.tga / max(1, self.codons)

    def describe(self) -> str:
        if not self.decided:
            return (f"translation table {self.table}: too little coding sequence ({self.codons:,} confident codons) "
                    "to tell table 4 from 11; pass -g 4 for Mycoplasma-like genomes")
        return (f"translation table {self.table} (auto: TGA is {self.tga_per_1000:.2f} of every 1,000 codons "
                f"inside confidently coding frames; {self.codons:,} codons)")


def tga_evidence(codes: np.ndarray, scores: np.ndarray) -> tuple[int, int]:
    """(TGA codons, all codons) inside confidently coding frames of one contig, both strands.

    ``codes``: base codes (L,); ``scores``: the network's (9, L) scores, whose rows 1 and 4
    are the log-probabilities of a codon's first base on the plus and the minus strand."""
    n = len(codes)
    if n < 9:
        return 0, 0
    tga = codons = 0
    for row in (1, 4):
        confident = scores[row] > _CONFIDENT
        # codon starts i whose in-frame neighbours i - 3 and i + 3 are confident too
        at = np.flatnonzero(confident[3 : n - 3] & confident[: n - 6] & confident[6:]) + 3
        codons += len(at)
        if row == 1:  # T G A at i, i + 1, i + 2
            hit = (codes[at] == _T) & (codes[at + 1] == _G) & (codes[at + 2] == _A)
        else:  # a minus-strand codon reads i, i - 1, i - 2 complemented: TGA is T C A forward at i - 2 .. i
            hit = (codes[at - 2] == _T) & (codes[at - 1] == _C) & (codes[at] == _A)
        tga += int(np.count_nonzero(hit))
    return tga, codons


def call_table(evidence: Iterable[tuple[int, int]]) -> TableCall:
    """The table for an input from its contigs' :func:`tga_evidence`: 4 where TGA is read
    through more than :data:`TGA_PER_1000` times per 1,000 codons, at least :data:`MIN_TGA`
    times; else 11 (undecided below :data:`MIN_CODONS` codons)."""
    tga = codons = 0
    for t, c in evidence:
        tga, codons = tga + t, codons + c
    call = TableCall(11, tga, codons)
    return TableCall(4, tga, codons) if call.read_through and tga >= MIN_TGA else call
