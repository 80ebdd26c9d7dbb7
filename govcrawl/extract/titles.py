"""Report titles: is this the title of an annual report, and of which year — one set of rules.

Listing links (``govcrawl.crawl.discovery``) and extracted pages (``meta``) decide with the same
phrases and the same year rule (spec/VARIANTS.md §1–2): titles follow a few phrasings, listings
mix in notices about reports, years come as 2019年, 2019年度, 二〇一九年 (and the 二O一九 typo).
Pure functions over text.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["classify_title", "report_year", "names_a_report"]

_CN_DIGITS = {"〇": "0", "零": "0", "○": "0", "O": "0", "o": "0", "Ｏ": "0", "0": "0",
              "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
              "六": "6", "七": "7", "八": "8", "九": "9"}
_CN_ZERO = "〇零○OoＯ0"
_CN_ANY = "一二三四五六七八九" + _CN_ZERO
_YEAR_AR = re.compile(r"(?<!\d)(20\d\d)\s*年")
_YEAR_CN = re.compile(rf"二[{_CN_ZERO}][{_CN_ANY}][{_CN_ANY}]\s*年")
_YEAR_BARE = re.compile(r"(?<!\d)(20\d\d)(?!\d)")

# 政府信息公开(工作)(的)年度报告 / 政府信息公开年报 / 政务信息公开年度报告 / 信息公开年度报告 /
# 政务公开(工作)年度报告 ...
_REPORT_PHRASE = re.compile(r"(?:信息公开|政务公开)(?:工作|情况)?的?(?:年度报告|年报)")
# "2019年度政府信息公开工作报告": 年度 moved in front of the year, 年度 dropped from 报告.
_REPORT_PHRASE_ALT = re.compile(r"年度.{0,20}?信息公开工作报告")

# Look-alikes, checked before the positive phrase: (needle, reason). Order matters only for
# which reason is reported.
_REJECT = (
    ("通知", "notice about reports: 通知"),
    ("公告", "announcement about reports: 公告"),
    ("工作要点", "work plan: 工作要点"),
    ("要点落实", "work plan follow-up: 要点落实"),
    ("的函", "letter: 函"),
    ("考核", "assessment: 考核"),
    ("评议", "review: 评议"),
    ("解读", "interpretation of a report: 解读"),
    ("图解", "interpretation of a report: 图解"),
    ("一图读懂", "interpretation of a report: 一图读懂"),
    ("整改", "rectification notice: 整改"),
    ("报告格式", "the report template: 报告格式"),
)
_TRAILING_EXT = re.compile(r"\.(?:pdf|docx?|wps|xlsx?|s?html?)$", re.I)


def _norm_title(text: str) -> str:
    """NFKC (full-width digits and brackets), then drop all whitespace incl. NBSP and U+3000."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def report_year(text: str) -> int | None:
    """The report year in a title: 2019年, 2019年度, 二〇一九年 (also the common 二O一九 typo).

    When several years appear, the last one before the report phrase wins ("关于2019年…2020年政府
    信息公开年报" is about 2020); a bare 4-digit year is the last resort.
    """
    if not text:
        return None
    norm = unicodedata.normalize("NFKC", text)
    cut = _REPORT_PHRASE.search(norm) or _REPORT_PHRASE_ALT.search(norm)
    head = norm[: cut.start()] if cut else norm
    for scope in (head, norm):
        years = [(m.start(), int(m.group(1))) for m in _YEAR_AR.finditer(scope)]
        years += [(m.start(), int("".join(_CN_DIGITS[c] for c in m.group(0)[:4])))
                  for m in _YEAR_CN.finditer(scope)]
        if years:
            return max(years)[1] if scope is head else min(years)[1]
    bare = _YEAR_BARE.findall(head) or _YEAR_BARE.findall(norm)
    return int(bare[-1]) if bare else None


def classify_title(text: str) -> tuple[bool, str]:
    """Is this link text the title of an annual report itself? Returns (verdict, reason).

    Only the title is judged: a sub-agency's report in another agency's listing is still a report
    here; matching the agency is the caller's business.
    """
    norm = _TRAILING_EXT.sub("", _norm_title(text))
    if not norm:
        return False, "empty title"
    for needle, reason in _REJECT:
        if needle in norm:
            return False, reason
    if norm.endswith("函"):
        return False, "letter: 函"
    if norm.endswith("统计表") or ("统计表" in norm and "报告" not in norm and "年报" not in norm):
        return False, "statistics table only: 统计表"
    if not (_REPORT_PHRASE.search(norm) or _REPORT_PHRASE_ALT.search(norm)):
        return False, "no annual-report phrase"
    year = report_year(norm)
    if year is None:
        return False, "annual-report phrase without a year"
    return True, f"report title with year {year}"


def names_a_report(text: str | None) -> bool:
    """Does a page title (or the title printed at the top of a body) name an annual report?

    More lenient than ``classify_title``: no year needed (it may be printed elsewhere), no
    rejection of look-alikes (the page's content decides), and a bare 年度报告 counts.
    """
    norm = _norm_title(text or "")
    return bool(_REPORT_PHRASE.search(norm) or _REPORT_PHRASE_ALT.search(norm) or "年度报告" in norm
                or re.search(r"(?:信息公开|政务公开).{0,8}工作报告", norm))
