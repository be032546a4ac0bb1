"""The ``genoseq`` command line: a thin layer over the library API."""
from __future__ import annotations

import gc
import shlex
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import click

from genoseq import __version__
from genoseq.errors import GenoseqError
from genoseq.genes import DISTILL_STARTS
from genoseq.genes import ENGINES as GENE_ENGINES
from genoseq.genes import PRECISIONS as GENE_PRECISIONS
from genoseq.ss import PRECISIONS

DATA_ROOT_HELP = "Folder holding genomes/, ss/ and enhancers/ (or set GENOSEQ_DATA)."
DATA_ROOT_DEFAULT = "$GENOSEQ_DATA, else ../shared/data"


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"genoseq: error: {message}", err=True)
    sys.exit(code)


@contextmanager
def _library_imports() -> Iterator[None]:
    """Import a command's libraries (torch, onnxruntime, pandas) without the cyclic garbage
    collector, then freeze what they built (``gc.freeze``): those objects live until exit, and
    collections walking them were 0.2 s of an SS run on CB513 (``import torch`` alone: 0.83 ->
    0.75 s on 2 cores)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


class Terminated(BaseException):
    """SIGTERM, raised where the program is so that partial outputs are removed on the way out."""


def _terminate(signum, frame) -> None:
    raise Terminated()


class GenoseqGroup(click.Group):
    """Turns expected errors into one-line messages (no tracebacks); Ctrl-C and SIGTERM leave
    no partial output files (every command writes through one atomic output set)."""

    def invoke(self, ctx: click.Context):
        import signal

        previous = signal.signal(signal.SIGTERM, _terminate)
        try:
            return super().invoke(ctx)
        except GenoseqError as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except Terminated:
            _fail("terminated", 143)
        except BrokenPipeError:
            sys.exit(0)
        except MemoryError:
            _fail("out of memory; try a smaller --batch-size")
        finally:
            signal.signal(signal.SIGTERM, previous)


@click.group(cls=GenoseqGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="genoseq")
def main() -> None:
    """genoseq: annotate biological sequences with recurrent neural networks."""


def run() -> None:
    """The console script: :func:`main`, then an immediate exit. By then every output is
    committed and closed; tearing down torch and the other modules at interpreter exit
    would add about 0.3 s to every command for nothing."""
    import os

    try:
        main(prog_name="genoseq")
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:  # sys.exit("message"): what Python would print
            print(exc.code, file=sys.stderr)
            code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # reader gone, or stream closed
            pass
    os._exit(code)


def _log(message: str) -> None:
    """Progress messages of training commands; under torchrun only rank 0 speaks."""
    import os

    if os.environ.get("RANK", "0") == "0":
        click.echo(message, err=True)


def _comma_list(text: str | None) -> list[str] | None:
    """``a,b,,c`` -> ``["a", "b", "c"]``; None stays None (the option was not given)."""
    return [x for x in text.split(",") if x] if text is not None else None


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _output(value: str | None, default: Path) -> str | None:
    if value is None:
        return str(default)
    return None if value.lower() == "none" else value


@main.command("predict-genes", short_help="Find protein-coding genes in prokaryotic genomes.")
@click.argument("fasta", type=str)
@click.option("-o", "--outdir", default="genoseq_genes", show_default=True,
              help="Folder for the outputs (created if needed).")
@click.option("--gff", default=None, metavar="PATH",
              help="Gene coordinates; '-' for stdout, 'none' to skip.", show_default="OUTDIR/genes.gff3, .gbk or .sco by --format")
@click.option("-f", "--format", "gene_format", default="gff", show_default=True, type=click.Choice(["gff", "gbk", "sco"]),
              help="Format of the gene coordinates, as Prodigal's -f: GFF3, GenBank-like feature table, or simple "
                   "coordinates.")
@click.option("--proteins", default=None, metavar="PATH", help="Protein translations; '-' or 'none'.",
              show_default="OUTDIR/proteins.faa")
@click.option("--genes", "genes_out", default=None, metavar="PATH", help="Gene nucleotide sequences; '-' or 'none'.",
              show_default="OUTDIR/genes.fna")
@click.option("--tracks", default=None, metavar="PREFIX",
              help="Per-base coding-probability tracks PREFIX.plus/.minus.bw (values rounded to steps of 0.02); "
                   "'none' to skip.", show_default="OUTDIR/coding")
@click.option("--track-format", default="bigwig", show_default=True, type=click.Choice(["bigwig", "bedgraph"]),
              help="bigWig, or bgzipped bedGraph with a tabix index (.bedgraph.gz + .tbi); IGV and JBrowse load both.")
@click.option("-m", "--model", default="genes-default", show_default=True, help="Shipped model name or a .pt checkpoint.")
@click.option("-g", "--table", default="auto", show_default=True, metavar="auto|N",
              help="NCBI translation table (11 most bacteria and archaea, 4 Mycoplasma and relatives, 25, ...), or "
                   "auto: 4 where the network reads through TGA inside genes, else 11 (decided on the first contigs, "
                   "up to 0.7 Mb of coding sequence; shown on stderr and as transl_table in the output).")
@click.option("-c", "--closed", is_flag=True, help="No genes running off contig edges (like Prodigal's -c).")
@click.option("--circular", is_flag=True, help="Contigs are circular replicons: genes may cross the origin.")
@click.option("--mask", is_flag=True, help="Treat runs of N as gaps: no gene spans them (like Prodigal's -m).")
@click.option("--adapt/--no-adapt", default=True, show_default=True,
              help="Learn this input's codon usage and start signals from a first pass (its first 20 Mb) and "
                   "decode again. Keep it for metagenomes too: on contigs of four genomes mixed, adaptation "
                   "found 1.7 points more genes and 5.6 points more exact starts than --no-adapt "
                   "(benchmarks/genes_draft.py --metagenome). Small inputs (under about 500 genes: plasmids, "
                   "phages, single contigs) blend in the statistics of the model's best-fitting tuning genome, "
                   "as Prodigal -p meta uses its pre-trained models; the GFF3's Model Data line names it.")
@click.option("--min-length", default=None, type=click.IntRange(min=30), help="Minimum gene length in nt, stop included.", show_default="90")
@click.option("--max-overlap", default=None, type=click.IntRange(min=0), help="Largest overlap allowed between genes.", show_default="60")
@click.option("--convergent-overlap", default=None, type=click.IntRange(min=0),
              help="Largest overlap allowed between two genes whose 3' ends face each other (plus strand, then "
                   "minus strand); at most --max-overlap: no exception.", show_default="120")
@click.option("--device", default="auto", show_default=True, type=click.Choice(["auto", "cpu", "cuda"]), help="Where the network runs.")
@click.option("-t", "--threads", default=0, type=int, show_default=True, help="CPU threads (0 = all usable cores).")
@click.option("--batch-size", default=None, type=click.IntRange(min=1), help="Windows (6 kb) per network batch.", show_default="4 through ONNX Runtime and 24 through torch on CPU, one batch per thread; 256 on CUDA")
@click.option("--engine", default="auto", show_default=True, type=click.Choice(GENE_ENGINES),
              help="What runs the network. auto: ONNX Runtime (float32) on CPU where the model ships an ONNX "
                   "export, which skips torch's second of start-up; torch on a GPU, for --precision bf16, and "
                   "for .pt checkpoints. Its scores equal torch's float32 ones to about 1e-5.")
@click.option("--precision", default="auto", show_default=True, type=click.Choice(GENE_PRECISIONS),
              help="Network arithmetic. ONNX Runtime: float32 (auto or fp32). torch: auto is bfloat16 "
                   "convolutions (the GRU stays float32) on CPUs that have bfloat16 natively (AVX512-BF16 or AMX), "
                   "else float32, and mixed precision on CUDA; bf16 chooses the torch engine (gene calls the same "
                   "to 0.1 point on the test genomes).")
@click.option("--orientations", default=None, type=click.IntRange(1, 2),
              help="2: the network also reads every window's reverse complement and the two readings are "
                   "averaged (twice the network's time; within noise of 1 on the tuning genomes, session 18); "
                   "1: one reading.", show_default="the model's setting")
@click.option("--stop-asterisk/--no-stop-asterisk", default=True, show_default=True,
              help="End proteins with '*' where the gene ends with its stop codon, as Prodigal does.")
@click.option("--prodigal-ids", is_flag=True,
              help="ID=<contig number>_<gene number> as Prodigal writes it, instead of <seqid>_<gene number>.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary on stderr.")
def predict_genes(fasta, outdir, gff, gene_format, proteins, genes_out, tracks, track_format, model, table, closed,
                  circular, mask,
                  adapt, min_length, max_overlap, convergent_overlap, device, threads, batch_size, engine, precision,
                  orientations, stop_asterisk, prodigal_ids, quiet) -> None:
    """Find protein-coding genes in prokaryotic DNA (FASTA, gzip, or '-' for stdin).

    Writes GFF3 with Prodigal's attributes and comment lines, proteins and genes
    as FASTA with Prodigal's headers, and per-base coding-probability tracks.
    Multi-FASTA (assemblies, metagenomes) and contigs of any length are fine:
    no per-genome training is needed. The same input gives the same output.
    """
    from genoseq.genes.api import GenePredictor
    from genoseq.genes.output import GENE_FORMATS, CodingTracks, OutputPaths, write_predictions
    from genoseq.io.atomic import check_writable, output_set
    from genoseq.io.fasta import read_dna, sequence_lengths
    from genoseq.nn.device import keep_freed_memory, usable_threads
    from genoseq.nn.checkpoint import sha256_file
    from genoseq.progress import BaseProgress

    out = Path(outdir)
    paths = OutputPaths(
        _output(gff, out / f"genes.{GENE_FORMATS[gene_format]}"), _output(proteins, out / "proteins.faa"),
        _output(genes_out, out / "genes.fna"), _output(tracks, out / "coding"), track_format, gene_format,
    )
    if sum(p == "-" for p in (paths.gff, paths.proteins, paths.genes)) > 1:
        raise GenoseqError("only one output can go to stdout ('-')")
    if paths.tracks_prefix == "-":
        raise GenoseqError("tracks are bgzipped files and cannot go to stdout")
    check_writable(paths.gff, paths.proteins, paths.genes, paths.tracks_prefix)
    keep_freed_memory()
    n_threads = usable_threads(threads)
    predictor = GenePredictor.load(model, device, table, batch_size, precision, engine, n_threads, orientations,
                                   closed=closed, adapt=adapt, min_length=min_length, max_overlap=max_overlap,
                                   convergent_overlap=convergent_overlap)
    metadata = {
        "genoseq version": __version__,
        "model": f"{predictor.entry.name} (sha256 {sha256_file(predictor.entry.file)})",
        "options": f"table={table} closed={closed} circular={circular} mask={mask} adapt={adapt} "
                   f"min_length={predictor.decoder.min_length} max_overlap={predictor.decoder.max_overlap} "
                   f"convergent_overlap={predictor.decoder.convergent_overlap} "
                   f"orientations={predictor.windows.orientations}",
        "command": "genoseq predict-genes " + shlex.join(sys.argv[2:]) if len(sys.argv) > 1 else "",
    }
    with BaseProgress("predict-genes", disable=quiet) as bar, output_set() as outputs:
        coding_tracks = (CodingTracks(outputs, paths.tracks_prefix, paths.track_format,
                                      sequence_lengths(fasta) if paths.track_format == "bigwig" else None)
                         if paths.tracks_prefix else None)
        predictions = predictor.predict_records(read_dna(fasta), circular=circular, mask=mask, progress=bar.update,
                                                tracks=coding_tracks)
        summary = write_predictions(predictions, paths, outputs, metadata, coding_tracks,
                                    model=" v".join(filter(None, (predictor.entry.name, predictor.entry.version))),
                                    stop_asterisk=stop_asterisk, prodigal_ids=prodigal_ids)
    if not quiet:
        call = predictor.table_call
        if call is not None and not call.decided:
            click.echo(f"genoseq: warning: {call.describe()}", err=True)
        table_note = f"translation table {predictor.table}" if call is None else call.describe()
        if summary.library:
            table_note += f"; small input: its statistics blended with those of {summary.library} (model library)"
        click.echo(f"genoseq: {_plural(summary.genes, 'gene')} on {_plural(summary.contigs, 'contig')} "
                   f"({summary.bases:,} bp); {table_note}; "
                   f"{predictor.engine} on {predictor.device}, {n_threads} threads", err=True)


def _ss_precision_option(command):
    """``--precision`` of the SS commands, and ``--no-int8``, the old spelling of fp32 (hidden),
    which sets the same parameter (a click feature switch: what is given beats the default)."""
    command = click.option("--no-int8", "precision", flag_value="fp32", hidden=True,
                           help="Same as --precision fp32 (kept for old scripts).")(command)
    return click.option(
        "--precision", default="auto", show_default=True, type=click.Choice(PRECISIONS),
        help="Network arithmetic. auto: bfloat16 on CPUs that have it natively (AVX512-BF16 or AMX), else int8 "
             "LSTM/linear layers (1.7x faster than fp32, same validation accuracy; outputs vary slightly with the "
             "proteins batched together); mixed precision on CUDA. fp32: full precision.")(command)


@main.command("ss", short_help="Predict protein secondary structure (3 and 8 states).")
@click.argument("fasta", type=str)
@click.option("-o", "--outdir", default="genoseq_ss", show_default=True,
              help="Folder for the outputs; '-' writes a single csv/fas/fas8 stream to stdout.")
@click.option("-f", "--format", "formats", default="ss2,horiz,csv,fas", show_default=True,
              help="Comma-separated: ss2, horiz (PSIPRED, one file per protein named from its id), "
                   "csv (NetSurfP columns, OUTDIR/ss.csv), fas / fas8 (S4PRED layout, OUTDIR/ss3.fas, ss8.fas).")
@click.option("-m", "--model", default="ss-default", show_default=True, help="Shipped model name or a .pt checkpoint.")
@click.option("--device", default="auto", show_default=True, type=click.Choice(["auto", "cpu", "cuda"]), help="Where the network runs.")
@click.option("-t", "--threads", default=0, type=int, show_default=True, help="CPU threads (0 = all usable cores).")
@click.option("--batch-tokens", default=None, type=click.IntRange(min=1),
              help="Residues per network batch, padding included.", show_default="8192 on CPU (16384 in int8), 262144 on CUDA")
@click.option("--consistent-q8", is_flag=True,
              help="Call the most probable 8-state class inside the chosen 3-state class, so q8 always reduces to "
                   "q3 (default: each call is its own most probable state, as NetSurfP does; ~0.6 points more Q8).")
@_ss_precision_option
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary on stderr.")
def predict_ss(fasta, outdir, formats, model, device, threads, batch_tokens, consistent_q8, precision, quiet) -> None:
    """Predict 3- and 8-state secondary structure (DSSP alphabet) of proteins (FASTA, gzip, or '-').

    Single-sequence input: no alignments or databases. Any length works
    (no truncation). Lower case is accepted; one trailing '*' is removed and a
    '*' inside a sequence is an error; U is read as C, O as K, and B, Z, J, X
    as unknown residues. Output ids keep the FASTA ids; per-protein file names
    replace characters other than letters, digits, '.', '_' and '-' by '_'.
    """
    with _library_imports():
        from genoseq.io.atomic import check_writable, output_set
        from genoseq.io.fasta import read_fasta
        from genoseq.nn.device import set_threads
        from genoseq.progress import CountProgress
        from genoseq.ss.api import SSPredictor
        from genoseq.ss.output import parse_formats, write_ss_outputs

    chosen = parse_formats(formats)
    check_writable(folders=(outdir,))
    n_threads = set_threads(threads)
    predictor = SSPredictor.load(model, device, batch_tokens, precision, consistent_q8)
    program = f"genoseq {__version__} {predictor.entry.name}"
    source = "<stdin>" if fasta == "-" else fasta
    with CountProgress("ss", "protein", disable=quiet) as bar, output_set() as outputs:
        predictions = predictor.predict_records(read_fasta(fasta), source=source, progress=bar.update)
        summary = write_ss_outputs(predictions, outdir, chosen, outputs, program, predictor.disorder)
    if not quiet:
        click.echo(f"genoseq: {summary.proteins} proteins ({summary.residues:,} residues); "
                   f"device {predictor.device}, {n_threads} threads", err=True)


@main.group("ep", short_help="Score enhancer-promoter links with a leaky integrator.")
def ep_group() -> None:
    """Enhancer-promoter scoring with a learnable leaky integrator."""


@ep_group.command("score", short_help="Score element-gene pairs of a CRISPR-style table.")
@click.argument("pairs", type=str)
@click.option("--landscape", default=None,
              help="Genome-wide candidate elements with activity (chr, start, end, DNase_signal, H3K27ac_signal), "
                   "e.g. k562_landscape/K562_DHS_elements_ENCODE_uniform.hg38.tsv.gz; without it, element by element.")
@click.option("-o", "--output", default="-", show_default=True, help="Scored table (TSV; .gz compresses); '-' for stdout.")
@click.option("-m", "--model", default=None,
              help="Parameters: shipped name or .pt.",
              show_default="the richest shipped model the columns allow: with --landscape ep-default (six marks), "
                           "ep-dhs-h3k27ac, ep-dhs; without, ep-element, ep-element-dhs-h3k27ac, ep-element-dhs")
@click.option("--score-column", default="genoseq.Score", show_default=True,
              help="Name of the score column, e.g. ABC.Score for benchmark configs written for ABC.")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
def ep_score(pairs, landscape, output, model, score_column, quiet) -> None:
    """Score element-gene PAIRS (TSV with chrom, chromStart, chromEnd, measuredGeneSymbol,
    startTSS and activity columns such as DHS.RPM, H3K27ac.RPM).

    Every input row and column is kept in order; genoseq.Score (probability that the
    element regulates the gene), genoseq.Contribution, genoseq.State and genoseq.Share
    (the integrator's state at the promoter) are appended. Rows that cannot be scored
    (missing activity or TSS, element over its own TSS, chromosome not in the
    landscape) keep empty values and are counted on stderr.
    """
    with _library_imports():
        from genoseq.ep.api import score_file
        from genoseq.io.atomic import check_writable, output_set
        from genoseq.io.tables import write_tsv

    check_writable(output)
    scored = score_file(pairs, model, landscape, score_column)
    table = scored.table
    with output_set() as outputs:
        write_tsv(table, output, outputs)
    if not quiet:
        click.echo(f"genoseq: scored {len(table) - scored.n_unscored} of {len(table)} pairs with {scored.model}",
                   err=True)
        for reason, count in scored.unscored.items():
            click.echo(f"genoseq: warning: {count} rows not scored: {reason}", err=True)


@ep_group.command("predict", short_help="ABC-style element-gene predictions over a genome-wide landscape.")
@click.option("--landscape", required=True, help="Candidate elements with activity (as for ep score).")
@click.option("--genes", "genes_path", required=True,
              help="Genes: a table with chr, name, TSS_hg38 (e.g. K562_gene_promoter_activity_ENCODE_uniform.hg38.tsv.gz) "
                   "or a BED whose interval midpoint is the TSS.")
@click.option("-o", "--output", default="-", show_default=True, help="Prediction table (TSV, .gz compresses); '-' for stdout.")
@click.option("-m", "--model", default="ep-default", show_default=True, help="Parameters with a landscape kick.")
@click.option("--max-distance", default=5_000_000, show_default=True, type=click.IntRange(min=1), help="Largest element-TSS distance.")
@click.option("--min-share", default=0.005, show_default=True, type=click.FloatRange(0.0, 1.0),
              help="Report elements whose share of the promoter's state is at least this.")
@click.option("--chrom", default=None, help="Only genes on these comma-separated chromosomes.")
@click.option("--cell-type", default="K562", show_default=True, help="Value of the CellType column.")
@click.option("--gene-bodies", default=None, metavar="BED",
              help="Gene bodies (e.g. ABC's CollapsedGeneBounds.hg38.bed) so that elements in genes get class genic; "
                   "without it, class is promoter or intergenic.")
@click.option("--expressed", default=None, metavar="TSV",
              help="Expressed genes (cell_type, gene, expressed) for the TargetGeneIsExpressed column.")
@click.option("--score-column", default="genoseq.Score", show_default=True,
              help="Name of the score column, e.g. ABC.Score for tools that read ABC's tables.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary on stderr.")
def ep_predict(landscape, genes_path, output, model, max_distance, min_share, chrom, cell_type, gene_bodies,
               expressed, score_column, quiet) -> None:
    """ABC-style predictions over a landscape: for every gene, the candidate elements
    around its TSS with their share of the promoter's integrator state, in the columns
    of ABC's EnhancerPredictionsAllPutative that genoseq can fill (chr, start, end,
    name, class, activity_base, TargetGene, TargetGeneTSS, [TargetGeneIsExpressed],
    distance, isSelfPromoter, genoseq.Score, ..., CellType)."""
    with _library_imports():
        from genoseq.ep.api import (load_integrator, predict_landscape, read_expressed_genes, read_gene_bodies,
                                    read_gene_tss)
        from genoseq.ep.features import read_landscape
        from genoseq.io.atomic import check_writable, output_set
        from genoseq.progress import CountProgress

    check_writable(output)
    integrator, _ = load_integrator(model)
    if not integrator.uses_landscape:
        raise GenoseqError(f"model {model!r} has no landscape kick; use ep-default or a model trained with a landscape")
    genes = all_genes = read_gene_tss(genes_path)
    bodies = read_gene_bodies(gene_bodies) if gene_bodies else None
    expressed_genes = read_expressed_genes(expressed, cell_type) if expressed else None
    if chrom:
        genes = genes[genes.chrom.isin(chrom.split(","))]
        if genes.empty:
            raise GenoseqError(f"no genes on {chrom}")
    land = read_landscape(landscape, integrator.config.landscape_marks)
    with CountProgress("ep predict", "gene", disable=quiet) as bar, output_set() as outputs:
        rows = predict_landscape(integrator, land, genes, outputs, output, max_distance, min_share, cell_type,
                                 progress=bar.update, all_genes=all_genes, bodies=bodies, expressed=expressed_genes,
                                 score_column=score_column)
    if not quiet:
        click.echo(f"genoseq: {rows} element-gene predictions for {len(genes)} genes", err=True)


@ep_group.command("scan", short_help="Run the integrator base by base along sequences; call promoters.")
@click.argument("fasta", type=str)
@click.option("--promoters", required=True, help="BED of promoters (chrom = FASTA id; name and strand columns used when present).")
@click.option("--enhancers", default=None, help="BED of enhancer intervals; column 5 is the strength when numeric.")
@click.option("--track", default=None, help="bedGraph of per-base activity (strength = value x interval length).")
@click.option("--motifs", default=None, help="JASPAR matrices (e.g. JASPAR2024_CORE_vertebrates_nonredundant.jaspar.gz).")
@click.option("--motif-ids", default=None, help="Comma-separated matrix ids or TF names to use.", show_default="all")
@click.option("--motif-threshold", default=0.8, show_default=True, type=click.FloatRange(0.0, 1.0),
              help="A match scores at least this fraction of the motif's best log-odds score.")
@click.option("-m", "--model", default="ep-default", show_default=True, help="Model whose learned decay mixture is used.")
@click.option("--tau", default=None, type=click.FloatRange(min=1.0), help="Use one decay length (bp) instead of the model's mixture.")
@click.option("--low", default=0.5, show_default=True, type=click.FloatRange(min=0.0, min_open=True),
              help="Lower edge of the read-out window: a promoter needs at least this state (in kick units).")
@click.option("--high", default=float("inf"), show_default=True, type=click.FloatRange(min=0.0, min_open=True),
              help="Upper edge of the window (too much input switches the promoter off).")
@click.option("-o", "--output", default="genoseq_scan", show_default=True,
              help="Prefix: PREFIX.state.bedgraph.gz (+ .tbi) and PREFIX.promoters.tsv.")
def ep_scan(fasta, promoters, enhancers, track, motifs, motif_ids, motif_threshold, model, tau, low, high, output) -> None:
    """Run the leaky integrator base by base along sequences in FASTA and call promoters.

    Kicks come from --enhancers, --track and/or --motifs (at least one); the state
    decays with the model's learned mixture of decay lengths (or --tau) in both
    directions. Writes the per-base state as a bgzipped, tabix-indexed bedGraph and
    one row per promoter (state, p_active, active).
    """
    with _library_imports():
        from genoseq.ep.api import scan_sequences
        from genoseq.io.atomic import check_writable, output_set

    if low > high:
        raise GenoseqError("--low must not exceed --high")
    check_writable(f"{output}.state.bedgraph.gz")
    with output_set() as outputs:
        calls = scan_sequences(fasta, promoters, outputs, output, enhancers=enhancers, track=track, motifs=motifs,
                               motif_ids=motif_ids, motif_threshold=motif_threshold, model=model, tau=tau,
                               low=low, high=high)
    click.echo(f"genoseq: {int(calls['active'].sum())} of {len(calls)} promoters active", err=True)


def _training_options(command):
    """Options every ``genoseq train`` command of a network shares (seed, device, threads, budget, resume)."""
    options = [
        click.option("--seed", default=1, show_default=True, help="Random seed (batches, initial weights): same seed, same run."),
        click.option("--device", default="auto", show_default=True, type=click.Choice(["auto", "cpu", "cuda"]),
                     help="Where training runs (auto: CUDA when available)."),
        click.option("--no-amp", is_flag=True, help="Disable mixed precision on CUDA."),
        click.option("-t", "--threads", default=0, type=int, show_default=True,
                     help="CPU threads (0 = all usable cores; under torchrun, shared)."),
        click.option("--max-minutes", default=None, type=float, help="Stop after this wall time (checkpointed; rerun to resume)."),
        click.option("--no-resume", is_flag=True, help="Start afresh even if OUTDIR/last.pt exists."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@main.group()
def train() -> None:
    """Train a model (genes, ss, ep) from annotated data."""


@train.command("genes", short_help="Train the gene network on FASTA + GFF3 pairs.")
@click.option("--data-root", default=None, help=DATA_ROOT_HELP, show_default=DATA_ROOT_DEFAULT)
@click.option("--train-genomes", default=None, help="Comma-separated genome names from the data root.", show_default="all but validation")
@click.option("--valid-genomes", default=None, help="Comma-separated held-out genome names.", show_default="the default validation set")
@click.option("--pair", "pairs", multiple=True, nargs=3, metavar="FASTA GFF3 TABLE",
              help="An extra training genome (repeatable).")
@click.option("--valid-pair", "valid_pairs", multiple=True, nargs=3, metavar="FASTA GFF3 TABLE",
              help="An extra validation genome (repeatable).")
@click.option("-o", "--outdir", required=True, help="Run folder: metrics.csv, last.pt, best.pt.")
@click.option("--epochs", default=24, show_default=True, help="Epochs (validation and a checkpoint after each).")
@click.option("--steps-per-epoch", default=250, show_default=True, help="Optimizer steps per epoch.")
@click.option("--batch-size", default=32, show_default=True, help="Training windows (of --window bases) per step.")
@click.option("--window", type=int, default=None, show_default="3000, or 2997 for a 3-codon network",
              help="Training window length: a multiple of the network's bases per GRU step "
                   "(3 x --codons-per-step, or --init's network's).")
@click.option("--lr", default=2e-3, show_default=True, help="Peak learning rate (AdamW; warm-up, then cosine decay).")
@click.option("--no-phase-channel", is_flag=True, help="Ablation: drop the position-mod-3 input channel.")
@click.option("--branch-channels", default=16, show_default=True, help="Channels per per-base convolution branch.")
@click.option("--codon-channels", default=96, show_default=True, help="Channels of the codon-step convolutions.")
@click.option("--gru-hidden", default=64, show_default=True, help="BiGRU hidden size per direction.")
@click.option("--head-channels", default=32, show_default=True, help="Per-base head channels.")
@click.option("--codons-per-step", default=1, show_default=True, type=click.IntRange(1, 3),
              help="Codons one GRU step reads: 2 or 3 cut the sequential work, CPU inference's main cost; "
                   "--window must then be a multiple of 6 or 9 (its default is).")
@click.option("--init", default=None, help="Start from this trained network (shipped name or .pt); its size wins.")
@click.option("--teacher", default=None,
              help="Distil this network (shipped name or .pt): its scores on the training genomes become soft targets.")
@click.option("--distill-weight", default=0.8, show_default=True, type=click.FloatRange(0, 1),
              help="With --teacher: the loss share of the teacher's scores (the rest is the annotation).")
@click.option("--distill-start", default="probability", show_default=True, type=click.Choice(DISTILL_STARTS),
              help="With --teacher: match its start probabilities (binary cross-entropy) or its start-site "
                   "logits, which the decoder adds to gene scores as they are (Huber loss).")
@click.option("--no-starts-from", default=None, metavar="GENOMES",
              help="Comma-separated training genomes whose start codons are not learned (their genes are): "
                   "annotations whose starts are another gene finder's calls. 'prodigal' names every genome the "
                   "data root's MANIFEST says Prodigal annotated.")
@click.option("--start-choice-weight", default=0.0, show_default=True, type=click.FloatRange(min=0),
              help="Weight of a second start loss: a softmax over the start codons of each annotated gene's ORF "
                   "(the choice the decoder makes), beside per-codon cross-entropy.")
@click.option("--short-gene-weight", default=1.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Coding-loss weight of the bases of short training genes (400 bp or less), which gene "
                   "finders miss most.")
@click.option("--atypical-gene-weight", default=1.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Coding-loss weight of the bases of AT-rich atypical training genes (G+C more than one "
                   "standard deviation below the genome's genes), e.g. horizontally transferred ones.")
@_training_options
def train_genes(data_root, train_genomes, valid_genomes, pairs, valid_pairs, outdir, epochs, steps_per_epoch, batch_size,
                window, lr, no_phase_channel, branch_channels, codon_channels, gru_hidden, head_channels,
                codons_per_step, init, teacher, distill_weight, distill_start, no_starts_from, start_choice_weight,
                short_gene_weight, atypical_gene_weight, seed,
                device, no_amp, threads, max_minutes, no_resume) -> None:
    """Train the gene model on FASTA + GFF3 pairs, holding out whole genomes for validation."""
    from genoseq.datapaths import data_root_or_none
    from genoseq.genes.dataset import GeneEmphasis
    from genoseq.genes.model import GeneNetConfig
    from genoseq.genes.training import train as train_gene_model
    from genoseq.nn.train import TrainSettings

    settings = TrainSettings(out_dir=outdir, epochs=epochs, steps_per_epoch=steps_per_epoch, lr=lr, seed=seed,
                             device=device, amp=not no_amp, threads=threads or None, max_minutes=max_minutes,
                             resume=not no_resume)
    root = data_root_or_none(data_root) if (data_root or not pairs) else None
    train_gene_model(
        settings, data_root=root, train_genomes=_comma_list(train_genomes), valid_genomes=_comma_list(valid_genomes),
        pairs=[(f, g, int(t)) for f, g, t in pairs], valid_pairs=[(f, g, int(t)) for f, g, t in valid_pairs],
        config=GeneNetConfig(phase_channel=not no_phase_channel, branch_channels=branch_channels,
                             codon_channels=codon_channels, gru_hidden=gru_hidden, head_channels=head_channels,
                             codons_per_step=codons_per_step),
        batch_size=batch_size, window=window, init=init, teacher=teacher, distill_weight=distill_weight,
        distill_start=distill_start, no_starts_from=_comma_list(no_starts_from), choice_weight=start_choice_weight,
        emphasis=GeneEmphasis(short_factor=short_gene_weight, atypical_factor=atypical_gene_weight), log=_log,
    )


@train.command("ss", short_help="Train the secondary-structure BiLSTM.")
@click.option("--data-root", default=None, help=DATA_ROOT_HELP, show_default=DATA_ROOT_DEFAULT)
@click.option("--train-table", default=None, help="Labelled TSV (id, sequence, ss8[, resolved]).", show_default="DATA_ROOT/ss/train.tsv.gz")
@click.option("--valid-table", default=None, help="Held-out labelled TSV for best.pt and early stopping.", show_default="DATA_ROOT/ss/valid.tsv.gz")
@click.option("-o", "--outdir", required=True, help="Run folder: metrics.csv, last.pt, best.pt.")
@click.option("--epochs", default=14, show_default=True, help="Epochs (validation and a checkpoint after each).")
@click.option("--steps-per-epoch", default=400, show_default=True, help="Optimizer steps per epoch.")
@click.option("--batch-size", default=32, show_default=True, help="Chains per step (cropped to a common length).")
@click.option("--max-length", default=512, show_default=True, help="Longest training crop.")
@click.option("--lr", default=2e-3, show_default=True, help="Peak learning rate (AdamW; warm-up, then cosine decay).")
@click.option("--lstm-hidden", default=128, show_default=True, help="LSTM units per direction.")
@click.option("--conv-channels", default=64, show_default=True, help="Channels per convolution branch.")
@click.option("--dropout", default=0.25, show_default=True, help="Dropout after the convolutions, LSTM and hidden layer.")
@click.option("--patience", default=None, type=int, help="Stop when validation Q3 has not improved for this many epochs.")
@click.option("--unlabelled", multiple=True, metavar="FASTA",
              help="Unlabelled proteins (repeatable; e.g. predict-genes proteomes) that --teacher labels with soft "
                   "3-/8-state probabilities for semi-supervised training.")
@click.option("--teacher", default=None, help="SS model (name or .pt) that labels the --unlabelled proteins.")
@click.option("--unlabelled-fraction", default=0.5, show_default=True, type=click.FloatRange(0, 1),
              help="Share of training batches drawn from the soft-labelled proteins.")
@click.option("--exclude-table", multiple=True, metavar="TSV",
              help="Held-out chains: unlabelled proteins sharing a 25-residue stretch with one are dropped "
                   "(the validation table always is).")
@click.option("--soft-labels", default=None, help="Cache of the teacher's labels.", show_default="OUTDIR/soft_labels.npz")
@click.option("--init", default=None, help="Start from this trained network (shipped name or .pt); its size wins.")
@click.option("--disorder", is_flag=True,
              help="Add a disorder head (residues without coordinates, resolved = 0), trained with the others.")
@click.option("--freeze-trunk", is_flag=True,
              help="With --init and --disorder: train the disorder head alone; 3-/8-state outputs stay as they were.")
@_training_options
def train_ss(data_root, train_table, valid_table, outdir, epochs, steps_per_epoch, batch_size, max_length, lr,
             lstm_hidden, conv_channels, dropout, seed, patience, unlabelled, teacher, unlabelled_fraction,
             exclude_table, soft_labels, init, disorder, freeze_trunk, device, no_amp, threads, max_minutes,
             no_resume) -> None:
    """Train the secondary-structure BiLSTM (3- and 8-state heads together), optionally
    semi-supervised on a teacher's labels for unlabelled proteins."""
    from genoseq.datapaths import data_root_or_none
    from genoseq.nn.train import TrainSettings
    from genoseq.ss.model import SSNetConfig
    from genoseq.ss.training import default_tables, train as train_ss_model

    if train_table is None or valid_table is None:
        default_train, default_valid = default_tables(data_root_or_none(data_root))
        train_table = train_table or default_train
        valid_table = valid_table or default_valid
    settings = TrainSettings(out_dir=outdir, epochs=epochs, steps_per_epoch=steps_per_epoch, lr=lr, seed=seed,
                             device=device, amp=not no_amp, threads=threads or None, patience=patience,
                             max_minutes=max_minutes, resume=not no_resume)
    config = SSNetConfig(lstm_hidden=lstm_hidden, conv_channels=conv_channels, dropout=dropout)
    train_ss_model(settings, train_table, None if valid_table == "none" else valid_table, config,
                   batch_size=batch_size, max_length=max_length, unlabelled=list(unlabelled), teacher=teacher,
                   unlabelled_fraction=unlabelled_fraction, exclude_tables=list(exclude_table),
                   soft_labels=soft_labels, init=init, disorder=disorder, freeze_trunk=freeze_trunk, log=_log)


@train.command("ep", short_help="Fit the enhancer-promoter integrator on CRISPR pairs.")
@click.option("--data-root", default=None, help=DATA_ROOT_HELP, show_default=DATA_ROOT_DEFAULT)
@click.option("--pairs", default=None, help="Labelled pair table.", show_default="DATA_ROOT/enhancers/crispr_combined_K562_training.GRCh38.tsv.gz")
@click.option("--landscape", default=None,
              show_default="DATA_ROOT/enhancers/k562_landscape/K562_DHS_elements_ENCODE_uniform.hg38.tsv.gz",
              help="Candidate-element landscape; "
                   "'none' fits the element-wise model.")
@click.option("--marks", default=None, help="Comma-separated activity columns of the pair table.", show_default="DHS.RPM,H3K27ac.RPM,...")
@click.option("--landscape-marks", default=None,
              help="Comma-separated landscape activity columns.", show_default="those of the assays in --marks: DNase_signal, H3K27ac_signal")
@click.option("-o", "--output", required=True, help="Fitted parameters (.pt); OUTPUT.cv.tsv and OUTPUT.cv.json hold the cross-validation.")
@click.option("--cv/--no-cv", default=True, show_default=True, help="Leave-one-chromosome-out cross-validation first.")
@click.option("--max-iter", default=80, show_default=True, help="L-BFGS iterations per fit.")
@click.option("--upper-edge/--no-upper-edge", default=True, show_default=True,
              help="Fit the read-out window's upper edge (too much input switches a promoter off), or a one-sided read-out.")
@click.option("--seed", default=1, show_default=True, help="Random seed of the initial parameters.")
@click.option("-t", "--threads", default=0, type=int, show_default=True, help="CPU threads (0 = all usable cores).")
def train_ep(data_root, pairs, landscape, marks, landscape_marks, output, cv, max_iter, upper_edge, seed,
             threads) -> None:
    """Fit the leaky-integrator EP model on CRISPR-labelled pairs (column Regulated)."""
    from genoseq.datapaths import data_root_or_none
    from genoseq.ep.training import train_and_validate
    from genoseq.nn.device import set_threads

    set_threads(threads)
    if pairs is None or landscape is None:
        root = data_root_or_none(data_root) / "enhancers"
        pairs = pairs or str(root / "crispr_combined_K562_training.GRCh38.tsv.gz")
        landscape = landscape or str(root / "k562_landscape" / "K562_DHS_elements_ENCODE_uniform.hg38.tsv.gz")
    mark_list = tuple(_comma_list(marks) or ()) or None
    land_list = tuple(_comma_list(landscape_marks) or ()) or None
    train_and_validate(pairs, None if landscape == "none" else landscape, output, mark_list, cv, max_iter, seed,
                       upper_edge, land_list, log=_log)


@main.group()
def evaluate() -> None:
    """Score predictions against references."""


@evaluate.command("genes", short_help="Sensitivity, exact starts and precision of gene calls.")
@click.option("--pred", required=True, help="Predicted GFF3 (genoseq, Prodigal, ...).")
@click.option("--ref", required=True, help="Reference GFF3 annotation.")
@click.option("--format", "fmt", default="table", type=click.Choice(["table", "tsv", "json"]), show_default=True,
              help="Aligned text for reading, one TSV row, or JSON for scripts.")
def evaluate_genes(pred, ref, fmt) -> None:
    """Sensitivity, exact starts, precision and per-base coding F1 of gene calls."""
    from genoseq.genes.evaluate import evaluate_files

    _print_metrics(evaluate_files(pred, ref).as_dict(), fmt)


def _print_metrics(result: dict, fmt: str) -> None:
    import json

    if fmt == "json":
        click.echo(json.dumps(result, indent=2))
    elif fmt == "tsv":
        click.echo("\t".join(result))
        click.echo("\t".join(f"{v:.4f}" if isinstance(v, float) else str(v) for v in result.values()))
    else:
        width = max(map(len, result), default=0)
        for key, value in result.items():
            click.echo(f"{key:{width}s}  {value:.4f}" if isinstance(value, float) else f"{key:{width}s}  {value}")


@evaluate.command("ss", short_help="Q3, Q8 and SOV of secondary-structure predictions.")
@click.option("--ref", required=True, help="Labelled TSV (id, sequence, ss8[, resolved, cb513_mask]), e.g. test_cb513.tsv.gz.")
@click.option("--pred", default=None, help="genoseq ss CSV to score; without it the model predicts the reference's sequences.")
@click.option("-m", "--model", default="ss-default", show_default=True, help="Model to run when --pred is not given.")
@click.option("--device", default="auto", show_default=True, type=click.Choice(["auto", "cpu", "cuda"]),
              help="Where the network runs.")
@click.option("-t", "--threads", default=0, type=int, show_default=True, help="CPU threads (0 = all usable cores).")
@click.option("--consistent-q8", is_flag=True, help="Decode q8 inside the chosen q3 class (as in genoseq ss).")
@_ss_precision_option
@click.option("--format", "fmt", default="table", type=click.Choice(["table", "tsv", "json"]), show_default=True,
              help="Aligned text for reading, one TSV row, or JSON for scripts.")
def evaluate_ss(ref, pred, model, device, threads, consistent_q8, precision, fmt) -> None:
    """Q3, Q8, SOV (3-state) and per-class precision/recall on resolved residues
    (and inside cb513_mask when the table has it: the standard CB513 protocol)."""
    with _library_imports():
        from genoseq.nn.device import set_threads
        from genoseq.ss.evaluate import evaluate_table

    set_threads(threads)
    result = evaluate_table(ref, pred_csv=pred, model=model, device=device, precision=precision,
                            consistent=consistent_q8).as_dict()
    _print_metrics(result, fmt)


@evaluate.command("ep", short_help="AUPRC and precision at 70 % recall of scored pairs.")
@click.option("--scored", required=True, help="Scored pair table (genoseq ep score output, or any TSV with a score and Regulated).")
@click.option("--score-column", default="genoseq.Score", show_default=True, help="Column to rank by (higher = more likely regulated).")
@click.option("--by", default=None, help="Also report per value of this column (e.g. Dataset, CellType).")
@click.option("--format", "fmt", default="table", type=click.Choice(["table", "tsv", "json"]), show_default=True,
              help="Aligned text for reading, one TSV row, or JSON for scripts.")
def evaluate_ep(scored, score_column, by, fmt) -> None:
    """AUPRC and precision at 70 % recall of a scored pair table (benchmark rows:
    ValidConnection == TRUE when present; rows without a score are left out)."""
    from genoseq.ep.evaluate import evaluate_scored_table

    _print_metrics(evaluate_scored_table(scored, score_column, by), fmt)


@main.command("export-onnx", short_help="Export a gene checkpoint for the fast CPU engine (ONNX Runtime).")
@click.argument("checkpoint", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", default=None, metavar="PATH", help="The .onnx file.",
              show_default="CHECKPOINT with .onnx")
def export_onnx_command(checkpoint, output) -> None:
    """Export a gene network checkpoint (``genoseq train genes``' best.pt) to ONNX, with its
    settings, so that ``predict-genes -m FILE.onnx`` runs it through ONNX Runtime on CPU: no
    torch import and faster kernels, the same scores as the checkpoint in float32. Needs the
    onnx package (pip install onnx)."""
    from genoseq.genes.model import export_gene_onnx

    path = export_gene_onnx(str(checkpoint), output)
    click.echo(f"genoseq: wrote {path}", err=True)


@main.command("models")
def list_models() -> None:
    """List the shipped models with their version and card."""
    from genoseq.nn.registry import models_dir, read_registry

    for name, info in read_registry().items():
        click.echo(f"{name}\t{info.get('family')}\tv{info.get('version', '?')}\t{models_dir() / info.get('card', '')}")


if __name__ == "__main__":
    main()
