import os

import pytest

from genoseq.errors import GenoseqError
from genoseq.io.atomic import output_set


def test_outputs_appear_only_on_success(tmp_path):
    with pytest.raises(RuntimeError):
        with output_set() as outputs:
            outputs.open(tmp_path / "a.txt").write("partial")
            raise RuntimeError("boom")
    assert os.listdir(tmp_path) == []
    with output_set() as outputs:
        outputs.open(tmp_path / "a.txt").write("done")
    assert (tmp_path / "a.txt").read_text() == "done"
    # the finished file has the permissions of any new file (not the temporary file's 0600)
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o666 & ~umask


def test_unwritable_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(GenoseqError, match="cannot write"):
        with output_set() as outputs:
            outputs.open(blocker / "sub" / "a.txt")


def test_failed_run_leaves_no_folders_it_made(tmp_path):
    existing = tmp_path / "existing"
    existing.mkdir()
    with pytest.raises(RuntimeError):
        with output_set() as outputs:
            outputs.open(tmp_path / "new" / "deeper" / "a.txt").write("partial")
            outputs.open(existing / "b.txt").write("partial")
            raise RuntimeError("boom")
    assert sorted(os.listdir(tmp_path)) == ["existing"] and os.listdir(existing) == []


def test_many_files_share_one_staging_folder_that_goes_away(tmp_path):
    with output_set() as outputs:
        for i in range(50):
            outputs.open(tmp_path / f"p{i}.ss2").write(str(i))
        staged = [p for p in os.listdir(tmp_path) if p.startswith(".genoseq-")]
        assert len(staged) == 1 and len(os.listdir(tmp_path / staged[0])) == 50
        assert not any(p.endswith(".ss2") for p in os.listdir(tmp_path))  # nothing in place before the end
    assert sorted(os.listdir(tmp_path)) == sorted(f"p{i}.ss2" for i in range(50))
    assert (tmp_path / "p7.ss2").read_text() == "7"


def test_the_same_name_opened_twice_keeps_the_last(tmp_path):
    with output_set() as outputs:
        outputs.open(tmp_path / "a.txt").write("first")
        outputs.open(tmp_path / "a.txt").write("second")
    assert os.listdir(tmp_path) == ["a.txt"] and (tmp_path / "a.txt").read_text() == "second"
