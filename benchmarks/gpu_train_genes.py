#!/usr/bin/env python
"""Train a gene network for a fixed wall-clock budget on whatever device is at hand.

    python benchmarks/gpu_train_genes.py --data-root ../shared/data -o runs/genes_gpu --minutes 6 \
        --batch-size 128 --lr 3e-3 --arch 12,60,40,24

A short probe run (``--probe-steps`` steps, its own folder) measures this machine's
steps per second; the real run then gets as many epochs as fit in ``--minutes``, so
its cosine learning-rate schedule ends when the budget does (a plain ``--max-minutes``
would stop mid-schedule). ``--epochs`` skips the probe and trains that many epochs on the same
schedule, for a machine shared with other work, where a probe would misjudge the speed. The step
count is printed and stored in the run's ``metrics.csv``, so the run can be repeated exactly with
``genoseq train genes``.
Several of these can share one GPU: the network is small and leaves it mostly idle.
"""
from __future__ import annotations

import argparse
import csv
import shutil
import time
from pathlib import Path

from genoseq.genes import DISTILL_STARTS
from genoseq.genes.dataset import GeneEmphasis
from genoseq.genes.model import GeneNetConfig
from genoseq.genes.training import train
from genoseq.nn.train import TrainSettings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-root", required=True)
    ap.add_argument("-o", "--out", required=True)
    budget = ap.add_mutually_exclusive_group(required=True)
    budget.add_argument("--minutes", type=float, help="wall-clock budget: epochs from a probe run's speed")
    budget.add_argument("--epochs", type=int, help="this many epochs instead (no probe)")
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--window", type=int, default=3000)
    ap.add_argument("--arch", default="12,60,40,24", help="branch,codon,gru,head channels")
    ap.add_argument("--codons-per-step", type=int, default=1, help="codons per GRU step (1-3)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steps-per-epoch", type=int, default=200)
    ap.add_argument("--probe-steps", type=int, default=40)
    ap.add_argument("--weight-decay", type=float, default=TrainSettings.weight_decay)
    ap.add_argument("--train-genomes", help="comma-separated training genomes [every genome of no other role]")
    ap.add_argument("--valid-genomes", help="comma-separated genomes that pick best.pt [the validation genomes]")
    ap.add_argument("--device", default="auto")
    ap.add_argument("-t", "--threads", type=int, default=None)
    ap.add_argument("--init", default=None, help="continue from this network (as train genes --init)")
    ap.add_argument("--teacher", default=None, help="distil this network (as train genes --teacher)")
    ap.add_argument("--distill-weight", type=float, default=0.8)
    ap.add_argument("--distill-start", default="probability", choices=DISTILL_STARTS)
    ap.add_argument("--no-starts-from", default=None,
                    help="comma-separated genomes whose starts are not learned ('prodigal': the MANIFEST's)")
    ap.add_argument("--start-choice-weight", type=float, default=0.0,
                    help="weight of the start-choice loss (as train genes --start-choice-weight)")
    ap.add_argument("--short-gene-weight", type=float, default=1.0,
                    help="coding-loss weight of short genes' bases (as train genes --short-gene-weight)")
    ap.add_argument("--atypical-gene-weight", type=float, default=1.0,
                    help="coding-loss weight of AT-rich atypical genes' bases (as train genes --atypical-gene-weight)")
    args = ap.parse_args()
    branch, codon, gru, head = (int(x) for x in args.arch.split(","))
    options = {"train_genomes": args.train_genomes.split(",") if args.train_genomes else None,
             "valid_genomes": args.valid_genomes.split(",") if args.valid_genomes else None,
             "init": args.init, "teacher": args.teacher, "distill_weight": args.distill_weight,
             "distill_start": args.distill_start,
             "no_starts_from": args.no_starts_from.split(",") if args.no_starts_from else None,
             "choice_weight": args.start_choice_weight,
             "emphasis": GeneEmphasis(short_factor=args.short_gene_weight, atypical_factor=args.atypical_gene_weight)}

    def config() -> GeneNetConfig:
        return GeneNetConfig(branch_channels=branch, codon_channels=codon, gru_hidden=gru, head_channels=head,
                             codons_per_step=args.codons_per_step)

    out = Path(args.out)
    epochs = args.epochs or probe_epochs(args, out, config(), options)
    train(TrainSettings(out_dir=str(out), epochs=epochs, steps_per_epoch=args.steps_per_epoch, lr=args.lr,
                        seed=args.seed, device=args.device, threads=args.threads, weight_decay=args.weight_decay,
                        warmup_steps=min(400, epochs * args.steps_per_epoch // 10)),
          data_root=args.data_root, config=config(), batch_size=args.batch_size, window=args.window, **options)


def probe_epochs(args: argparse.Namespace, out: Path, config: GeneNetConfig, options: dict) -> int:
    """How many epochs fit in ``--minutes``, from a short probe run's speed."""
    probe = out.with_name(out.name + "_probe")
    shutil.rmtree(probe, ignore_errors=True)
    t0 = time.time()
    train(TrainSettings(out_dir=str(probe), epochs=1, steps_per_epoch=args.probe_steps, lr=args.lr,
                        seed=args.seed, device=args.device, threads=args.threads, resume=False,
                        weight_decay=args.weight_decay),
          data_root=args.data_root, config=config, batch_size=args.batch_size, window=args.window, **options)
    probe_s = time.time() - t0
    with open(probe / "metrics.csv") as handle:
        epoch_s = float(next(csv.DictReader(handle))["epoch_s"])
    per_step = epoch_s / args.probe_steps
    remaining = args.minutes * 60 - probe_s - (probe_s - epoch_s)  # the real run loads the genomes again
    epochs = max(1, int(remaining / (per_step * args.steps_per_epoch)))
    print(f"probe: {per_step * 1000:.1f} ms per step of {args.batch_size} x {args.window} bp; "
          f"training {epochs} epochs x {args.steps_per_epoch} steps", flush=True)
    return epochs


if __name__ == "__main__":
    main()
