import contextlib
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from genoseq.genes.encode import encode_window
from genoseq.genes.model import N_OUTPUTS, GeneNet, GeneNetConfig, TorchScorer
from genoseq.genes.scoring import BothOrientations, WindowSettings, average_orientations, average_scores, score_sequences


def test_model_keeps_per_base_resolution():
    model = GeneNet(GeneNetConfig())
    x = torch.randn(2, 7, 300)
    assert model(x).shape == (2, N_OUTPUTS, 300)
    with pytest.raises(ValueError):
        model(torch.randn(1, 7, 301))
    assert GeneNet(GeneNetConfig(phase_channel=False))(torch.randn(1, 4, 30)).shape == (1, N_OUTPUTS, 30)


@pytest.mark.parametrize("codons, good, bad", [(2, 300, 303), (3, 297, 300)])
def test_gru_steps_of_several_codons_keep_per_base_resolution(codons, good, bad):
    model = GeneNet(GeneNetConfig(codons_per_step=codons, gru_hidden=8))
    assert model(torch.randn(2, 7, good)).shape == (2, N_OUTPUTS, good)
    with pytest.raises(ValueError, match=f"multiple of {3 * codons}"):
        model(torch.randn(1, 7, bad))
    assert GeneNetConfig(codons_per_step=codons).step_bases == 3 * codons


def test_window_settings_align_to_the_networks_step():
    aligned = WindowSettings().aligned(9)
    assert (aligned.window, aligned.flank, aligned.length_step) == (5994, 297, 594)
    assert WindowSettings().aligned(6) == WindowSettings()  # 6 kb windows already fit 2-codon steps


class LocalModel(torch.nn.Module):
    """Output at each base depends only on that base: lets us check stitching exactly."""

    config = SimpleNamespace(phase_channel=True)

    def forward(self, x):
        weights = torch.arange(1, N_OUTPUTS + 1, dtype=x.dtype).view(1, -1, 1)
        return x[:, :1] * weights + x[:, 1:2]

    # the scorer runs GeneNet's three stages: front end, GRU, heads
    def features(self, x):
        return x, x.new_zeros(len(x), 1, 1)

    def gru(self, steps):
        return steps, None

    def heads(self, x, steps, rnn_out):
        return self(x)


def expected(seq):
    x = torch.from_numpy(encode_window(seq))[None]
    out = LocalModel()(x)
    return torch.cat([torch.log_softmax(out[:, :7], 1), out[:, 7:]], 1)[0].numpy()


def test_windows_are_stitched_in_place():
    rng = np.random.default_rng(1)
    seqs = [rng.choice(np.frombuffer(b"ACGTN", np.uint8), n) for n in (10_000, 1, 700, 2999, 3000)]
    settings = WindowSettings(window=1200, flank=150, batch_size=3, length_step=300)
    results = list(score_sequences(TorchScorer(LocalModel()), enumerate(seqs), settings))
    assert [key for key, _, _ in results] == list(range(len(seqs)))
    for (_, seq, scores), original in zip(results, seqs):
        assert scores.shape == (N_OUTPUTS, len(original))
        np.testing.assert_allclose(scores, expected(original), rtol=1e-5, atol=1e-5)


def test_chunked_batches_and_worker_threads_give_the_same_scores():
    torch.manual_seed(0)
    model = GeneNet(GeneNetConfig(branch_channels=4, codon_channels=12, gru_hidden=8, head_channels=8))
    rng = np.random.default_rng(2)
    seqs = [rng.choice(np.frombuffer(b"ACGT", np.uint8), n) for n in (7_000, 500, 2_400)]
    plain = WindowSettings(window=1200, flank=150, batch_size=1, conv_batch=1, length_step=300)
    chunked = WindowSettings(window=1200, flank=150, batch_size=5, conv_batch=2, length_step=300)
    reference = list(score_sequences(TorchScorer(model, conv_batch=1), enumerate(seqs), plain))
    threads = torch.get_num_threads()
    two_workers = TorchScorer(model, conv_batch=2, workers=2)
    for (_, _, want), (_, _, got) in zip(reference, score_sequences(two_workers, enumerate(seqs), chunked)):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    assert torch.get_num_threads() == threads  # the worker pool restores torch's thread count
    # bfloat16 convolutions and heads (GRU in float32): close to float32, not equal
    bf16 = TorchScorer(model, precision="bf16", conv_batch=2)
    for (_, _, want), (_, _, got) in zip(reference, score_sequences(bf16, enumerate(seqs), chunked)):
        assert 0 < np.abs(got - want).max() < 0.2


@pytest.mark.parametrize("codons", [1, 3])
def test_inference_from_base_channels_alone_equals_the_full_input(codons):
    """Inference feeds the 4 base channels; the model adds the phase channels' share
    (the same for every window that starts at phase 0), zero padding at the edges included."""
    from genoseq.genes.encode import encode_batch

    torch.manual_seed(0)
    net = GeneNet(GeneNetConfig(branch_channels=4, codon_channels=12, gru_hidden=8, head_channels=8,
                                codons_per_step=codons)).eval()
    rng = np.random.default_rng(0)
    for length in (9 * 40, 9 * 7):
        seqs = rng.choice(np.frombuffer(b"ACGTNR", np.uint8), size=(3, length))
        with torch.inference_mode():
            full = net(torch.from_numpy(encode_batch(seqs)))
            bases_only = net(torch.from_numpy(encode_batch(seqs, phase_channel=False)))
        torch.testing.assert_close(bases_only, full, atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError):
        net(torch.zeros(1, 5, 90))


@pytest.mark.parametrize("codons", [1, 3])
def test_onnx_export_scores_like_torch(tmp_path, codons):
    """The ONNX Runtime engine gives torch's float32 scores, whole contigs stitched, with
    windows of every length (short contigs) and batches of every size."""
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from genoseq.genes.model import GeneScores
    from genoseq.genes.scoring import OnnxScorer
    from genoseq.nn.onnx import OnnxNetwork, export_onnx

    torch.manual_seed(0)
    config = GeneNetConfig(branch_channels=4, codon_channels=12, gru_hidden=8, head_channels=8, codons_per_step=codons)
    net = GeneNet(config).eval()
    path = tmp_path / "net.onnx"
    axes = {"x": {0: "windows", 2: "bases"}, "y": {0: "windows", 2: "bases"}}
    export_onnx(GeneScores(net), torch.zeros(2, 7, 36 * config.step_bases), path, "genes", config.to_dict(),
                {"decoder": {"min_length": 99}}, axes, source_sha256="abc")
    network = OnnxNetwork(path, "genes")
    assert network.settings == {"decoder": {"min_length": 99}} and network.source_sha256 == "abc"
    assert network.model_config["codons_per_step"] == codons
    rng = np.random.default_rng(3)
    seqs = [rng.choice(np.frombuffer(b"ACGTN", np.uint8), n) for n in (7_000, 5, 500, 2_400)]
    settings = WindowSettings(window=1800, flank=180, batch_size=5, length_step=360).aligned(config.step_bases)
    want = list(score_sequences(TorchScorer(net, precision="fp32"), enumerate(seqs), settings))
    got = list(score_sequences(OnnxScorer(network, workers=2), enumerate(seqs), settings))
    for (_, _, a), (_, _, b) in zip(want, got):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-4)
    with pytest.raises(Exception, match="a 'genes' model, but a 'ss' model"):
        OnnxNetwork(path, "ss")


def test_coding_probability_per_strand_in_blocks():
    """P(coding) of a strand = the sum of its three codon-position probabilities, in float16,
    block by block; sums under float16's smallest normal number are 0 (the tracks round to 0.02)."""
    from genoseq.genes.api import _coding_probability

    rng = np.random.default_rng(4)
    logp = np.log(rng.dirichlet(np.ones(7) * 0.3, size=1001).T.astype(np.float32))  # (7, 1001)
    logp[1:7, ::7] = -15.0  # every 7th base: coding on neither strand (sums of 1e-6)
    scores = np.concatenate([logp, np.zeros((2, 1001), np.float32)])
    for first in (1, 4):
        got = _coding_probability(scores, first, 1000, block=64)
        want = np.exp(scores[first : first + 3, :1000]).sum(0)
        assert got.dtype == np.float16 and len(got) == 1000
        small = want < 2.0**-14
        assert small.any() and (got[small] == 0).all()
        np.testing.assert_allclose(got[~small], want[~small], rtol=1e-3)


class StrandSymmetricScorer:
    """Scores that read each base alone, so the reverse complement says the same: an A
    reads as plus-strand codon position 1 and a plus start, a T as their minus-strand twins."""

    workers = 1

    def score(self, windows: np.ndarray) -> np.ndarray:
        out = np.full((len(windows), N_OUTPUTS, windows.shape[1]), -4.0, dtype=np.float32)
        out[:, 1] = np.where(windows == ord("A"), -0.1, -4.0)
        out[:, 4] = np.where(windows == ord("T"), -0.1, -4.0)
        out[:, 7] = np.where(windows == ord("A"), 3.0, -3.0)
        out[:, 8] = np.where(windows == ord("T"), 3.0, -3.0)
        coding = out[:, :7]
        coding -= np.log(np.exp(coding).sum(axis=1, keepdims=True))
        return out

    def running(self):
        return contextlib.nullcontext()


def test_both_orientations_map_the_reverse_reading_back_to_its_bases_and_strands():
    windows = np.frombuffer(b"AACGTTTGCAGT" * 5, dtype=np.uint8).reshape(2, 30).copy()
    symmetric = StrandSymmetricScorer()
    np.testing.assert_allclose(BothOrientations(symmetric).score(windows), symmetric.score(windows), atol=1e-5)


def test_both_orientations_average_two_readings_and_renormalise():
    rng = np.random.default_rng(0)
    forward = rng.normal(size=(1, N_OUTPUTS, 12)).astype(np.float32)
    reverse = rng.normal(size=(1, N_OUTPUTS, 12)).astype(np.float32)
    mean = average_orientations(forward, reverse)
    np.testing.assert_allclose(np.exp(mean[:, :7]).sum(axis=1), 1.0, rtol=1e-5)
    # the plus-strand start at base 0 is the mean of its forward logit and the reverse
    # reading's minus-strand start at the window's last base
    assert mean[0, 7, 0] == pytest.approx((forward[0, 7, 0] + reverse[0, 8, 11]) / 2)
    # plus-strand codon position 2 at base 3 pairs with minus-strand position 2 at base 8
    logp = mean[0, :7, 3]
    raw = (forward[0, :7, 3] + reverse[0, [0, 4, 5, 6, 1, 2, 3], 8]) / 2
    np.testing.assert_allclose(logp - logp[0], raw - raw[0], rtol=1e-5)


def test_shipped_model_reads_both_orientations_alike(example_fasta):
    """The two readings of the shipped network differ (else averaging would be pointless) but
    agree on almost every base's coding class."""
    from genoseq.genes.api import GenePredictor
    from genoseq.io.fasta import as_bytes, read_dna

    seq = as_bytes(next(iter(read_dna(example_fasta))).sequence)
    one, two = (GenePredictor.load(device="cpu", orientations=n) for n in (1, 2))
    assert isinstance(two.scorer, BothOrientations) and not isinstance(one.scorer, BothOrientations)
    (_, _, single), = score_sequences(one.scorer, [("p", seq)], one.windows)
    (_, _, both), = score_sequences(two.scorer, [("p", seq)], two.windows)
    assert not np.allclose(single, both, atol=1e-3)
    assert (single[:7].argmax(0) == both[:7].argmax(0)).mean() > 0.95


def test_average_scores_is_a_renormalised_geometric_mean_of_networks():
    rng = np.random.default_rng(1)
    a, b = (rng.normal(size=(N_OUTPUTS, 6)).astype(np.float32) for _ in range(2))
    mean = average_scores([a, b])
    np.testing.assert_allclose(np.exp(mean[:7]).sum(axis=0), 1.0, rtol=1e-5)
    np.testing.assert_allclose(mean[7:], (a[7:] + b[7:]) / 2, rtol=1e-6)
    raw = (a[:7] + b[:7]) / 2
    np.testing.assert_allclose(mean[:7] - mean[0], raw - raw[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a, a.copy())  # the readings are left as they were
