"""The extraction result, its JSON shape and its human-readable summary."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from govcrawl.extract.values import fmt_decimal


class UnreadableDocument(ValueError):
    """The input has no readable content (empty, binary junk, a PDF/DOCX that cannot be opened)."""


@dataclass
class ExtractedReport:
    kind: str = "not_report"  # report | not_report | damaged (a repaired file with no table cells left)
    reason: str = ""
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    published: str | None = None  # ISO date
    template: str = "unknown"  # 2019 | 2021 | pre2019 | unknown
    sections: dict[str, str] = field(default_factory=dict)
    cells: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra_tables: list[dict] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    parser_version: str = ""
    format: str = "html"
    reader: str = ""  # which reader produced the cells: html, pdf-text, pdf-ocr, docx, doc, xls, xlsx, image-ocr, text
    url: str | None = None
    coverage: float = 0.0  # template cells found / template cells (0..1)
    min_confidence: float | None = None  # the weakest label match among found cells (0..1), None when none

    def values(self) -> dict[str, Any]:
        """{cell id: value} (ints, Decimals, None) — the shape checks and stores want."""
        return {k: c["value"] for k, c in self.cells.items()}

    def to_dict(self) -> dict:
        cells = {}
        for k, c in self.cells.items():
            d = dict(c)
            if isinstance(d.get("value"), Decimal):
                d["value"] = fmt_decimal(d["value"])
            cells[k] = d
        return {
            "kind": self.kind,
            "reason": self.reason,
            "title": self.title,
            "agency": self.agency,
            "year": self.year,
            "published": self.published,
            "template": self.template,
            "sections": dict(self.sections),
            "cells": cells,
            "extra_tables": list(self.extra_tables),
            "checks": list(self.checks),
            "warnings": list(self.warnings),
            "images": list(self.images),
            "format": self.format,
            "reader": self.reader or self.format,
            "url": self.url,
            "parser_version": self.parser_version,
            "coverage": self.coverage,
            "min_confidence": self.min_confidence,
        }


_KEY_FIGURES = (
    ("t3.new.total", "本年新收申请"), ("t3.carry_in.total", "上年结转"), ("t3.open.total", "予以公开"),
    ("t3.partial.total", "部分公开"), ("t3.handled_total.total", "办理结果总计"), ("t3.carry_out.total", "结转下年度"),
    ("t4.cases.rev_total", "行政复议总计"), ("t4.cases.lit_direct_total", "直接起诉总计"),
    ("t4.cases.lit_after_review_total", "复议后起诉总计"),
)


def display_width(text: str) -> int:
    """Columns a terminal gives ``text``: East Asian wide and fullwidth characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns (str.ljust counts 行政复议 as 4, not 8)."""
    return text + " " * max(0, width - display_width(text))


def format_text(report: ExtractedReport) -> str:
    """A short summary for `govcrawl extract --format text`."""
    out = [
        f"kind:      {report.kind}" + (f" ({report.reason})" if report.reason else ""),
        f"title:     {report.title or '-'}",
        f"agency:    {report.agency or '-'}",
        f"year:      {report.year if report.year is not None else '-'}",
        f"published: {report.published or '-'}",
        f"template:  {report.template}",
    ]
    if report.sections:
        out.append("sections:  " + ", ".join(f"{k} ({len(v)} chars)" for k, v in report.sections.items()))
    if report.cells:
        found = sum(1 for c in report.cells.values() if c["null_reason"] != "missing")
        nulls = sum(1 for c in report.cells.values() if c["value"] is None)
        out.append(f"cells:     {len(report.cells)} template cells, {found} found, {nulls} null")
        conf = "-" if report.min_confidence is None else f"{report.min_confidence:.2f}"
        out.append(f"coverage:  {report.coverage:.0%} of template cells, lowest label-match confidence {conf}")
        for cid, label in _KEY_FIGURES:
            c = report.cells.get(cid)
            if c is not None:
                v = c["value"] if c["value"] is not None else f"null ({c['null_reason']})"
                out.append(f"  {pad(label, 14)} {v}")
        for cid in ("t2.a20_1.normative.issued", "t2.a20_1.normative.made_new"):
            if cid in report.cells:
                row = [report.cells[k]["value"] for k in report.cells if k.startswith("t2.a20_1.normative.")]
                out.append(f"  行政规范性文件 {' | '.join('null' if v is None else str(v) for v in row)}")
    if report.extra_tables:
        out.append(f"extra tables: {len(report.extra_tables)}")
    if report.checks:
        counts = {s: sum(1 for c in report.checks if c["status"] == s) for s in ("pass", "fail", "unknown")}
        out.append("checks:    " + ", ".join(f"{n} {s}" for s, n in counts.items()))
        for c in report.checks:
            if c["status"] == "fail":
                out.append(f"  FAIL {c['id']}: {c['detail']}")
    if report.images:
        out.append(f"images:    {len(report.images)}")
        out.extend(f"  {u}" for u in report.images[:20])
    if report.warnings:
        out.append("warnings:")
        out.extend(f"  - {w}" for w in report.warnings)
    out.append(f"reader:    {report.reader or report.format}")
    out.append(f"parser:    {report.parser_version}")
    return "\n".join(out) + "\n"
