"""bigWig tracks built by a child process: values and zoom records round-trip, and an
aborted run leaves nothing."""
import time
from pathlib import Path

import numpy as np
import pybigtools
import pytest

from genoseq.errors import GenoseqError
from genoseq.io.atomic import output_set
from genoseq.io.tracks import BigWigBuilder, BigWigTrack, value_runs


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
    bw = pybigtools.open(str(tmp_path / "t.bw"))
    assert bw.chroms() == {name: len(v) for name, v in contigs.items()}
    for name, values in contigs.items():
        got = bw.values(name, 0, len(values), fillna=None)
        np.testing.assert_allclose(got, np.rint(values / 0.02) * 0.02, atol=1e-6)


def test_bigwig_streamed_contig_by_contig_when_the_contigs_are_known(tmp_path):
    """With every contig's id and length given up front, the child builds each contig as its
    values arrive (it waits for the ones not spooled yet): the same file as a build at the end."""
    rng = np.random.default_rng(3)
    contigs = {"a": rng.random(40_000), "b": rng.random(5), "c": np.repeat([0.0, 1.0, 0.5], 900)}
    sizes = [(name, len(v)) for name, v in contigs.items()]
    files = {}
    for mode, known in (("streamed", sizes), ("at_end", None)):
        with output_set() as outputs:
            track = BigWigTrack(outputs, tmp_path / f"{mode}.bw", contigs=known)
            for name, values in contigs.items():
                track.add(name, values)
                time.sleep(0.05)  # the streamed build waits for the next contig meanwhile
            track.close()
        files[mode] = pybigtools.open(str(tmp_path / f"{mode}.bw"))
    assert files["streamed"].chroms() == files["at_end"].chroms() == dict(sizes)
    for name, values in contigs.items():
        got = files["streamed"].values(name, 0, len(values), fillna=None)
        np.testing.assert_allclose(got, np.rint(values / 0.02) * 0.02, atol=1e-6)
        np.testing.assert_array_equal(got, files["at_end"].values(name, 0, len(values), fillna=None))


def test_a_streamed_track_refuses_contigs_other_than_announced(tmp_path):
    with pytest.raises(GenoseqError, match="changed while it was read"):
        with output_set() as outputs:
            track = BigWigTrack(outputs, tmp_path / "t.bw", contigs=[("a", 100), ("b", 50)])
            track.add("a", np.zeros(100))
            builder = track._builder
            track.add("b", np.zeros(60))
    assert builder.process.poll() is not None  # the waiting child was stopped
    with pytest.raises(GenoseqError, match="fewer sequences"):
        with output_set() as outputs:
            track = BigWigTrack(outputs, tmp_path / "t.bw", contigs=[("a", 100), ("b", 50)])
            track.add("a", np.zeros(100))
            track.close()
    assert list(tmp_path.iterdir()) == []


def test_tracks_sharing_one_builder_are_both_written(tmp_path):
    rng = np.random.default_rng(2)
    values = {"plus": rng.random(3_000), "minus": rng.random(3_000)}
    with output_set() as outputs:
        builder = BigWigBuilder()
        tracks = {strand: BigWigTrack(outputs, tmp_path / f"{strand}.bw", builder=builder) for strand in values}
        for strand, track in tracks.items():
            track.add("c", values[strand])
        for track in tracks.values():
            track.finish_async()
        for track in tracks.values():
            track.close()
    assert builder.process.returncode == 0
    for strand, expected in values.items():
        got = pybigtools.open(str(tmp_path / f"{strand}.bw")).values("c", 0, len(expected), fillna=None)
        np.testing.assert_allclose(got, np.rint(expected / 0.02) * 0.02, atol=1e-6)


def test_every_zoom_record_summarises_its_bases(tmp_path):
    """Genome browsers draw zoomed-out views from the zoom records alone: each one's count,
    sum, sum of squares, min and max must be those of the bases it covers (pyBigWig 0.3
    wrote the last record of each block with sum 0)."""
    rng = np.random.default_rng(1)
    contigs = {"chr1": rng.random(600_000), "chr2": np.clip(rng.normal(0.7, 0.2, 250_001), 0, 1), "tiny": rng.random(7)}
    with output_set() as outputs:
        track = BigWigTrack(outputs, tmp_path / "t.bw")
        for name, values in contigs.items():
            track.add(name, values)
        track.close()
    bw = pybigtools.open(str(tmp_path / "t.bw"))
    assert len(bw.zooms()) >= 2
    checked = 0
    for zoom in bw.zooms():
        for name, values in contigs.items():
            base = np.rint(values / 0.02) * 0.02
            records = list(bw.zoom_records(zoom, name))
            assert records[0][0] == 0 and records[-1][1] == len(base)
            for start, end, stats in records:
                part = base[start:end]
                assert stats["bases_covered"] == end - start
                assert stats["sum"] == pytest.approx(part.sum(), rel=1e-5, abs=1e-4)
                assert stats["sum_squares"] == pytest.approx((part ** 2).sum(), rel=1e-5, abs=1e-4)
                assert stats["min_val"] == pytest.approx(part.min(), abs=1e-6)
                assert stats["max_val"] == pytest.approx(part.max(), abs=1e-6)
                checked += 1
    assert checked > 100


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


def test_bedgraph_is_in_the_order_bedgraphtobigwig_needs(tmp_path):
    """Contigs given out of order come out as ``LC_ALL=C sort -k1,1 -k2,2n`` puts them."""
    import gzip
    import os
    import subprocess

    from genoseq.io.tracks import BedGraphTrack

    rng = np.random.default_rng(2)
    with output_set() as outputs:
        track = BedGraphTrack(outputs, tmp_path / "t.bedgraph", "coding")
        for name in ("chr2", "chr10", "b", "a_1", "A", "chr1"):
            track.add(name, rng.random(300))
        track.close()
    lines = gzip.open(tmp_path / "t.bedgraph.gz", "rt").read().splitlines()
    assert lines[0].startswith("#track type=bedGraph")
    body = "\n".join(lines[1:]) + "\n"
    sorted_by_sort = subprocess.run(["sort", "-k1,1", "-k2,2n"], input=body, capture_output=True, text=True,
                                    env={**os.environ, "LC_ALL": "C"}, check=True).stdout
    assert body == sorted_by_sort
    assert [line.split("\t")[0] for line in lines[1:]][::50][:2] == ["A", "A"]
    assert (tmp_path / "t.bedgraph.gz.tbi").exists() and sorted(p.name for p in tmp_path.iterdir()) == [
        "t.bedgraph.gz", "t.bedgraph.gz.tbi"]


def test_half_precision_values_map_by_lookup_to_the_computed_levels():
    from genoseq.io.tracks import _half_levels, _levels

    values = np.random.default_rng(3).normal(0.5, 0.6, 100_000).astype(np.float16)  # some outside [0, 1]
    assert np.array_equal(_half_levels(0.02)[values.view(np.uint16)], _levels(values, 0.02))
