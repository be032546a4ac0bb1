#!/usr/bin/env python
"""Which reference starts look like "take every ORF's longest version"?

    python benchmarks/start_annotation_bias.py [--data-root ../shared/data] [--genomes a,b,...] [--prodigal]
        [--genoseq genes-default]

For every shared genome: the share of its annotated genes that start at the most upstream
start codon (ATG, GTG, TTG) of their open reading frame
(:func:`genoseq.genes.evaluate.most_upstream_starts`), the same for its verified start set where
it has one, and with ``--prodigal`` / ``--genoseq MODEL`` for those tools' calls on it.
Experimentally verified starts sit well below 1 (many genes have an in-frame start codon upstream of the real one); an
annotation near 0.9 on a genome of average GC chose the longest ORF nearly every time, so exact
starts measured against it reward calling genes long rather than calling starts right.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

from genoseq.datapaths import default_data_root
from genoseq.genes.codes import GeneticCode, genetic_code
from genoseq.genes.dataset import read_manifest
from genoseq.genes.evaluate import most_upstream_starts
from genoseq.io.fasta import read_dna
from genoseq.io.gff3 import read_cds

sys.path.insert(0, str(Path(__file__).parent))
from genes_draft import genoseq_run, prodigal_run  # noqa: E402  (benchmarks/genes_draft.py)


def share(features: list, seqs: dict[str, str], code: GeneticCode) -> str:
    """``most_upstream_starts`` as "share (hits/checked)"."""
    hits, n = most_upstream_starts(features, seqs, code)
    return f"{hits / n:.3f} ({hits}/{n})" if n else ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-root", default=str(default_data_root()))
    ap.add_argument("--genomes", default=None, help="comma-separated genomes [all of the MANIFEST]")
    ap.add_argument("--prodigal", action="store_true", help="also Prodigal's calls (prodigal on PATH)")
    ap.add_argument("--genoseq", default=None, metavar="MODEL", help="also genoseq's calls with this model")
    args = ap.parse_args()
    manifest = read_manifest(args.data_root)
    if args.genomes:
        manifest = manifest[manifest["short_name"].isin(args.genomes.split(","))]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for _, m in manifest.iterrows():
            folder = Path(args.data_root) / "genomes" / m["short_name"]
            code = genetic_code(int(m["genetic_code"]))
            seqs = {r.id: r.sequence for r in read_dna(folder / "genome.fna.gz")}
            row = {"genome": m["short_name"], "GC %": m["gc_percent"], "annotation source": m["annotation"][:40],
                   "annotation": share(read_cds(folder / "annotation.gff3.gz"), seqs, code)}
            verified = folder / "verified_starts.gff"
            row["verified starts"] = share(read_cds(verified), seqs, code) if verified.exists() else ""
            fasta, out = Path(tmp) / "genome.fna", Path(tmp)
            tools = {}
            if args.prodigal:
                tools["prodigal 2.6.3"] = prodigal_run(fasta, out / "prodigal.gff", "-g", str(code.table_id))
            if args.genoseq:
                tools[f"genoseq {args.genoseq}"] = genoseq_run(fasta, out / "genoseq", str(code.table_id), args.genoseq)
            if tools:
                fasta.write_text("".join(f">{k}\n{v}\n" for k, v in seqs.items()))
            for name, (command, gff) in tools.items():
                subprocess.run(command, check=True)
                row[name] = share(read_cds(gff), seqs, code)
            rows.append(row)
            print(row, file=sys.stderr, flush=True)
    print(pd.DataFrame(rows).to_markdown(index=False))


if __name__ == "__main__":
    main()
