"""Guards on the shipped EP parameters: their AUPRC on the benchmark they were fitted on
(in-sample, deterministic) and the leave-one-chromosome-out AUPRC, recomputed from the
training recipe, must stay at the model card's figures."""
import json

import pytest

from genoseq.nn.checkpoint import sha256_file
from genoseq.nn.registry import models_dir, read_registry
from tests.cli.helpers import genoseq

TRAINING = "crispr_combined_K562_training.GRCh38.tsv.gz"
LANDSCAPE = "k562_landscape/K562_DHS_elements_ENCODE_uniform.hg38.tsv.gz"


@pytest.mark.parametrize("name", ["ep-default", "ep-element"])
def test_registry_points_at_the_shipped_files(name):
    entry = read_registry()[name]
    assert entry["family"] == "ep" and entry["sha256"] == sha256_file(models_dir() / entry["file"])


@pytest.mark.parametrize("name, with_landscape", [("ep-default", True), ("ep-element", False)])
def test_shipped_parameters_score_the_benchmark(shared_enhancers, tmp_path, name, with_landscape):
    card = read_registry()[name]["metrics"]
    args = ["ep", "score", shared_enhancers / TRAINING, "-m", name, "-o", tmp_path / "scored.tsv", "-q"]
    if with_landscape:
        args += ["--landscape", shared_enhancers / LANDSCAPE]
    result = genoseq(*args)
    assert result.returncode == 0, result.stderr.decode()
    metrics = genoseq("evaluate", "ep", "--scored", tmp_path / "scored.tsv", "--format", "json")
    auprc = json.loads(metrics.stdout)["auprc"]
    assert auprc == pytest.approx(card["fit_auprc"], abs=0.005)


@pytest.mark.parametrize("name", [
    "ep-element",
    pytest.param("ep-default", marks=pytest.mark.slow),  # 17 fits over the 202k-element landscape: ~10 min
])
def test_leave_one_chromosome_out_auprc_is_the_cards(shared_enhancers, name):
    """The headline figure: every chromosome scored by parameters fitted on the others, with
    the shipped model's own configuration (marks, landscape, read-out window)."""
    from genoseq.ep.api import load_integrator
    from genoseq.ep.features import read_landscape, read_table
    from genoseq.ep.training import cross_validate

    model, _ = load_integrator(name)
    card = read_registry()[name]["metrics"]
    table = read_table(str(shared_enhancers / TRAINING), "pair table")
    landscape = read_landscape(str(shared_enhancers / LANDSCAPE)) if model.config.landscape_marks else None
    result = cross_validate(table, model.config, landscape, log=lambda *_: None)
    assert result.report["pairs"] == card["pairs"] and result.report["positives"] == card["positives"]
    # the tolerance is far inside the margin to the bar (LOCO AUPRC >= 0.53)
    assert result.report["auprc"] == pytest.approx(card["loco_auprc"], abs=0.005)
