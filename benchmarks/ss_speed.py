#!/usr/bin/env python
"""Speed and peak memory of genoseq ss on all 511 CB513 chains, and on one
10,000-residue protein.

    python benchmarks/ss_speed.py [--data-root ../shared/data] [--threads 2]
        [--baseline /path/to/other/genoseq] [--proteome proteins.faa.gz] [--repeats 3]

Each run is the whole command (start-up and model loading included) under
/usr/bin/time -v; the in-process rate (network and decoding only) is printed too.
``--baseline`` runs another installed genoseq (for instance the previous release, installed
beside this one) on the same inputs in the same run:

    python -m venv --system-site-packages /tmp/release
    /tmp/release/bin/pip install --no-deps "git+file://$PWD@<release commit>"
    python benchmarks/ss_speed.py --baseline /tmp/release/bin/genoseq --proteome proteome.faa.gz

``--proteome`` adds a whole proteome (e.g. the proteins.faa of predict-genes runs) in CSV.
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from genoseq.datapaths import default_data_root
from timing import script, timed  # benchmarks/timing.py


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-root", default=str(default_data_root()))
    ap.add_argument("--threads", default=2, type=int)
    ap.add_argument("--model", default="ss-default")
    ap.add_argument("--baseline", default=None, help="another genoseq executable to time beside this one")
    ap.add_argument("--proteome", default=None, help="a large protein FASTA (gzip allowed) to time in CSV")
    ap.add_argument("--repeats", default=1, type=int,
                    help="runs of each command (tools alternate in order); the median is shown")
    args = ap.parse_args()
    tools = [("this genoseq", script("genoseq"))] + ([("baseline", args.baseline)] if args.baseline else [])
    table = pd.read_csv(Path(args.data_root) / "ss" / "test_cb513.tsv.gz", sep="\t")
    residues = int(table.sequence.str.len().sum())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cb513 = Path(tmp) / "cb513.faa"
        cb513.write_text("".join(f">{i}\n{s}\n" for i, s in zip(table.id, table.sequence)))
        rng = random.Random(1)
        long = Path(tmp) / "long.faa"
        long.write_text(">long\n" + "".join(rng.choice("ACDEFGHIKLMNPQRSTVWY") for _ in range(10000)) + "\n")
        inputs = [("CB513, 511 chains", cb513, len(table), residues, ("csv", "ss2,horiz,csv,fas")),
                  ("one 10,000-residue chain", long, 1, 10000, ("csv", "ss2,horiz,csv,fas"))]
        if args.proteome:
            from genoseq.io.fasta import read_fasta

            lengths = [len(r.sequence.rstrip("*")) for r in read_fasta(args.proteome)]
            inputs.append((f"proteome, {len(lengths):,} proteins", Path(args.proteome), len(lengths), sum(lengths),
                           ("csv",)))
        for name, fasta, n_prot, n_res, format_sets in inputs:
            for formats in format_sets:
                runs: dict[str, list[tuple[float, float]]] = {tool: [] for tool, _ in tools}
                for repeat in range(args.repeats):
                    for tool, executable in (tools if repeat % 2 == 0 else tools[::-1]):
                        runs[tool].append(timed([executable, "ss", str(fasta), "-o", f"{tmp}/out", "-f", formats,
                                                 "-q", "-t", str(args.threads), "-m", args.model]))
                for tool, _ in tools:
                    wall = statistics.median(w for w, _ in runs[tool])
                    rss = max(r for _, r in runs[tool])
                    rows.append((tool, name, formats, wall, n_prot / wall, n_res / wall, rss))
        from genoseq.io.fasta import read_fasta
        from genoseq.nn.device import set_threads
        from genoseq.ss.api import SSPredictor

        set_threads(args.threads)
        predictor = SSPredictor.load(args.model, "cpu")
        records = list(read_fasta(cb513))
        start = time.perf_counter()
        for _ in predictor.predict_records(records):
            pass
        in_process = time.perf_counter() - start
    baseline_wall = {(name, formats): wall for tool, name, formats, wall, *_ in rows if tool == "baseline"}
    print(f"Median of {args.repeats} run(s) each; speed-up = baseline wall / this wall.\n")
    print("| genoseq | input | formats | wall (s) | proteins/s | residues/s | peak RSS (MB) | speed-up |")
    print("|---|---|---|---|---|---|---|---|")
    for tool, name, formats, wall, pps, rps, rss in rows:
        ratio = baseline_wall.get((name, formats))
        shown = f"{ratio / wall:.2f}x" if ratio and tool != "baseline" else ""
        print(f"| {tool} | {name} | {formats} | {wall:.2f} | {pps:.1f} | {rps:,.0f} | {rss:.0f} | {shown} |")
    print(f"\nIn-process prediction of CB513 (no start-up): {in_process:.2f} s = "
          f"{len(table) / in_process:.0f} proteins/s, {residues / in_process:,.0f} residues/s "
          f"({args.threads} threads).")


if __name__ == "__main__":
    main()
