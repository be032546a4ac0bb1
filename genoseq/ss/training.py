"""``genoseq train ss``: fit the SS model on the labelled chains of a data root."""
from __future__ import annotations

from pathlib import Path

from genoseq.errors import InputError
from genoseq.nn.train import TrainSettings, fit
from genoseq.ss.dataset import SSTrainingTask, read_ss_table
from genoseq.ss.model import SSNetConfig


def train(settings: TrainSettings, train_table: str | Path, valid_table: str | Path | None,
          config: SSNetConfig | None = None, batch_size: int = 32, max_length: int = 512, log=print) -> dict[str, float]:
    """Train an SS model; ``valid_table`` picks best.pt and early stopping. Returns the best metrics."""
    train_set = read_ss_table(train_table)
    valid_set = read_ss_table(valid_table) if valid_table else None
    if valid_set is not None and set(train_set.sequences) & set(valid_set.sequences):
        raise InputError("training and validation tables share identical chains")
    log(f"training on {len(train_set)} chains ({train_set.residues:,} residues); "
        f"validating on {len(valid_set) if valid_set else 0}")
    task = SSTrainingTask(train_set, valid_set, config or SSNetConfig(), batch_size, max_length)
    return fit(task, settings, log=log)


def default_tables(data_root: str | Path) -> tuple[Path, Path]:
    """The shared data's train and validation tables."""
    root = Path(data_root) / "ss"
    return root / "train.tsv.gz", root / "valid.tsv.gz"
