import copy

import numpy as np
import pytest
import torch
from pathlib import Path

from genoseq.ss.api import length_batches, predict_tokens
from genoseq.ss.model import SSNet, SSNetConfig


def test_padding_does_not_change_a_proteins_output():
    torch.manual_seed(0)
    model = SSNet(SSNetConfig(conv_channels=8, lstm_hidden=16)).eval()
    rng = np.random.default_rng(0)
    tokens = [rng.integers(1, 22, size=n) for n in (5, 300, 41, 1)]
    alone = {k: next(predict_tokens(model, [t], torch.device("cpu"), 10**6)).p3 for k, t in enumerate(tokens)}
    batched = {out.number: out.p3 for out in predict_tokens(model, tokens, torch.device("cpu"), 10**6)}
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


def test_an_ensemble_of_one_network_twice_predicts_like_the_network(tmp_path):
    from genoseq.nn.checkpoint import save_checkpoint
    from genoseq.nn.registry import load_module
    from genoseq.ss.model import build_ss_model, ensemble_checkpoint

    torch.manual_seed(1)
    config = SSNetConfig(conv_channels=8, lstm_hidden=16)
    single = SSNet(config).eval()
    save_checkpoint(tmp_path / "a.pt", "ss", config.as_dict(), single.state_dict())
    ensemble_checkpoint([tmp_path / "a.pt", tmp_path / "a.pt"], tmp_path / "ens.pt")
    ensemble, _ = load_module(str(tmp_path / "ens.pt"), "ss", build_ss_model)
    tokens = [np.random.default_rng(0).integers(1, 22, size=n) for n in (12, 40)]
    alone = {out.number: out.p3 for out in predict_tokens(single, tokens, torch.device("cpu"), 10**6)}
    both = {out.number: out.p3 for out in predict_tokens(ensemble, tokens, torch.device("cpu"), 10**6)}
    for i in alone:
        np.testing.assert_allclose(both[i], alone[i], atol=1e-5)


def test_disorder_head_is_optional_and_padding_safe():
    torch.manual_seed(2)
    model = SSNet(SSNetConfig(conv_channels=8, lstm_hidden=16, disorder=True)).eval()
    tokens = [np.random.default_rng(3).integers(1, 22, size=n) for n in (7, 90)]
    outs = {o.number: o for o in predict_tokens(model, tokens, torch.device("cpu"), 10**6)}
    alone = next(predict_tokens(model, tokens[:1], torch.device("cpu"), 10**6))
    assert outs[0].disorder.shape == (7,) and ((outs[1].disorder > 0) & (outs[1].disorder < 1)).all()
    np.testing.assert_allclose(outs[0].disorder, alone.disorder, atol=1e-5)
    plain = SSNet(SSNetConfig(conv_channels=8, lstm_hidden=16))
    assert next(predict_tokens(plain, tokens, torch.device("cpu"), 10**6)).disorder is None
    assert len(model.trunk_parameters()) == len(list(plain.parameters()))


def test_inference_paths_equal_the_training_path():
    # Under no-grad inference the convolutions run as table lookups and the BiLSTM one
    # direction at a time over a padded batch; both must equal the layers they replace.
    torch.manual_seed(4)
    model = SSNet(SSNetConfig(conv_channels=8, lstm_hidden=16, disorder=True)).eval()
    rng = np.random.default_rng(4)
    lengths = torch.tensor([30, 1, 17, 30, 5])
    tokens = torch.zeros(len(lengths), 30, dtype=torch.long)
    for row, n in enumerate(lengths):
        tokens[row, :n] = torch.from_numpy(rng.integers(1, 22, size=int(n)))
    with torch.enable_grad():
        reference = model(tokens, lengths)  # nn.Conv1d and packed sequences
    with torch.inference_mode():
        fast = model(tokens, lengths)
    valid = torch.arange(30)[None, :] < lengths[:, None]
    for ref, out in zip(reference, fast):
        torch.testing.assert_close(out[valid], ref[valid].detach(), atol=1e-5, rtol=1e-5)


def test_outputs_do_not_depend_on_workers_or_batch_mates_in_float32_and_bfloat16():
    torch.manual_seed(5)
    model = SSNet(SSNetConfig(conv_channels=8, lstm_hidden=16)).eval()
    rng = np.random.default_rng(5)
    tokens = [rng.integers(1, 22, size=int(n)) for n in rng.integers(20, 200, size=40)]
    cpu = torch.device("cpu")
    cast = copy.deepcopy(model).to(torch.bfloat16)  # SSPredictor's bfloat16 runner: weights cast once
    for net, precision in ((model, "fp32"), (model, "bf16"), (cast, "bf16")):
        one = {o.number: o.p3 for o in predict_tokens(net, tokens, cpu, 2000, workers=1, precision=precision)}
        two = {o.number: o.p3 for o in predict_tokens(net, tokens, cpu, 2000, workers=2, precision=precision)}
        others = {o.number: o.p3 for o in predict_tokens(net, tokens[::3], cpu, 700, workers=1, precision=precision)}
        for i in one:
            np.testing.assert_array_equal(two[i], one[i])
        for k, i in enumerate(range(0, len(tokens), 3)):  # other batch-mates, other batch sizes
            np.testing.assert_allclose(others[k], one[i], atol=1e-6)


def test_precision_choice(monkeypatch):
    import genoseq.nn.device as device
    import genoseq.ss.api as api
    from genoseq.errors import GenoseqError

    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    monkeypatch.setattr(device, "cpu_has_native_bf16", lambda: True)
    assert api.resolve_precision("auto", cpu) == "bf16"
    monkeypatch.setattr(device, "cpu_has_native_bf16", lambda: False)
    assert api.resolve_precision("auto", cpu) == "int8"
    assert [api.resolve_precision(p, cpu) for p in ("bf16", "int8", "fp32")] == ["bf16", "int8", "fp32"]
    assert api.resolve_precision("auto", cuda) == "mixed" and api.resolve_precision("fp32", cuda) == "fp32"
    with pytest.raises(GenoseqError, match="for CPU runs"):
        api.resolve_precision("int8", cuda)
    with pytest.raises(GenoseqError, match="unknown precision"):
        api.resolve_precision("fp8", cpu)
    # the gene finder has no int8: without native bfloat16 it runs float32
    from genoseq.genes import PRECISIONS as GENES

    assert device.resolve_precision("auto", cpu, GENES, cpu_fallback="fp32") == "fp32"
    with pytest.raises(GenoseqError, match="unknown precision"):
        device.resolve_precision("int8", cpu, GENES, cpu_fallback="fp32")


def test_blosum62_read_from_the_data_file_equals_biopythons_matrix():
    from Bio.Align import substitution_matrices

    from genoseq.ss.model import blosum62

    reference = substitution_matrices.load("BLOSUM62")
    ours = blosum62()
    assert set(ours) == set(reference.alphabet)
    assert all(ours[a][b] == reference[a][b] for a in reference.alphabet for b in reference.alphabet)


def test_bfloat16_runner_agrees_with_float32():
    """The shipped model in bfloat16 (weights cast at load) calls the same states as in float32
    on nearly every residue, and its probabilities stay close."""
    from genoseq.io.fasta import read_fasta
    from genoseq.ss.api import SSPredictor

    examples = Path(__file__).parents[2] / "data" / "pPCP1.faa"
    records = list(read_fasta(examples))
    full = list(SSPredictor.load("ss-default", "cpu", precision="fp32").predict_records(records))
    half_predictor = SSPredictor.load("ss-default", "cpu", precision="bf16")
    assert next(half_predictor.model.parameters()).dtype == torch.bfloat16
    half = list(half_predictor.predict_records(records))
    residues = sum(len(p.sequence) for p in full)
    differ = sum(sum(a != b for a, b in zip(f.q3, h.q3)) for f, h in zip(full, half))
    assert residues > 500 and differ <= 0.01 * residues
    for f, h in zip(full, half):
        np.testing.assert_allclose(h.p3, f.p3, atol=0.05)
