"""``genoseq train ss``: fit the SS model on the labelled chains of a data root."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from genoseq.errors import InputError
from genoseq.nn.train import TrainSettings, fit
from genoseq.ss.dataset import SSTrainingTask, read_ss_table
from genoseq.ss.model import SSNetConfig


def train(settings: TrainSettings, train_table: str | Path, valid_table: str | Path | None,
          config: SSNetConfig | None = None, batch_size: int = 32, max_length: int = 512,
          unlabelled: list[str | Path] | None = None, teacher: str | None = None, unlabelled_fraction: float = 0.5,
          exclude_tables: Sequence[str | Path] = (), soft_labels: str | Path | None = None,
          log=print) -> dict[str, float]:
    """Train an SS model; ``valid_table`` picks best.pt and early stopping. With ``unlabelled``
    FASTA files and a ``teacher`` model, a fraction of the batches are the teacher's soft
    labels on those proteins (see :mod:`genoseq.ss.distill`). Returns the best metrics."""
    train_set = read_ss_table(train_table)
    valid_set = read_ss_table(valid_table) if valid_table else None
    if valid_set is not None and set(train_set.sequences) & set(valid_set.sequences):
        raise InputError("training and validation tables share identical chains")
    log(f"training on {len(train_set)} chains ({train_set.residues:,} residues); "
        f"validating on {len(valid_set) if valid_set else 0}")
    soft = None
    if unlabelled:
        if not teacher:
            raise InputError("unlabelled proteins need a teacher model (--teacher) to label them")
        held_out = list(valid_set.sequences if valid_set else [])
        for table in exclude_tables:
            held_out += read_ss_table(table, use_mask=False).sequences
        from genoseq.nn.device import resolve_device
        from genoseq.ss.distill import prepare_soft_chains

        cache = soft_labels or Path(settings.out_dir) / "soft_labels.npz"
        soft = prepare_soft_chains(list(unlabelled), teacher, held_out, cache, resolve_device(settings.device), log)
    task = SSTrainingTask(train_set, valid_set, config or SSNetConfig(), batch_size, max_length,
                          unlabelled=soft, unlabelled_fraction=unlabelled_fraction)
    return fit(task, settings, log=log)


def default_tables(data_root: str | Path) -> tuple[Path, Path]:
    """The shared data's train and validation tables."""
    root = Path(data_root) / "ss"
    return root / "train.tsv.gz", root / "valid.tsv.gz"
