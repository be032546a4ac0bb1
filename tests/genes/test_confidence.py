import numpy as np
import pytest

from genoseq.genes.confidence import (ConfidenceCalibration, expected_calibration_error, fit_calibration,
                                      reliability_table)


def test_fit_recovers_a_known_calibration():
    rng = np.random.default_rng(0)
    score = rng.uniform(-40, 400, 20_000)
    length = rng.integers(90, 3000, 20_000)
    truth = ConfidenceCalibration(-1.0, 0.9, 1.2)
    right = rng.random(20_000) < truth.probability(score, length)
    fit = fit_calibration(score, length, right)
    assert fit.intercept == pytest.approx(-1.0, abs=0.15)
    assert fit.score_weight == pytest.approx(0.9, abs=0.1) and fit.length_weight == pytest.approx(1.2, abs=0.1)
    assert expected_calibration_error(fit.probability(score, length), right) < 0.02


def test_reliability_bins_count_every_call():
    p = np.array([0.1, 0.6, 0.65, 0.995, 1.0])
    right = np.array([0, 1, 0, 1, 1], bool)
    rows = reliability_table(p, right)
    assert sum(r["calls"] for r in rows) == 5
    assert rows[1] == {"bin": "0.50-0.70", "calls": 2, "mean_conf": pytest.approx(0.625), "observed": 0.5}
    assert expected_calibration_error(p, right) == pytest.approx((0.1 + 2 * 0.125 + 2 * abs(0.9975 - 1)) / 5)


def test_settings_round_trip_and_default():
    fit = ConfidenceCalibration(0.5, 1.0, 2.0)
    assert ConfidenceCalibration.from_settings({"confidence": fit.as_dict()}) == fit
    assert ConfidenceCalibration.from_settings({}).probability(100.0, 300)[0] > 0.999
