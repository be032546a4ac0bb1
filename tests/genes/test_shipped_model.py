"""Guards on the shipped gene models: their figures on the genomes they were neither trained
on nor (test genomes) tuned on, and the same calls whether loaded by name or by path."""
import dataclasses

import numpy as np
import pytest

from genoseq.genes.api import GenePredictor
from genoseq.genes.dataset import DEFAULT_TEST, DEFAULT_VALIDATION
from genoseq.genes.decode import DecoderSettings
from genoseq.genes.evaluate import evaluate_files
from genoseq.io.fasta import read_dna
from genoseq.nn.registry import models_dir, read_registry
from tests.cli.helpers import genoseq

GUARD_GENOME = "ecoli_k12_mg1655"  # test genome with a verified start set
TOLERANCE = 0.01  # the guard fails one point below the card
SHIPPED = ("genes-default", "genes-fast")


@pytest.mark.parametrize("model", SHIPPED)
def test_guard_genome_is_a_test_genome_with_card_figures(model):
    assert GUARD_GENOME in DEFAULT_TEST
    card = read_registry()[model]["metrics"][GUARD_GENOME]
    assert card["role"] == "test"
    assert set(card) >= {"sensitivity", "precision", "start_exact", "verified_start_accuracy"}


def test_the_checkpoint_carries_the_shipped_decoder_settings():
    predictor = GenePredictor.load("genes-default", "cpu")
    stored = predictor.entry.settings["decoder"]
    assert stored and all(getattr(predictor.decoder, k) == v for k, v in stored.items())
    # the code defaults are the shipped settings, so a pipeline's own checkpoint decodes the same way
    assert all(getattr(DecoderSettings(), k) == v for k, v in stored.items())


@pytest.mark.parametrize("model", SHIPPED)
def test_the_onnx_export_is_the_checkpoints_network(model):
    """The ONNX file that CPU runs use was exported from the shipped checkpoint: same
    source sha256, same settings, same scores (float32) on random windows."""
    pytest.importorskip("onnxruntime")
    import torch

    from genoseq.genes.model import GeneScores, build_gene_net
    from genoseq.nn.registry import load_module, load_onnx, resolve_model

    network, entry = load_onnx(resolve_model(model, "genes"))
    net, torch_entry = load_module(model, "genes", build_gene_net)
    assert network.source_sha256 == read_registry()[model]["sha256"]
    assert entry.settings == torch_entry.settings and network.model_config == net.config.to_dict()
    rng = np.random.default_rng(0)
    x = np.zeros((3, 7, 9 * 120), np.float32)
    x[:, :4] = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (3, 9 * 120))].transpose(0, 2, 1)
    x[:, 4 + np.arange(9 * 120) % 3, np.arange(9 * 120)] = 1.0
    with torch.inference_mode():
        want = GeneScores(net)(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(network.run(x), want, rtol=1e-4, atol=1e-4)


@pytest.mark.slow
def test_loaded_by_name_or_by_path_the_model_calls_the_same_genes(shared_genomes):
    """By name (ONNX Runtime on CPU), by the .onnx path, and by the .pt path through torch
    in float32: the same gene calls."""
    entry = read_registry()["genes-default"]
    # 1.2 Mb of E. coli: enough genes for genome adaptation and the start model
    whole = next(iter(read_dna(shared_genomes / GUARD_GENOME / "genome.fna.gz")))
    record = dataclasses.replace(whole, sequence=whole.sequence[:1_200_000])
    calls, engines = [], []
    for model, precision in (("genes-default", "auto"), (str(models_dir() / entry["onnx"]["file"]), "auto"),
                             (str(models_dir() / entry["file"]), "fp32")):
        predictor = GenePredictor.load(model, "cpu", precision=precision)
        (contig,) = predictor.predict_records([record])
        calls.append([(g.start, g.end, g.strand, g.rbs_motif) for g in contig.genes])
        engines.append(predictor.engine)
    assert engines == ["onnxruntime", "onnxruntime", "torch"]
    assert len(calls[0]) > 900 and calls[0] == calls[1] == calls[2]


@pytest.mark.slow
@pytest.mark.parametrize("model", SHIPPED)
@pytest.mark.parametrize("genome", [*DEFAULT_TEST, *DEFAULT_VALIDATION])
def test_figures_on_the_held_out_genomes(shared_genomes, tmp_path, genome, model):
    """The card's figures on every genome held out from training (test and validation)."""
    card = read_registry()[model]["metrics"][genome]
    folder = shared_genomes / genome
    table = "4" if genome == "mgallisepticum_rlow" else "11"
    result = genoseq("predict-genes", folder / "genome.fna.gz", "-g", table, "-o", tmp_path, "--tracks", "none",
                     "--proteins", "none", "--genes", "none", "-q", "-m", model)
    assert result.returncode == 0, result.stderr.decode()
    measured = evaluate_files(tmp_path / "genes.gff3", folder / "annotation.gff3.gz")
    for name in ("sensitivity", "precision", "start_exact"):
        value = getattr(measured, name)
        assert value >= card[name] - TOLERANCE, f"{name} {value:.4f} < card {card[name]:.4f} - {TOLERANCE}"


@pytest.mark.slow
@pytest.mark.parametrize("model", SHIPPED)
def test_accuracy_and_attributes_on_the_guard_genome(shared_genomes, tmp_path, model):
    card = read_registry()[model]["metrics"][GUARD_GENOME]
    folder = shared_genomes / GUARD_GENOME
    result = genoseq("predict-genes", folder / "genome.fna.gz", "-o", tmp_path, "--tracks", "none", "-q", "-m", model)
    assert result.returncode == 0, result.stderr.decode()
    measured = evaluate_files(tmp_path / "genes.gff3", folder / "annotation.gff3.gz")
    verified = evaluate_files(tmp_path / "genes.gff3", folder / "verified_starts.gff")
    for name, value in (("sensitivity", measured.sensitivity), ("precision", measured.precision),
                        ("start_exact", measured.start_exact), ("verified_start_accuracy", verified.start_exact)):
        assert value >= card[name] - TOLERANCE, f"{name} {value:.4f} < card {card[name]:.4f} - {TOLERANCE}"
    # Prodigal's attributes: score = cscore + sscore and sscore = rscore + uscore + tscore, to rounding
    rows = [line.split("\t")[8] for line in (tmp_path / "genes.gff3").read_text().splitlines()
            if line and not line.startswith("#")]
    attrs = [dict(item.split("=") for item in row.split(";")) for row in rows]
    v = {k: np.array([float(a[k]) for a in attrs]) for k in ("score", "cscore", "sscore", "rscore", "uscore", "tscore")}
    assert np.abs(v["score"] - v["cscore"] - v["sscore"]).max() <= 0.011
    assert np.abs(v["sscore"] - v["rscore"] - v["uscore"] - v["tscore"]).max() <= 0.021
    motifs = [a["rbs_motif"] for a in attrs]
    assert 0.3 < np.mean([m != "None" for m in motifs]) < 1.0  # E. coli: a Shine-Dalgarno genome
    # conf is a calibrated probability that the call is real (a reference CDS ends at its stop):
    # within 5 points of the observed share, bin by bin on average (card: 3.3 on the report genomes)
    from genoseq.genes.confidence import expected_calibration_error
    from genoseq.genes.evaluate import match_key
    from genoseq.io.gff3 import read_cds

    reference = {match_key(f) for f in read_cds(folder / "annotation.gff3.gz")}
    called = read_cds(tmp_path / "genes.gff3")
    right = np.array([match_key(f) in reference for f in called])
    conf = np.array([float(f.attributes["conf"]) / 100 for f in called])
    assert expected_calibration_error(conf, right) < 0.05
    assert (conf < 0.9).mean() > 0.03  # not 99.99 for everything
