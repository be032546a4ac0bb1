import csv

from genoseq.nn.checkpoint import load_checkpoint
from tests.cli.helpers import assert_clean_error, genoseq


def test_train_from_pairs_writes_metrics_and_resumes(example_fasta, example_gff, tmp_path):
    args = ["train", "genes", "--pair", example_fasta, example_gff, "11", "--valid-pair", example_fasta, example_gff,
            "11", "-o", tmp_path, "--epochs", "2", "--steps-per-epoch", "2", "--batch-size", "2", "--window", "600",
            "-t", "1", "--device", "cpu"]
    first = genoseq(*args[:-4], "--max-minutes", "0", "-t", "1", "--device", "cpu")
    assert first.returncode == 0, first.stderr.decode()
    rows = list(csv.DictReader(open(tmp_path / "metrics.csv")))
    assert len(rows) == 1  # stopped by the time budget after one epoch
    second = genoseq(*args)
    assert second.returncode == 0, second.stderr.decode()
    assert "resumed" in second.stderr.decode()
    rows = list(csv.DictReader(open(tmp_path / "metrics.csv")))
    assert [r["epoch"] for r in rows] == ["1", "2"]
    assert 0.0 <= float(rows[-1]["val_acc"]) <= 1.0
    state = load_checkpoint(tmp_path / "best.pt", "genes")
    assert state["model_config"]["phase_channel"] is True
    out = tmp_path / "pred"
    predicted = genoseq("predict-genes", example_fasta, "-m", tmp_path / "best.pt", "-o", out, "-q")
    assert predicted.returncode == 0, predicted.stderr.decode()


def test_train_rejects_bad_window(example_fasta, example_gff, tmp_path):
    result = genoseq("train", "genes", "--pair", example_fasta, example_gff, "11", "-o", tmp_path, "--window", "1000")
    assert_clean_error(result, "multiple of 3")


def test_training_without_a_validation_genome_is_refused(example_fasta, example_gff, tmp_path):
    result = genoseq("train", "genes", "--pair", example_fasta, example_gff, "11", "-o", tmp_path / "run")
    assert_clean_error(result, "no validation genome")
    assert not (tmp_path / "run").exists()
