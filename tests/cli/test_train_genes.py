import csv

from genoseq.nn.checkpoint import load_checkpoint
from genoseq.nn.registry import resolve_model
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


def test_a_network_with_three_codons_per_gru_step_trains_and_predicts(example_fasta, example_gff, tmp_path):
    base = ["train", "genes", "--pair", example_fasta, example_gff, "11", "--valid-pair", example_fasta, example_gff,
            "11", "--epochs", "1", "--steps-per-epoch", "1", "--batch-size", "2", "-t", "1", "--device", "cpu",
            "--codons-per-step", "3", "--gru-hidden", "8"]
    assert_clean_error(genoseq(*base, "-o", tmp_path / "bad", "--window", "600"), "multiple of 9")
    trained = genoseq(*base, "-o", tmp_path / "run", "--window", "594")
    assert trained.returncode == 0, trained.stderr.decode()
    assert load_checkpoint(tmp_path / "run" / "best.pt", "genes")["model_config"]["codons_per_step"] == 3
    # predict-genes aligns its 6 kb windows to 9-base steps
    predicted = genoseq("predict-genes", example_fasta, "-m", tmp_path / "run" / "best.pt", "-o", tmp_path / "p", "-q",
                        "--precision", "fp32")
    assert predicted.returncode == 0, predicted.stderr.decode()
    # the exported checkpoint runs through ONNX Runtime and calls the same genes
    exported = genoseq("export-onnx", tmp_path / "run" / "best.pt")
    assert exported.returncode == 0, exported.stderr.decode()
    onnx = tmp_path / "run" / "best.onnx"
    fast = genoseq("predict-genes", example_fasta, "-m", onnx, "-o", tmp_path / "o", "-q")
    assert fast.returncode == 0, fast.stderr.decode()
    rows = [[line.split("\t")[:8] for line in (tmp_path / d / "genes.gff3").read_text().splitlines()
             if not line.startswith("#")] for d in ("p", "o")]
    assert rows[0] and rows[0] == rows[1]


def test_training_without_a_validation_genome_is_refused(example_fasta, example_gff, tmp_path):
    result = genoseq("train", "genes", "--pair", example_fasta, example_gff, "11", "-o", tmp_path / "run")
    assert_clean_error(result, "no validation genome")
    assert not (tmp_path / "run").exists()


def test_distillation_from_a_teacher_continues_the_init_network(example_fasta, example_gff, tmp_path):
    result = genoseq("train", "genes", "--pair", example_fasta, example_gff, "11", "--valid-pair", example_fasta,
                     example_gff, "11", "-o", tmp_path, "--epochs", "1", "--steps-per-epoch", "1", "--batch-size", "2",
                     "-t", "1", "--device", "cpu", "--init", "genes-default",
                     "--teacher", "genes-default", "--distill-start", "logit", "--gru-hidden", "8")
    assert result.returncode == 0, result.stderr.decode()
    assert "teacher genes-default" in result.stderr.decode()
    assert "training windows of 2,997 bp" in result.stderr.decode()  # the default window, in whole 3-codon steps
    row = next(csv.DictReader(open(tmp_path / "metrics.csv")))
    assert float(row["train_soft_coding_loss"]) >= 0.0  # KL divergence to the teacher
    shipped = load_checkpoint(resolve_model("genes-default", "genes").file, "genes")["model_config"]
    trained = load_checkpoint(tmp_path / "best.pt", "genes")["model_config"]
    assert {k: trained[k] for k in shipped} == shipped and trained["gru_hidden"] != 8  # --init's size wins
