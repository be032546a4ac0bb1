"""The Snakemake workflow: lint, dry runs, configuration errors, and the tiny config for real."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from tests.conftest import ROOT, shared_data_root

pytest.importorskip("snakemake")
RULES = ["train_genes", "predict_genes", "prodigal_genes", "evaluate_genes", "train_ss", "ss_test_fasta", "predict_ss",
         "evaluate_ss", "train_ep", "evaluate_ep_cv", "score_ep_heldout", "evaluate_ep_heldout", "report_tables"]


def snakemake(*args: str, cwd=ROOT, timeout: int = 1800) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "snakemake", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def data_root():
    root = shared_data_root()
    if not (root / "genomes" / "MANIFEST.tsv").exists():
        pytest.skip(f"shared data not found at {root}")
    return root


def write_config(tmp_path, edit) -> str:
    config = yaml.safe_load((ROOT / "config" / "test.yaml").read_text())
    config["data_root"] = str(shared_data_root())
    config["outdir"] = str(tmp_path / "results")
    edit(config)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return str(path)


def test_lint_is_clean(data_root):
    result = snakemake("--lint")
    assert result.returncode == 0 and "Congratulations" in result.stdout + result.stderr, result.stdout + result.stderr


def test_dry_run_of_the_full_config_plans_every_rule(data_root, tmp_path):
    result = snakemake("-n", "--profile", "profiles/local", "--config", f"data_root={data_root}",
                       f"outdir={tmp_path / 'full'}")
    assert result.returncode == 0, result.stderr
    for rule in RULES:
        assert f"\n{rule} " in result.stdout, rule
    counts = dict(line.split() for line in result.stdout.splitlines() if re.fullmatch(r"\w+\s+\d+", line.strip()))
    assert counts["evaluate_genes"] == "4"  # 2 test genomes x (genoseq, prodigal)


@pytest.mark.parametrize("edit, fragment", [
    (lambda c: c["ss"].pop("test_table"), "'test_table' is a required property"),
    (lambda c: c["genes"]["train"].update(epoch=3), "Additional properties are not allowed ('epoch'"),
    (lambda c: c["genes"]["genomes"][0].update(fasta="genomes/nope/genome.fna.gz"),
     "genes.genomes.malvi_atcc29626.fasta"),
    (lambda c: c["genes"]["genomes"][0].update(gff3=c["genes"]["genomes"][2]["gff3"]),
     "genes.genomes.malvi_atcc29626: annotation seqid(s) NC_004829.2 are not in"),
])
def test_bad_config_stops_before_any_job(data_root, tmp_path, edit, fragment):
    result = snakemake("-n", "--configfile", write_config(tmp_path, edit))
    assert result.returncode != 0
    assert fragment in result.stdout + result.stderr, (result.stdout + result.stderr)[-3000:]
    assert not (tmp_path / "results").exists()


@pytest.mark.slow
def test_tiny_config_runs_and_a_rerun_does_nothing(data_root, tmp_path):
    if not (shutil.which("prodigal") or shutil.which("pyrodigal")):
        pytest.skip("neither prodigal nor pyrodigal is installed")
    config = write_config(tmp_path, lambda c: None)
    result = snakemake("--profile", "profiles/local", "--configfile", config)
    assert result.returncode == 0, result.stderr[-5000:]
    out = tmp_path / "results"
    genes = json.loads((out / "genes/eval/mgallisepticum_rlow.genoseq.json").read_text())
    prodigal = json.loads((out / "genes/eval/mgallisepticum_rlow.prodigal.json").read_text())
    # The network is trained for 3 steps, so its calls are not a measure of anything (with CPU threads
    # its first pass lands either side of the adaptation threshold); check the wiring instead: the
    # evaluation read the whole annotation and exactly the GFF3 that predict-genes wrote.
    predicted = (out / "genes/predict/mgallisepticum_rlow/genes.gff3").read_text().count("\tCDS\t")
    assert genes["reference_cds"] == prodigal["reference_cds"] == 718 and genes["predicted"] == predicted
    assert prodigal["sensitivity"] > 0.8
    ss = json.loads((out / "ss/eval.json").read_text())
    assert 0.2 < ss["q3"] < 1 and 0 < ss["q8"] < 1
    ep = json.loads((out / "ep/cv_eval.json").read_text())
    assert 0.045 < ep["auprc"] <= 1  # above the positive rate
    for name in ("genes_accuracy.png", "training_curves.png", "ss_confusion.png", "ep_precision_recall.png"):
        assert (out / "report" / name).stat().st_size > 1000
    again = snakemake("--profile", "profiles/local", "--configfile", config)
    assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr
    # the report command of the README, for this run
    report = snakemake("--configfile", config, "--report", str(tmp_path / "report.html"))
    assert report.returncode == 0, report.stderr[-3000:]
    assert (tmp_path / "report.html").stat().st_size > 10_000
    ss_table = (out / "report" / "ss_metrics.tsv").read_text().splitlines()
    assert ss_table[0] == "metric\tvalue" and any(re.fullmatch(r"residues\t\d+", row) for row in ss_table)
    ep_table = (out / "report" / "ep_metrics.tsv").read_text()
    assert re.search(r"\tpairs\t\d+\n", ep_table) and ".0\n" not in ep_table.replace("1.0\n", "")


def test_training_with_several_processes_uses_torchrun(data_root, tmp_path):
    config = write_config(tmp_path, lambda c: c["ss"]["train"].update(processes=2))
    result = snakemake("-n", "-p", "--configfile", config)
    assert result.returncode == 0, result.stderr
    assert "torchrun --standalone --nproc_per_node=2 -m genoseq train ss" in result.stdout
    assert "genoseq train genes" in result.stdout  # genes stays on one process


def test_gene_training_takes_the_network_size_from_the_config(data_root, tmp_path):
    result = snakemake("-n", "-p", "--profile", "profiles/local", "--config", f"data_root={data_root}",
                       f"outdir={tmp_path / 'full'}")
    assert result.returncode == 0, result.stderr
    command = next(line for line in result.stdout.splitlines() if "genoseq train genes" in line)
    # the default config trains genes-default v6's network
    assert ("--window 2997 --seed 1 --lr 0.002 --branch-channels 12 --codon-channels 60 --gru-hidden 40 "
            "--head-channels 24 --codons-per-step 3 --device") in command, command
    tiny = snakemake("-n", "-p", "--configfile", write_config(tmp_path, lambda c: None))
    command = next(line for line in tiny.stdout.splitlines() if "genoseq train genes" in line)
    assert "--seed 1 --device" in command  # sizes not given: the command's defaults


def test_dry_run_without_the_data_says_so_in_one_line(tmp_path):
    result = snakemake("-n", "--config", f"data_root={tmp_path / 'nowhere'}")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("Config file")]
    assert len(lines) == 1 and "data_root" in lines[0] and "not found" in lines[0], result.stderr
    assert "Traceback" not in result.stderr
