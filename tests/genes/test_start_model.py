"""The per-genome start model: fitting, Shine-Dalgarno motifs, the optimiser."""
import numpy as np
import pytest

from genoseq.genes.codes import encode_bases
from genoseq.genes.start_model import BASE_POSITIONS, StartModel, _lbfgs, sd_features, sd_motif_calls, start_windows
from genoseq.io.fasta import as_bytes


def windows_of(seq: str, start: int) -> np.ndarray:
    return start_windows(encode_bases(as_bytes(seq)), np.array([start]))


def test_shine_dalgarno_motif_and_spacer_are_read_as_prodigal_writes_them():
    upstream = "T" * 30 + "AGGAGG" + "T" * 7
    w = windows_of(upstream + "ATGAAACCC", len(upstream))
    assert sd_motif_calls(w) == (["AGGAGG"], ["5-10bp"])
    # every motif length is present in the 5-10 bp bin (substrings of AGGAGG), no other bin
    assert sd_features(w).reshape(4, 4).tolist() == [[0, 1, 0, 0]] * 4
    shorter = "T" * 30 + "GGAG" + "T" * 12  # spacer 12
    assert sd_motif_calls(windows_of(shorter + "ATG", len(shorter))) == (["AGGA/GGAG/GAGG"], ["11-12bp"])
    none = "T" * 40 + "GAGG"  # spacer 0: too close to be a ribosome-binding site
    assert sd_motif_calls(windows_of(none + "ATG", len(none))) == (["None"], ["None"])


def test_windows_outside_the_sequence_are_unknown():
    w = windows_of("ATGAAACCCGGG", 0)
    assert (w[0, :40] == 4).all() and w.shape == (1, len(BASE_POSITIONS))


def test_fit_recovers_planted_position_weights():
    rng = np.random.default_rng(3)
    n_groups, per_group = 3000, 6
    n = n_groups * per_group
    windows = rng.integers(0, 4, (n, len(BASE_POSITIONS))).astype(np.uint8)
    truth = rng.normal(0, 1, (len(BASE_POSITIONS), 4))
    score = truth[np.arange(len(BASE_POSITIONS))[None, :], windows].sum(1).reshape(n_groups, per_group)
    p = np.exp(score - score.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    chosen = np.zeros((n_groups, per_group), bool)
    chosen[np.arange(n_groups), [rng.choice(per_group, p=row) for row in p]] = True
    group = np.repeat(np.arange(n_groups), per_group)
    model = StartModel.fit(windows, np.zeros(n, np.int64), np.zeros((n, 0), np.float32), group, chosen.ravel(),
                           l2=0.1, iterations=50)
    fitted = model.position[:, :4] - model.position[:, :4].mean(1, keepdims=True)
    centred = truth - truth.mean(1, keepdims=True)
    assert np.corrcoef(fitted.ravel(), centred.ravel())[0, 1] > 0.9
    # and it ranks the true starts first far more often than chance (1/6)
    ranked = model.score(windows, np.zeros(n, np.int64), np.zeros((n, 0))).reshape(n_groups, per_group)
    assert (chosen[np.arange(n_groups), ranked.argmax(1)]).mean() > 0.4


def test_lbfgs_finds_a_quadratic_minimum():
    a = np.diag([1.0, 10.0, 100.0])
    target = np.array([1.0, -2.0, 3.0])
    w = _lbfgs(lambda w: (0.5 * (w - target) @ a @ (w - target), a @ (w - target)), np.zeros(3), 100)
    assert np.allclose(w, target, atol=1e-4)


def test_a_prior_is_where_the_fit_starts_and_what_it_is_pulled_towards():
    rng = np.random.default_rng(5)
    n_extra = 2
    prior = StartModel.from_vector(rng.normal(0, 1, len(BASE_POSITIONS) * 4 + 3 + n_extra))
    assert np.array_equal(StartModel.from_vector(prior.vector()).vector(), prior.vector())
    # no data: the prior itself, not zeros
    empty = np.zeros((0, len(BASE_POSITIONS)), np.uint8)
    none = np.zeros(0, np.int64)
    alone = StartModel.fit(empty, none, np.zeros((0, n_extra)), none, np.zeros(0, bool), l2=3.0, prior=prior)
    assert np.allclose(alone.vector(), prior.vector())
    # a few genes: the fit stays nearer the prior with it than without it
    n_groups, per_group = 20, 5
    n = n_groups * per_group
    windows = rng.integers(0, 4, (n, len(BASE_POSITIONS))).astype(np.uint8)
    types, extra = rng.integers(0, 3, n), rng.random((n, n_extra)).astype(np.float32)
    group = np.repeat(np.arange(n_groups), per_group)
    chosen = np.zeros(n, bool)
    chosen[::per_group] = True
    pulled = StartModel.fit(windows, types, extra, group, chosen, l2=3.0, prior=prior)
    free = StartModel.fit(windows, types, extra, group, chosen, l2=3.0)
    assert np.linalg.norm(pulled.vector() - prior.vector()) < 0.5 * np.linalg.norm(free.vector() - prior.vector())
    with pytest.raises(ValueError, match="needs at least"):
        StartModel.from_vector(np.zeros(10))
