"""Output paths are checked before any work, with one wording for every command, and a
failed run leaves no folder behind."""
import os
import time

from tests.cli.helpers import assert_clean_error, genoseq

EXAMPLE_PROTEINS = "data/pPCP1.faa"


def test_an_output_under_a_file_fails_at_once_with_one_wording(tmp_path, example_fasta):
    afile = tmp_path / "afile"
    afile.write_text("x")
    runs = [
        ("predict-genes", example_fasta, "-o", afile, "-q"),
        ("predict-genes", example_fasta, "-o", tmp_path / "out", "--gff", afile / "x.gff", "-q"),
        ("ss", EXAMPLE_PROTEINS, "-o", afile, "-q"),
        ("ep", "score", "pairs.tsv", "-o", afile / "scored.tsv"),
    ]
    for args in runs:
        began = time.perf_counter()
        result = genoseq(*args)
        assert_clean_error(result, "afile is a file, not a folder")
        assert time.perf_counter() - began < 5  # before the model or any input is read
    assert sorted(os.listdir(tmp_path)) == ["afile"]


def test_a_missing_input_leaves_no_output_folder(tmp_path):
    assert_clean_error(genoseq("predict-genes", tmp_path / "nope.fna", "-o", tmp_path / "out", "-q"), "nope.fna")
    assert_clean_error(genoseq("ss", tmp_path / "nope.faa", "-o", tmp_path / "ss", "-q"), "nope.faa")
    assert os.listdir(tmp_path) == []
