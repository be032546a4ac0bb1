"""Guards on the shipped gene model: accuracy on a validation genome it never saw."""
import pytest

from genoseq.genes.evaluate import evaluate_files
from genoseq.nn.registry import read_registry
from tests.cli.helpers import genoseq

GUARD_GENOME = "mgallisepticum_rlow"  # validation genome, genetic code 4, 1 Mb


def test_registry_entry_is_complete():
    entry = read_registry()["genes-default"]
    assert entry["family"] == "genes" and len(entry["sha256"]) == 64
    assert set(entry["metrics"][GUARD_GENOME]) >= {"sensitivity", "precision", "start_exact"}


@pytest.mark.slow
def test_accuracy_on_a_validation_genome(shared_genomes, tmp_path):
    card = read_registry()["genes-default"]["metrics"][GUARD_GENOME]
    folder = shared_genomes / GUARD_GENOME
    result = genoseq("predict-genes", folder / "genome.fna.gz", "-g", "4", "-o", tmp_path, "--tracks", "none", "-q")
    assert result.returncode == 0, result.stderr.decode()
    measured = evaluate_files(tmp_path / "genes.gff3", folder / "annotation.gff3.gz")
    assert measured.sensitivity >= card["sensitivity"] - 0.02
    assert measured.precision >= card["precision"] - 0.02
