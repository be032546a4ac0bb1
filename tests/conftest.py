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


@pytest.fixture(scope="session")
def shared_genomes() -> Path:
    root = shared_data_root() / "genomes"
    if not (root / "MANIFEST.tsv").exists():
        pytest.skip(f"shared data not found at {root} (set GENOSEQ_DATA)")
    return root


@pytest.fixture(scope="session")
def shared_ss() -> Path:
    root = shared_data_root() / "ss"
    if not (root / "valid.tsv.gz").exists():
        pytest.skip(f"shared SS data not found at {root} (set GENOSEQ_DATA)")
    return root


@pytest.fixture(scope="session")
def shared_enhancers() -> Path:
    root = shared_data_root() / "enhancers"
    if not (root / "crispr_combined_K562_training.GRCh38.tsv.gz").exists():
        pytest.skip(f"shared enhancer data not found at {root} (set GENOSEQ_DATA)")
    return root


@pytest.fixture
def example_fasta() -> Path:
    return EXAMPLE_FASTA


@pytest.fixture
def example_gff() -> Path:
    return EXAMPLE_GFF


def have(tool: str) -> bool:
    return shutil.which(tool) is not None
