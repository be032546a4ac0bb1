"""The tiny workflow through a real (one-node) SLURM cluster with the Snakemake SLURM plugin."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, shared_data_root
from tests.workflow.slurm_cluster import ClusterUnavailable, OneNodeCluster

pytest.importorskip("snakemake_executor_plugin_slurm")


@pytest.fixture
def data():
    root = shared_data_root()
    if not (root / "genomes" / "MANIFEST.tsv").exists():
        pytest.skip(f"shared data not found at {root}")
    return root


@pytest.fixture
def cluster(data, tmp_path):  # the data check comes first: no cluster is started for a test that skips
    try:
        running = OneNodeCluster(tmp_path / "slurm").start()
    except ClusterUnavailable as why:
        pytest.skip(f"no SLURM test cluster: {why}")
    yield running
    running.stop()


@pytest.mark.slow
def test_tiny_workflow_runs_through_sbatch(data, cluster, tmp_path):
    out, logs = tmp_path / "results", tmp_path / "slurm_logs"
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--profile", "profiles/slurm", "--configfile", "config/test.yaml",
         "--config", f"outdir={out}", f"data_root={data}",
         # this test cluster has one partition, "main", and no accounts
         "--default-resources", "slurm_partition=main", "mem_mb=2000", "runtime=30", "cpus_per_task=1",
         "--set-resources", "train_genes:slurm_partition=main", "train_ss:slurm_partition=main",
         "--slurm-no-account", "--slurm-keep-successful-logs", "--slurm-logdir", str(logs), "--jobs", "4",
         "--slurm-init-seconds-before-status-checks", "5"],
        cwd=ROOT, capture_output=True, text=True, env=cluster.env, timeout=2400,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    # every job went through sbatch: the plugin keeps one SLURM log per job, named by rule
    submitted = {p.parent.name for p in logs.rglob("*.log")} | {p.parent.parent.name for p in logs.rglob("*.log")}
    for rule in ("train_genes", "train_ss", "train_ep", "predict_genes", "evaluate_ss", "report_tables"):
        assert f"rule_{rule}" in submitted, sorted(submitted)
    ss = json.loads((out / "ss" / "eval.json").read_text())
    assert 0.2 < ss["q3"] < 1
    assert (out / "report" / "genes_accuracy.tsv").exists()
