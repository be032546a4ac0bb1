#!/usr/bin/env python
"""The start-model prior for small inputs: build it, evaluate it, ship it.

    python benchmarks/start_prior.py [--model models/genes_v6.pt] [--folds benchmarks/folds]
        [--window 30000] [--windows 20] [--write]

1. Each of the 13 tuning genomes (the 11 training genomes, each scored by the fold network of
   ``benchmarks/gpu_folds.sh`` that never saw it, and the 2 validation genomes, scored by
   ``--model``) is decoded whole, and its adapted start model is kept. The prior is their mean.
2. Evaluation: windows of ``--window`` bases (``--windows`` per genome, seeded) of the
   ``--genomes``, each decoded as an input of its own, once without a prior and once with the
   mean of the *other* genomes' start models (leave one genome out). Sensitivity, exact starts and
   precision of the genes wholly inside the windows are printed. The test genomes take no part.
3. ``--write`` stores the mean of all 13 as ``start_prior`` in the registered genes-default
   model's settings, with the decoder settings set to the code defaults of ``DecoderSettings``
   (the tuned ones, runtime options aside), and exports its ONNX file again (a release step).
   Session 14 made genes-default v6's file with it:
   ``python benchmarks/start_prior.py --folds <session 12's runs/gpu> --write``.
"""
from __future__ import annotations

import argparse
import dataclasses
import random
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from genoseq.datapaths import default_data_root
from genoseq.genes.adaptation import GenomeAdaptation
from genoseq.genes.api import GenePredictor
from genoseq.genes.codes import genetic_code
from genoseq.genes.dataset import DEFAULT_VALIDATION
from genoseq.genes.decode import DecoderSettings
from genoseq.genes.scoring import score_sequences
from genoseq.genes.start_model import StartModel
from genoseq.io.fasta import FastaRecord, as_bytes, read_dna
from genoseq.io.gff3 import read_cds

sys.path.insert(0, str(Path(__file__).parent))
from tune_decoder import cached_scores  # noqa: E402  (benchmarks/tune_decoder.py)

WINDOW_GENOMES = ("mthermautotrophicus_dh,bsubtilis_best7003,nmeningitidis_mc58,rdenitrificans_och114,"
                  "mtuberculosis_h37rv,macetivorans_c2a,spyogenes_m1_gas,hinfluenzae_rd_kw20")


def fold_networks(folds: Path) -> dict[str, str]:
    """Training genome -> the fold network that never saw it (gpu_folds.sh's folds.txt)."""
    if not (folds / "folds.txt").exists():
        raise SystemExit(f"{folds}/folds.txt: not found (fold networks: benchmarks/gpu_folds.sh, then "
                         "benchmarks/keep_folds.py)")
    out = {}
    for line in (folds / "folds.txt").read_text().splitlines():
        fold, _, _, held = line.split()
        out.update({genome: str(folds / fold.rstrip(":") / "best.pt") for genome in held.split(",")})
    return out


def genome_adaptation(predictor: GenePredictor, scored: list, table: int) -> GenomeAdaptation:
    """What adapting to this whole genome learns (without a start prior or a library)."""
    run = dataclasses.replace(predictor, start_prior=None, library=None, table=table)
    code = genetic_code(table)
    contigs = [run._prepare(record, as_bytes(record.sequence), scores, 0, code, False) for record, scores in scored]
    adaptation = run._adapt(contigs, table=table)
    if adaptation is None or adaptation.start_model is None:
        raise SystemExit("no start model: the genome did not adapt")
    return adaptation


def genome_start_model(predictor: GenePredictor, scored: list, table: int) -> StartModel:
    """The start model that adapting to this whole genome fits (without any prior)."""
    model = genome_adaptation(predictor, scored, table).start_model
    assert model is not None
    return model


def rewrite_genes_default(**updates) -> None:
    """Store ``updates`` in the registered genes-default model's settings, with the decoder
    settings set to the code defaults of ``DecoderSettings`` (the tuned ones, runtime options
    aside), and export its ONNX file again (a release step)."""
    from genoseq.genes.model import export_gene_onnx
    from genoseq.nn.checkpoint import load_checkpoint
    from genoseq.nn.registry import read_registry, register_model, resolve_model

    entry = resolve_model("genes-default", "genes")
    info = read_registry()[entry.name]
    settings = dict(load_checkpoint(entry.file, "genes").get("settings") or {})
    settings.update(updates)
    settings["decoder"] = {k: v for k, v in dataclasses.asdict(DecoderSettings()).items()
                           if k not in ("closed", "adapt")}  # runtime options, not tuned ones
    register_model(entry.name, "genes", entry.file, info["file"], info["version"], info["card"],
                   settings=settings, metrics=info.get("metrics"))
    print(f"rewrote {info['file']} ({', '.join(updates)}); ONNX: {export_gene_onnx(entry.name)}")


def window_figures(predictor: GenePredictor, windows: list, table: int) -> dict[str, float]:
    run = dataclasses.replace(predictor, table=table)
    found = exact = called = right = total = 0
    for record, scores, inside in windows:
        calls = {}
        for prediction in run.decode_scored([(record, as_bytes(record.sequence), scores, 0)]):
            for g in prediction.genes:
                stop, start = (g.end, g.start) if g.strand == "+" else (g.start, g.end)
                calls[(g.strand, stop)] = start
        hits = [k for k in inside if k in calls]
        total, called = total + len(inside), called + len(calls)
        found, exact = found + len(hits), exact + sum(calls[k] == inside[k] for k in hits)
        right += sum(k in inside for k in calls)
    return {"sensitivity": found / max(1, total), "exact starts": exact / max(1, found),
            "precision": right / max(1, called)}


def windows_of(predictor: GenePredictor, root: Path, genome: str, size: int, count: int, seed: int) -> list:
    """``count`` random windows of ``size`` bases of the genome's first record, with their network
    scores and the reference genes wholly inside each ((strand, stop) -> start, window coordinates)."""
    record = next(read_dna(root / genome / "genome.fna.gz"))
    reference = [f for f in read_cds(root / genome / "annotation.gff3.gz") if not f.pseudo and f.seqid == record.id]
    rng = random.Random(seed)
    out = []
    for k in range(count):
        pos = rng.randrange(0, len(record.sequence) - size)
        piece = FastaRecord(f"w{k}", "", record.sequence[pos : pos + size])
        inside = {(f.strand, (f.end if f.strand == "+" else f.start) - pos): (f.start if f.strand == "+" else f.end) - pos
                  for f in reference if pos < f.start and f.end <= pos + size}
        (_, _, scores), = score_sequences(predictor.scorer, [(0, as_bytes(piece.sequence))], predictor.windows)
        out.append((piece, scores, inside))
    return out


def print_windows(rows: list[dict], column: str, size: int, count: int, seed: int) -> None:
    """The per-genome table of window figures and its mean per ``column`` value."""
    if not rows:
        return
    table = pd.DataFrame(rows)
    print(f"\nWindows of {size:,} bp, {count} per genome (seed {seed}), each its own input:\n")
    print(table.to_markdown(index=False, floatfmt=".4f"))
    print("\nMean:\n")
    print(table.drop(columns="genome").groupby(column, sort=False).mean().to_markdown(floatfmt=".4f"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-root", default=str(default_data_root()))
    ap.add_argument("--model", default="models/genes_v6.pt")
    ap.add_argument("--folds", default="benchmarks/folds",
                    help="fold networks and folds.txt: gpu_folds.sh's runs/gpu or benchmarks/keep_folds.py's copy")
    ap.add_argument("--genomes", default=WINDOW_GENOMES, help="genomes whose windows are evaluated")
    ap.add_argument("--window", type=int, default=30_000)
    ap.add_argument("--windows", type=int, default=20, help="windows per genome (0: no evaluation)")
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--write", action="store_true", help="store the prior in the registered genes-default model")
    args = ap.parse_args()
    root = Path(args.data_root) / "genomes"
    manifest = pd.read_csv(root / "MANIFEST.tsv", sep="\t").set_index("short_name")
    folds = fold_networks(Path(args.folds))
    networks = {path: GenePredictor.load(path, "cpu", precision="fp32") for path in {args.model, *folds.values()}}
    base = networks[args.model]

    def scorer(genome: str) -> GenePredictor:
        return networks[folds.get(genome, args.model)]

    models = {}
    for genome in [*folds, *DEFAULT_VALIDATION]:
        cache = Path("runs/score_cache_oof" if genome in folds else "runs/score_cache")
        scored = cached_scores(scorer(genome), root / genome / "genome.fna.gz", cache)
        models[genome] = genome_start_model(base, scored, int(manifest.loc[genome, "genetic_code"])).vector()
        print(f"# {genome}: start types {np.round(models[genome][-19:-16], 2)}", flush=True)
    rows = []
    for genome in (args.genomes.split(",") if args.windows else []):
        table = int(manifest.loc[genome, "genetic_code"])
        windows = windows_of(scorer(genome), root, genome, args.window, args.windows, args.seed)
        others = np.mean([v for g, v in models.items() if g != genome], axis=0)
        for label, prior in (("no prior", None), ("prior (leave-one-out)", StartModel.from_vector(others))):
            predictor = dataclasses.replace(base, start_prior=prior, library=None)  # the prior alone
            rows.append({"genome": genome, "start model": label, **window_figures(predictor, windows, table)})
    print_windows(rows, "start model", args.window, args.windows, args.seed)
    prior = np.mean(list(models.values()), axis=0)
    if args.write:
        rewrite_genes_default(start_prior=[round(float(v), 5) for v in prior])


if __name__ == "__main__":
    main()
