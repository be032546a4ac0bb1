"""The adaptation library: whole-genome statistics shipped for small inputs."""
import dataclasses

import numpy as np
import pytest

from genoseq.errors import ModelError
from genoseq.genes.adaptation import UPSTREAM, GenomeAdaptation
from genoseq.genes.api import GenePredictor, _library
from genoseq.genes.library import AdaptationLibrary, LibraryGenome, blend
from genoseq.genes.start_model import BASE_POSITIONS, StartModel
from genoseq.io.fasta import FastaRecord, read_dna
from genoseq.nn.checkpoint import sha256_file
from genoseq.nn.registry import ModelEntry


def random_adaptation(rng: np.random.Generator) -> GenomeAdaptation:
    return GenomeAdaptation(rng.normal(size=4097), rng.normal(size=(UPSTREAM, 5)), rng.normal(size=257),
                            rng.normal(size=4), StartModel.from_vector(rng.normal(size=len(BASE_POSITIONS) * 4 + 19)),
                            (float(rng.normal()), float(rng.normal())))


def test_a_saved_library_loads_the_same_tables(tmp_path):
    rng = np.random.default_rng(1)
    library = AdaptationLibrary([LibraryGenome("a", 11, random_adaptation(rng)), LibraryGenome("b", 4, random_adaptation(rng))])
    library.save(tmp_path / "lib.npz")
    back = AdaptationLibrary.load(tmp_path / "lib.npz")
    assert [(g.name, g.table) for g in back.genomes] == [("a", 11), ("b", 4)]
    for before, after in zip(library.genomes, back.genomes):
        for field in ("dicodon_llr", "upstream_llr", "motif_llr", "type_llr"):
            assert np.allclose(getattr(before.adaptation, field), getattr(after.adaptation, field), atol=1e-6)
        assert np.allclose(before.adaptation.start_model.vector(), after.adaptation.start_model.vector(), atol=1e-6)
        assert np.allclose(before.adaptation.edge_start, after.adaptation.edge_start, atol=1e-6)
    (tmp_path / "bad.npz").write_bytes(b"not a library")
    with pytest.raises(ModelError, match="not an adaptation library"):
        AdaptationLibrary.load(tmp_path / "bad.npz")


def test_blend_weighs_the_input_against_the_library_genome():
    rng = np.random.default_rng(2)
    own, other = random_adaptation(rng), random_adaptation(rng)
    assert np.allclose(blend(own, other, 1.0).dicodon_llr, own.dicodon_llr)
    assert np.allclose(blend(own, other, 0.0).motif_llr, other.motif_llr)
    quarter = blend(own, other, 0.25)
    assert np.allclose(quarter.upstream_llr, 0.25 * own.upstream_llr + 0.75 * other.upstream_llr)
    assert quarter.start_model is own.start_model and quarter.edge_start == own.edge_start


def test_a_library_whose_file_was_changed_is_refused(tmp_path):
    rng = np.random.default_rng(3)
    path = tmp_path / "lib.npz"
    AdaptationLibrary([LibraryGenome("a", 11, random_adaptation(rng))]).save(path)
    entry = ModelEntry("m", "genes", tmp_path / "m.pt", None,
                       settings={"adaptation_library": {"file": "lib.npz", "sha256": sha256_file(path)}})
    assert [g.name for g in _library(entry).genomes] == ["a"]
    entry.settings["adaptation_library"]["sha256"] = "0" * 64
    with pytest.raises(ModelError, match="does not match"):
        _library(entry)


def _run(predictor, records):
    predictions = list(predictor.predict_records(records))
    return predictions, [(g.start, g.end, g.strand, g.score) for p in predictions for g in p.genes]


def test_small_inputs_blend_in_a_library_genome_of_their_table_and_large_ones_do_not(shared_genomes):
    shipped = GenePredictor.load(device="cpu", table=11)
    assert shipped.library is not None and len(shipped.library.genomes) == 13
    assert not {"ecoli_k12_mg1655", "bjaponicum_usda110"} & {g.name for g in shipped.library.genomes}
    without = dataclasses.replace(shipped, library=None)
    genome = next(read_dna(shared_genomes / "ecoli_k12_mg1655" / "genome.fna.gz")).sequence

    small = [FastaRecord("w", "", genome[2_000_000:2_030_000])]
    (blended,), calls = _run(shipped, small)
    (plain,), plain_calls = _run(without, small)
    assert blended.library and blended.run_type == "Single" and not plain.library
    assert calls != plain_calls
    # an input too small to learn from at all takes the library genome's statistics alone
    tiny = [FastaRecord("t", "", genome[3_000_000:3_006_000])]
    (alone,), _ = _run(shipped, tiny)
    (network,), _ = _run(without, tiny)
    assert network.run_type == "Network" and alone.run_type == "Single" and alone.library
    # more complete genes than site_prior_genes: the input's own statistics only, as before
    large = [FastaRecord("large", "", genome[:700_000])]
    (own,), large_calls = _run(shipped, large)
    assert not own.library and large_calls == _run(without, large)[1]

    # a table-4 input picks among the table-4 genomes
    table4 = {g.name for g in shipped.library.genomes if g.table == 4}
    assert table4 == {"mmycoides_afade", "malvi_atcc29626", "mgallisepticum_rlow"}
    mgal = next(read_dna(shared_genomes / "mgallisepticum_rlow" / "genome.fna.gz")).sequence
    (four,), _ = _run(dataclasses.replace(shipped, table=4), [FastaRecord("m", "", mgal[100_000:130_000])])
    assert four.library in table4


def test_a_library_with_a_narrower_upstream_profile_loads_padded(tmp_path):
    """Libraries written when the upstream profile read 20 bases still load: the farther
    positions carry no evidence (log-odds 0); a profile wider than the code reads is refused."""
    rng = np.random.default_rng(4)
    library = AdaptationLibrary([LibraryGenome("a", 11, random_adaptation(rng))])
    library.save(tmp_path / "lib.npz")
    with np.load(tmp_path / "lib.npz") as z:
        arrays = dict(z)
    narrow = arrays["upstream"][:, -20:]
    np.savez(tmp_path / "narrow.npz", **{**arrays, "upstream": narrow})
    back = AdaptationLibrary.load(tmp_path / "narrow.npz").genomes[0].adaptation.upstream_llr
    assert back.shape == (UPSTREAM, 5)
    assert np.allclose(back[-20:], narrow[0], atol=1e-6) and not back[:-20].any()
    np.savez(tmp_path / "wide.npz", **{**arrays, "upstream": np.zeros((1, UPSTREAM + 1, 5), np.float32)})
    with pytest.raises(ModelError, match="upstream profile"):
        AdaptationLibrary.load(tmp_path / "wide.npz")
