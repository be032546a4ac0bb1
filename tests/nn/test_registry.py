
import pytest
import torch

from genoseq.errors import ModelError
from genoseq.nn.checkpoint import load_checkpoint, save_checkpoint
from genoseq.nn.registry import ModelEntry, load_model_checkpoint


def test_checkpoint_round_trip_and_family_check(tmp_path):
    path = tmp_path / "m.pt"
    save_checkpoint(path, "genes", {"a": 1}, {"w": torch.ones(2)})
    assert load_checkpoint(path, "genes")["model_config"] == {"a": 1}
    with pytest.raises(ModelError, match="'genes' model"):
        load_checkpoint(path, "ss")


@pytest.mark.parametrize("content", [b"", b"garbage" * 10])
def test_corrupted_files_are_rejected(tmp_path, content):
    path = tmp_path / "bad.pt"
    path.write_bytes(content)
    with pytest.raises(ModelError):
        load_checkpoint(path)


class Evil:
    def __reduce__(self):
        return (print, ("code ran",))


def test_foreign_pickles_are_not_executed(tmp_path, capsys):
    path = tmp_path / "evil.pt"
    torch.save({"x": Evil()}, path)
    with pytest.raises(ModelError):
        load_checkpoint(path)
    assert "code ran" not in capsys.readouterr().out
    other = tmp_path / "dict.pt"
    torch.save({"state_dict": {}}, other)
    with pytest.raises(ModelError, match="not a genoseq model"):
        load_checkpoint(other)


def test_sha256_mismatch(tmp_path):
    path = tmp_path / "m.pt"
    save_checkpoint(path, "genes", {}, {})
    with pytest.raises(ModelError, match="sha256"):
        load_model_checkpoint(ModelEntry("m", "genes", path, "0" * 64))
