"""Two processes train one model together under torchrun (DistributedDataParallel, gloo)."""
import csv
import subprocess
import sys

import pytest
import torch

from genoseq.nn.checkpoint import load_checkpoint
from tests.ss.helpers import write_tiny_ss_tables


@pytest.mark.skipif(not torch.distributed.is_available(), reason="this PyTorch build has no torch.distributed")
def test_torchrun_two_processes_train_one_model(tmp_path):
    write_tiny_ss_tables(tmp_path, n_train=30, n_valid=10)
    args = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--standalone", "-m", "genoseq",
            "train", "ss", "--train-table", tmp_path / "train.tsv", "--valid-table", tmp_path / "valid.tsv",
            "-o", tmp_path / "run", "--steps-per-epoch", "3", "--batch-size", "4", "--lstm-hidden", "8",
            "--conv-channels", "4", "--device", "cpu"]
    first = subprocess.run([*map(str, args), "--epochs", "1"], capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "distributed training: 2 processes (gloo)" in first.stderr
    assert first.stderr.count("training on 30 chains") == 1  # only rank 0 reports
    second = subprocess.run([*map(str, args), "--epochs", "2"], capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "resumed" in second.stderr
    rows = list(csv.DictReader(open(tmp_path / "run" / "metrics.csv")))
    assert [r["epoch"] for r in rows] == ["1", "2"]  # one writer, one row per epoch
    state = load_checkpoint(tmp_path / "run" / "last.pt", "ss")
    assert state["epoch"] == 2 and not any(k.startswith("module.") for k in state["state_dict"])
