#!/usr/bin/env python
"""Accuracy of genoseq beside Prodigal and pyrodigal, per genome and on verified start codons.

    python benchmarks/genes_accuracy.py [--data-root ../shared/data] [--model genes-default] [--json out.json]

Genome groups (roles in ``genoseq.genes.dataset`` and config/config.yaml):
* test: never trained or tuned on; the figures to report;
* validation (``--with-validation``): held out from training, but the decoder was tuned on them.

Verified start codons (``verified_starts.gff``): among verified genes whose stop a tool
predicts on the same strand, the share whose start is exact. E. coli's set is test data;
the M. tuberculosis and R. denitrificans sets belong to training genomes and tuned the
decoder, so they are printed apart.

Every tool runs on the same uncompressed FASTA (Prodigal and pyrodigal with ``-g 4`` for
code-4 genomes); nothing is cached. A match with the annotation is the same seqid, strand
and stop; ``genoseq evaluate genes`` computes the same figures.
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
from genoseq.genes.dataset import DEFAULT_TEST, DEFAULT_VALIDATION, VERIFIED_TEST, VERIFIED_TUNING
from genoseq.genes.evaluate import evaluate_files

METRICS = ("sensitivity", "start_exact", "precision", "base_f1")


def run(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - t


def predict_all(name: str, table: int, root: Path, tmp: Path, args) -> dict[str, Path]:
    """Run every tool on one genome; returns tool -> predicted GFF."""
    plain = tmp / f"{name}.fna"
    with gzip.open(root / name / "genome.fna.gz", "rb") as src, open(plain, "wb") as dst:
        shutil.copyfileobj(src, dst)
    out: dict[str, Path] = {}
    run(["genoseq", "predict-genes", str(plain), "--gff", str(tmp / f"{name}.genoseq.gff3"), "--proteins", "none",
         "--genes", "none", "--tracks", "none", "-g", str(table), "-m", args.model, "-t", str(args.threads), "-q",
         *args.extra.split()])
    out["genoseq"] = tmp / f"{name}.genoseq.gff3"
    if shutil.which("prodigal"):
        run(["prodigal", "-i", str(plain), "-f", "gff", "-o", str(tmp / f"{name}.prodigal.gff"), "-g", str(table),
             "-q"])
        out["prodigal"] = tmp / f"{name}.prodigal.gff"
    if shutil.which("pyrodigal"):
        run(["pyrodigal", "-i", str(plain), "-f", "gff", "-o", str(tmp / f"{name}.pyrodigal.gff"), "-g", str(table),
             "-j", str(args.threads)])
        out["pyrodigal"] = tmp / f"{name}.pyrodigal.gff"
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-root", default=str(default_data_root()))
    ap.add_argument("--model", default="genes-default")
    ap.add_argument("--genomes", default=",".join(DEFAULT_TEST), help="test genomes [%(default)s]")
    ap.add_argument("--with-validation", action="store_true",
                    help=f"also the validation genomes the decoder was tuned on ({','.join(DEFAULT_VALIDATION)})")
    ap.add_argument("--no-verified", action="store_true", help="skip the verified start sets")
    ap.add_argument("--threads", default=2, type=int)
    ap.add_argument("--json", help="also write every row as JSON here")
    ap.add_argument("--extra", default="", help="extra options for genoseq predict-genes, one string")
    args = ap.parse_args()
    root = Path(args.data_root) / "genomes"
    manifest = pd.read_csv(root / "MANIFEST.tsv", sep="\t").set_index("short_name")
    groups = {name: "test" for name in args.genomes.split(",") if name}
    if args.with_validation:
        groups.update({name: "validation" for name in DEFAULT_VALIDATION})
    verified = {} if args.no_verified else {**{n: "test" for n in VERIFIED_TEST},
                                            **{n: "tuning (training genome)" for n in VERIFIED_TUNING}}
    rows, starts = [], []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for name in dict.fromkeys([*groups, *verified]):
            predictions = predict_all(name, int(manifest.loc[name, "genetic_code"]), root, tmp, args)
            for tool, gff in predictions.items():
                if name in groups:
                    row = {"group": groups[name], "genome": name, "tool": tool,
                           **evaluate_files(gff, root / name / "annotation.gff3.gz").as_dict()}
                    rows.append(row)
                    print(f"{name:24s} {tool:9s} " + " ".join(f"{m}={row[m]:.4f}" for m in METRICS),
                          file=sys.stderr, flush=True)
                if name in verified:
                    e = evaluate_files(gff, root / name / "verified_starts.gff")
                    starts.append({"set": name, "group": verified[name], "tool": tool, "verified genes": e.reference_cds,
                                   "stop found": e.matched, "exact start": round(e.start_exact * e.matched),
                                   "start accuracy": e.start_exact})
    genomes = pd.DataFrame(rows)
    if len(genomes):
        print(genomes[["group", "genome", "tool", *METRICS, "predicted"]].to_markdown(index=False, floatfmt=".4f"))
        print()
        print(genomes.groupby(["group", "tool"])[list(METRICS)].mean().to_markdown(floatfmt=".4f"))
        print()
    if starts:
        print(pd.DataFrame(starts).to_markdown(index=False, floatfmt=".4f"))
    if args.json:
        Path(args.json).write_text(json.dumps({"genomes": rows, "verified": starts}, indent=1))


if __name__ == "__main__":
    main()
