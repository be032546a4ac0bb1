"""Semi-supervised training: unlabelled proteins, the held-out filter, soft labels and
their cache, and the mixed labelled/soft batches."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from genoseq.errors import InputError
from genoseq.nn.train import TrainSettings, fit
from genoseq.ss.dataset import LabelledChains, SSTrainingTask
from genoseq.ss.distill import SoftChains, prepare_soft_chains, soft_label, unlabelled_proteins
from genoseq.ss.model import SSNet, SSNetConfig

RNG = np.random.default_rng(3)
AA = np.array(list("ACDEFGHIKLMNPQRSTVWY"))


def random_protein(n: int) -> str:
    return "".join(RNG.choice(AA, n))


def test_filters_short_duplicate_and_held_out(tmp_path):
    held = random_protein(120)
    keep = random_protein(80)
    fasta = tmp_path / "u.faa"
    fasta.write_text(f">keep\n{keep}*\n>dup\n{keep}\n>short\nMKV\n>near\nMM{held[10:60]}KK\n")
    records, seqs, dropped = unlabelled_proteins([fasta], held_out=[held])
    assert [r.id for r in records] == ["keep"] and seqs == [keep]
    assert dropped == {"short": 1, "duplicate": 1, "held_out": 1}
    with pytest.raises(InputError, match="no usable unlabelled proteins"):
        unlabelled_proteins([fasta], held_out=[held, keep])


def test_soft_labels_are_the_teachers_probabilities_and_round_trip(tmp_path):
    teacher = SSNet(SSNetConfig(lstm_hidden=8, conv_channels=4)).eval()
    seqs = [random_protein(n) for n in (35, 60, 47)]
    chains = soft_label(teacher, ["a", "b", "c"], seqs, torch.device("cpu"), 4096)
    assert [len(t) for t in chains.tokens] == [35, 60, 47]
    assert np.allclose(chains.p8[1].astype(np.float32).sum(1), 1, atol=1e-2)
    assert np.allclose(chains.p3[2].astype(np.float32).sum(1), 1, atol=1e-2)
    chains.save(tmp_path / "soft.npz", "key1")
    back = SoftChains.load(tmp_path / "soft.npz", "key1")
    assert back.ids == ["a", "b", "c"] and all(np.array_equal(x, y) for x, y in zip(back.p8, chains.p8))
    assert SoftChains.load(tmp_path / "soft.npz", "another teacher") is None


def test_prepare_caches_by_teacher_and_inputs(tmp_path):
    from genoseq.nn.checkpoint import save_checkpoint

    config = SSNetConfig(lstm_hidden=8, conv_channels=4)
    save_checkpoint(tmp_path / "t.pt", "ss", config.as_dict(), SSNet(config).state_dict())
    fasta = tmp_path / "u.faa"
    fasta.write_text("".join(f">p{i}\n{random_protein(50 + i)}\n" for i in range(5)))
    logs: list[str] = []
    first = prepare_soft_chains([fasta], str(tmp_path / "t.pt"), [], tmp_path / "c.npz", torch.device("cpu"), logs.append)
    again = prepare_soft_chains([fasta], str(tmp_path / "t.pt"), [], tmp_path / "c.npz", torch.device("cpu"), logs.append)
    assert "labelling" in logs[0] and "soft labels from" in logs[1]
    assert len(first) == len(again) == 5


def test_training_mixes_labelled_and_soft_batches(tmp_path):
    lengths = RNG.integers(40, 80, 12)
    labelled = LabelledChains([f"l{i}" for i in range(12)], ["A" * n for n in lengths],
                              [RNG.integers(1, 21, n) for n in lengths], [RNG.integers(0, 8, n) for n in lengths],
                              [RNG.integers(0, 2, n).astype(np.int8) for n in lengths])
    teacher = SSNet(SSNetConfig(lstm_hidden=8, conv_channels=4)).eval()
    soft = soft_label(teacher, ["u1", "u2", "u3", "u4"], [random_protein(n) for n in (50, 55, 60, 65)],
                      torch.device("cpu"), 4096)
    task = SSTrainingTask(labelled, labelled, SSNetConfig(lstm_hidden=8, conv_channels=4, disorder=True),
                          batch_size=2, unlabelled=soft, unlabelled_fraction=0.5)
    batches = task.train_batches(np.random.default_rng(0))
    # soft batches: (tokens, p8, p3) as floats; labelled: (tokens, targets8, disorder) as integers
    soft_batches = [next(batches)[1].is_floating_point() for _ in range(40)]
    assert 10 < sum(soft_batches) < 30
    fit(task, TrainSettings(out_dir=str(tmp_path), epochs=1, steps_per_epoch=6, device="cpu"), log=lambda *_: None)
    header = (tmp_path / "metrics.csv").read_text().splitlines()[0].split(",")
    assert {"train_soft_loss8", "train_loss8", "train_loss_disorder", "val_disorder_auc"} <= set(header)
