from genoseq.io.gff3 import GFF3Row, format_attributes, parse_attributes, read_cds

GFF = """##gff-version 3
chr\tsrc\tgene\t1\t300\t.\t+\t.\tID=g1
chr\tsrc\tCDS\t10\t99\t.\t+\t0\tID=c1;Parent=g1
chr\tsrc\tCDS\t101\t200\t.\t+\t0\tID=c1;Parent=g1
chr\tsrc\tCDS\t300\t389\t.\t-\t0\tID=c2;pseudo=true
chr\tsrc\tpseudogene\t400\t500\t.\t+\t.\tID=pg;pseudo=true
chr\tsrc\tCDS\t400\t500\t.\t+\t0\tID=c3;Parent=pg
"""


def test_read_cds_joins_parts_and_flags_pseudo(tmp_path):
    path = tmp_path / "a.gff3"
    path.write_text(GFF)
    cds = {c.id: c for c in read_cds(path)}
    assert cds["c1"].parts == [(10, 99), (101, 200)]
    assert cds["c1"].length == 190 and not cds["c1"].pseudo
    assert cds["c2"].pseudo and cds["c2"].stop_coordinate == 300 and cds["c2"].start_coordinate == 389
    assert cds["c3"].pseudo  # parent is a pseudogene


def test_attributes_round_trip():
    attrs = {"ID": "a;b", "note": "x=y,z"}
    assert parse_attributes(format_attributes(attrs)) == attrs


def test_row_format():
    row = GFF3Row("s", "genoseq", "CDS", 1, 90, 12.345, "+", 0, {"ID": "s_1"})
    assert row.format() == "s\tgenoseq\tCDS\t1\t90\t12.3\t+\t0\tID=s_1"
