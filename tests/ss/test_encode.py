import numpy as np
import pytest

from genoseq.errors import InputError
from genoseq.io.fasta import FastaRecord
from genoseq.ss.encode import UNKNOWN, clean_protein, encode_residues


def rec(seq: str, ident: str = "p1") -> FastaRecord:
    return FastaRecord(ident, ident, seq)


def test_trailing_stop_is_removed():
    assert clean_protein(rec("MKV*")) == "MKV"


@pytest.mark.parametrize("seq, fragment", [
    ("MK*V", "stop '*' inside it (position 3)"),
    ("", "is empty"),
    ("*", "is empty"),
    ("ATGAAACGCATTAGCACCACCATTACCACC", "looks like DNA"),
    ("MKV-LL", "not amino acids: '-'"),
    ("MK1V", "not amino acids: '1'"),
])
def test_bad_sequences_name_the_record(seq, fragment):
    with pytest.raises(InputError) as err:
        clean_protein(rec(seq, "weird id"))
    assert fragment in str(err.value) and "'weird id'" in str(err.value)


def test_short_acgt_peptide_is_protein():
    assert clean_protein(rec("ACGTA")) == "ACGTA"  # Ala-Cys-Gly-Thr-Ala is a real peptide


def test_nonstandard_letters():
    tokens = encode_residues("UOCKBZXJ")
    assert tokens[0] == tokens[2] and tokens[1] == tokens[3]  # U -> C, O -> K
    assert (tokens[4:] == UNKNOWN).all()
    assert tokens.dtype == np.int64 and (encode_residues("ACDEFGHIKLMNPQRSTVWY") == np.arange(1, 21)).all()
