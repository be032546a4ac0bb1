import numpy as np
import torch

from genoseq.ss.api import length_batches, predict_tokens
from genoseq.ss.model import SSNet, SSNetConfig


def test_padding_does_not_change_a_proteins_output():
    torch.manual_seed(0)
    model = SSNet(SSNetConfig(conv_channels=8, lstm_hidden=16)).eval()
    rng = np.random.default_rng(0)
    tokens = [rng.integers(1, 22, size=n) for n in (5, 300, 41, 1)]
    alone = {k: next(predict_tokens(model, [t], torch.device("cpu"), 10**6))[1] for k, t in enumerate(tokens)}
    batched = {i: p3 for i, p3, _ in predict_tokens(model, tokens, torch.device("cpu"), 10**6)}
    for i in range(len(tokens)):
        assert batched[i].shape == (len(tokens[i]), 3)
        np.testing.assert_allclose(batched[i], alone[i], atol=1e-5)
        np.testing.assert_allclose(batched[i].sum(1), 1.0, atol=1e-5)


def test_length_batches_cover_everything_and_respect_the_budget():
    lengths = [10, 5000, 3, 700, 700, 20000]
    batches = length_batches(lengths, 2000)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= 2000
