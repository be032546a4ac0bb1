#!/usr/bin/env python
"""Where predict-genes spends its time: the command's own pipeline, run in process, with a clock
on each phase.

    python benchmarks/genes_phases.py genome.fna [--model genes-fast] [--device cuda] [--threads 16]

It runs what ``genoseq predict-genes FASTA -o OUT`` runs (same library calls, all default
outputs) and prints, in seconds from the start of this script: imports done, model loaded, the
network's last base scored, the first and the last contig decoded, and the outputs committed.
On a multi-FASTA the decoder works while the network scores later contigs, so the phases overlap;
on one contig the network finishes before decoding starts. Interpreter start-up (about 0.05 s)
is not included.
"""
from __future__ import annotations

import time

START = time.perf_counter()

import argparse  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("fasta")
    ap.add_argument("--model", default="genes-default")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--engine", default="auto", help="auto, onnxruntime or torch (as predict-genes --engine)")
    args = ap.parse_args()
    marks: dict[str, float] = {}

    def mark(name: str) -> None:
        marks.setdefault(name, time.perf_counter() - START)

    from genoseq.genes.api import GenePredictor
    from genoseq.genes.output import CodingTracks, OutputPaths, write_predictions
    from genoseq.io.atomic import output_set
    from genoseq.io.fasta import read_dna, sequence_lengths
    from genoseq.nn.device import keep_freed_memory, usable_threads

    mark("imports")
    keep_freed_memory()
    threads = usable_threads(args.threads)
    predictor = GenePredictor.load(args.model, args.device, engine=args.engine, threads=threads)
    mark(f"model loaded ({predictor.engine}; torch imported here on the torch engine)")
    total = sum(len(r.sequence) for r in read_dna(args.fasta))  # read once beforehand, as a progress bar's total
    mark("input sized")
    scored = 0

    def progress(n: int) -> None:
        nonlocal scored
        scored += n
        if scored >= total:
            mark("network: last base scored")

    def timed(predictions):
        for prediction in predictions:
            mark("decoder: first contig out")
            yield prediction
        mark("last contig written")

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        paths = OutputPaths.in_folder(out)
        with output_set() as outputs:
            tracks = CodingTracks(outputs, paths.tracks_prefix, paths.track_format, sequence_lengths(args.fasta))
            predictions = predictor.predict_records(read_dna(args.fasta), progress=progress, tracks=tracks)
            summary = write_predictions(timed(predictions), paths, outputs, {}, tracks, model=args.model)
        mark("outputs committed")
    print(f"# {args.fasta}: {summary.genes:,} genes on {summary.contigs:,} contigs ({summary.bases:,} bp); "
          f"model {args.model}, {predictor.engine} on {predictor.device}, {threads} threads")
    print("| phase | seconds from start |\n|---|---|")
    for name, seconds in sorted(marks.items(), key=lambda item: item[1]):
        print(f"| {name} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
