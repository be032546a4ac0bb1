"""genoseq: annotate biological sequences with recurrent neural networks.

Public API (imported lazily, so ``import genoseq`` stays fast):

- ``genoseq.predict_genes(fasta, ...)`` -> iterator of ``ContigPrediction`` (genes per contig)
- ``genoseq.GenePredictor`` -> a loaded gene model to reuse across inputs
- ``genoseq.evaluate_genes(pred_gff, ref_gff)`` -> ``GeneEvaluation``
"""
from __future__ import annotations

__version__ = "0.1.0"

_LAZY = {
    "predict_genes": ("genoseq.genes.api", "predict"),
    "GenePredictor": ("genoseq.genes.api", "GenePredictor"),
    "GeneCall": ("genoseq.genes.api", "GeneCall"),
    "ContigPrediction": ("genoseq.genes.api", "ContigPrediction"),
    "evaluate_genes": ("genoseq.genes.evaluate", "evaluate_files"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'genoseq' has no attribute {name!r}")
