#!/usr/bin/env python
"""Calibrate and check ``conf`` (probability that a called gene is real) of a gene model.

    python benchmarks/genes_calibration.py [--model genes-default] [--write]

Fits the calibration (``genoseq.genes.confidence``) on the decoder-tuning genomes
(``DEFAULT_VALIDATION``) and prints reliability tables: on those genomes (in-sample) and
on the report genomes (``DEFAULT_TEST``, never trained or tuned on), for the model's
current ``conf`` and for the new fit. A call is right when the annotation has a CDS
with its seqid, strand and stop (the precision criterion of ``genoseq evaluate genes``).
``--write`` stores the fit in the shipped checkpoint's settings and updates the registry.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from genoseq.datapaths import default_data_root
from genoseq.genes.api import GenePredictor
from genoseq.genes.confidence import expected_calibration_error, fit_calibration, reliability_table
from genoseq.genes.dataset import DEFAULT_TEST, DEFAULT_VALIDATION, read_manifest
from genoseq.io.fasta import read_dna
from genoseq.genes.evaluate import match_key
from genoseq.io.gff3 import CDSFeature, read_cds


def calls(predictor: GenePredictor, root: Path, name: str) -> dict[str, np.ndarray]:
    """Score, length, current conf and correctness of every call on one genome."""
    folder = root / "genomes" / name
    reference = {match_key(f) for f in read_cds(folder / "annotation.gff3.gz")}
    rows = []
    for contig in predictor.predict_records(read_dna(folder / "genome.fna.gz")):
        for g in contig.genes:
            call = CDSFeature(g.seqid, g.strand, g.id, [(g.start, g.end)])
            rows.append((g.score, g.end - g.start + 1, g.confidence / 100, match_key(call) in reference))
    score, length, conf, right = (np.array(col) for col in zip(*rows))
    return {"score": score, "length": length, "conf": conf, "right": right.astype(bool)}


def pooled(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def print_table(title: str, probability: np.ndarray, right: np.ndarray) -> None:
    print(f"\n{title} (ECE {100 * expected_calibration_error(probability, right):.2f} points)")
    print("| conf bin | calls | mean conf | share right |\n|---|---|---|---|")
    for row in reliability_table(probability, right):
        print(f"| {row['bin']} | {row['calls']} | {row['mean_conf']:.3f} | {row['observed']:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-root", default=None)
    parser.add_argument("--model", default="genes-default")
    parser.add_argument("--write", action="store_true", help="store the fit in the shipped model and registry")
    args = parser.parse_args()
    root = Path(args.data_root or default_data_root())
    codes = read_manifest(root).set_index("short_name")["genetic_code"].to_dict()
    # float32 scores, as the shipped CPU engine (ONNX Runtime) gives them, also for a .pt loaded by path
    predictors = {table: GenePredictor.load(args.model, "cpu", table, precision="fp32")
                  for table in {int(codes[g]) for g in (*DEFAULT_VALIDATION, *DEFAULT_TEST)}}
    tuning = pooled([calls(predictors[int(codes[g])], root, g) for g in DEFAULT_VALIDATION])
    report = pooled([calls(predictors[int(codes[g])], root, g) for g in DEFAULT_TEST])
    fit = fit_calibration(tuning["score"], tuning["length"], tuning["right"])
    print(f"fit on {', '.join(DEFAULT_VALIDATION)} ({len(tuning['score'])} calls): {fit.as_dict()}")
    print_table(f"current conf, report genomes {', '.join(DEFAULT_TEST)}", report["conf"], report["right"])
    print_table("new fit, tuning genomes (in-sample)", fit.probability(tuning["score"], tuning["length"]),
                tuning["right"])
    print_table(f"new fit, report genomes {', '.join(DEFAULT_TEST)}", fit.probability(report["score"], report["length"]),
                report["right"])
    if args.write:
        import json

        from genoseq.nn.checkpoint import load_checkpoint
        from genoseq.nn.registry import read_registry, register_model, resolve_model

        entry = resolve_model(args.model, "genes")
        info = read_registry()[entry.name]
        settings = dict(load_checkpoint(entry.file, "genes").get("settings") or {})
        settings["confidence"] = fit.as_dict()
        register_model(entry.name, "genes", entry.file, info["file"], info["version"], info["card"], settings=settings,
                       metrics=info.get("metrics"))
        print(f"\nwrote the calibration into {info['file']}: {json.dumps(fit.as_dict())}")


if __name__ == "__main__":
    main()
