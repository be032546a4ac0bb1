import numpy as np
import pytest

from genoseq.ep.evaluate import average_precision, precision_at_recall


def test_average_precision_by_hand():
    labels = np.array([1, 0, 1, 0, 0, 1])
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    # positives at ranks 1, 3, 6: AP = (1/1 + 2/3 + 3/6) / 3
    assert average_precision(labels, scores) == pytest.approx((1 + 2 / 3 + 0.5) / 3)
    assert precision_at_recall(labels, scores, 0.7) == pytest.approx(0.5)
    assert precision_at_recall(labels, scores, 0.5) == pytest.approx(2 / 3)


def test_ties_do_not_depend_on_row_order():
    labels = np.array([0, 1, 0, 1])
    scores = np.array([0.5, 0.5, 0.5, 0.5])
    assert average_precision(labels, scores) == pytest.approx(0.5)
    assert average_precision(labels[::-1], scores) == pytest.approx(0.5)
    assert average_precision(np.array([1, 1, 0]), np.array([3.0, 2.0, 1.0])) == 1.0
