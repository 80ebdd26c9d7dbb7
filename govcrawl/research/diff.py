"""What changed between two versions of one report: cells, checks, section text, attachments.

Pure functions over two ``Snapshot``s (built from an extraction dict, or read back from the archive
by ``govcrawl.archive.changes.Versions``), so one diff serves the crawl, ``govcrawl diff`` and tests.

A version is **markup-only** when everything a reader of the report sees is unchanged: the cells'
values, the checks' outcomes, the sections' text (whitespace, line breaks and full-width forms
aside), the report's identity (agency, year, template) and the set of attachments. A new title or
publication date is shown but not counted: both are often read from the page around the report.
A site that re-templates its pages, re-indents its HTML or re-uploads the same PDF makes a new
capture, not a new report.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from govcrawl.research import codebook

# Whitespace a CMS or a re-template adds or drops without changing a word: ASCII and NBSP,
# U+3000 ideographic space, zero-width characters and BOMs.
_SPACE = re.compile(r"[\s\u00a0\u3000\u200b\u200c\u200d\u2060\ufeff]+")
CONTENT_FIELDS = ("agency", "year", "template")  # a difference here is a content change
# Shown, not counted: a title read from a page's <title> changes with the site's template, and a
# publication date with a re-upload.
SHOWN_FIELDS = CONTENT_FIELDS + ("title", "published")
# Checks whose outcome depends on another report (the previous year's): a flip there is that
# report's change, not this version's, so diffs leave them out.
CONTEXT_CHECK_KINDS = ("cross_year",)
SECTION_NAMES = {"preamble": "前言", "s1": "一、总体情况", "s2": "二、主动公开政府信息情况",
                 "s3": "三、收到和处理政府信息公开申请情况", "s4": "四、政府信息公开行政复议、行政诉讼情况",
                 "s5": "五、存在的主要问题及改进情况", "s6": "六、其他需要报告的事项", "signature": "落款"}


# Lines a CMS renders anew on every request, not part of the report: view counters
# (浏览次数：1234, 访问量: 56次) and today's date in the page header (今天是：2026年12月2日 星期三).
_VOLATILE = re.compile(r"^(【?(浏览|访问|点击|阅读)(次数|量|数)?】?[:：]?\d+次?"
                       r"|今天是[:：]?\d{4}年\d{1,2}月\d{1,2}日(星期.)?)$")


def normalise_text(text: str | None) -> list[str]:
    """Section text as the lines a reader sees: inner whitespace removed, empty lines dropped.

    Chinese text has no spaces between words, so any run of whitespace inside a line is layout
    (padding, a line wrapped by the CMS), not content. Lines that change on every request (a view
    counter, today's date) are dropped too.
    """
    out = []
    for line in (text or "").splitlines():
        line = _SPACE.sub("", line)
        if line and not _VOLATILE.match(line):
            out.append(line)
    return out


def text_key(lines: list[str]) -> str:
    """What two versions of a section must share to be the same text: the characters, with line
    breaks (a PDF re-flowed, a paragraph split by a new editor) and full-width/half-width forms
    (１２ vs 12, ， vs ,) not counting."""
    return unicodedata.normalize("NFKC", "".join(lines))


def _number(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text is not None else None
    except (InvalidOperation, ValueError):
        return None


def value_text(value: Any) -> str | None:
    """A cell value as exact decimal text (what the archive's ``value_text`` holds)."""
    if value is None:
        return None
    if isinstance(value, bool):
        value = int(value)
    return str(value)


@dataclass(frozen=True)
class Cell:
    value: str | None  # exact decimal text, None when null
    null_reason: str | None = None
    unit: str | None = None

    def same_as(self, other: "Cell") -> bool:
        a, b = _number(self.value), _number(other.value)
        if a is not None and b is not None:
            return a == b  # "5" and "5.0" are one value
        return self.value == other.value and (self.value is not None or self.null_reason == other.null_reason)

    def shown(self) -> str:
        if self.value is None:
            return f"null ({self.null_reason or 'missing'})"
        return self.value


@dataclass
class Snapshot:
    """One version of a report, reduced to what a diff compares."""

    version: str = ""  # the archive's id for this version (report_id today)
    url: str = ""
    fetched_at: str = ""
    fields: dict[str, Any] = field(default_factory=dict)  # title, agency, year, template, published
    cells: dict[str, Cell] = field(default_factory=dict)
    checks: dict[str, tuple[str, str]] = field(default_factory=dict)  # check id -> (status, detail)
    sections: dict[str, str] = field(default_factory=dict)
    attachments: dict[str, str] = field(default_factory=dict)  # URL -> payload sha256

    @classmethod
    def from_extraction(cls, report: dict, *, version: str = "", url: str = "", fetched_at: str = "",
                        attachments: dict[str, str] | None = None) -> "Snapshot":
        """From ``ExtractedReport.to_dict()`` (plus the attachments' URL → sha256)."""
        return cls(
            version=version, url=url or report.get("url") or "", fetched_at=fetched_at,
            fields={k: report.get(k) for k in SHOWN_FIELDS},
            cells={cid: Cell(value_text(c.get("value")), c.get("null_reason"), c.get("unit"))
                   for cid, c in (report.get("cells") or {}).items()},
            checks={c["id"]: (c.get("status") or "", c.get("detail") or "")
                    for c in report.get("checks") or [] if c.get("kind") not in CONTEXT_CHECK_KINDS},
            sections={k: v for k, v in (report.get("sections") or {}).items() if v},
            attachments=dict(attachments or {}),
        )


@dataclass(frozen=True)
class CellChange:
    cell_id: str
    label: str
    old: Cell | None  # None: the cell is absent from that version
    new: Cell | None

    def line(self) -> str:
        old = self.old.shown() if self.old else "absent"
        new = self.new.shown() if self.new else "absent"
        unit = (self.new or self.old).unit if (self.new or self.old) else None
        return f"{self.cell_id}  {self.label}: {old} → {new}{f' {unit}' if unit and unit != 'null' else ''}"


@dataclass(frozen=True)
class CheckFlip:
    check_id: str
    old: str  # pass / fail / unknown / absent
    new: str
    detail: str = ""


@dataclass(frozen=True)
class SectionChange:
    section_id: str
    old_lines: list[str]
    new_lines: list[str]

    @property
    def name(self) -> str:
        return SECTION_NAMES.get(self.section_id, self.section_id)

    def unified(self, context: int = 1) -> list[str]:
        """A unified diff of the section's normalised lines (paragraphs), with what changed inside
        a replaced paragraph marked ``[-old-]{+new+}`` so a one-digit correction is visible."""
        out = list(difflib.unified_diff(self.old_lines, self.new_lines, f"{self.section_id} (old)",
                                        f"{self.section_id} (new)", n=context, lineterm=""))
        for a, b in _replaced_pairs(self.old_lines, self.new_lines):
            out.append("~ " + inline_diff(a, b))
        return out


@dataclass(frozen=True)
class AttachmentChange:
    url: str
    change: str  # added | removed | replaced


@dataclass
class VersionDiff:
    old: Snapshot
    new: Snapshot
    fields: list[tuple[str, Any, Any]] = field(default_factory=list)
    cells: list[CellChange] = field(default_factory=list)
    checks: list[CheckFlip] = field(default_factory=list)
    sections: list[SectionChange] = field(default_factory=list)
    attachments: list[AttachmentChange] = field(default_factory=list)

    @property
    def content_changed(self) -> bool:
        return bool(self.cells or self.checks or self.sections
                    or any(name in CONTENT_FIELDS for name, _, _ in self.fields)
                    or any(a.change != "replaced" for a in self.attachments))

    @property
    def markup_only(self) -> bool:
        return not self.content_changed

    def summary(self, max_cells: int = 3) -> str:
        """One line: what a person would say changed."""
        if self.markup_only:
            what = "same cells, checks and text"
            if self.attachments:
                what += f"; {len(self.attachments)} attachment(s) re-uploaded with the same content"
            what += "".join(f"; {name} {old!r} → {new!r}" for name, old, new in self.fields)
            return f"markup only ({what})"
        parts = []
        if self.cells:
            shown = ", ".join(f"{c.cell_id} {c.old.shown() if c.old else 'absent'} → "
                              f"{c.new.shown() if c.new else 'absent'}" for c in self.cells[:max_cells])
            more = f", +{len(self.cells) - max_cells} more" if len(self.cells) > max_cells else ""
            parts.append(f"{len(self.cells)} cell(s) changed: {shown}{more}")
        if self.checks:
            parts.append("checks " + ", ".join(f"{c.check_id} {c.old} → {c.new}" for c in self.checks))
        if self.sections:
            parts.append("text of " + ", ".join(s.name for s in self.sections) + " changed")
        for name, old, new in self.fields:
            parts.append(f"{name} {old!r} → {new!r}")
        for a in self.attachments:
            parts.append(f"attachment {a.change}: {a.url}")
        return "; ".join(parts)


def _cell_labels() -> dict[str, str]:
    return {d.cell_id: f"{codebook.TABLE_NAMES.get(d.tbl, d.tbl).split()[0]} {d.label_zh}"
            for d in codebook.cell_defs()}


_LABELS: dict[str, str] | None = None


def cell_label(cell_id: str) -> str:
    """The official wording of a template cell (表三 一、本年新收… | 申请人情况 > 总计)."""
    global _LABELS
    if _LABELS is None:
        _LABELS = _cell_labels()
    return _LABELS.get(cell_id, "")


def diff_versions(old: Snapshot, new: Snapshot) -> VersionDiff:
    d = VersionDiff(old, new)
    for name in SHOWN_FIELDS:
        a, b = old.fields.get(name), new.fields.get(name)
        if isinstance(a, str) or isinstance(b, str):
            same = "".join(normalise_text(str(a or ""))) == "".join(normalise_text(str(b or "")))
        else:
            same = a == b
        if not same:
            d.fields.append((name, a, b))
    for cid in sorted(set(old.cells) | set(new.cells), key=_cell_order):
        a, b = old.cells.get(cid), new.cells.get(cid)
        if a is None or b is None:
            present = a or b
            if present.value is None and present.null_reason == "missing":
                continue  # "not found" in one version, absent from the other: nothing printed either way
            d.cells.append(CellChange(cid, cell_label(cid), a, b))
        elif not a.same_as(b):
            d.cells.append(CellChange(cid, cell_label(cid), a, b))
    for cid in sorted(set(old.checks) | set(new.checks)):
        a = old.checks.get(cid, ("absent", ""))[0]
        b, detail = new.checks.get(cid, ("absent", ""))
        if a != b:
            d.checks.append(CheckFlip(cid, a, b, detail))
    for sid in _section_order(set(old.sections) | set(new.sections)):
        a, b = normalise_text(old.sections.get(sid)), normalise_text(new.sections.get(sid))
        if text_key(a) != text_key(b):
            d.sections.append(SectionChange(sid, a, b))
    for url in sorted(set(old.attachments) | set(new.attachments)):
        if url not in old.attachments:
            d.attachments.append(AttachmentChange(url, "added"))
        elif url not in new.attachments:
            d.attachments.append(AttachmentChange(url, "removed"))
        elif old.attachments[url] != new.attachments[url]:
            d.attachments.append(AttachmentChange(url, "replaced"))
    return d


_TBL_ORDER = {"t2": 0, "t3": 1, "t4": 2}
_ORDER: dict[str, int] | None = None


def _cell_order(cell_id: str) -> tuple:
    global _ORDER
    if _ORDER is None:
        _ORDER = {d.cell_id: i for i, d in enumerate(codebook.cell_defs())}
    return (_ORDER.get(cell_id, len(_ORDER)), cell_id)


def _section_order(ids: set[str]) -> list[str]:
    known = list(SECTION_NAMES)
    return sorted(ids, key=lambda s: (known.index(s) if s in known else len(known), s))


def _replaced_pairs(old: list[str], new: list[str]) -> list[tuple[str, str]]:
    """Paragraphs replaced one for one (the usual silent edit: a figure or a phrase in place)."""
    pairs = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            pairs += list(zip(old[i1:i2], new[j1:j2]))
    return pairs


_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|.", re.S)


def inline_diff(a: str, b: str, context: int = 12) -> str:
    """``…收到申请[-57-]{+55+}件…``: the changed characters (whole numbers, never half a figure)
    with a little context either side."""
    ta, tb = _TOKEN.findall(a), _TOKEN.findall(b)
    out = []
    ops = difflib.SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes()
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            text = "".join(ta[i1:i2])
            first, last = n == 0, n == len(ops) - 1
            if first and len(text) > context:
                text = "…" + text[-context:]
            elif last and len(text) > context:
                text = text[:context] + "…"
            elif not first and not last and len(text) > 2 * context:
                text = f"{text[:context]}…{text[-context:]}"
            out.append(text)
        else:
            if i2 > i1:
                out.append(f"[-{''.join(ta[i1:i2])}-]")
            if j2 > j1:
                out.append(f"{{+{''.join(tb[j1:j2])}+}}")
    return "".join(out)


def format_diff(d: VersionDiff, title: str = "") -> str:
    """The text ``govcrawl diff`` prints."""
    o, n = d.old, d.new
    lines = []
    if title:
        lines.append(title)
    lines.append(f"from {o.version or '?'}  {o.fetched_at}  {o.url}")
    lines.append(f"  to {n.version or '?'}  {n.fetched_at}  {n.url}")
    if o.url and n.url and o.url != n.url:
        lines.append(f"moved: {o.url} → {n.url}")
    lines.append("verdict: " + ("markup only — not a content change" if d.markup_only else d.summary()))
    for name, a, b in d.fields:
        lines.append(f"{name}: {a!r} → {b!r}")
    lines.append("")
    lines.append(f"Cells changed ({len(d.cells)}):")
    lines += [f"  {c.line()}" for c in d.cells] or ["  none"]
    lines.append(f"Checks flipped ({len(d.checks)}):")
    lines += [f"  {c.check_id}: {c.old} → {c.new}" + (f"  ({c.detail})" if c.detail else "")
              for c in d.checks] or ["  none"]
    lines.append(f"Sections whose text changed ({len(d.sections)}):")
    for s in d.sections:
        lines.append(f"  {s.name} ({s.section_id})")
        lines += [f"    {x}" for x in s.unified()]
    if not d.sections:
        lines.append("  none")
    lines.append(f"Attachments added or replaced ({len(d.attachments)}):")
    lines += [f"  {a.change}: {a.url}" for a in d.attachments] or ["  none"]
    return "\n".join(lines)
