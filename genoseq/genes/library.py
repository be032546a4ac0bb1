"""The adaptation library: whole-genome statistics of the tuning genomes, for small inputs.

A plasmid, a phage or one short contig holds too few genes to learn its dicodon usage and
upstream signals from. Prodigal's ``-p meta`` answers this with models trained beforehand on
50 genomes and keeps the best-scoring one. genoseq ships the :class:`GenomeAdaptation` of each
genome its decoder was tuned on (``models/genes_v6_library.npz``), picks the one under which
the input's genes score highest, and blends it with what the input's own genes teach, the
input's share growing with its gene count (:func:`blend`).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genoseq.errors import ModelError
from genoseq.genes.adaptation import UPSTREAM, AdaptationContext, GenomeAdaptation
from genoseq.genes.decode import Candidates, DecoderSettings, choose_genes, total_score
from genoseq.genes.start_model import StartModel


@dataclass
class LibraryGenome:
    name: str
    table: int  # the NCBI translation table its genes use
    adaptation: GenomeAdaptation  # its tables and start model, learned from the whole genome


@dataclass
class AdaptationLibrary:
    genomes: list[LibraryGenome]

    def save(self, path: str | Path) -> None:
        """One compressed .npz: a row per genome of every table."""
        a = [g.adaptation for g in self.genomes]
        if any(x.start_model is None for x in a):
            raise ValueError("every library genome needs a start model")
        np.savez_compressed(
            path, names=np.array([g.name for g in self.genomes]), tables=np.array([g.table for g in self.genomes]),
            dicodon=np.stack([x.dicodon_llr for x in a]).astype(np.float32),
            upstream=np.stack([x.upstream_llr for x in a]).astype(np.float32),
            motif=np.stack([x.motif_llr for x in a]).astype(np.float32),
            types=np.stack([x.type_llr for x in a]).astype(np.float32),
            edge=np.array([x.edge_start for x in a], dtype=np.float32),
            start=np.stack([x.start_model.vector() for x in a if x.start_model is not None]).astype(np.float32),
        )

    @classmethod
    def load(cls, path: str | Path) -> AdaptationLibrary:
        try:
            with np.load(path) as z:
                arrays = {k: z[k] for k in ("names", "tables", "dicodon", "upstream", "motif", "types", "edge", "start")}
        except (OSError, KeyError, ValueError) as err:
            raise ModelError(f"{path}: not an adaptation library ({err})") from None
        genomes = [
            LibraryGenome(str(name), int(table), GenomeAdaptation(
                arrays["dicodon"][i].astype(np.float64), _upstream_table(arrays["upstream"][i]),
                arrays["motif"][i].astype(np.float64), arrays["types"][i].astype(np.float64),
                StartModel.from_vector(arrays["start"][i]), (float(arrays["edge"][i][0]), float(arrays["edge"][i][1]))))
            for i, (name, table) in enumerate(zip(arrays["names"], arrays["tables"]))
        ]
        return cls(genomes)

    def pick(self, contigs: list[tuple[np.ndarray, Candidates, AdaptationContext]], table: int,
             settings: DecoderSettings) -> LibraryGenome | None:
        """The genome (of the input's translation table) under whose statistics the genes chosen
        in the input score highest in all, as Prodigal's ``-p meta`` picks its model; None when no
        genome uses ``table``. ``contigs``: (codes, candidates, context) each; the candidates'
        scores are overwritten (they are rescored by the caller afterwards)."""
        best, best_score = None, -np.inf
        for genome in self.genomes:
            if genome.table != table:
                continue
            score = 0.0
            for codes, candidates, context in contigs:
                genome.adaptation.apply(codes, candidates, context)
                total_score(candidates, settings, adapted=True, edge_start=genome.adaptation.edge_start)
                score += float(choose_genes(candidates, settings).score.sum())
            if score > best_score:
                best, best_score = genome, score
        return best


def _upstream_table(table: np.ndarray) -> np.ndarray:
    """A stored upstream profile (positions, 5) as wide as :data:`UPSTREAM`: a library written when the
    profile read fewer bases (20 up to session 20) says nothing of the farther ones (log-odds 0)."""
    table = np.asarray(table, dtype=np.float64)
    if len(table) > UPSTREAM:
        raise ModelError(f"adaptation library: an upstream profile of {len(table)} bases (at most {UPSTREAM})")
    return np.concatenate([np.zeros((UPSTREAM - len(table), table.shape[1])), table])


def blend(own: GenomeAdaptation, library: GenomeAdaptation, own_share: float) -> GenomeAdaptation:
    """The input's own tables mixed with a library genome's (``own_share`` of the input's). The
    start model is the input's own, which its fit already pulls towards the shipped prior."""
    w = own_share

    def mix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return w * a + (1.0 - w) * b

    return GenomeAdaptation(mix(own.dicodon_llr, library.dicodon_llr), mix(own.upstream_llr, library.upstream_llr),
                            mix(own.motif_llr, library.motif_llr), mix(own.type_llr, library.type_llr),
                            own.start_model, own.edge_start)
