"""predict-genes and ss on the example write exactly the committed golden files
(see tests/golden.py for why and how to regenerate them)."""
from tests.golden import GOLDEN, normalise, produce


def test_outputs_match_the_golden_files(tmp_path):
    files = produce(tmp_path)
    expected = sorted(p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file())
    assert sorted(files) == expected
    for rel, path in files.items():
        assert normalise(path.read_text()) == (GOLDEN / rel).read_text(), f"{rel} differs from the golden file"
