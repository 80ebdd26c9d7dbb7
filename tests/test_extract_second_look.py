"""BeautifulSoup where lxml loses content: a page nested past libxml2's depth limit loses everything
after that point in lxml; the second look reads it with BeautifulSoup and keeps the fuller reading.
The fast path stays lxml: an ordinary page is never parsed twice."""
from __future__ import annotations

import json

from govcrawl.extract import extract
from govcrawl.extract.analyse import SECOND_LOOK

DEPTH = 300  # CMS templates that never close their wrappers reach this


def test_deeply_nested_report_is_read_again_with_beautifulsoup(corpus_dir):
    html = (corpus_dir / "pingtan/report_2023.html").read_text(encoding="utf-8")
    cut = html.index("<div class=TRS_Editor>")
    deep = html[:cut] + "<div>" * DEPTH + html[cut:]
    rep = extract(deep.encode("utf-8"))
    expected = json.loads((corpus_dir / "cells/pingtan/report_2023.json").read_text(encoding="utf-8"))
    assert rep.kind == "report" and rep.coverage == 1.0
    cells = rep.to_dict()["cells"]
    assert {k: cells[k]["value"] for k in expected} == expected
    looks = [w for w in rep.warnings if w.startswith(SECOND_LOOK)]
    assert looks and "kept the BeautifulSoup reading (200 template cells found vs 0)" in looks[0]


def test_ordinary_pages_are_parsed_once(corpus_dir):
    for name in ("pingtan/report_2019.html", "pingtan/report_2024.html", "pingtan/listing_zfxxgknb_index.html"):
        rep = extract((corpus_dir / name).read_bytes())
        assert not [w for w in rep.warnings if w.startswith(SECOND_LOOK)], name


def test_report_json_carries_coverage_and_min_confidence(corpus_dir):
    d = extract((corpus_dir / "pingtan/report_2023.html").read_bytes()).to_dict()
    assert d["coverage"] == 1.0 and isinstance(d["coverage"], float)
    assert 0 < d["min_confidence"] <= 1
    listing = extract((corpus_dir / "pingtan/listing_zfxxgknb_index.html").read_bytes()).to_dict()
    assert listing["kind"] == "not_report" and listing["coverage"] == 0.0 and listing["min_confidence"] is None


def test_page_nested_past_the_limit_from_its_start_is_read_with_beautifulsoup(corpus_dir):
    html = (corpus_dir / "pingtan/report_2023.html").read_text(encoding="utf-8")
    start = html.index("<body")
    deep = html[:start] + "<body>" + "<div>" * 400 + html[html.index(">", start) + 1:]
    rep = extract(deep.encode("utf-8"))  # lxml keeps no block at all here
    assert rep.kind == "report" and rep.coverage == 1.0
    assert any("read with BeautifulSoup" in w for w in rep.warnings)
