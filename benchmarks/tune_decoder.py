#!/usr/bin/env python
"""Tune decoder settings on the validation genomes with cached network scores.

    python benchmarks/tune_decoder.py --model runs/genes/best.pt --grid start_weight=0.5,1,2 gene_bias=-5,0,5

Network scores are computed once per (model, genome) and cached under
``--cache`` (float16 .npy); each grid point then only re-runs decoding and
evaluation. Prints one row per setting with the metrics averaged over the
``--genomes`` (the validation genomes: never the test genomes) and ``verified``,
the start accuracy on the ``--verified`` sets (training genomes' verified starts).

The objective of ``--coordinate`` weighs those means; ``margin`` is the smaller of
sensitivity and precision minus Prodigal's on the same genomes (Prodigal runs once), and
``margin3`` the smallest of those two and exact starts minus Prodigal's.
"""
from __future__ import annotations

import argparse
import dataclasses
import gzip
import itertools
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from genoseq.datapaths import default_data_root
from genoseq.genes.api import GenePredictor
from genoseq.genes.dataset import DEFAULT_VALIDATION, VERIFIED_TUNING, prodigal_annotated
from genoseq.genes.evaluate import evaluate_features
from genoseq.genes.scoring import average_scores, score_sequences
from genoseq.io.fasta import as_bytes, read_dna
from genoseq.io.gff3 import CDSFeature, read_cds
from genoseq.nn.checkpoint import sha256_file


def cached_scores(predictor: GenePredictor, fasta: Path, cache: Path) -> list[tuple]:
    key = sha256_file(predictor.entry.file)[:12] + ("_both" if predictor.windows.orientations == 2 else "")
    # the sequence's own hash too: another data root's genome of the same name (genes_no_sd.py) is not this one
    genome = f"{fasta.parent.name}_{sha256_file(fasta)[:8]}"
    out = []
    records = list(read_dna(fasta))
    todo = []
    for record in records:
        path = cache / key / f"{genome}__{record.id}.npy"
        if path.exists():
            out.append((record, np.load(path).astype(np.float32)))
        else:
            todo.append((record, path))
    if todo:
        items = ((i, as_bytes(r.sequence)) for i, (r, _) in enumerate(todo))
        for i, _, scores in score_sequences(predictor.scorer, items, predictor.windows):
            record, path = todo[i]
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, scores.astype(np.float16))
            out.append((record, scores))
    order = {r.id: i for i, r in enumerate(records)}
    return sorted(out, key=lambda x: order[x[0].id])


def calls_as_features(predictions) -> list[CDSFeature]:
    return [CDSFeature(g.seqid, g.strand, g.id, [(g.start, g.end)]) for p in predictions for g in p.genes]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--data-root", default=str(default_data_root()))
    ap.add_argument("--genomes", default=",".join(DEFAULT_VALIDATION))
    ap.add_argument("--verified", default=",".join(VERIFIED_TUNING),
                    help="genomes whose verified_starts.gff scores start choice ('' for none)")
    ap.add_argument("--scores-model", nargs="*", default=[], metavar="GENOME=CHECKPOINT",
                    help="score these genomes with another network (a cross-fitted one that never saw them), "
                         "or with the mean of several (A.pt+B.pt); decoding still uses --model's settings")
    ap.add_argument("--cache", default="runs/score_cache")
    ap.add_argument("--orientations", type=int, choices=(1, 2), default=None,
                    help="2: score each window and its reverse complement and average them (default: the model's)")
    ap.add_argument("--grid", nargs="*", default=[], help="name=v1,v2,... over DecoderSettings fields")
    ap.add_argument("--coordinate", action="store_true",
                    help="coordinate ascent instead of the full grid: vary one setting at a time, 2 rounds, "
                         "maximising the weighted sum of mean metrics given by --objective")
    ap.add_argument("--objective", default="sensitivity=1,precision=1,start_exact=0.5",
                    help="weights of the mean metrics in the coordinate-ascent objective")
    ap.add_argument("--keep-prodigal-annotated", action="store_true",
                    help="keep genomes whose annotation is Prodigal's own calls (left out by default: "
                         "scored against them, a decoder gains by agreeing with Prodigal)")
    args = ap.parse_args()
    root = Path(args.data_root) / "genomes"
    manifest = pd.read_csv(root / "MANIFEST.tsv", sep="\t").set_index("short_name")
    # float32 scores, as the shipped CPU engine (ONNX Runtime) computes them, whichever engine loads a candidate
    predictor = GenePredictor.load(args.model, "cpu", precision="fp32", orientations=args.orientations)
    annotated = [g for g in args.genomes.split(",") if g]
    circular = sorted(set(annotated) & set(prodigal_annotated(manifest)))
    if circular and not args.keep_prodigal_annotated:
        print(f"tune_decoder: leaving out {', '.join(circular)}: their annotations are Prodigal's calls "
              "(MANIFEST.tsv; --keep-prodigal-annotated keeps them)", file=sys.stderr)
        annotated = [g for g in annotated if g not in circular]
    verified = [g for g in args.verified.split(",") if g]
    # GENOME=A.pt+B.pt: the mean of two networks' scores (average_scores), e.g. to test an ensemble
    checkpoints = {name: paths.split("+") for name, paths in (item.partition("=")[::2] for item in args.scores_model)}
    loaded = {path: GenePredictor.load(path, "cpu", precision="fp32", orientations=args.orientations)
              for path in {p for paths in checkpoints.values() for p in paths}}  # each network once
    scorers = {name: [loaded[path] for path in paths] for name, paths in checkpoints.items()}
    genomes = {}
    for name in dict.fromkeys(annotated + verified):
        table = int(manifest.loc[name, "genetic_code"])
        fasta = root / name / "genome.fna.gz"
        readings = [cached_scores(scorer, fasta, Path(args.cache)) for scorer in scorers.get(name, [predictor])]
        scores = [(record, average_scores([r[i][1] for r in readings]) if len(readings) > 1 else s)
                  for i, (record, s) in enumerate(readings[0])]
        genomes[name] = (table, scores,
                         read_cds(root / name / "annotation.gff3.gz"),
                         read_cds(root / name / "verified_starts.gff") if name in verified else None)
    baseline = prodigal_means(root, annotated, manifest) if "margin" in args.objective else {}
    names = [g.split("=")[0] for g in args.grid]
    def parse(name, text):
        if text.lower() == "none":
            return None
        current = getattr(predictor.decoder, name)
        kind = float if current is None else type(current)
        return text.lower() in ("1", "true", "yes") if kind is bool else kind(text)

    values = [[parse(n, v) for v in g.split("=")[1].split(",")] for n, g in zip(names, args.grid)]
    def evaluate(decoder) -> tuple[dict, pd.DataFrame]:
        run = dataclasses.replace(predictor, decoder=decoder)
        metrics, starts = {}, []
        for name, (table, scored, reference, verified_starts) in genomes.items():
            run.table = table
            calls = calls_as_features(run.decode_scored((r, as_bytes(r.sequence), s, 0) for r, s in scored))
            if name in annotated:
                metrics[name] = evaluate_features(calls, reference).as_dict()
            if verified_starts is not None:
                starts.append(evaluate_features(calls, verified_starts).start_exact)
        df = pd.DataFrame.from_dict(metrics, orient="index")[["sensitivity", "start_exact", "precision", "base_f1"]]
        means = df.mean().to_dict()
        if starts:
            means["verified"] = sum(starts) / len(starts)
        if baseline:
            means["margin"] = min(means["sensitivity"] - baseline["sensitivity"],
                                  means["precision"] - baseline["precision"])
            means["margin3"] = min(means["margin"], means["start_exact"] - baseline["start_exact"])
        return means, df

    weights = {k: float(v) for k, v in (item.split("=") for item in args.objective.split(","))}

    def objective(m: dict) -> float:
        return sum(w * m[k] for k, w in weights.items())

    def report(decoder, m):
        chosen = {n: getattr(decoder, n) for n in names}
        print(" ".join(f"{k}={v}" for k, v in chosen.items()) + " "
              + " ".join(f"{k}={v:.4f}" for k, v in m.items()) + f" objective={objective(m):.4f}", flush=True)

    if args.coordinate:
        best = dataclasses.replace(predictor.decoder, **{n: v[0] for n, v in zip(names, values)})
        best_m, _ = evaluate(best)
        report(best, best_m)
        for _ in range(2):
            for name, options in zip(names, values):
                for option in options:
                    if option == getattr(best, name):
                        continue
                    trial = dataclasses.replace(best, **{name: option})
                    m, _ = evaluate(trial)
                    report(trial, m)
                    if objective(m) > objective(best_m):
                        best, best_m = trial, m
        print("best:", {n: getattr(best, n) for n in names})
        print(evaluate(best)[1].to_string(float_format="%.3f"))
        return
    for combo in itertools.product(*values) if values else [()]:
        decoder = dataclasses.replace(predictor.decoder, **dict(zip(names, combo)))
        m, df = evaluate(decoder)
        report(decoder, m)
        if len(genomes) > 1 and all(len(v) == 1 for v in values):
            print(df.to_string(float_format="%.3f"))

def prodigal_means(root: Path, names: list[str], manifest: pd.DataFrame) -> dict[str, float]:
    """Prodigal's mean sensitivity and precision on ``names`` (run once, here)."""
    if not shutil.which("prodigal"):
        raise SystemExit("the 'margin' objective needs prodigal on PATH")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            plain, gff = Path(tmp) / f"{name}.fna", Path(tmp) / f"{name}.gff"
            plain.write_bytes(gzip.decompress((root / name / "genome.fna.gz").read_bytes()))
            subprocess.run(["prodigal", "-i", str(plain), "-f", "gff", "-o", str(gff), "-q",
                            "-g", str(int(manifest.loc[name, "genetic_code"]))], check=True)
            rows.append(evaluate_features(read_cds(gff), read_cds(root / name / "annotation.gff3.gz")).as_dict())
    means = pd.DataFrame(rows)[["sensitivity", "precision", "start_exact"]].mean().to_dict()
    print("prodigal:", " ".join(f"{k}={v:.4f}" for k, v in means.items()), flush=True)
    return means


if __name__ == "__main__":
    main()
