import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.cli.helpers import assert_clean_error, genoseq
from tests.ep.helpers import synthetic_landscape, synthetic_pairs


def run_ok(*args, **kwargs):
    result = genoseq(*args, **kwargs)
    assert result.returncode == 0, result.stderr.decode()
    return result


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A landscape model fitted (with 3-fold leave-one-chromosome-out CV) on synthetic pairs."""
    folder = tmp_path_factory.mktemp("ep")
    synthetic_pairs(400).to_csv(folder / "pairs.tsv", sep="\t", index=False)
    synthetic_landscape().to_csv(folder / "landscape.tsv", sep="\t", index=False)
    run_ok("train", "ep", "--pairs", folder / "pairs.tsv", "--landscape", folder / "landscape.tsv",
           "-o", folder / "model.pt", "--max-iter", "30", "-t", "1")
    return folder


def test_train_writes_parameters_and_cross_validation(trained):
    summary = json.loads((trained / "model.pt.cv.json").read_text())
    assert set(summary["cv_per_fold"]) == {"chr1", "chr2", "chr3"}
    positives = summary["cv"]["positives"] / summary["cv"]["pairs"]
    assert summary["cv"]["auprc"] > positives + 0.1  # the synthetic labels follow activity and distance
    assert abs(sum(summary["parameters"]["decay_mixture"].values()) - 1) < 1e-6
    cv = pd.read_csv(trained / "model.pt.cv.tsv", sep="\t")
    assert cv["genoseq.CVScore"].between(0, 1).all()
    scored = run_ok("evaluate", "ep", "--scored", trained / "model.pt.cv.tsv", "--score-column", "genoseq.CVScore",
                    "--by", "chrom", "--format", "json")
    metrics = json.loads(scored.stdout)
    assert metrics["auprc"] == pytest.approx(summary["cv"]["auprc"])
    assert "chr2.auprc" in metrics


def test_score_keeps_rows_and_flags_unscorable_ones(trained, tmp_path):
    pairs = synthetic_pairs(30, seed=5)
    pairs.loc[3, "DHS.RPM"] = np.nan
    pairs.loc[7, "startTSS"] = pairs.loc[7, "chromStart"] + 10  # element over its own TSS
    pairs.loc[9, "chrom"] = pairs.loc[9, "chrTSS"] = "chrUn"
    pairs["extra"] = range(30)
    pairs.to_csv(tmp_path / "in.tsv", sep="\t", index=False)
    result = run_ok("ep", "score", tmp_path / "in.tsv", "--landscape", trained / "landscape.tsv",
                    "-m", trained / "model.pt", "-o", tmp_path / "out.tsv.gz")
    err = result.stderr.decode()
    assert "scored 27 of 30 pairs" in err and "1 rows not scored: element overlaps its own TSS" in err
    out = pd.read_csv(tmp_path / "out.tsv.gz", sep="\t")
    assert list(out.columns[: len(pairs.columns)]) == list(pairs.columns)
    assert out["extra"].tolist() == list(range(30))
    assert out["genoseq.Score"].isna().sum() == 3 and out.loc[[3, 7, 9], "genoseq.Score"].isna().all()
    ok = out["genoseq.Score"].notna()
    assert out.loc[ok, "genoseq.Share"].between(0, 1).all()
    np.testing.assert_allclose(out.loc[ok, "genoseq.Share"],
                               out.loc[ok, "genoseq.Contribution"] / out.loc[ok, "genoseq.State"], rtol=1e-6)


@pytest.mark.parametrize("edit, fragment", [
    (lambda t: t.drop(columns=["startTSS", "DHS.RPM"]), "lacks column(s) startTSS, DHS.RPM"),
    (lambda t: t.assign(**{"H3K27ac.RPM": ["high"] * len(t)}), "column 'H3K27ac.RPM' is not numeric (row 2: 'high')"),
    (lambda t: t.iloc[:0], "has a header but no rows"),
])
def test_bad_pair_tables(trained, tmp_path, edit, fragment):
    edit(synthetic_pairs(10)).to_csv(tmp_path / "bad.tsv", sep="\t", index=False)
    out = tmp_path / "scored.tsv"
    assert_clean_error(genoseq("ep", "score", tmp_path / "bad.tsv", "--landscape", trained / "landscape.tsv",
                               "-m", trained / "model.pt", "-o", out), fragment)
    assert not out.exists()


def test_empty_file_and_missing_landscape(trained, tmp_path):
    (tmp_path / "empty.tsv").write_text("")
    assert_clean_error(genoseq("ep", "score", tmp_path / "empty.tsv", "-m", trained / "model.pt"), "is empty")
    assert_clean_error(genoseq("ep", "score", trained / "pairs.tsv", "-m", trained / "model.pt"), "give --landscape")


def test_scan_state_follows_the_decay(tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / "r.fa").write_text(">chrT\n" + "".join(rng.choice(list("ACGT"), 30000)) + "\n")
    (tmp_path / "enh.bed").write_text("track name=e\nchrT\t9000\t9500\tE1\t5\t+\textra\nchrT\t25000\t25400\tE2\n")
    (tmp_path / "prom.bed").write_text("chrom\tstart\tend\tname\tscore\tstrand\n"
                                       "chrT\t12000\t12500\tnear\t0\t+\nchrT\t20000\t20500\tfar\t0\t-\n")
    result = run_ok("ep", "scan", tmp_path / "r.fa", "--promoters", tmp_path / "prom.bed", "--enhancers",
                    tmp_path / "enh.bed", "--tau", "5000", "--low", "1", "-o", tmp_path / "scan")
    assert "1 of 2 promoters active" in result.stderr.decode()
    calls = pd.read_csv(tmp_path / "scan.promoters.tsv", sep="\t")
    # E2 has no strength column: strength 1 (its column 5 is missing)
    near = 5 * math.exp(-(12000 - 9250) / 5000) + math.exp(-(25200 - 12000) / 5000)
    far = 5 * math.exp(-(20499 - 9250) / 5000) + math.exp(-(25200 - 20499) / 5000)
    assert calls["state"].tolist() == pytest.approx([near, far], rel=1e-9)
    assert calls["active"].tolist() == [True, False]
    assert (tmp_path / "scan.state.bedgraph.gz.tbi").exists()
    assert_clean_error(genoseq("ep", "scan", tmp_path / "r.fa", "--promoters", tmp_path / "prom.bed",
                               "--tau", "5000", "-o", tmp_path / "x"), "at least one source of kicks")
    (tmp_path / "bad.bed").write_text("chrT\t100\t50\tP\n")
    assert_clean_error(genoseq("ep", "scan", tmp_path / "r.fa", "--promoters", tmp_path / "bad.bed", "--enhancers",
                               tmp_path / "enh.bed", "--tau", "5000", "-o", tmp_path / "x"), "invalid interval 100-50")


def test_abc_style_predictions_over_the_landscape(trained, tmp_path):
    genes = pd.DataFrame({"chrom": ["chr1", "chr2", "chrZ"], "start": [1_500_000, 900_000, 10],
                          "end": [1_500_001, 900_001, 11], "name": ["G1", "G2", "GZ"]})
    genes.to_csv(tmp_path / "genes.bed", sep="\t", index=False, header=False)
    run_ok("ep", "predict", "--landscape", trained / "landscape.tsv", "--genes", tmp_path / "genes.bed",
           "-m", trained / "model.pt", "--min-share", "0", "--max-distance", "200000", "-o", tmp_path / "pred.tsv.gz")
    pred = pd.read_csv(tmp_path / "pred.tsv.gz", sep="\t")
    assert list(pred.columns) == ["chr", "start", "end", "name", "class", "activity_base", "TargetGene",
                                  "TargetGeneTSS", "distance", "isSelfPromoter", "genoseq.Score", "genoseq.Share",
                                  "genoseq.Contribution", "genoseq.State", "CellType"]
    assert set(pred.TargetGene) == {"G1", "G2"} and (pred.distance <= 200000).all()
    assert set(pred["class"]) <= {"promoter", "intergenic"}
    assert (pred.name == pred["class"] + "|" + pred.chr + ":" + pred.start.astype(str) + "-" + pred.end.astype(str)).all()
    # shares of one gene's elements are parts of its state: they sum to at most 1
    assert (pred.groupby("TargetGene")["genoseq.Share"].sum() <= 1 + 1e-9).all()
    element_model = tmp_path / "element.pt"
    run_ok("train", "ep", "--pairs", trained / "pairs.tsv", "--landscape", "none", "--no-cv", "-o", element_model,
           "--max-iter", "5", "-t", "1")
    assert_clean_error(genoseq("ep", "predict", "--landscape", trained / "landscape.tsv", "--genes",
                               tmp_path / "genes.bed", "-m", element_model), "has no landscape kick")


ABC_TABLE = Path(__file__).resolve().parents[1] / "data" / "abc" / "EnhancerPredictionsFull_K562_chr22.head.tsv"


def test_abc_columns_classes_and_score_name(trained, tmp_path):
    """Columns, in the order of a real ABC EnhancerPredictions table (tests/data/abc), classes
    from TSS windows and gene bodies, self-promoters, expression and ABC.Score as the name."""
    land = pd.read_csv(trained / "landscape.tsv", sep="\t")
    first = land.iloc[0]
    tss = int(first.start) + 100  # the first landscape element is this gene's promoter
    genes = pd.DataFrame({"chrom": [first.chr, first.chr], "start": [tss, tss + 300_000],
                          "end": [tss + 1, tss + 300_001], "name": ["G1", "G2"]})
    genes.to_csv(tmp_path / "genes.bed", sep="\t", index=False, header=False)
    bodies = pd.DataFrame({"chrom": [first.chr], "start": [tss], "end": [tss + 250_000], "name": ["G1"]})
    bodies.to_csv(tmp_path / "bodies.bed", sep="\t", index=False, header=False)
    pd.DataFrame({"cell_type": ["K562", "K562", "HCT116"], "gene": ["G1", "G2", "G2"],
                  "expressed": ["TRUE", "FALSE", "TRUE"]}).to_csv(tmp_path / "expr.tsv", sep="\t", index=False)
    run_ok("ep", "predict", "--landscape", trained / "landscape.tsv", "--genes", tmp_path / "genes.bed",
           "-m", trained / "model.pt", "--min-share", "0", "--max-distance", "400000", "--gene-bodies",
           tmp_path / "bodies.bed", "--expressed", tmp_path / "expr.tsv", "--score-column", "ABC.Score",
           "-o", tmp_path / "pred.tsv")
    pred = pd.read_csv(tmp_path / "pred.tsv", sep="\t")
    reference = pd.read_csv(ABC_TABLE, sep="\t")
    shared = [c for c in pred.columns if c in reference.columns]
    assert shared == [c for c in reference.columns if c in pred.columns]  # same relative order as ABC's
    assert {"class", "activity_base", "TargetGeneIsExpressed", "distance", "isSelfPromoter", "ABC.Score",
            "CellType"} <= set(shared)
    assert set(pred.name.str.split("|").str[0]) <= {"promoter", "genic", "intergenic"}
    assert set(reference.name.str.split("|").str[0]) <= {"promoter", "genic", "intergenic"}
    mid = (pred.start + pred.end) / 2
    near_tss = (pred.start < tss + 500) & (pred.end > tss - 500)
    g1 = pred.TargetGene == "G1"
    assert (pred.loc[near_tss, "class"] == "promoter").all() and pred.loc[near_tss & g1, "isSelfPromoter"].all()
    assert not pred.loc[~g1, "isSelfPromoter"].any() or (pred.loc[~g1 & pred.isSelfPromoter, "start"] > tss + 1000).all()
    in_body = (pred.start >= tss + 500) & (pred.end <= tss + 250_000) & ~near_tss
    assert in_body.any() and set(pred.loc[in_body, "class"]) <= {"genic", "promoter"}
    assert (pred.loc[(mid > tss + 260_000) & (mid < tss + 299_000), "class"] == "intergenic").all()
    assert pred.set_index("TargetGene")["TargetGeneIsExpressed"].groupby(level=0).first().to_dict() == {
        "G1": True, "G2": False}
    assert ((pred["ABC.Score"] >= 0) & (pred["ABC.Score"] <= 1)).all()


def test_score_picks_the_model_the_columns_allow(shared_enhancers, tmp_path):
    """A table with DHS and H3K27ac only (what ABC users have) is scored, by the model of those marks."""
    table = pd.read_csv(shared_enhancers / "crispr_combined_K562_training.GRCh38.tsv.gz", sep="\t", nrows=300)
    keep = [c for c in table.columns if not c.endswith(".RPM") and "RPM." not in c] + ["DHS.RPM", "H3K27ac.RPM"]
    table[keep].to_csv(tmp_path / "abc_marks.tsv", sep="\t", index=False)
    result = genoseq("ep", "score", tmp_path / "abc_marks.tsv", "-o", tmp_path / "scored.tsv", "--score-column",
                     "ABC.Score")
    assert result.returncode == 0, result.stderr.decode()
    assert "with ep-element-dhs-h3k27ac" in result.stderr.decode()
    scored = pd.read_csv(tmp_path / "scored.tsv", sep="\t")
    assert "ABC.Score" in scored.columns and scored["ABC.Score"].notna().sum() > 250
    table[[c for c in keep if c != "H3K27ac.RPM"]].to_csv(tmp_path / "dhs.tsv", sep="\t", index=False)
    assert "with ep-element-dhs" in genoseq("ep", "score", tmp_path / "dhs.tsv", "-o", tmp_path / "s2.tsv").stderr.decode()
    table[[c for c in keep if c != "DHS.RPM"]].to_csv(tmp_path / "none.tsv", sep="\t", index=False)
    assert_clean_error(genoseq("ep", "score", tmp_path / "none.tsv", "-o", tmp_path / "s3.tsv"), "no shipped model")


def test_scan_reports_missing_inputs_in_argument_order(tmp_path):
    (tmp_path / "tss.bed").write_text("chrA\t10\t11\tP1\n")
    assert_clean_error(genoseq("ep", "scan", tmp_path / "region.fa", "--promoters", tmp_path / "nope.bed",
                               "--enhancers", tmp_path / "enh.bed", "-o", tmp_path / "scan"), "region.fa")
    (tmp_path / "region.fa").write_text(">chrA\n" + "ACGT" * 100 + "\n")
    assert_clean_error(genoseq("ep", "scan", tmp_path / "region.fa", "--promoters", tmp_path / "nope.bed",
                               "--enhancers", tmp_path / "enh.bed", "-o", tmp_path / "scan"), "nope.bed")
    assert_clean_error(genoseq("ep", "scan", tmp_path / "region.fa", "--promoters", tmp_path / "tss.bed",
                               "--enhancers", tmp_path / "enh.bed", "-o", tmp_path / "scan"), "enh.bed")
