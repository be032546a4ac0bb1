"""bigWig tracks built by a child process: values round-trip, and an aborted run leaves nothing."""
from pathlib import Path

import numpy as np
import pyBigWig
import pytest

from genoseq.io.atomic import output_set
from genoseq.io.tracks import BigWigTrack, value_runs


def test_value_runs():
    starts, ends = value_runs(np.array([1, 1, 2, 2, 2, 1], dtype=np.uint8))
    assert starts.tolist() == [0, 2, 5] and ends.tolist() == [2, 5, 6]


def test_bigwig_built_in_the_background_holds_every_base(tmp_path):
    rng = np.random.default_rng(0)
    contigs = {"a": rng.random(5_000), "b": np.repeat([0.0, 1.0, 0.5], 700)}
    with output_set() as outputs:
        track = BigWigTrack(outputs, tmp_path / "t.bw")
        for name, values in contigs.items():
            track.add(name, values)
        track.finish_async()
        track.close()
    bw = pyBigWig.open(str(tmp_path / "t.bw"))
    assert bw.chroms() == {name: len(v) for name, v in contigs.items()}
    for name, values in contigs.items():
        got = np.array(bw.values(name, 0, len(values)))
        np.testing.assert_allclose(got, np.rint(values / 0.02) * 0.02, atol=1e-6)


def test_aborted_track_leaves_no_files(tmp_path):
    with pytest.raises(RuntimeError):
        with output_set() as outputs:
            track = BigWigTrack(outputs, tmp_path / "t.bw")
            track.add("a", np.zeros(100_000))
            spool = Path(track._spool.name)
            track.finish_async()
            track.abort()
            raise RuntimeError("failed run")
    assert not spool.exists()
    assert list(tmp_path.iterdir()) == []
