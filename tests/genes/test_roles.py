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
