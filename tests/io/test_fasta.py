import gzip

import pytest

from genoseq.errors import InputError
from genoseq.io.fasta import read_dna, read_fasta, write_fasta


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_plain_gzip_and_crlf_read_the_same(tmp_path):
    text = b">a first\nACGTN\nacgt\n>b\nGGG\n"
    plain = write(tmp_path, "x.fa", text)
    gz = write(tmp_path, "x.fa.gz", gzip.compress(text))
    crlf = write(tmp_path, "crlf.fa", text.replace(b"\n", b"\r\n"))
    expected = [("a", "ACGTNACGT"), ("b", "GGG")]
    for path in (plain, gz, crlf):
        assert [(r.id, r.sequence) for r in read_dna(path)] == expected


def test_gzip_detected_by_content_not_name(tmp_path):
    path = write(tmp_path, "genome.fna", gzip.compress(b">x\nACGT\n"))
    assert [r.sequence for r in read_dna(path)] == ["ACGT"]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"ACGT\n", "not a FASTA"),
        (b">a\nACGT\n>a\nTTTT\n", "duplicate"),
        (b">p\nMKVLAAGIVELLPQ\n", "protein"),
        (b">p\nACGT1\n", "invalid characters"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path, data, message):
    path = write(tmp_path, "bad.fa", data)
    with pytest.raises(InputError, match=message):
        list(read_dna(path))


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        list(read_fasta(tmp_path / "nope.fa"))


def test_iupac_and_lowercase_are_dna(tmp_path):
    path = write(tmp_path, "x.fa", b">x\nacgtRYKMSWbdhvn\n")
    assert next(read_dna(path)).sequence == "ACGTRYKMSWBDHVN"


def test_write_fasta_wraps(tmp_path):
    path = tmp_path / "o.fa"
    with open(path, "w") as handle:
        write_fasta(handle, "id1", "A" * 130, "desc", width=60)
    assert path.read_text() == ">id1 desc\n" + "A" * 60 + "\n" + "A" * 60 + "\n" + "A" * 10 + "\n"


def test_stdin_plain_or_gzip_even_without_a_file_descriptor(monkeypatch):
    import io
    import types

    text = b">a first\nACGT\nacgt\n>b\nGG\n"
    for data in (text, gzip.compress(text)):
        monkeypatch.setattr("sys.stdin", types.SimpleNamespace(buffer=io.BytesIO(data)))
        records = list(read_fasta("-"))
        assert [(r.id, r.description, r.sequence) for r in records] == [("a", "a first", "ACGTACGT"), ("b", "b", "GG")]


def test_non_ascii_bytes_are_a_clear_error(tmp_path):
    path = write(tmp_path, "bin.fa", b">a\nAC\xffGT\n")
    with pytest.raises(InputError, match="not ASCII"):
        list(read_fasta(path))


def test_sequence_lengths_of_files_but_not_of_stdin(tmp_path):
    from genoseq.io.fasta import sequence_lengths

    text = ">a one\nACGT\nAC\n>b\nGGGGG\n"
    plain, packed = tmp_path / "x.fna", tmp_path / "x.fna.gz"
    plain.write_text(text)
    packed.write_bytes(gzip.compress(text.encode()))
    assert sequence_lengths(plain) == sequence_lengths(packed) == [("a", 6), ("b", 5)]
    assert sequence_lengths("-") is None
    duplicated = tmp_path / "d.fna"
    duplicated.write_text(">a\nAC\n>a\nGG\n")
    assert sequence_lengths(duplicated) is None  # read_fasta reports the duplicate
