"""predict-genes and ss on the example write exactly the committed golden files
(see tests/golden.py for why and how to regenerate them). A printed number may differ from the
golden one by one unit in its last digit: float32 kernels round differently from one CPU to
another (oneDNN picks AVX2, AVX-512 or AMX code), which moves a value lying on a rounding edge."""
import re

from tests.golden import GOLDEN, normalise, produce

_NUMBER = re.compile(r"-?\d+\.(\d+)")
_TOKENS = re.compile(r"(-?\d+\.\d+)")


def _same_to_last_digit(produced: str, golden: str) -> bool:
    """Equal text, but for decimal numbers that differ by at most one unit in their last printed digit."""
    if produced == golden:
        return True
    ours, theirs = _TOKENS.split(produced), _TOKENS.split(golden)
    if len(ours) != len(theirs):
        return False
    for a, b in zip(ours, theirs):
        if a == b:
            continue
        ma, mb = _NUMBER.fullmatch(a), _NUMBER.fullmatch(b)
        if not (ma and mb and len(ma.group(1)) == len(mb.group(1))):
            return False
        if abs(float(a) - float(b)) > 1.01 * 10 ** -len(ma.group(1)):
            return False
    return True


def test_the_comparison_allows_one_unit_in_the_last_digit_and_nothing_else():
    assert _same_to_last_digit("a,0.903,1.20\n", "a,0.902,1.20\n")
    assert not _same_to_last_digit("a,0.905,1.20\n", "a,0.902,1.20\n")
    assert not _same_to_last_digit("a,0.90,1.20\n", "a,0.902,1.20\n")
    assert not _same_to_last_digit("b,0.902,1.20\n", "a,0.902,1.20\n")


def test_outputs_match_the_golden_files(tmp_path):
    files = produce(tmp_path)
    expected = sorted(p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file())
    assert sorted(files) == expected
    for rel, path in files.items():
        assert _same_to_last_digit(normalise(path.read_text()), (GOLDEN / rel).read_text()), \
            f"{rel} differs from the golden file"
