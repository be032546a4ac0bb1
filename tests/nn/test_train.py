import numpy as np
import torch
from torch import nn

from genoseq.nn.checkpoint import load_checkpoint
from genoseq.nn.train import TrainSettings, fit


class ToyTask:
    family = "toy"
    monitor = "val_loss"
    monitor_mode = "min"

    def __init__(self):
        torch.manual_seed(0)
        self.model = nn.Linear(3, 1)
        self.model_config = {"in": 3}
        self.w = torch.tensor([[1.0, -2.0, 0.5]])

    def train_batches(self, rng):
        while True:
            x = torch.from_numpy(rng.normal(size=(16, 3)).astype(np.float32))
            yield x, x @ self.w.T

    def loss(self, model, batch, device):
        x, y = batch
        loss = ((model(x) - y) ** 2).mean()
        return loss, {"loss": loss.item()}

    def validate(self, model, device):
        x = torch.eye(3)
        return {"val_loss": ((model(x) - x @ self.w.T) ** 2).mean().item()}


def settings(tmp_path, **kw):
    return TrainSettings(out_dir=str(tmp_path), epochs=4, steps_per_epoch=20, lr=0.05, warmup_steps=5,
                         device="cpu", threads=1, **kw)


def test_fit_learns_and_writes_metrics(tmp_path):
    best = fit(ToyTask(), settings(tmp_path), log=lambda m: None)
    assert best["val_loss"] < 0.05
    lines = (tmp_path / "metrics.csv").read_text().splitlines()
    assert len(lines) == 5 and lines[0].startswith("epoch,step,lr")
    assert load_checkpoint(tmp_path / "best.pt", "toy")["model_config"] == {"in": 3}


def test_resume_gives_the_same_weights_as_one_run(tmp_path):
    fit(ToyTask(), settings(tmp_path / "a"), log=lambda m: None)
    fit(ToyTask(), settings(tmp_path / "b", max_minutes=0.0), log=lambda m: None)  # stops after epoch 1
    fit(ToyTask(), settings(tmp_path / "b"), log=lambda m: None)  # resumes
    a = load_checkpoint(tmp_path / "a" / "last.pt", "toy")["state_dict"]
    b = load_checkpoint(tmp_path / "b" / "last.pt", "toy")["state_dict"]
    for key in a:
        torch.testing.assert_close(a[key], b[key])
