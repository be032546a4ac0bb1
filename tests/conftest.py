"""Shared fixtures: paths to the example data and to the shared data (when present)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_FASTA = ROOT / "data" / "pPCP1.fna"
EXAMPLE_GFF = ROOT / "data" / "pPCP1.gff3"


def shared_data_root() -> Path:
    return Path(os.environ.get("GENOSEQ_DATA", ROOT.parent / "shared" / "data"))


def _shared_folder(name: str, subdir: str, required: str):
    """A session fixture giving ``shared/data/<subdir>``, skipping the test when it is absent."""

    @pytest.fixture(scope="session", name=name)
    def fixture() -> Path:
        root = shared_data_root() / subdir
        if not (root / required).exists():
            pytest.skip(f"shared data not found at {root} (set GENOSEQ_DATA)")
        return root

    return fixture


shared_genomes = _shared_folder("shared_genomes", "genomes", "MANIFEST.tsv")
shared_ss = _shared_folder("shared_ss", "ss", "valid.tsv.gz")
shared_enhancers = _shared_folder("shared_enhancers", "enhancers", "crispr_combined_K562_training.GRCh38.tsv.gz")


@pytest.fixture
def example_fasta() -> Path:
    return EXAMPLE_FASTA


@pytest.fixture
def example_gff() -> Path:
    return EXAMPLE_GFF


def have(tool: str) -> bool:
    return shutil.which(tool) is not None
