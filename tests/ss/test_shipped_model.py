"""Guards on the shipped SS model: Q3 on a slice of the validation chains it never trained on."""
import gzip

from genoseq.nn.registry import read_registry
from tests.cli.helpers import genoseq

SLICE = 200  # the first chains of valid.tsv.gz


def test_registry_entry_is_complete():
    entry = read_registry()["ss-default"]
    assert entry["family"] == "ss" and len(entry["sha256"]) == 64
    assert {"valid_slice_q3", "valid_q3", "cb513_q3", "cb513_q8"} <= set(entry["metrics"])


def test_q3_on_a_validation_slice(shared_ss, tmp_path):
    card = read_registry()["ss-default"]["metrics"]
    with gzip.open(shared_ss / "valid.tsv.gz", "rt") as handle:
        lines = [next(handle) for _ in range(SLICE + 1)]
    (tmp_path / "slice.tsv").write_text("".join(lines))
    result = genoseq("evaluate", "ss", "--ref", tmp_path / "slice.tsv", "--format", "json")
    assert result.returncode == 0, result.stderr.decode()
    import json

    q3 = json.loads(result.stdout)["q3"]
    assert q3 >= card["valid_slice_q3"] - 0.02
