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

_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": '"', "’": '"', "'": '"', "「": '"', "」": '"',
                         "『": '"', "』": '"', "〔": "(", "〕": ")", "【": "(", "】": ")", "[": "(",
                         "]": ")", "﹙": "(", "﹚": ")", "．": ".", "。": ".", "、": ",", "，": ",",
                         "：": ":", "；": ";"})
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


def key(text: str | None) -> str:
    """Matching form: squash() minus punctuation."""
    return _PUNCT.sub("", squash(text))


def numbering(text: str | None) -> str | None:
    """The leading numbering of a label ('一', '(三)', '2') or None."""
    m = _NUMBERING.match(squash(text))
    return m.group(0).strip("(),.、 ") if m else None


def core(text: str | None) -> str:
    """key() without the leading numbering: '（三）不予公开' -> '不予公开'."""
    s = squash(text)
    m = _NUMBERING.match(s)
    if m:
        s = s[m.end():]
    return _PUNCT.sub("", s)


def similar(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()
