"""Turn gene predictions into files: GFF3, protein and gene FASTA, coding tracks."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from genoseq.genes.api import ContigPrediction, GeneCall
from genoseq.io.atomic import OutputSet
from genoseq.io.fasta import write_fasta
from genoseq.io.gff3 import GFF3Row, write_gff3_header, write_sequence_region
from genoseq.io.tracks import BedGraphTrack, BigWigTrack

SOURCE = "genoseq"


@dataclass
class OutputPaths:
    """Where each output goes; ``None`` skips it, ``-`` is stdout."""

    gff: str | None
    proteins: str | None
    genes: str | None
    tracks_prefix: str | None  # writes <prefix>.plus.bw and <prefix>.minus.bw (or .bedgraph.gz)
    track_format: str = "bigwig"  # or "bedgraph" (bgzip + tabix)

    @classmethod
    def in_folder(cls, outdir: str | Path) -> "OutputPaths":
        d = Path(outdir)
        return cls(str(d / "genes.gff3"), str(d / "proteins.faa"), str(d / "genes.fna"), str(d / "coding"))


def gff3_row(gene: GeneCall) -> GFF3Row:
    attrs = {
        "ID": gene.id,
        "partial": gene.partial,
        "start_type": gene.start_type,
        "gc_cont": f"{gene.gc:.3f}",
        "conf": f"{min(gene.confidence, 99.99):.2f}",
        "score": f"{gene.score:.2f}",
        "cscore": f"{gene.coding_score:.2f}",
        "sscore": f"{gene.start_score:.2f}",
    }
    return GFF3Row(gene.seqid, SOURCE, "CDS", gene.start, gene.end, gene.score, gene.strand, 0, attrs)


def fasta_description(gene: GeneCall) -> str:
    """Prodigal-style header fields: start # end # strand # attributes."""
    strand = 1 if gene.strand == "+" else -1
    return (f"# {gene.start} # {gene.end} # {strand} # ID={gene.id};partial={gene.partial};"
            f"start_type={gene.start_type};gc_cont={gene.gc:.3f};conf={min(gene.confidence, 99.99):.2f}")


@dataclass
class RunSummary:
    contigs: int = 0
    bases: int = 0
    genes: int = 0


def write_predictions(
    predictions: Iterable[ContigPrediction], paths: OutputPaths, outputs: OutputSet, metadata: dict[str, object]
) -> RunSummary:
    """Stream predictions into the requested files (all inside one atomic output set)."""
    gff = outputs.open(paths.gff) if paths.gff else None
    faa = outputs.open(paths.proteins) if paths.proteins else None
    fna = outputs.open(paths.genes) if paths.genes else None
    tracks = None
    if paths.tracks_prefix:
        if paths.track_format == "bedgraph":
            tracks = tuple(
                BedGraphTrack(outputs, f"{paths.tracks_prefix}.{strand}.bedgraph.gz", f"coding_{strand}")
                for strand in ("plus", "minus")
            )
        else:
            tracks = tuple(BigWigTrack(outputs, f"{paths.tracks_prefix}.{strand}.bw") for strand in ("plus", "minus"))
    if gff:
        write_gff3_header(gff, metadata)
    summary = RunSummary()
    for contig in predictions:
        summary.contigs += 1
        summary.bases += contig.length
        summary.genes += len(contig.genes)
        if gff:
            write_sequence_region(gff, contig.id, contig.length, contig.circular)
            gff.write("".join(gff3_row(g).format() + "\n" for g in contig.genes))
        for gene in contig.genes:
            if faa:
                write_fasta(faa, gene.id, gene.protein, fasta_description(gene))
            if fna:
                write_fasta(fna, gene.id, gene.nucleotides, fasta_description(gene))
        if tracks:
            tracks[0].add(contig.id, contig.coding_plus)
            tracks[1].add(contig.id, contig.coding_minus)
    if tracks:
        for track in tracks:
            track.close()
    for handle in (gff, faa, fna):
        if handle is not None:
            handle.flush()
    return summary
