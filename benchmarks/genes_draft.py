#!/usr/bin/env python
"""Gene calls on draft-like assemblies: genomes cut into contigs, genoseq beside Prodigal.

    python benchmarks/genes_draft.py [--data-root ../shared/data] [--genomes ecoli_k12_mg1655,bjaponicum_usda110]
        [--min-contig 1000] [--max-contig 100000] [--seed 7] [--model genes-default]

Each genome is cut at random into contigs whose lengths are log-uniform between
``--min-contig`` and ``--max-contig`` (seeded). The reference annotation is projected onto the
contigs: genes wholly inside one contig, and genes cut by an edge at their 5' end (their stop
and at least 60 bases inside). Figures per tool (all on the same FASTA, with the genome's
translation table):

* sensitivity / exact starts: of the genes wholly inside a contig (a match = same contig,
  strand and stop);
* precision: the share of all calls whose stop is a reference stop (inside or cut);
* cut: of the genes cut at their 5' end, the share called as running off the edge (right:
  their start is not in the contig) and the share called complete from an inner start (wrong).

The default genomes are the test genomes (never trained or tuned on).

``--single N``: small inputs, as a plasmid or phage is run: N random windows of ``--window``
bases from each genome, each window a run of its own (genoseq, and Prodigal ``-p meta``, the mode
Prodigal asks for below 100 kb); figures pooled over the windows.

``--metagenome``: the genomes' contigs (up to ``--max-bases`` of each) shuffled into one FASTA,
as a metagenome assembly would mix them, run once per tool: genoseq with and without genome
adaptation, Prodigal in its ``-p meta`` and single modes (table 11 genomes only). A genome whose
annotation is Prodigal's own calls (MANIFEST.tsv) is mixed in but not scored, e.g.

    python benchmarks/genes_draft.py --metagenome --max-contig 50000 \
        --genomes mthermautotrophicus_dh,ecoli_k12_mg1655,bjaponicum_usda110,sflexneri_2a_301
"""
from __future__ import annotations

import argparse
import math
import random
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Iterator

import pandas as pd

from genoseq.datapaths import default_data_root
from genoseq.genes.dataset import DEFAULT_TEST, prodigal_annotated
from genoseq.io.fasta import read_dna
from genoseq.io.gff3 import read_cds


def project(genes: list, name: str, pos: int, end: int, inside: dict, cut: set) -> None:
    """Add the reference ``genes`` that fall in [pos, end) of their sequence, renamed ``name``:
    wholly inside ({(name, strand, stop): start} in ``inside``), or cut by its left/right edge at
    their 5' end with the stop and at least 60 bases inside ((name, strand, stop) in ``cut``)."""
    for f in genes:
        if pos < f.start and f.end <= end:
            stop, start = (f.end, f.start) if f.strand == "+" else (f.start, f.end)
            inside[(name, f.strand, stop - pos)] = start - pos
        elif f.strand == "+" and f.start <= pos < f.end - 60 and f.end <= end:
            cut.add((name, "+", f.end - pos))
        elif f.strand == "-" and pos < f.start and f.start + 60 < end < f.end:
            cut.add((name, "-", f.start - pos))


def genoseq_run(fasta: Path, out: Path, table: str, model: str, *options: str) -> tuple[list[str], Path]:
    """The genoseq command on ``fasta`` (gene coordinates only) and the GFF3 it writes."""
    beside = Path(sys.executable).parent / "genoseq"
    command = [str(beside) if beside.exists() else "genoseq", "predict-genes", str(fasta), "-g", table, "-m", model,
               *options, "-o", str(out), "-q", "--tracks", "none"]
    return command, out / "genes.gff3"


def prodigal_run(fasta: Path, gff: Path, *options: str) -> tuple[list[str], Path]:
    """Prodigal 2.6.3's command on ``fasta`` and the GFF it writes."""
    return ["prodigal", "-i", str(fasta), "-f", "gff", "-o", str(gff), "-q", *options], gff


def cut_genome(folder: Path, low: int, high: int, seed: int, fasta: Path) -> tuple[dict, set]:
    """Write the contigs to ``fasta``; return the genes inside ({(contig, strand, stop): start})
    and the genes cut at their 5' end ({(contig, strand, stop)}), in contig coordinates."""
    rng = random.Random(seed)
    reference = [f for f in read_cds(folder / "annotation.gff3.gz") if not f.pseudo]
    inside: dict[tuple[str, str, int], int] = {}
    cut: set[tuple[str, str, int]] = set()
    with open(fasta, "w") as out:
        for record in read_dna(folder / "genome.fna.gz"):
            genes = [f for f in reference if f.seqid == record.id]
            pos, k = 0, 0
            while pos < len(record.sequence):
                piece = record.sequence[pos : pos + int(math.exp(rng.uniform(math.log(low), math.log(high))))]
                name, end = f"{record.id}_{k}", pos + len(piece)
                out.write(f">{name}\n{piece}\n")
                project(genes, name, pos, end, inside, cut)
                pos, k = end, k + 1
    return inside, cut


def figures(gff: Path | list[Path], inside: dict, cut: set, contigs: set | None = None) -> dict[str, float]:
    """The figures of the module docstring; ``contigs``: score only the calls on these contigs
    (``inside`` and ``cut`` hold only their genes then)."""
    calls = {}
    for f in (f for path in (gff if isinstance(gff, list) else [gff]) for f in read_cds(path)):
        if contigs is not None and f.seqid not in contigs:
            continue
        stop, start = (f.end, f.start) if f.strand == "+" else (f.start, f.end)
        calls[(f.seqid, f.strand, stop)] = (start, f.attributes.get("partial", "00"))
    found = [k for k in inside if k in calls]
    cut_calls = Counter("missed" if k not in calls else ("edge" if calls[k][1] != "00" else "inner")
                        for k in cut)
    return {
        "sensitivity": len(found) / max(1, len(inside)),
        "exact starts": sum(calls[k][0] == inside[k] for k in found) / max(1, len(found)),
        "precision": sum(k in inside or k in cut for k in calls) / max(1, len(calls)),
        "cut: off the edge": cut_calls["edge"] / max(1, len(cut)),
        "cut: inner start": cut_calls["inner"] / max(1, len(cut)),
    }


def each_genome(args: argparse.Namespace) -> Iterator[tuple[str, str, Path, Path]]:
    """(name, translation table, data folder, scratch folder) for each of ``--genomes``; the
    scratch folder is one temporary folder for all of them."""
    root = Path(args.data_root) / "genomes"
    manifest = pd.read_csv(root / "MANIFEST.tsv", sep="\t").set_index("short_name")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.genomes.split(","):
            yield name, str(int(manifest.loc[name, "genetic_code"])), root / name, Path(tmp)


def run_all(runs: dict[str, tuple[list[str], Path]]) -> Iterator[tuple[str, Path]]:
    """Run each tool's command (``*_run``'s (command, output)); yield the tool and its output."""
    for tool, (command, output) in runs.items():
        subprocess.run(command, check=True)
        yield tool, output


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-root", default=str(default_data_root()))
    ap.add_argument("--genomes", default=",".join(DEFAULT_TEST))
    ap.add_argument("--min-contig", type=int, default=1000)
    ap.add_argument("--max-contig", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--model", default="genes-default")
    ap.add_argument("--single", type=int, default=0, help="this many windows per genome, each its own input")
    ap.add_argument("--window", type=int, default=30_000, help="with --single: window length")
    ap.add_argument("--metagenome", action="store_true", help="all genomes' contigs shuffled into one input")
    ap.add_argument("--max-bases", type=int, default=600_000, help="with --metagenome: bases taken from each genome")
    args = ap.parse_args()
    if args.metagenome:
        metagenome(args)
        return
    if args.single:
        single_inputs(args)
        return
    rows = []
    for name, table, folder, tmp in each_genome(args):
        fasta = tmp / f"{name}.fna"
        inside, cut = cut_genome(folder, args.min_contig, args.max_contig, args.seed, fasta)
        contigs = sum(1 for line in open(fasta) if line.startswith(">"))
        print(f"# {name}: {contigs} contigs, {len(inside)} genes inside one, {len(cut)} cut at their 5' end",
              flush=True)
        runs = {f"genoseq ({args.model})": genoseq_run(fasta, tmp / f"g_{name}", table, args.model)}
        if shutil.which("prodigal"):
            runs["prodigal 2.6.3"] = prodigal_run(fasta, tmp / f"p_{name}.gff", "-g", table)
        rows += [{"genome": name, "tool": tool, **figures(output, inside, cut)} for tool, output in run_all(runs)]
    table = pd.DataFrame(rows)
    print(f"\nContigs {args.min_contig:,}-{args.max_contig:,} bp (log-uniform, seed {args.seed}).\n")
    print(table.to_markdown(index=False, floatfmt=".4f"))
    print("\nMean over the genomes:\n")
    print(table.drop(columns="genome").groupby("tool", sort=False).mean().to_markdown(floatfmt=".4f"))


def single_inputs(args: argparse.Namespace) -> None:
    rows = []
    for name, table, folder, tmp in each_genome(args):
        record = next(read_dna(folder / "genome.fna.gz"))
        reference = [f for f in read_cds(folder / "annotation.gff3.gz") if not f.pseudo and f.seqid == record.id]
        rng = random.Random(args.seed)
        outputs: dict[str, list[Path]] = {}
        inside: dict = {}
        cut: set = set()
        for k in range(args.single):
            pos = rng.randrange(0, len(record.sequence) - args.window)
            end = pos + args.window
            fasta = tmp / f"{name}_w{k}.fna"
            fasta.write_text(f">w{k}\n{record.sequence[pos:end]}\n")
            project(reference, f"w{k}", pos, end, inside, cut)  # window ids keep the windows apart
            runs = {f"genoseq ({args.model})": genoseq_run(fasta, tmp / f"{name}_g{k}", table, args.model)}
            if shutil.which("prodigal"):
                runs["prodigal 2.6.3 -p meta"] = prodigal_run(fasta, tmp / f"{name}_p{k}.gff", "-p", "meta")
            for tool, output in run_all(runs):
                outputs.setdefault(tool, []).append(output)
        for tool, paths in outputs.items():
            rows.append({"genome": name, "tool": tool, **figures(paths, inside, cut)})
        print(f"# {name}: {args.single} windows of {args.window:,} bp, {len(inside)} genes inside one, "
              f"{len(cut)} cut at their 5' end", flush=True)
    print(f"\nEach window its own input (seed {args.seed}); figures pooled over the windows.\n")
    print(pd.DataFrame(rows).to_markdown(index=False, floatfmt=".4f"))


def metagenome(args: argparse.Namespace) -> None:
    root = Path(args.data_root) / "genomes"
    manifest = pd.read_csv(root / "MANIFEST.tsv", sep="\t").set_index("short_name")
    names = args.genomes.split(",")
    if any(int(manifest.loc[n, "genetic_code"]) != 11 for n in names):
        raise SystemExit("--metagenome mixes table-11 genomes only")
    # a genome annotated by Prodigal itself stays in the mix but is not scored: it would score Prodigal
    # against its own calls
    unscored = set(names) & set(prodigal_annotated(manifest))
    inside: dict = {}
    cut: set = set()
    records = []
    scored: set = set()
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            fasta = Path(tmp) / f"{name}.fna"
            genes_inside, genes_cut = cut_genome(root / name, args.min_contig, args.max_contig, args.seed, fasta)
            taken, total = set(), 0
            for record in read_dna(fasta):
                if total >= args.max_bases:
                    break
                records.append(record)
                taken.add(record.id)
                total += len(record.sequence)
            if name in unscored:
                continue
            scored |= taken
            inside.update({k: v for k, v in genes_inside.items() if k[0] in taken})
            cut |= {k for k in genes_cut if k[0] in taken}
        random.Random(args.seed).shuffle(records)
        mix = Path(tmp) / "metagenome.fna"
        mix.write_text("".join(f">{r.id}\n{r.sequence}\n" for r in records))
        print(f"# {len(records)} contigs of {len(names)} genomes ({sum(len(r.sequence) for r in records):,} bp), "
              f"{len(inside)} genes inside one, {len(cut)} cut at their 5' end", flush=True)
        if unscored:
            print(f"# not scored (annotated by Prodigal itself): {', '.join(sorted(unscored))}; "
                  f"scored: {len(scored)} contigs", flush=True)
        runs = {
            f"genoseq ({args.model})": genoseq_run(mix, Path(tmp) / "a", "11", args.model),
            f"genoseq ({args.model}) --no-adapt": genoseq_run(mix, Path(tmp) / "n", "11", args.model, "--no-adapt"),
        }
        if shutil.which("prodigal"):
            for mode in ("meta", "single"):
                runs[f"prodigal 2.6.3 -p {mode}"] = prodigal_run(mix, Path(tmp) / f"p_{mode}.gff", "-p", mode)
        rows = [{"tool": tool, **figures(output, inside, cut, scored)} for tool, output in run_all(runs)]
    print(f"\nContigs {args.min_contig:,}-{args.max_contig:,} bp (log-uniform, seed {args.seed}), "
          f"up to {args.max_bases:,} bp of each genome, shuffled.\n")
    print(pd.DataFrame(rows).to_markdown(index=False, floatfmt=".4f"))


if __name__ == "__main__":
    main()
