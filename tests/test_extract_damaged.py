"""A cut-off download of a real WPS PDF whose surviving pages hold no table cells is reported as
damaged — not as a report of 200 nulls — and `govcrawl extract` exits non-zero saying so."""
from __future__ import annotations

from govcrawl.cli import main
from govcrawl.extract import extract


def test_truncated_report_pdf_is_damaged(corpus_dir, tmp_path, capsys):
    data = (corpus_dir / "jiangsu/hongze_district_2023.pdf").read_bytes()[:60000]
    rep = extract(data)
    assert rep.kind == "damaged" and rep.cells == {} and rep.checks == []
    assert "damaged or truncated" in rep.reason and rep.coverage == 0.0
    path = tmp_path / "cut.pdf"
    path.write_bytes(data)
    assert main(["extract", str(path), "--format", "text"]) == 3
    out = capsys.readouterr()
    assert "kind:      damaged" in out.out and "no table cells" in out.err


def test_intact_report_pdf_coverage_names_what_the_report_lacks(corpus_dir):
    """洪泽 prints （六）其他处理 as one row although the rest follows the 2021 template: its three
    sub-item rows are missing, so coverage says 21 of 25 rows, and nothing is guessed."""
    rep = extract((corpus_dir / "jiangsu/hongze_district_2024.pdf").read_bytes())
    missing = {k.split(".")[1] for k, c in rep.cells.items() if c["null_reason"] == "missing"}
    assert rep.kind == "report" and missing == {"other_no_correction", "other_no_fee", "other_misc"}
    assert rep.coverage == round(1 - 21 / 200, 4)
    assert 0.7 <= rep.min_confidence < 1  # the report's typo 其他法律行政止公开 is a weaker match
    assert any("（六）其他处理" in w and "not mapped" in w for w in rep.warnings)
