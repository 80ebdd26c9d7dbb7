"""From fetched documents to archive rows: reports, non-reports, unchanged and re-extracted ones."""
from __future__ import annotations

import hashlib

import govcrawl.archive.ingest as ingest
from govcrawl.archive.ingest import Fetched, ingest_report
from govcrawl.archive.store import Archive

from helpers import FIXTURES

SEED = (FIXTURES / "extract" / "seed_yubei_2020.html").read_bytes()
URL = "http://127.0.0.15/zwgk/zfxxgknb/202101/t20210113_1.html"


def fetched(body: bytes, status: int = 200, url: str = URL) -> Fetched:
    sha = hashlib.sha256(body).hexdigest()
    return Fetched(url=url, body=body if status == 200 else b"", content_type="text/html",
                   capture={"capture_id": f"c{status}", "payload_sha256": sha, "status": status,
                            "fetched_at": "2026-01-01T00:00:00+00:00"})


def test_a_report_page_is_stored_with_its_cells_and_a_second_time_is_unchanged(tmp_path):
    archive = Archive(tmp_path / "a.db")
    first = ingest_report(archive, site_id="s", run_id="r1", page=fetched(SEED))
    assert first.kind == "report" and first.is_new
    again = ingest_report(archive, site_id="s", run_id="r2", page=fetched(SEED, status=304))
    assert again.kind == "report" and not again.is_new and again.report_id == first.report_id
    assert archive.db["reports"].count == 1


def test_a_not_modified_page_is_read_back_when_the_parser_changed(tmp_path, monkeypatch):
    archive = Archive(tmp_path / "a.db")
    ingest_report(archive, site_id="s", run_id="r1", page=fetched(SEED))
    monkeypatch.setattr(ingest, "PARSER_VERSION", "a-newer-parser")
    loaded = []

    def load_body(sha):
        loaded.append(sha)
        return SEED

    result = ingest_report(archive, site_id="s", run_id="r2", page=fetched(SEED, status=304),
                           load_body=load_body)
    assert loaded == [hashlib.sha256(SEED).hexdigest()]
    assert result.kind == "report"
    cells = archive.db.execute("select count(*) from cells where report_id = ? and value is not null",
                               [result.report_id]).fetchone()[0]
    assert cells > 150


def test_a_letter_about_disclosure_work_is_rejected_with_its_reason(tmp_path):
    archive = Archive(tmp_path / "a.db")
    letter = ("<html><head><meta charset='utf-8'><title>关于2020年政府信息公开工作要点落实情况的函</title></head>"
              "<body><div class='TRS_Editor'><p>区政府办公室：</p><p>现将我局2020年政府信息公开工作要点落实情况函告如下。</p>"
              "</div></body></html>").encode()
    result = ingest_report(archive, site_id="s", run_id="r1", page=fetched(letter))
    assert result.kind == "not_report"
    (row,) = archive.db["rejected"].rows
    assert row["url"] == URL and row["reason"]
    assert archive.db["reports"].count == 0


def test_binary_junk_is_recorded_as_unreadable_with_the_extractors_words(tmp_path):
    archive = Archive(tmp_path / "a.db")
    result = ingest_report(archive, site_id="s", run_id="r1", page=fetched(b"\x00\x01\x02" * 50))
    assert result.kind == "unreadable"
    (row,) = archive.db["rejected"].rows
    assert row["reason"].startswith("unreadable document: ") and len(row["reason"]) > len("unreadable document: ")


def test_an_attachment_that_failed_tonight_does_not_replace_the_stored_tables(tmp_path):
    archive = Archive(tmp_path / "a.db")
    page_html = ("<html><head><meta charset='utf-8'><title>重庆市渝北区民政局2020年政府信息公开工作年度报告</title></head>"
                 "<body><div class='TRS_Editor'><p>一、总体情况</p><p>统计表格详见附件。</p><p>六、其他需要报告的事项</p>"
                 "<p>无。</p></div></body></html>").encode()
    attachment = fetched(SEED, url=URL.replace(".html", ".htm"))
    first = ingest_report(archive, site_id="s", run_id="r1", page=fetched(page_html), attachments=[attachment])
    cells_before = archive.db.execute("select count(*) from cells where report_id = ? and value is not null",
                                      [first.report_id]).fetchone()[0]
    assert cells_before > 150
    again = ingest_report(archive, site_id="s", run_id="r2", page=fetched(page_html), attachments=[])
    assert again.report_id == first.report_id and not again.is_new
    cells_after = archive.db.execute("select count(*) from cells where report_id = ? and value is not null",
                                     [first.report_id]).fetchone()[0]
    assert cells_after == cells_before


def test_a_truncated_pdf_is_counted_as_damaged_and_named_in_the_summary():
    """A damaged document is neither a report with empty tables nor a silent 'not a report'."""
    from govcrawl.crawl.summary import RunSummary, format_summary

    summary = RunSummary("r1", [])
    stats = summary.site("s1")
    stats.damaged.append("http://127.0.0.1/nb/cut.pdf: pdf damaged or truncated")
    stats.partial_tables.append("http://127.0.0.1/nb/half.html (61%)")
    text = format_summary(summary.to_dict())
    assert summary.totals()["damaged"] == 1 and summary.totals()["partial_tables"] == 1
    assert "Damaged documents" in text and "cut.pdf" in text
    assert "partial tables" in text and "half.html (61%)" in text


def test_a_truncated_report_pdf_is_ingested_as_damaged_with_its_reason(corpus_dir, tmp_path):
    archive = Archive(tmp_path / "a.db")
    cut = (corpus_dir / "jiangsu" / "hongze_district_2023.pdf").read_bytes()[:60_000]
    page = Fetched(url="http://127.0.0.15/nb/cut.pdf", body=cut, content_type="application/pdf",
                   capture={"capture_id": "c1", "payload_sha256": hashlib.sha256(cut).hexdigest(),
                            "status": 200, "fetched_at": "2026-01-01T00:00:00+00:00"})
    result = ingest_report(archive, site_id="s", run_id="r1", page=page)
    assert result.kind == "damaged" and "damaged or truncated" in result.reason
    assert archive.db["rejected"].count == 1 and archive.db["reports"].count == 0
