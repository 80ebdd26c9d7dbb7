"""Label normalisation for matching table labels and headings across publishers.

Word exports, PDF text layers and retyped reports differ in whitespace (NBSP, U+3000, line breaks
inside labels), bracket and quote width, and punctuation. ``key()`` erases all of that so two
spellings of one label compare equal; ``core()`` also drops the numbering (一、 （一） 1.) so a
label can be matched by its words when the numbering is broken.
"""
from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

from govcrawl import vocabulary as V

_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": '"', "’": '"', "'": '"', "「": '"', "」": '"',
                         "『": '"', "』": '"', "〔": "(", "〕": ")", "【": "(", "】": ")", "[": "(",
                         "]": ")", "﹙": "(", "﹚": ")", "．": ".", "。": ".", "、": ",", "，": ",",
                         "：": ":", "；": ";"})
_QUOTES = {**V.TRADITIONAL, **_QUOTES}  # one translate() also reads traditional script as simplified
# characters dropped by key(): punctuation that publishers add, drop or swap freely
_PUNCT = re.compile(r"[\"(),.:;/\\|_\-—–~·•*#]+")
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[,.、]|\(?[一二三四五六七八九十]+\)|\(?\d{1,2}[).,]|\d{1,2}\s)")


def collapse(text: str | None) -> str:
    """Display form that keeps the publisher's characters: whitespace runs -> one space, trimmed."""
    if not text:
        return ""
    return _WS.sub(" ", text).strip()


_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+|\s+(?=[\u3000-\u9fff\uff00-\uffef])")


def label_text(text: str | None) -> str:
    """A label as printed, minus line-break artifacts: no whitespace next to CJK characters."""
    return _CJK_GAP.sub("", collapse(text))


def clean(text: str | None) -> str:
    """Display form: NFKC, whitespace runs collapsed to one space, trimmed."""
    if not text:
        return ""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def squash(text: str | None) -> str:
    """NFKC with every kind of whitespace removed, quotes/brackets unified (keeps punctuation)."""
    if not text:
        return ""
    return _WS.sub("", unicodedata.normalize("NFKC", text)).translate(_QUOTES)


_SAME = re.compile("|".join(re.escape(a) for a, _b in sorted(V.SAME_WORDS, key=lambda x: -len(x[0]))))
_SAME_TO = dict(V.SAME_WORDS)


@lru_cache(maxsize=65536)
def norm(text: str | None) -> str:
    """squash() with the vocabulary's same-meaning words unified and unit suffixes dropped:
    '自然人（件）' -> '自然人', '其它' -> '其他', '合计' -> '总计'."""
    s = _SAME.sub(lambda m: _SAME_TO[m.group(0)], squash(text))
    for _ in range(2):
        s2 = V.UNIT_PREFIX.sub("", V.UNIT_SUFFIX.sub("", s))
        if s2 == s:
            break
        s = s2
    return s


@lru_cache(maxsize=65536)
def key(text: str | None) -> str:
    """Matching form: norm() minus punctuation."""
    return _PUNCT.sub("", norm(text))


def numbering(text: str | None) -> str | None:
    """The leading numbering of a label ('一', '(三)', '2') or None."""
    m = _NUMBERING.match(squash(text))
    return m.group(0).strip("(),.、 ") if m else None


@lru_cache(maxsize=65536)
def core(text: str | None) -> str:
    """key() without the leading numbering: '（三）不予公开' -> '不予公开'."""
    s = norm(text)
    m = _NUMBERING.match(s)
    if m:
        s = s[m.end():]
    return _PUNCT.sub("", s)


@lru_cache(maxsize=65536)
def gist(text: str | None) -> str:
    """core() minus the filler words paraphrases add or drop: '本年新收到政府信息公开申请数' and
    '本年新收政府信息公开申请数量' both give '本年新收申请'."""
    s = core(text)
    for w in V.GIST_DROP:
        s = s.replace(w, "")
    for a, b in V.GIST_REPLACE:
        s = s.replace(a, b)
    return V.GIST_TRAILING.sub("", s) or s


def similar(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()
