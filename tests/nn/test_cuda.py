"""The CUDA path: the same predictions as on CPU (up to mixed precision) and training
steps with autocast. Skipped where no CUDA GPU is present (CI has none)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from genoseq.genes.api import GenePredictor
from genoseq.io.fasta import read_dna, read_fasta
from genoseq.nn.checkpoint import load_checkpoint
from genoseq.nn.train import TrainSettings
from genoseq.ss.api import SSPredictor

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU")

DATA = Path(__file__).resolve().parents[2] / "data"


def _genes(device: str) -> tuple[set, np.ndarray]:
    predictor = GenePredictor.load(device=device)
    (contig,) = list(predictor.predict_records(read_dna(DATA / "pPCP1.fna")))
    return {(g.start, g.end, g.strand) for g in contig.genes}, contig.coding_plus.astype(np.float32)


def test_gene_calls_on_cuda_match_cpu():
    cpu_genes, cpu_track = _genes("cpu")
    gpu_genes, gpu_track = _genes("cuda")
    assert len(cpu_genes) > 3
    assert len(cpu_genes & gpu_genes) / len(cpu_genes | gpu_genes) >= 0.9
    assert np.abs(cpu_track - gpu_track).max() < 0.1  # bfloat16 autocast on the GPU


def test_ss_on_cuda_matches_cpu():
    records = list(read_fasta(DATA / "pPCP1.faa"))
    cpu = list(SSPredictor.load(device="cpu").predict_records(records))
    gpu = list(SSPredictor.load(device="cuda").predict_records(records))
    same = sum(sum(a == b for a, b in zip(c.q3, g.q3)) for c, g in zip(cpu, gpu))
    assert same / sum(len(c.q3) for c in cpu) >= 0.97


def test_ss_inference_paths_on_cuda_equal_the_training_path():
    from genoseq.ss.model import SSNet, SSNetConfig

    torch.manual_seed(0)
    model = SSNet(SSNetConfig(conv_channels=8, lstm_hidden=16)).cuda().eval()
    lengths = torch.tensor([25, 3, 25, 11])
    tokens = torch.randint(1, 22, (4, 25)) * (torch.arange(25)[None, :] < lengths[:, None])
    with torch.enable_grad():
        reference = model(tokens.cuda(), lengths)
    with torch.inference_mode():
        fast = model(tokens.cuda(), lengths)
    valid = (torch.arange(25)[None, :] < lengths[:, None]).cuda()
    for ref, out in zip(reference, fast):
        torch.testing.assert_close(out[valid], ref[valid].detach(), atol=1e-4, rtol=1e-4)


def test_gene_training_steps_on_cuda(tmp_path):
    from genoseq.genes.model import GeneNetConfig
    from genoseq.genes.training import train

    settings = TrainSettings(out_dir=str(tmp_path), epochs=1, steps_per_epoch=3, device="cuda", amp=True)
    pair = (str(DATA / "pPCP1.fna"), str(DATA / "pPCP1.gff3"), 11)
    train(settings, pairs=[pair], valid_pairs=[pair], config=GeneNetConfig(gru_hidden=16), batch_size=4,
          window=999, log=lambda *_: None)
    state = load_checkpoint(tmp_path / "best.pt", "genes")
    assert all(torch.isfinite(v).all() for v in state["state_dict"].values() if v.is_floating_point())


def test_ss_training_steps_on_cuda(tmp_path):
    from genoseq.ss.dataset import LabelledChains, SSTrainingTask
    from genoseq.ss.model import SSNetConfig
    from genoseq.nn.train import fit

    rng = np.random.default_rng(0)
    lengths = rng.integers(40, 90, 8)
    chains = LabelledChains([f"c{i}" for i in range(8)], ["A" * n for n in lengths],
                            [rng.integers(1, 21, n) for n in lengths], [rng.integers(0, 8, n) for n in lengths],
                            [np.zeros(n, dtype=np.int8) for n in lengths])
    task = SSTrainingTask(chains, chains, SSNetConfig(lstm_hidden=16, conv_channels=8), batch_size=4)
    metrics = fit(task, TrainSettings(out_dir=str(tmp_path), epochs=1, steps_per_epoch=3, device="cuda"),
                  log=lambda *_: None)
    assert 0.0 <= metrics["val_q3"] <= 1.0
