"""Turn gene predictions into files: GFF3, protein and gene FASTA, coding tracks."""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np

from genoseq import __version__
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
    gene_format: str = "gff"  # the gene-coordinate file (``gff``): gff (GFF3), gbk or sco, as Prodigal's -f

    @classmethod
    def in_folder(cls, outdir: str | Path) -> "OutputPaths":
        d = Path(outdir)
        return cls(str(d / "genes.gff3"), str(d / "proteins.faa"), str(d / "genes.fna"), str(d / "coding"))


#: Prodigal's formats for the gene coordinates (its ``-f``) and their file extensions
GENE_FORMATS = {"gff": "gff3", "gbk": "gbk", "sco": "sco"}  # writers: RECORD_WRITERS


def prodigal_attributes(gene: GeneCall, gene_id: str | None = None) -> dict[str, str]:
    """Prodigal's attributes, in Prodigal's order (score = cscore + sscore, sscore = rscore + uscore + tscore);
    ``gene_id`` replaces ``gene.id`` in ``ID=`` (Prodigal's own ``<contig number>_<gene number>``)."""
    return {
        "ID": gene_id or gene.id,
        "partial": gene.partial,
        "start_type": gene.start_type,
        "rbs_motif": gene.rbs_motif,
        "rbs_spacer": gene.rbs_spacer,
        "gc_cont": f"{gene.gc:.3f}",
        "conf": f"{min(gene.confidence, 99.99):.2f}",
        "score": f"{gene.score:.2f}",
        "cscore": f"{gene.coding_score:.2f}",
        "sscore": f"{gene.start_score:.2f}",
        "rscore": f"{gene.rbs_score:.2f}",
        "uscore": f"{gene.upstream_score:.2f}",
        "tscore": f"{gene.type_score:.2f}",
    }


def gff3_row(gene: GeneCall, gene_id: str | None = None) -> GFF3Row:
    """One GFF3 CDS line with :func:`prodigal_attributes`."""
    return GFF3Row(gene.seqid, SOURCE, "CDS", gene.start, gene.end, gene.score, gene.strand, 0,
                   prodigal_attributes(gene, gene_id))


def gbk_record(contig: ContigPrediction, ids: list, number: int, model: str) -> str:
    """Prodigal's GenBank-like feature table (its default ``-f gbk``) for one sequence:
    DEFINITION with the sequence and model data, one CDS per gene with ``<``/``>`` at
    edges the gene runs off, and Prodigal's attributes in a ``/note``."""
    lines = [f"DEFINITION  {sequence_data(contig, number)};{model_data(contig, model)}",
             "FEATURES             Location/Qualifiers"]
    for gene, gene_id in zip(contig.genes, ids):
        span = f"{'<' if gene.partial[0] == '1' else ''}{gene.start}..{'>' if gene.partial[1] == '1' else ''}{gene.end}"
        lines.append(f"     CDS             {span if gene.strand == '+' else f'complement({span})'}")
        note = "".join(f"{k}={v};" for k, v in prodigal_attributes(gene, gene_id).items())
        lines.append(f'                     /note="{note}"')
    return "\n".join(lines) + "\n//\n"


def sco_record(contig: ContigPrediction, ids: list, number: int, model: str) -> str:
    """Prodigal's simple coordinate output (``-f sco``): its comment lines, then
    ``>index_start_end_strand`` per gene, numbered from 1 in each sequence."""
    rows = "".join(f">{k}_{g.start}_{g.end}_{g.strand}\n" for k, g in enumerate(contig.genes, start=1))
    return model_comments(contig, number, model) + rows


def gff3_record(contig: ContigPrediction, ids: list, number: int, model: str) -> str:
    """Prodigal's comment lines, a ``##sequence-region`` and one CDS line per gene."""
    region = io.StringIO()
    write_sequence_region(region, contig.id, contig.length, contig.circular)
    rows = "".join(gff3_row(g, i).format() + "\n" for g, i in zip(contig.genes, ids))
    return model_comments(contig, number, model) + region.getvalue() + rows


#: the writer of each ``-f`` format: (contig, IDs, contig number, model) -> text
RECORD_WRITERS = {"gff": gff3_record, "gbk": gbk_record, "sco": sco_record}


#: the attributes Prodigal puts in its FASTA headers (the first of its GFF attributes)
FASTA_HEADER_KEYS = ("ID", "partial", "start_type", "rbs_motif", "rbs_spacer", "gc_cont")


def fasta_description(gene: GeneCall, gene_id: str | None = None) -> str:
    """Prodigal's header fields, in its layout: start # end # strand # attributes."""
    attrs = prodigal_attributes(gene, gene_id)
    strand = 1 if gene.strand == "+" else -1
    return f"# {gene.start} # {gene.end} # {strand} # " + ";".join(f"{k}={attrs[k]}" for k in FASTA_HEADER_KEYS)


@dataclass
class RunSummary:
    contigs: int = 0
    bases: int = 0
    genes: int = 0
    library: str = ""  # the library genome a small input's statistics were blended with


STRANDS = ("plus", "minus")


class CodingTracks:
    """The plus- and minus-strand coding-probability tracks of one run (bigWig or bedGraph)."""

    def __init__(self, outputs: OutputSet, prefix: str, track_format: str = "bigwig",
                 contigs: list[tuple[str, int]] | None = None):
        """``contigs``: every contig's id and length in input order, where known beforehand
        (:func:`genoseq.io.fasta.sequence_lengths`): bigWig files are then built contig by
        contig as the values come, instead of all at the end."""
        self.tracks: tuple[BedGraphTrack | BigWigTrack, ...]
        if track_format == "bedgraph":
            self.tracks = tuple(
                BedGraphTrack(outputs, f"{prefix}.{strand}.bedgraph.gz", f"coding_{strand}") for strand in STRANDS
            )
        else:
            # Each file gets its own builder process, so that the two build side by side.
            self.tracks = tuple(BigWigTrack(outputs, f"{prefix}.{strand}.bw", contigs=contigs) for strand in STRANDS)

    def add(self, seqid: str, plus: np.ndarray, minus: np.ndarray) -> None:
        self.tracks[0].add(seqid, plus)
        self.tracks[1].add(seqid, minus)

    def finish_async(self) -> None:
        """Every contig is in: start building the files in the background."""
        for track in self.tracks:
            track.finish_async()

    def close(self) -> None:
        self.finish_async()  # both jobs reach a shared builder before either waits
        for track in self.tracks:
            track.close()

    def abort(self) -> None:
        for track in self.tracks:
            track.abort()


def sequence_data(contig: ContigPrediction, number: int) -> str:
    """Prodigal's sequence data of a contig (``seqnum=..;seqlen=..;seqhdr=".."``)."""
    header = contig.description.replace('"', "'")
    return f'seqnum={number};seqlen={contig.length};seqhdr="{header}"'


def model_data(contig: ContigPrediction, model: str) -> str:
    """Prodigal's model data of a contig (``version=..;run_type=..;model="..";...``); a small input's
    model names the library genome its statistics were blended with too (``genes-default v6|<genome>``)."""
    if contig.library:  # as Prodigal -p meta names the model it used: "37|Escherichia_coli_UMN026|..."
        model = f"{model}|{contig.library}"
    return (f'version=genoseq.v{__version__};run_type={contig.run_type};model="{model}";'
            f"gc_cont={100 * contig.gc:.2f};transl_table={contig.table};uses_sd={int(contig.uses_sd)}")


def model_comments(contig: ContigPrediction, number: int, model: str) -> str:
    """Prodigal's two comment lines before each sequence's genes."""
    return f"# Sequence Data: {sequence_data(contig, number)}\n# Model Data: {model_data(contig, model)}\n"


def write_predictions(
    predictions: Iterable[ContigPrediction], paths: OutputPaths, outputs: OutputSet, metadata: Mapping[str, object],
    tracks: CodingTracks | None = None, model: str = "", stop_asterisk: bool = True,
    prodigal_ids: bool = False,
) -> RunSummary:
    """Stream predictions into the requested files (all inside one atomic output set).

    ``tracks``, when given, were already fed as contigs were scored (see
    :meth:`GenePredictor.predict_records`); otherwise they are written from the predictions.
    Proteins end with ``*`` after a stop codon unless ``stop_asterisk`` is off; ``prodigal_ids``
    writes Prodigal's ``ID=<contig number>_<gene number>`` instead of ``<seqid>_<gene number>``.
    """
    gff = outputs.open(paths.gff) if paths.gff else None
    faa = outputs.open(paths.proteins) if paths.proteins else None
    fna = outputs.open(paths.genes) if paths.genes else None
    own_tracks = (CodingTracks(outputs, paths.tracks_prefix, paths.track_format)
                  if tracks is None and paths.tracks_prefix is not None else None)
    tracks = tracks or own_tracks
    if gff and paths.gene_format == "gff":
        write_gff3_header(gff, metadata)
    summary = RunSummary()
    try:
        for contig in predictions:
            summary.contigs += 1
            summary.bases += contig.length
            summary.genes += len(contig.genes)
            summary.library = summary.library or contig.library
            ids = ([f"{summary.contigs}_{i + 1}" for i in range(len(contig.genes))] if prodigal_ids
                   else [None] * len(contig.genes))
            if gff:
                gff.write(RECORD_WRITERS[paths.gene_format](contig, ids, summary.contigs, model))
            for gene, gene_id in zip(contig.genes, ids):
                description = fasta_description(gene, gene_id) if faa or fna else ""
                if faa:
                    protein = gene.protein if stop_asterisk else gene.protein.rstrip("*")
                    write_fasta(faa, gene.id, protein, description)
                if fna:
                    write_fasta(fna, gene.id, gene.nucleotides, description)
            if own_tracks is not None:
                own_tracks.add(contig.id, contig.coding_plus, contig.coding_minus)
        if tracks:
            tracks.close()
    except BaseException:
        if tracks:
            tracks.abort()
        raise
    for handle in (gff, faa, fna):
        if handle is not None:
            handle.flush()
    return summary
