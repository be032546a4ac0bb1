"""``genoseq train ss``: fit the SS model on the labelled chains of a data root."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from genoseq.errors import InputError
from genoseq.nn.train import TrainSettings, fit
from genoseq.ss.dataset import SSTrainingTask, read_ss_table
from genoseq.ss.model import SSNet, SSNetConfig


def train(settings: TrainSettings, train_table: str | Path, valid_table: str | Path | None,
          config: SSNetConfig | None = None, batch_size: int = 32, max_length: int = 512,
          unlabelled: list[str | Path] | None = None, teacher: str | None = None, unlabelled_fraction: float = 0.5,
          exclude_tables: Sequence[str | Path] = (), soft_labels: str | Path | None = None,
          init: str | None = None, disorder: bool = False, freeze_trunk: bool = False,
          log=print) -> dict[str, float]:
    """Train an SS model; ``valid_table`` picks best.pt and early stopping. With ``unlabelled``
    FASTA files and a ``teacher`` model, a fraction of the batches are the teacher's soft
    labels on those proteins (see :mod:`genoseq.ss.distill`). ``init`` starts from a trained
    network (its architecture replaces ``config``); ``disorder`` adds the disorder head and
    ``freeze_trunk`` trains that head alone (then the validation disorder AUC picks best.pt).
    Returns the best metrics."""
    for table in (train_table, valid_table):
        if table is not None and not Path(table).is_file():
            raise InputError(f"{table}: no such file")
    log(f"reading {train_table}" + (f" and {valid_table}" if valid_table else "") + " ...")
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
    config = config or SSNetConfig()
    model = None
    if init:
        model = initial_network(init, disorder, log)
        config = model.config
    elif disorder:
        config = SSNetConfig.from_dict({**config.as_dict(), "disorder": True})
    if freeze_trunk:
        if model is None or not model.config.disorder:
            raise InputError("--freeze-trunk trains the disorder head of a trained network: give --init and --disorder")
        for parameter in model.trunk_parameters():
            parameter.requires_grad_(False)
    task = SSTrainingTask(train_set, valid_set, config, batch_size, max_length,
                          unlabelled=soft, unlabelled_fraction=unlabelled_fraction, model=model,
                          monitor="val_disorder_auc" if freeze_trunk else "val_q3")
    return fit(task, settings, log=log)


def initial_network(init: str, disorder: bool, log=print) -> SSNet:
    """A trained single network (name or checkpoint) to continue from; with ``disorder`` it
    gains a freshly initialised disorder head if it has none."""
    from genoseq.nn.registry import load_module
    from genoseq.ss.model import build_ss_model

    network, entry = load_module(init, "ss", build_ss_model)
    if not isinstance(network, SSNet):
        raise InputError(f"--init needs a single network, and {entry.name} is an ensemble")
    grow = disorder and not network.config.disorder
    if grow:
        grown = SSNet(SSNetConfig.from_dict({**network.config.as_dict(), "disorder": True}))
        missing, unexpected = grown.load_state_dict(network.state_dict(), strict=False)
        assert not unexpected and all(k.startswith("head_disorder.") for k in missing)
        network = grown
    log(f"starting from {entry.name}" + (" with a new disorder head" if grow else ""))
    return network


def default_tables(data_root: str | Path) -> tuple[Path, Path]:
    """The shared data's train and validation tables."""
    root = Path(data_root) / "ss"
    return root / "train.tsv.gz", root / "valid.tsv.gz"
