"""The ``genoseq`` command line: a thin layer over the library API."""
from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from genoseq import __version__
from genoseq.errors import GenoseqError

DATA_ROOT_HELP = "Folder holding genomes/, ss/ and enhancers/ [env GENOSEQ_DATA, default ../shared/data]."


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"genoseq: error: {message}", err=True)
    sys.exit(code)


class GenoseqGroup(click.Group):
    """Turns expected errors into one-line messages (no tracebacks)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except GenoseqError as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except BrokenPipeError:
            sys.exit(0)
        except MemoryError:
            _fail("out of memory; try a smaller --batch-size")


@click.group(cls=GenoseqGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="genoseq")
def main() -> None:
    """genoseq: annotate biological sequences with recurrent neural networks."""


def _output(value: str | None, default: Path) -> str | None:
    if value is None:
        return str(default)
    return None if value.lower() == "none" else value


@main.command("predict-genes")
@click.argument("fasta", type=str)
@click.option("-o", "--outdir", default="genoseq_genes", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the outputs (created if needed).")
@click.option("--gff", default=None, metavar="PATH", help="GFF3 of the gene calls [OUTDIR/genes.gff3]; '-' for stdout, 'none' to skip.")
@click.option("--proteins", default=None, metavar="PATH", help="Protein translations [OUTDIR/proteins.faa]; '-' or 'none'.")
@click.option("--genes", "genes_out", default=None, metavar="PATH", help="Gene nucleotide sequences [OUTDIR/genes.fna]; '-' or 'none'.")
@click.option("--tracks", default=None, metavar="PREFIX",
              help="Per-base coding-probability tracks PREFIX.plus/.minus.bw [OUTDIR/coding]; 'none' to skip.")
@click.option("--track-format", default="bigwig", show_default=True, type=click.Choice(["bigwig", "bedgraph"]),
              help="bigWig, or bgzipped bedGraph with a tabix index (.bedgraph.gz + .tbi); IGV and JBrowse load both.")
@click.option("-m", "--model", default="genes-default", show_default=True, help="Shipped model name or a .pt checkpoint.")
@click.option("-g", "--table", default=11, show_default=True, type=int, help="NCBI translation table (11 bacteria/archaea, 4 Mycoplasma, 25, ...).")
@click.option("-c", "--closed", is_flag=True, help="No genes running off contig edges (like Prodigal's -c).")
@click.option("--circular", is_flag=True, help="Contigs are circular replicons: genes may cross the origin.")
@click.option("--mask", is_flag=True, help="Treat runs of N as gaps: no gene spans them (like Prodigal's -m).")
@click.option("--adapt/--no-adapt", default=True, show_default=True,
              help="Learn this input's codon usage and start signals from a first pass and decode again; "
                   "use --no-adapt for metagenomes that mix many organisms.")
@click.option("--min-length", default=None, type=click.IntRange(min=30), help="Minimum gene length in nt, stop included [90].")
@click.option("--max-overlap", default=None, type=click.IntRange(min=0), help="Largest overlap allowed between genes [60].")
@click.option("--device", default="auto", show_default=True, type=click.Choice(["auto", "cpu", "cuda"]), help="Where the network runs.")
@click.option("-t", "--threads", default=0, type=int, help="CPU threads (0 = all usable cores).")
@click.option("--batch-size", default=None, type=click.IntRange(min=1), help="Windows per network batch [16 on CPU, 256 on CUDA].")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary on stderr.")
def predict_genes(fasta, outdir, gff, proteins, genes_out, tracks, track_format, model, table, closed, circular, mask,
                  adapt, min_length, max_overlap, device, threads, batch_size, quiet) -> None:
    """Find protein-coding genes in prokaryotic DNA (FASTA, gzip, or '-' for stdin).

    Writes GFF3 (Prodigal-style attributes: partial, start_type, conf, score),
    proteins and genes as FASTA, and per-base coding-probability tracks.
    Multi-FASTA (assemblies, metagenomes) and contigs of any length are fine:
    no per-genome training is needed. The same input gives the same output.
    """
    from genoseq.genes.api import GenePredictor
    from genoseq.genes.output import OutputPaths, write_predictions
    from genoseq.io.atomic import output_set
    from genoseq.io.fasta import read_dna
    from genoseq.nn.device import set_threads
    from genoseq.nn.checkpoint import sha256_file
    from genoseq.progress import BaseProgress

    out = Path(outdir)
    paths = OutputPaths(
        _output(gff, out / "genes.gff3"), _output(proteins, out / "proteins.faa"),
        _output(genes_out, out / "genes.fna"), _output(tracks, out / "coding"), track_format,
    )
    if sum(p == "-" for p in (paths.gff, paths.proteins, paths.genes)) > 1:
        raise GenoseqError("only one output can go to stdout ('-')")
    if paths.tracks_prefix == "-":
        raise GenoseqError("tracks are bgzipped files and cannot go to stdout")
    n_threads = set_threads(threads)
    predictor = GenePredictor.load(model, device, table, batch_size, closed=closed, adapt=adapt,
                                   min_length=min_length, max_overlap=max_overlap)
    metadata = {
        "genoseq version": __version__,
        "model": f"{predictor.entry.name} (sha256 {sha256_file(predictor.entry.file)})",
        "options": f"table={table} closed={closed} circular={circular} mask={mask} adapt={adapt} "
                   f"min_length={predictor.decoder.min_length} max_overlap={predictor.decoder.max_overlap}",
        "command": "genoseq predict-genes " + shlex.join(sys.argv[2:]) if len(sys.argv) > 1 else "",
    }
    with BaseProgress("predict-genes", disable=quiet) as bar, output_set() as outputs:
        predictions = predictor.predict_records(read_dna(fasta), circular=circular, mask=mask, progress=bar.update)
        summary = write_predictions(predictions, paths, outputs, metadata)
    if not quiet:
        click.echo(f"genoseq: {summary.genes} genes on {summary.contigs} contigs ({summary.bases:,} bp); "
                   f"device {predictor.device}, {n_threads} threads", err=True)


@main.group()
def train() -> None:
    """Train a model (genes, ...) from annotated data."""


@train.command("genes")
@click.option("--data-root", default=None, help=DATA_ROOT_HELP)
@click.option("--train-genomes", default=None, help="Comma-separated genome names from the data root [all but validation].")
@click.option("--valid-genomes", default=None, help="Comma-separated held-out genome names [the default validation set].")
@click.option("--pair", "pairs", multiple=True, nargs=3, metavar="FASTA GFF3 TABLE",
              help="An extra training genome (repeatable).")
@click.option("--valid-pair", "valid_pairs", multiple=True, nargs=3, metavar="FASTA GFF3 TABLE",
              help="An extra validation genome (repeatable).")
@click.option("-o", "--outdir", required=True, help="Run folder: metrics.csv, last.pt, best.pt.")
@click.option("--epochs", default=24, show_default=True)
@click.option("--steps-per-epoch", default=250, show_default=True)
@click.option("--batch-size", default=32, show_default=True)
@click.option("--window", default=3000, show_default=True, help="Training window length (multiple of 3).")
@click.option("--lr", default=2e-3, show_default=True)
@click.option("--no-phase-channel", is_flag=True, help="Ablation: drop the position-mod-3 input channel.")
@click.option("--seed", default=1, show_default=True)
@click.option("--device", default="auto", show_default=True, type=click.Choice(["auto", "cpu", "cuda"]))
@click.option("--no-amp", is_flag=True, help="Disable mixed precision on CUDA.")
@click.option("-t", "--threads", default=0, type=int, help="CPU threads (0 = all usable cores).")
@click.option("--max-minutes", default=None, type=float, help="Stop after this wall time (checkpointed; rerun to resume).")
@click.option("--no-resume", is_flag=True, help="Start afresh even if OUTDIR/last.pt exists.")
def train_genes(data_root, train_genomes, valid_genomes, pairs, valid_pairs, outdir, epochs, steps_per_epoch, batch_size,
                window, lr, no_phase_channel, seed, device, no_amp, threads, max_minutes, no_resume) -> None:
    """Train the gene model on FASTA + GFF3 pairs, holding out whole genomes for validation."""
    from genoseq.datapaths import data_root_or_none
    from genoseq.genes.model import GeneNetConfig
    from genoseq.genes.training import train as train_gene_model
    from genoseq.nn.train import TrainSettings

    settings = TrainSettings(out_dir=outdir, epochs=epochs, steps_per_epoch=steps_per_epoch, lr=lr, seed=seed,
                             device=device, amp=not no_amp, threads=threads or None, max_minutes=max_minutes,
                             resume=not no_resume)
    split = (lambda s: [x for x in s.split(",") if x] if s is not None else None)
    root = data_root_or_none(data_root) if (data_root or not pairs) else None
    train_gene_model(
        settings, data_root=root, train_genomes=split(train_genomes), valid_genomes=split(valid_genomes),
        pairs=[(f, g, int(t)) for f, g, t in pairs], valid_pairs=[(f, g, int(t)) for f, g, t in valid_pairs],
        config=GeneNetConfig(phase_channel=not no_phase_channel),
        batch_size=batch_size, window=window, log=lambda m: click.echo(m, err=True),
    )


@main.group()
def evaluate() -> None:
    """Score predictions against references."""


@evaluate.command("genes")
@click.option("--pred", required=True, help="Predicted GFF3 (genoseq, Prodigal, ...).")
@click.option("--ref", required=True, help="Reference GFF3 annotation.")
@click.option("--format", "fmt", default="table", type=click.Choice(["table", "tsv", "json"]), show_default=True)
def evaluate_genes(pred, ref, fmt) -> None:
    """Sensitivity, exact starts, precision and per-base coding F1 of gene calls."""
    import json

    from genoseq.genes.evaluate import evaluate_files

    result = evaluate_files(pred, ref).as_dict()
    if fmt == "json":
        click.echo(json.dumps(result, indent=2))
    elif fmt == "tsv":
        click.echo("\t".join(result))
        click.echo("\t".join(f"{v:.4f}" if isinstance(v, float) else str(v) for v in result.values()))
    else:
        for key, value in result.items():
            click.echo(f"{key:16s} {value:.4f}" if isinstance(value, float) else f"{key:16s} {value}")


@main.command("models")
def list_models() -> None:
    """List the shipped models with their version and card."""
    from genoseq.nn.registry import models_dir, read_registry

    for name, info in read_registry().items():
        click.echo(f"{name}\t{info.get('family')}\tv{info.get('version', '?')}\t{models_dir() / info.get('card', '')}")


if __name__ == "__main__":
    main()
