"""One split of the shared genomes: the package's roles and the workflow config agree."""
from pathlib import Path

import yaml

from genoseq.genes.dataset import DEFAULT_EXCLUDED, DEFAULT_TEST, DEFAULT_VALIDATION

CONFIG = Path(__file__).resolve().parents[2] / "config" / "config.yaml"


def test_config_roles_match_the_package():
    genomes = yaml.safe_load(CONFIG.read_text())["genes"]["genomes"]
    roles = {g["name"]: g["role"] for g in genomes}
    assert sorted(n for n, r in roles.items() if r == "validation") == sorted(DEFAULT_VALIDATION)
    assert sorted(n for n, r in roles.items() if r == "test") == sorted(DEFAULT_TEST)
    assert not set(roles) & set(DEFAULT_EXCLUDED)  # never trained on, so not in the config at all


def test_prodigal_annotated_genomes_are_read_from_the_manifest():
    import pandas as pd

    from genoseq.genes.dataset import prodigal_annotated

    manifest = pd.DataFrame({"short_name": ["a", "b", "c"],
                             "annotation": ["RefSeq PGAP GenBank", "RASTtk annotation (gene calls by Prodigal/Glimmer3!)",
                                            None]})
    assert prodigal_annotated(manifest) == ["b"]
    assert prodigal_annotated(manifest.set_index("short_name")) == ["b"]


def test_no_reported_or_validation_genome_is_annotated_by_prodigal(shared_genomes):
    from genoseq.genes.dataset import prodigal_annotated, read_manifest

    circular = set(prodigal_annotated(read_manifest(shared_genomes.parent)))
    assert circular  # the shared data's MANIFEST names five RASTtk genomes
    assert not circular & set(DEFAULT_TEST + DEFAULT_VALIDATION)
