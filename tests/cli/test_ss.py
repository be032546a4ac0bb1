import gzip
import random

import pytest

from tests.cli.helpers import assert_clean_error, genoseq
from tests.conftest import ROOT
from tests.ss.helpers import write_tiny_ss_tables

PROTEINS = ROOT / "data" / "pPCP1.faa"


def run_ok(*args, **kwargs):
    result = genoseq(*args, **kwargs)
    assert result.returncode == 0, result.stderr.decode()
    return result


def test_all_formats_from_example_proteins(tmp_path):
    run_ok("ss", PROTEINS, "-o", tmp_path, "-q")
    ids = [line[1:].split()[0] for line in PROTEINS.read_text().splitlines() if line.startswith(">")]
    residues = sum(len(line) for line in PROTEINS.read_text().splitlines() if not line.startswith(">"))
    assert sorted(p.name for p in tmp_path.glob("*.ss2")) == sorted(f"{i}.ss2" for i in ids)
    assert len(list(tmp_path.glob("*.horiz"))) == len(ids)
    csv_rows = (tmp_path / "ss.csv").read_text().splitlines()
    assert len(csv_rows) == residues + 1
    fas = (tmp_path / "ss3.fas").read_text().splitlines()
    assert len(fas) == 3 * len(ids) and all(set(line) <= set("HEC") for line in fas[2::3])
    ss2 = (tmp_path / f"{ids[0]}.ss2").read_text().splitlines()
    assert ss2[0].startswith("# PSIPRED VFORMAT") and ss2[1] == ""
    assert not list(tmp_path.glob(".*tmp")) and not list(tmp_path.glob(".genoseq-*"))  # staging folder gone


def test_same_output_every_time_and_stdin_gzip(tmp_path):
    run_ok("ss", PROTEINS, "-o", tmp_path / "a", "-f", "csv", "-q")
    gz = gzip.compress(PROTEINS.read_bytes())
    piped = run_ok("ss", "-", "-o", "-", "-f", "csv", "-q", stdin=gz)
    assert piped.stdout == (tmp_path / "a" / "ss.csv").read_bytes()


def test_precision_choices_and_the_old_no_int8_flag(tmp_path):
    run_ok("ss", PROTEINS, "-o", tmp_path / "fp32", "-f", "csv", "-q", "--precision", "fp32")
    run_ok("ss", PROTEINS, "-o", tmp_path / "old", "-f", "csv", "-q", "--no-int8")  # kept for old scripts
    assert (tmp_path / "old" / "ss.csv").read_bytes() == (tmp_path / "fp32" / "ss.csv").read_bytes()
    for precision in ("bf16", "int8"):
        run_ok("ss", PROTEINS, "-o", tmp_path / precision, "-f", "csv", "-q", "--precision", precision)
        rows = (tmp_path / precision / "ss.csv").read_text().splitlines()
        assert len(rows) == len((tmp_path / "fp32" / "ss.csv").read_text().splitlines())


def test_chains_after_predict_genes(example_fasta, tmp_path):
    run_ok("predict-genes", example_fasta, "-o", tmp_path / "genes", "-q")
    run_ok("ss", tmp_path / "genes" / "proteins.faa", "-o", tmp_path / "ss", "-f", "fas,fas8", "-q")
    states = (tmp_path / "ss" / "ss8.fas").read_text().splitlines()[2::3]
    assert states and all(set(s) <= set("GHIBESTC") for s in states)


def test_long_protein_is_not_truncated_and_odd_ids_are_safe(tmp_path):
    rng = random.Random(1)
    long_seq = "".join(rng.choice("ACDEFGHIKLMNPQRSTVWY") for _ in range(10000))
    fasta = tmp_path / "in.faa"
    fasta.write_text(f">sp|P1|long protein\n{long_seq}*\n>a/b\nmkvllx*\n>../x\nMKUOBZ\n")
    out = tmp_path / "out"
    run_ok("ss", fasta, "-o", out, "-f", "ss2,csv", "-q")
    assert sorted(p.name for p in out.glob("*.ss2")) == ["_._x.ss2", "a_b.ss2", "sp_P1_long.ss2"]
    assert len((out / "sp_P1_long.ss2").read_text().splitlines()) == 10000 + 2
    assert (out / "a_b.ss2").read_text().splitlines()[2][5] == "M"  # lower case accepted


@pytest.mark.parametrize("content, fragment", [
    ("", "file is empty"),
    (">p1\nMKV*LL\n", "stop '*' inside it"),
    (">p1\n" + "ACGTTGCA" * 10 + "\n", "looks like DNA"),
    (">p1\nMKV\n>p1\nMKV\n", "duplicate sequence id 'p1'"),
    (">p1\n\n", "'p1' is empty"),
    ("MKVLL\n", "not a FASTA file"),
])
def test_bad_input_leaves_no_output(tmp_path, content, fragment):
    fasta = tmp_path / "bad.faa"
    fasta.write_text(">ok\nMKVLLA\n" + content if content.startswith(">") else content)
    out = tmp_path / "out"
    assert_clean_error(genoseq("ss", fasta, "-o", out), fragment)
    assert not out.exists() or not any(out.iterdir())


def test_bad_options(tmp_path):
    assert_clean_error(genoseq("ss", PROTEINS, "-f", "ss2,pdb", "-o", tmp_path), "unknown output format 'pdb'")
    assert_clean_error(genoseq("ss", PROTEINS, "-f", "csv,fas", "-o", "-"), "exactly one of the formats")
    assert_clean_error(genoseq("ss", PROTEINS, "-m", "genes-default", "-o", tmp_path), "is a 'genes' model")


def test_train_ss_on_a_tiny_table_and_resume(tmp_path):
    write_tiny_ss_tables(tmp_path, n_train=16, n_valid=8, unresolved_tail=2)
    args = ["train", "ss", "--train-table", tmp_path / "train.tsv", "--valid-table", tmp_path / "valid.tsv",
            "-o", tmp_path / "run", "--steps-per-epoch", "2", "--batch-size", "4", "--lstm-hidden", "8",
            "--conv-channels", "4", "-t", "1", "--device", "cpu"]
    run_ok(*args, "--epochs", "1")
    second = run_ok(*args, "--epochs", "2")
    assert "resumed" in second.stderr.decode()
    metrics = (tmp_path / "run" / "metrics.csv").read_text().splitlines()
    assert len(metrics) == 3 and "val_q8" in metrics[0]
    scored = run_ok("evaluate", "ss", "--ref", tmp_path / "valid.tsv", "-m", tmp_path / "run" / "best.pt", "--format", "json")
    assert '"q3"' in scored.stdout.decode()
    # a disorder head on the trained network, trained alone: the 3-/8-state network is untouched
    run_ok("train", "ss", "--train-table", tmp_path / "train.tsv", "--valid-table", tmp_path / "valid.tsv",
           "-o", tmp_path / "dis", "--init", tmp_path / "run" / "best.pt", "--disorder", "--freeze-trunk",
           "--steps-per-epoch", "2", "--batch-size", "4", "--epochs", "1", "-t", "1", "--device", "cpu")
    import torch

    before = torch.load(tmp_path / "run" / "best.pt", weights_only=False)["state_dict"]
    after = torch.load(tmp_path / "dis" / "best.pt", weights_only=False)["state_dict"]
    assert any(k.startswith("head_disorder.") for k in after)
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert "val_disorder_auc" in (tmp_path / "dis" / "metrics.csv").read_text().splitlines()[0]
    fasta = tmp_path / "p.faa"
    fasta.write_text(">p1\nMKVLAAGIVLLLAHHHEEEKKLLPPG\n")
    run_ok("ss", fasta, "-m", tmp_path / "dis" / "best.pt", "-f", "csv", "-o", tmp_path / "out", "-q")
    rows = (tmp_path / "out" / "ss.csv").read_text().splitlines()
    assert rows[0].split(",")[-1] == "disorder" and all(0 <= float(r.split(",")[-1]) <= 1 for r in rows[1:])
    assert_clean_error(genoseq("train", "ss", "--train-table", tmp_path / "nope.tsv", "--valid-table", "none",
                               "-o", tmp_path / "r2"), "nope.tsv: no such file")
