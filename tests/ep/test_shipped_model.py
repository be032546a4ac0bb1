"""Guards on the shipped EP parameters: their AUPRC on the benchmark they were fitted on
(in-sample, deterministic) must stay at the model card's figure."""
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
