import numpy as np
import pytest

from genoseq.errors import GenoseqError
from genoseq.genes.codes import codon_code, codon_codes, encode_bases, genetic_code, reverse_codon_codes
from genoseq.io.fasta import as_bytes


def test_codon_codes_both_strands():
    codes = encode_bases(as_bytes("ATGNAAC"))
    fwd = codon_codes(codes)
    assert fwd[0] == codon_code("ATG") and fwd[1] == 64 and fwd[4] == codon_code("AAC")
    assert fwd[5] == 64 and fwd[6] == 64  # past the end
    rev = reverse_codon_codes(codes)
    # minus-strand codon whose first base is at position 6: revcomp of positions 4..6 (AAC) = GTT
    assert rev[6] == codon_code("GTT")
    assert rev[0] == 64 and rev[1] == 64


def test_tables():
    t11, t4 = genetic_code(11), genetic_code(4)
    assert t11.is_stop[codon_code("TGA")] and not t4.is_stop[codon_code("TGA")]
    assert t11.is_start[codon_code("TTG")] and not t11.is_start[codon_code("CTG")]
    assert t4.translate(np.array([codon_code("TGA")])) == "W"
    with pytest.raises(GenoseqError):
        genetic_code(99)
