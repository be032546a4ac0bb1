"""One training loop for every model family.

A family supplies a :class:`TrainingTask` (model, batches, loss, validation);
:func:`fit` does the rest: seeds, device and mixed precision, AdamW with warm-up
and cosine decay, gradient clipping, per-epoch metrics appended to
``metrics.csv``, ``last.pt`` / ``best.pt`` checkpoints, resume, early stopping
and a wall-clock budget (so that long CPU runs can be continued later).

Under ``torchrun --nproc_per_node=N`` the same loop trains one model with
DistributedDataParallel: each process draws its own batches (seed + rank), gradients
are averaged, and only rank 0 validates, logs and writes checkpoints; stop decisions
are shared so that every process leaves the loop at the same epoch.
"""
from __future__ import annotations

import csv
import math
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator, Protocol

import numpy as np
import torch
from torch import nn

from genoseq.nn import distributed
from genoseq.nn.checkpoint import load_checkpoint, save_checkpoint
from genoseq.nn.device import autocast, resolve_device, set_threads


@dataclass
class TrainSettings:
    """Optimisation settings shared by every family."""

    out_dir: str = "runs/model"
    epochs: int = 40
    steps_per_epoch: int = 250
    lr: float = 2e-3
    weight_decay: float = 0.01
    warmup_steps: int = 200
    grad_clip: float = 1.0
    seed: int = 1
    device: str = "auto"
    amp: bool = True
    threads: int | None = None
    patience: int | None = None
    max_minutes: float | None = None
    resume: bool = True


class TrainingTask(Protocol):
    """What a model family provides to :func:`fit`."""

    family: str
    model_config: dict
    monitor: str  # the validation metric that picks best.pt
    monitor_mode: str  # "min" or "max"

    @property
    def model(self) -> nn.Module: ...

    def train_batches(self, rng: np.random.Generator) -> Iterator[Any]: ...

    def loss(self, model: nn.Module, batch: Any, device: torch.device) -> tuple[torch.Tensor, dict[str, float]]: ...

    def validate(self, model: nn.Module, device: torch.device) -> dict[str, float]: ...


def seed_everything(seed: int) -> np.random.Generator:
    random.seed(seed)
    torch.manual_seed(seed)
    return np.random.default_rng(seed)


def _lr_factor(step: int, warmup: int, total: int) -> float:
    if step < warmup:
        return (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress))


def fit(task: TrainingTask, settings: TrainSettings, log=print) -> dict[str, float]:
    """Train ``task.model``; returns the best validation metrics seen."""
    out = Path(settings.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    device = resolve_device(settings.device)
    ctx, device = distributed.start(device)
    if ctx.enabled and settings.threads is None and device.type == "cpu":
        set_threads(max(1, set_threads(None) // ctx.world_size))  # share the cores between processes
    else:
        set_threads(settings.threads)
    rng = seed_everything(settings.seed + ctx.rank)
    model = task.model.to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    total_steps = settings.epochs * settings.steps_per_epoch
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: _lr_factor(s, settings.warmup_steps, total_steps)
    )
    use_scaler = device.type == "cuda" and settings.amp and not torch.cuda.is_bf16_supported()
    scaler = torch.amp.GradScaler("cuda", enabled=use_scaler)
    sign = 1.0 if task.monitor_mode == "min" else -1.0
    start_epoch, best, best_metrics, stale = 0, math.inf, {}, 0
    last_path = out / "last.pt"
    if settings.resume and last_path.exists():
        state = load_checkpoint(last_path, task.family)
        model.load_state_dict(state["state_dict"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        start_epoch = int(state["epoch"])
        best = float(state["best_metric"])
        best_metrics = dict(state.get("best_metrics", {}))
        stale = int(state.get("stale_epochs", 0))
        if ctx.is_main:
            rng.bit_generator.state = state["numpy_rng"]
            torch.set_rng_state(state["torch_rng"])
        else:  # other ranks continue from a stream of their own
            rng = seed_everything(settings.seed + ctx.rank + 1000 * start_epoch)
        if ctx.is_main:
            log(f"resumed from {last_path} at epoch {start_epoch}")
    if ctx.enabled:
        from torch.nn.parallel import DistributedDataParallel

        trained: nn.Module = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
        if ctx.is_main:
            log(f"distributed training: {ctx.world_size} processes ({'nccl' if device.type == 'cuda' else 'gloo'}), "
                f"{ctx.world_size} x batch per step")
    else:
        trained = model
    from genoseq.progress import CountProgress, eta_text

    t_start = time.time()
    batches = task.train_batches(rng)
    metrics_path = out / "metrics.csv"
    if ctx.is_main and start_epoch < settings.epochs:
        log(f"training: epochs {start_epoch + 1}-{settings.epochs} of {settings.steps_per_epoch} steps on {device}, "
            f"validation after each; a line per epoch")
    for epoch in range(start_epoch, settings.epochs):
        trained.train()
        t_epoch = time.time()
        sums: dict[str, float] = {}
        counts: dict[str, int] = {}
        with CountProgress(f"epoch {epoch + 1}/{settings.epochs}", "step", disable=not ctx.is_main,
                           total=settings.steps_per_epoch) as bar:
            for _ in range(settings.steps_per_epoch):
                bar.update(1)
                batch = next(batches)
                with autocast(device, settings.amp):
                    loss, parts = task.loss(trained, batch, device)
                optimizer.zero_grad(set_to_none=True)
                scaler.scale(loss).backward()
                scaler.unscale_(optimizer)
                nn.utils.clip_grad_norm_(model.parameters(), settings.grad_clip)
                scaler.step(optimizer)
                scaler.update()
                scheduler.step()
                for key, value in parts.items():
                    sums[key] = sums.get(key, 0.0) + value
                    counts[key] = counts.get(key, 0) + 1
        model.eval()
        stop_now = False
        if ctx.is_main:
            with torch.no_grad(), autocast(device, settings.amp):
                val = task.validate(model, device)
            row = {
                "epoch": epoch + 1,
                "step": (epoch + 1) * settings.steps_per_epoch,
                "lr": scheduler.get_last_lr()[0],
                "epoch_s": round(time.time() - t_epoch, 1),
                **{f"train_{k}": v / counts[k] for k, v in sums.items()},
                **val,
            }
            _append_csv(metrics_path, row)
            score = sign * val[task.monitor]
            improved = score < best or math.isnan(score)  # no validation data: the latest is the best
            if improved:
                best, best_metrics, stale = score, dict(row), 0
                save_checkpoint(out / "best.pt", task.family, task.model_config, _cpu_state(model), epoch=epoch + 1,
                                metrics=row)
            else:
                stale += 1
            save_checkpoint(
                last_path, task.family, task.model_config, _cpu_state(model),
                optimizer=optimizer.state_dict(), scheduler=scheduler.state_dict(), epoch=epoch + 1,
                best_metric=best, best_metrics=best_metrics, stale_epochs=stale,
                numpy_rng=rng.bit_generator.state, torch_rng=torch.get_rng_state(),
                train_config=asdict(settings),
            )
            remaining = (settings.epochs - epoch - 1) * (time.time() - t_start) / (epoch + 1 - start_epoch)
            log(" ".join(f"{k}={_fmt(v)}" for k, v in row.items()) + (" *" if improved else "")
                + (f"  (about {eta_text(remaining)} left)" if epoch + 1 < settings.epochs else ""))
            if settings.patience is not None and stale >= settings.patience:
                log(f"early stop: {task.monitor} did not improve for {stale} epochs")
                stop_now = True
            if settings.max_minutes is not None and (time.time() - t_start) / 60 >= settings.max_minutes:
                log(f"time budget of {settings.max_minutes} min reached; resume with the same command")
                stop_now = True
        if ctx.any(stop_now):
            break
    ctx.barrier()
    distributed.stop(ctx)
    return best_metrics


def _cpu_state(model: nn.Module) -> dict:
    return {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}


def _fmt(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _append_csv(path: Path, row: dict) -> None:
    """Append a row under the file's existing header (columns a row lacks stay empty)."""
    new = not path.exists()
    if not new:
        with open(path, newline="") as existing:
            fields = next(csv.reader(existing))
    with open(path, "a", newline="") as handle:
        if new:
            fields = list(row)
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        if new:
            writer.writeheader()
        writer.writerow(row)
