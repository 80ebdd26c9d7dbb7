"""Split a report's paragraphs into sections 一 … 六 (plus preamble and signature).

Only paragraphs are candidates, never table cells: table 三's row labels 三、本年度办理结果 and
四、结转下年度继续办理 look like headings. A heading is a paragraph that starts with the expected
Chinese numeral and either names the section (keyword cores from the templates, VARIANTS.md §2) or
is short and heading-like (older reports name their parts freely). Numbers must increase, so a
stray "三、" in the body text cannot reopen a section.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from govcrawl import templates
from govcrawl.extract import labels as L

_CN = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
_HEAD = re.compile(r"^([一二三四五六七八九十])\s*[、.．,，]\s*(.*)$", re.S)
_DATE = re.compile(r"^(\d{4}|[〇零一二三四五六七八九○Ｏ]{4})\s*年\s*([\d一二三四五六七八九十]{1,3})\s*月"
                   r"\s*([\d一二三四五六七八九十]{1,3})\s*日$")
_ORG_END = re.compile(r"(局|政府|委员会|办公室|管委会|管理委员会|中心|院|厅|部|委|办|办事处|公司|所|站|队|处|馆|会|府)$")
MAX_HEADING = 40


@dataclass
class Split:
    sections: dict[str, str] = field(default_factory=dict)
    headings: dict[str, str] = field(default_factory=dict)  # section id -> heading text as found
    signature: list[str] = field(default_factory=list)


def _named(text: str) -> int | None:
    """The section number of a paragraph that opens with a numeral and names its section's keywords."""
    m = _HEAD.match(L.collapse(text))
    if not m:
        return None
    n = _CN[m.group(1)]
    if n > len(templates.SECTIONS):
        return None
    head_part = L.squash(m.group(2)[:25])
    return n if any(k in head_part for k in templates.SECTIONS[n - 1].keywords) else None


def _heading(text: str, last: int, named: frozenset = frozenset()):
    """-> (number, heading text, body remainder) when ``text`` opens a section after ``last``."""
    t = L.collapse(text)
    m = _HEAD.match(t)
    if m:
        n = _CN[m.group(1)]
        rest = m.group(2)
        if n <= last or n > last + 3:
            return None
        sec = templates.SECTIONS[n - 1] if n <= len(templates.SECTIONS) else None
        head_part = L.squash(rest[:25])
        if sec and any(k in head_part for k in sec.keywords):
            if len(t) <= MAX_HEADING:
                return n, t, ""
            label_rest = sec.label.split("、", 1)[1]
            if L.squash(rest).startswith(L.squash(label_rest)):
                return n, f"{m.group(1)}、{label_rest}", rest[len(label_rest):].lstrip("。:： ")
            return n, t[:25], t
        # a heading in other words, unless the section's own heading follows (flattened text puts
        # table 三's row 四、结转下年度继续办理 in the paragraph stream before 四、…行政复议…)
        if len(t) <= MAX_HEADING and not t.endswith(("。", "；", ";")) and n == last + 1 and n not in named:
            return n, t, ""
        return None
    # the long names of the format text: （二）行政机关主动公开政府信息情况
    sq = L.squash(t)
    for i, sec in enumerate(templates.SECTIONS, start=1):
        if i > last and sec.long_label and sq.startswith(L.squash(sec.long_label)) and len(t) <= MAX_HEADING + 10:
            return i, t, ""
    return None


def is_signature_line(text: str) -> bool:
    t = L.collapse(text).replace(" ", "")
    if not t or len(t) > 40:
        return False
    if _DATE.match(t):
        return True
    return bool(_ORG_END.search(t)) and not re.search(r"[。，,；;：:！？]", t)


def split(paragraphs: list[str]) -> Split:
    out = Split()
    current = "preamble"
    buf: dict[str, list[str]] = {"preamble": []}
    last = 0
    named = frozenset(n for n in map(_named, paragraphs) if n)
    for p in paragraphs:
        h = _heading(p, last, named)
        if h:
            n, head, rest = h
            last = n
            current = f"s{n}"
            out.headings[current] = head
            buf[current] = [rest] if rest else []
            continue
        buf.setdefault(current, []).append(p)
    # the signature: short organisation / date lines closing the last section
    if last:
        tail = buf[current]
        sig: list[str] = []
        while tail and len(sig) < 4 and is_signature_line(tail[-1]):
            sig.insert(0, tail.pop())
        out.signature = sig
    for k, lines in buf.items():
        out.sections[k] = "\n".join(x for x in lines if x)
    if out.signature:
        out.sections["signature"] = "\n".join(out.signature)
    return out
