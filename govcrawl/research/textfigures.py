"""Figures stated in a report's prose (一、总体情况), read with patterns, never guessed.

Reports restate their tables in words: 收到政府信息公开申请17件, 办结81件, 予以公开及部分公开42件,
未发生…行政复议、行政诉讼. Each pattern names the table cells the figure should equal; a clause
that matches nothing yields nothing, so an absent figure is "not stated", not 0.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from govcrawl import templates

_NUM = r"(\d+|[零〇一二两三四五六七八九十百千]+)"
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_GAP = r"[共计为了有]{0,3}"  # 共, 共计, 为, 计 between a label and its number


@dataclass(frozen=True)
class Figure:
    key: str          # what the text states: t3.new, t4.rev, …
    value: int
    quote: str        # the sentence fragment, for the evidence
    cells: tuple[str, ...]  # the table cells whose sum it should equal


def cn_int(text: str) -> int | None:
    """'17' → 17, '十二' → 12, '两' → 2, '一百零五' → 105; None for anything else."""
    if text.isdigit():
        return int(text)
    units = {"十": 10, "百": 100, "千": 1000}
    total, num = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            num = _CN_DIGITS[ch]
        elif ch in units:
            total += (num or 1) * units[ch]
            num = 0
        else:
            return None
    return total + num


def _group_totals(*groups: str, rows: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The 总计 cells of table 三's rows under ``groups`` (both templates), plus ``rows``."""
    out = []
    for version in templates.VERSIONS:
        for r in templates.get(version).t3_rows:
            cid = f"t3.{r.id}.total"
            if (r.parent in groups or r.id in rows) and cid not in out:
                out.append(cid)
    return tuple(out)


_DENY = _group_totals("g_deny")
_UNABLE = _group_totals("g_unable")
_REJECT = _group_totals("g_reject")
_OTHER = _group_totals("g_other", rows=("other",))  # 2019: one row; 2021: a group of three
_LIT = ("t4.cases.lit_direct_total", "t4.cases.lit_after_review_total")

# (key, pattern with one number group, cells). Order matters only for the quote shown.
PATTERNS: list[tuple[str, re.Pattern, tuple[str, ...]]] = [
    ("t3.new", re.compile(r"(?:收到|受理|接收|新收|接到)[^，,。；;\d复诉]{0,25}?申请[^，,。；;\d]{0,4}?" + _GAP + _NUM + "件"),
     ("t3.new.total",)),
    ("t3.carry_in", re.compile(r"上(?:一)?年(?:度)?结转[^，,。；;\d]{0,12}?" + _GAP + _NUM + "件"), ("t3.carry_in.total",)),
    ("t3.handled", re.compile(r"办结[^，,。；;\d建议提案]{0,12}?" + _GAP + _NUM + "件"), ("t3.handled_total.total",)),
    ("t3.handled", re.compile(r"办理[^，,。；;\d]{0,12}?申请" + _GAP + _NUM + "件"), ("t3.handled_total.total",)),
    ("t3.open_partial", re.compile(r"予以公开(?:及|和|与|、)部分公开" + _GAP + _NUM + "件"),
     ("t3.open.total", "t3.partial.total")),
    ("t3.open", re.compile(r"予以公开" + _GAP + _NUM + "件"), ("t3.open.total",)),
    ("t3.partial", re.compile(r"(?<![及和与、])部分公开" + _GAP + _NUM + "件"), ("t3.partial.total",)),
    ("t3.deny", re.compile(r"不予公开" + _GAP + _NUM + "件"), _DENY),
    ("t3.unable", re.compile(r"无法提供" + _GAP + _NUM + "件"), _UNABLE),
    ("t3.reject", re.compile(r"不予处理" + _GAP + _NUM + "件"), _REJECT),
    ("t3.other", re.compile(r"其他处理" + _GAP + _NUM + "件"), _OTHER),
    ("t3.carry_out", re.compile(r"结转下(?:一)?年(?:度)?(?:继续办理)?" + _GAP + _NUM + "件"), ("t3.carry_out.total",)),
    # table 二 (一): 行政规范性文件 issued this year (2021: 本年制发; 2019: 本年新制作) and in force (2021)
    ("t2.normative_issued", re.compile(r"(?:制发|新制作|印发)(?:的)?(?:行政)?规范性文件" + _GAP + _NUM + "件"),
     ("t2.a20_1.normative.issued", "t2.a20_1.normative.made_new")),
    ("t2.normative_in_force", re.compile(r"现行有效(?:的)?(?:行政)?规范性文件" + _GAP + _NUM + "件"),
     ("t2.a20_1.normative.in_force",)),
    ("t4.rev", re.compile(r"行政复议(?:案件)?" + _GAP + _NUM + "(?:件|起)"), ("t4.cases.rev_total",)),
    ("t4.lit", re.compile(r"行政诉讼(?:案件)?" + _GAP + _NUM + "(?:件|起)"), _LIT),
]
# "no review and no litigation": 未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况
_NO = r"(?:未发生|未收到|未出现|未有|没有|无(?!法))"
_NONE = (("t4.rev", re.compile(_NO + r"[^。；;，,]{0,25}?行政复议"), ("t4.cases.rev_total",)),
         ("t4.lit", re.compile(_NO + r"[^。；;，,]{0,40}?行政诉讼"), _LIT))


def read_figures(text: str) -> list[Figure]:
    """Every figure the text states, in reading order of the patterns."""
    out: list[Figure] = []
    taken: list[tuple[int, int]] = []  # spans already used by a more specific pattern
    for key, pattern, cells in PATTERNS:
        for m in pattern.finditer(text):
            if any(a <= m.start() < b for a, b in taken):
                continue
            value = cn_int(m.group(1))
            if value is None:
                continue
            taken.append((m.start(), m.end()))
            out.append(Figure(key, value, _quote(text, m.start(), m.end()), cells))
    for key, pattern, cells in _NONE:
        for m in pattern.finditer(text):
            out.append(Figure(key, 0, _quote(text, m.start(), m.end()), cells))
    return out


def _quote(text: str, start: int, end: int, around: int = 12) -> str:
    a, b = max(0, start - around), min(len(text), end + 2)
    return ("…" if a else "") + text[a:b].replace("\n", " ") + ("…" if b < len(text) else "")
