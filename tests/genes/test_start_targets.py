"""Training genomes whose start codons are another gene finder's calls: genes learned, starts not."""
import numpy as np
import pytest

from genoseq.errors import GenoseqError
from genoseq.genes.dataset import sample_windows, to_batch
from genoseq.genes.training import forget_starts
from tests.genes.test_distill import genome_with_label_scores


def test_forgotten_starts_leave_the_loss_and_keep_the_coding_targets():
    kept, dropped = genome_with_label_scores(), genome_with_label_scores()
    dropped.name = "other"
    forget_starts([kept, dropped], ["other"], None, log=lambda _: None)
    for rc_prob in (0.0, 1.0):  # the mark survives the reverse complement
        batch = to_batch(*sample_windows([kept], np.random.default_rng(1), 2, 999, rc_prob=rc_prob)[:3], None, None, True)
        assert batch.starts.sum() == 4 and batch.start_mask.sum() > 4
        forgotten = to_batch(*sample_windows([dropped], np.random.default_rng(1), 2, 999, rc_prob=rc_prob)[:3], None,
                             None, True)
        assert forgotten.start_mask.sum() == 0 and forgotten.starts.sum() == 0
        assert np.array_equal(forgotten.coding.numpy(), batch.coding.numpy())


def test_prodigal_names_the_manifest_genomes_and_unknown_names_fail(tmp_path):
    (tmp_path / "genomes").mkdir()
    (tmp_path / "genomes" / "MANIFEST.tsv").write_text(
        "short_name\tannotation\ntoy\tRASTtk annotation (gene calls by Prodigal/Glimmer3!)\nmine\tRefSeq\n")
    toy, mine = genome_with_label_scores(), genome_with_label_scores()
    mine.name = "mine"
    said: list[str] = []
    forget_starts([toy, mine], ["prodigal"], tmp_path, log=said.append)
    assert (toy.starts[0] == 2).all() and set(np.unique(mine.starts[0])) == {0, 1}
    assert said == ["start sites not learned from: toy"]
    with pytest.raises(GenoseqError, match="no training genome named 'absent'"):
        forget_starts([mine], ["absent"], tmp_path)
    with pytest.raises(GenoseqError, match="needs --data-root"):
        forget_starts([mine], ["prodigal"], None)
