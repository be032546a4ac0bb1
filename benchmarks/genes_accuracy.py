#!/usr/bin/env python
"""Accuracy of genoseq and Prodigal on the validation genomes (never trained on).

    python benchmarks/genes_accuracy.py [--data-root ../shared/data] [--model genes-default]

For every genome: runs ``genoseq predict-genes`` (the installed CLI) and
``prodigal`` (Debian package; ``-g 4`` for code-4 genomes) on the same FASTA,
scores both with ``genoseq evaluate genes`` against the reference annotation,
and prints a Markdown table plus the averages. Nothing is cached.
"""
from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from genoseq.datapaths import default_data_root
from genoseq.genes.dataset import DEFAULT_VALIDATION
from genoseq.genes.evaluate import evaluate_files

METRICS = ("sensitivity", "start_exact", "precision", "base_f1")


def run(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-root", default=str(default_data_root()))
    ap.add_argument("--model", default="genes-default")
    ap.add_argument("--genomes", default=",".join(DEFAULT_VALIDATION))
    ap.add_argument("--threads", default=2, type=int)
    ap.add_argument("--no-prodigal", action="store_true")
    ap.add_argument("--json", help="also write the rows as JSON here")
    ap.add_argument("--extra", default="", help="extra options for genoseq predict-genes, one string")
    args = ap.parse_args()
    root = Path(args.data_root) / "genomes"
    manifest = pd.read_csv(root / "MANIFEST.tsv", sep="\t").set_index("short_name")
    prodigal = shutil.which("prodigal") if not args.no_prodigal else None
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.genomes.split(","):
            table = int(manifest.loc[name, "genetic_code"])
            fasta, ref = root / name / "genome.fna.gz", root / name / "annotation.gff3.gz"
            out = Path(tmp) / name
            wall = run(["genoseq", "predict-genes", str(fasta), "-o", str(out), "-g", str(table), "-m", args.model,
                        "-t", str(args.threads), "--tracks", "none", "-q", *args.extra.split()])
            rows.append({"genome": name, "method": "genoseq", "wall_s": wall,
                         **evaluate_files(out / "genes.gff3", ref).as_dict()})
            if prodigal:
                plain = Path(tmp) / f"{name}.fna"
                with gzip.open(fasta, "rb") as src, open(plain, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                pgff = Path(tmp) / f"{name}.prodigal.gff"
                wall = run([prodigal, "-i", str(plain), "-f", "gff", "-o", str(pgff), "-g", str(table), "-q"])
                rows.append({"genome": name, "method": "prodigal", "wall_s": wall,
                             **evaluate_files(pgff, ref).as_dict()})
            for row in rows[-2:] if prodigal else rows[-1:]:
                print(f"{row['genome']:24s} {row['method']:9s} " + " ".join(f"{m}={row[m]:.3f}" for m in METRICS),
                      file=sys.stderr, flush=True)
    df = pd.DataFrame(rows)
    cols = ["genome", "method", *METRICS, "predicted", "wall_s"]
    print(df[cols].to_markdown(index=False, floatfmt=".3f"))
    print()
    print(df.groupby("method")[list(METRICS)].mean().to_markdown(floatfmt=".4f"))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
