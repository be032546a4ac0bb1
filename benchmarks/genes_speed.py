#!/usr/bin/env python
"""Wall time and peak memory of genoseq predict-genes beside Prodigal and pyrodigal.

    python benchmarks/genes_speed.py [--data-root ../shared/data] [--threads 2] [--big] [--torch]

1. The E. coli K-12 genome (4.6 Mb): genoseq (default model, CPU: ONNX Runtime; with
   --torch also through torch), prodigal and pyrodigal on the same uncompressed FASTA,
   each under /usr/bin/time -v.
2. With --big: a 53 MB multi-FASTA made of all shared genomes, and the same
   twice over (106 MB, ids prefixed), to show that genoseq's peak memory does
   not grow with the input (contigs are streamed).
Prints a Markdown table; every figure is measured in this run.
"""
from __future__ import annotations

import argparse
import gzip
import shutil
import re
import statistics
import tempfile
from pathlib import Path

from genoseq.datapaths import default_data_root
from timing import script, timed  # benchmarks/timing.py


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-root", default=str(default_data_root()))
    ap.add_argument("--threads", default=2, type=int)
    ap.add_argument("--model", default="genes-default")
    ap.add_argument("--big", action="store_true", help="also run the ~52 Mb multi-FASTA memory test")
    ap.add_argument("--repeats", default=1, type=int)
    ap.add_argument("--torch", action="store_true",
                    help="also run every output through the torch engine (--engine torch), for comparison")
    args = ap.parse_args()
    genomes = Path(args.data_root) / "genomes"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        fasta = Path(tmp) / "ecoli.fna"
        with gzip.open(genomes / "ecoli_k12_mg1655" / "genome.fna.gz", "rb") as src, open(fasta, "wb") as dst:
            shutil.copyfileobj(src, dst)
        genoseq, pyrodigal = script("genoseq"), script("pyrodigal")
        tools = {
            "genoseq (GFF3, FASTA, tracks)": [genoseq, "predict-genes", str(fasta), "-o", f"{tmp}/g", "-q",
                                              "-t", str(args.threads), "-m", args.model],
            "genoseq (GFF3 + proteins, as the Prodigal run)": [
                genoseq, "predict-genes", str(fasta), "--gff", f"{tmp}/g.gff", "--proteins", f"{tmp}/g.faa",
                "--genes", "none", "--tracks", "none", "-q", "-t", str(args.threads), "-m", args.model],
            "genoseq (GFF3 only)": [genoseq, "predict-genes", str(fasta), "--gff", f"{tmp}/g.gff", "--proteins",
                                    "none", "--genes", "none", "--tracks", "none", "-q", "-t", str(args.threads),
                                    "-m", args.model],
        }
        if args.torch:
            tools["genoseq --engine torch (GFF3, FASTA, tracks)"] = [*tools["genoseq (GFF3, FASTA, tracks)"],
                                                                     "--engine", "torch"]
        if shutil.which("prodigal"):
            tools["prodigal 2.6.3"] = ["prodigal", "-i", str(fasta), "-f", "gff", "-o", f"{tmp}/p.gff",
                                       "-a", f"{tmp}/p.faa", "-q"]
        if shutil.which("pyrodigal"):
            tools["pyrodigal"] = [pyrodigal, "-i", str(fasta), "-f", "gff", "-o", f"{tmp}/py.gff",
                                  "-a", f"{tmp}/py.faa", "-j", str(args.threads)]
        # Rounds of every tool, the order reversed every other round, so that a slow spell of a
        # shared machine does not land on one tool's runs.
        names = list(tools)
        for repeat in range(args.repeats):
            for name in (names if repeat % 2 == 0 else names[::-1]):
                wall, rss = timed(tools[name])
                rows.append(("E. coli K-12 (4.6 Mb)", name, wall, rss))
        if args.big:
            big = Path(tmp) / "all.fna"
            with open(big, "wb") as dst:
                for folder in sorted(genomes.iterdir()):
                    if (folder / "genome.fna.gz").exists():
                        with gzip.open(folder / "genome.fna.gz", "rb") as src:
                            data = src.read()
                        # prefix ids with the genome name so that they stay unique
                        dst.write(re.sub(rb"^>", b">" + folder.name.encode() + b"|", data, flags=re.M))
            twice = Path(tmp) / "twice.fna"
            with open(twice, "wb") as dst:
                data = big.read_bytes()
                dst.write(data)
                dst.write(re.sub(rb"^>", b">copy2|", data, flags=re.M))
            for label, path in (("16 genomes multi-FASTA", big), ("16 genomes twice", twice)):
                size = path.stat().st_size / 1e6
                wall, rss = timed([genoseq, "predict-genes", str(path), "-o", f"{tmp}/big", "-q",
                                   "-t", str(args.threads), "-m", args.model])
                rows.append((f"{label} ({size:.0f} MB)", "genoseq (GFF3, FASTA, tracks)", wall, rss))
    print("| input | tool | wall s | peak RSS MB |\n|---|---|---|---|")
    for inp, tool, wall, rss in rows:
        print(f"| {inp} | {tool} | {wall:.1f} | {rss:.0f} |")
    medians = {tool: statistics.median(w for inp, t, w, _ in rows if t == tool and inp.startswith("E. coli"))
               for tool in dict.fromkeys(t for _, t, _, _ in rows)}
    if "prodigal 2.6.3" in medians:
        print(f"\nE. coli, median of {args.repeats} run(s) each, wall time relative to Prodigal 2.6.3 in this run:\n")
        print("| tool | median wall s | x Prodigal |\n|---|---|---|")
        for tool, wall in medians.items():
            print(f"| {tool} | {wall:.2f} | {wall / medians['prodigal 2.6.3']:.2f} |")


if __name__ == "__main__":
    main()
