import io

import numpy as np

from genoseq.io import ssfmt
from genoseq.ss.decode import SSPrediction


def prediction(length: int, ident: str = "p1") -> SSPrediction:
    rng = np.random.default_rng(length)
    p8 = rng.dirichlet(np.ones(8), size=length)
    p3 = np.stack([p8[:, :3].sum(1), p8[:, 3:5].sum(1), p8[:, 5:].sum(1)], axis=1)
    seq = "".join(rng.choice(list("ACDEFGHIKLMNPQRSTVWY"), size=length))
    return SSPrediction(ident, seq, p3, p8)


def test_ss2_lines_follow_psipred_vformat():
    pred = SSPrediction("x", "MK", np.array([[0.1, 0.2, 0.7], [0.95, 0.0, 0.05]]), np.full((2, 8), 0.125))
    out = io.StringIO()
    ssfmt.write_ss2(out, pred, "test")
    assert out.getvalue() == ("# PSIPRED VFORMAT (test)\n\n"
                              "   1 M C   0.700  0.100  0.200\n"
                              "   2 K H   0.050  0.950  0.000\n")


def test_horiz_blocks_and_ruler():
    pred = prediction(65)
    out = io.StringIO()
    ssfmt.write_horiz(out, pred, "test")
    lines = out.getvalue().split("\n")
    assert lines[0] == "# PSIPRED HFORMAT (test)" and lines[1] == ""
    assert lines[2] == "Conf: " + "".join(map(str, pred.confidence()[:60]))
    assert lines[3] == "Pred: " + pred.q3[:60] and lines[4] == "  AA: " + pred.sequence[:60]
    assert lines[5] == "      " + "".join(f"{n:>10d}" for n in range(10, 61, 10))
    assert lines[6:8] == ["", ""]  # psipass2 leaves two blank lines between blocks
    assert lines[9] == "Pred: " + pred.q3[60:] and lines[11].strip() == ""  # 65 < 70: no number in block 2
    assert out.getvalue().endswith("\n\n")


def test_horiz_writes_psipass2s_extra_block_at_multiples_of_60():
    out = io.StringIO()
    ssfmt.write_horiz(out, prediction(60), "test")
    assert out.getvalue().count("Conf: ") == 2 and out.getvalue().endswith("Conf: \nPred: \n  AA: \n      \n\n")


def test_confidence_digit():
    pred = SSPrediction("x", "MKV", np.array([[0.9, 0.05, 0.05], [0.4, 0.35, 0.25], [1.0, 0, 0]]), np.zeros((3, 8)))
    assert pred.confidence().tolist() == [8, 0, 9]


def test_csv_and_fas():
    pred = prediction(3, "a,b")
    out = io.StringIO()
    ssfmt.write_csv_header(out)
    ssfmt.write_csv_rows(out, pred)
    rows = out.getvalue().splitlines()
    # NetSurfP-2/3's order: id, seq, n, (rsa, asa), q3, p[q3_H], p[q3_E], p[q3_C], q8, p[q8_G] ... p[q8_C]
    assert rows[0].split(",") == ["id", "seq", "n", "q3", "p[q3_H]", "p[q3_E]", "p[q3_C]", "q8", "p[q8_G]",
                                  "p[q8_H]", "p[q8_I]", "p[q8_B]", "p[q8_E]", "p[q8_S]", "p[q8_T]", "p[q8_C]"]
    assert rows[1].startswith('"a,b",' + pred.sequence[0] + ",1," + pred.q3[0])
    fas = io.StringIO()
    ssfmt.write_fas(fas, pred)
    assert fas.getvalue() == f">A,B\n{pred.sequence}\n{pred.q3}\n"  # S4PRED upper-cases ids


def test_csv_rows_equal_field_by_field_formatting_across_number_widths():
    # Row assembly is vectorised per run of residue numbers of equal width: check every width change.
    for length in (1, 9, 10, 99, 100, 1001):
        pred = prediction(length, "sp|P1|X")
        pred.disorder = np.random.default_rng(length).random(length)
        out = io.StringIO()
        ssfmt.write_csv_rows(out, pred, disorder=True)
        expected = "".join(
            ",".join([pred.id, pred.sequence[i], str(i + 1), pred.q3[i], *(f"{v:.3f}" for v in pred.p3[i]),
                      pred.q8[i], *(f"{v:.3f}" for v in pred.p8[i]), f"{pred.disorder[i]:.3f}"]) + "\n"
            for i in range(length))
        assert out.getvalue() == expected


def test_consistent_q8_always_reduces_to_q3():
    pred = prediction(500)
    pred.consistent = True
    reduced = "".join("HHHEECCC"["GHIBESTC".index(s)] for s in pred.q8)
    assert reduced == pred.q3


def test_default_q8_is_the_most_probable_state():
    pred = prediction(500)
    assert pred.q8 == "".join("GHIBESTC"[i] for i in pred.p8.argmax(1))


def test_safe_names():
    names = ssfmt.SafeNames()
    assert names("sp|P12345|X Y/Z") == "sp_P12345_X_Y_Z"
    assert names("a/b") == "a_b" and names("a_b") == "a_b_2" and names("A_B") == "A_B_3"
    assert names(".hidden") == "_hidden" and names("..") == "_."
