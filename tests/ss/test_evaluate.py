import numpy as np
import pytest

from genoseq.ss.evaluate import evaluate_predictions, sov99
from genoseq.ss.labels import IGNORE, SS3, SS8, ss3_from_ss8, ss8_targets


def idx(states: str, alphabet: str = SS3) -> np.ndarray:
    return np.array([alphabet.index(s) for s in states])


def test_sov_perfect_and_worked_example():
    obs = idx("CCHHHHHCC")
    assert sov99(obs, obs)[0] / sov99(obs, obs)[1] == 1.0
    # helix observed at 2-6 (len 5), predicted at 4-7 (len 4): minov 3, maxov 6,
    # delta = min(3, 3, 2, 2) = 2 -> (3 + 2) / 6 * 5; coil segments: observed 0-1 vs
    # predicted 0-3 (minov 2, maxov 4, delta min(2,2,1,2)=1 -> 3/4*2) and observed 7-8
    # vs predicted 8 (minov 1, maxov 2, delta 0 -> 1/2*2)
    pred = idx("CCCCHHHHC")
    total, norm = sov99(obs, pred)
    assert norm == 5 + 2 + 2
    assert total == pytest.approx(5 / 6 * 5 + 3 / 4 * 2 + 1 / 2 * 2)


# Published SOV'99 values for the worked example of Zemla et al. (1999), Proteins 34:220,
# Table 1 (observed CHHHHHHHHHHC), and the extra rows of Liu & Wang (2018), Source Code
# Biol Med 13:1, Table 1. Both papers print three decimals.
PUBLISHED_SOV99 = [
    ("CHCHCHCHCHCC", 0.125),
    ("CCCHHHHHCCCC", 0.632),
    ("CHHHCHHHCHHC", 0.406),
    ("CHHCCHHHHHCC", 0.523),
    ("CCCHHHHHHCCC", 0.806),
    ("CCCHHHHCCCCC", 0.544),
    ("CCCHHHHHHHCC", 0.903),
    ("CCCHHHHHHHHC", 0.944),
]


@pytest.mark.parametrize("predicted, published", PUBLISHED_SOV99)
def test_sov_matches_published_values(predicted, published):
    total, norm = sov99(idx("CHHHHHHHHHHC"), idx(predicted))
    assert round(total / norm, 3) == published


def test_q3_q8_and_masking():
    t8 = ss8_targets("HHHEECCT", "11111110")
    assert t8[-1] == IGNORE
    p8 = idx("HHHEEECC", SS8)
    p3 = ss3_from_ss8(p8)
    scores = evaluate_predictions([t8], [p3], [p8])
    assert scores.residues == 7
    assert scores.q3 == pytest.approx(6 / 7) and scores.q8 == pytest.approx(6 / 7)
    assert scores.per_class["q3_E"]["precision"] == pytest.approx(2 / 3)
    assert scores.per_class["q3_E"]["recall"] == 1.0
    assert 0 < scores.sov3 < 1  # fractions throughout, like q3


def test_disorder_scores_against_hand_counts():
    from genoseq.ss.evaluate import disorder_scores

    truth = [np.array([1, 1, 0, 0, -1], np.int8), np.array([0, 1, 0], np.int8)]
    prob = [np.array([0.9, 0.4, 0.6, 0.1, 0.99]), np.array([0.2, 0.8, 0.3])]
    scores = disorder_scores(truth, prob)
    # scored: disordered {0.9, 0.4, 0.8}, ordered {0.6, 0.1, 0.2, 0.3}; pairs ranked right: 4 + 3 + 4 = 11 of 12
    assert scores["residues"] == 7 and scores["disordered"] == 3
    assert scores["auc"] == pytest.approx(11 / 12)
    # at 0.5: tp 2 (0.9, 0.8), fp 1 (0.6), fn 1 (0.4), tn 3
    assert scores["mcc"] == pytest.approx((2 * 3 - 1 * 1) / np.sqrt(3 * 3 * 4 * 4))
