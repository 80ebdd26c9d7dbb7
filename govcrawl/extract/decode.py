"""Bytes -> text for HTML and plain text, choosing among the charset evidence.

Evidence: a BOM, the HTTP Content-Type header, a <meta> charset, or nothing. Chinese government
sites often declare one charset and serve another, so each candidate is tried strictly and the
first that decodes cleanly wins; GB2312/GBK are read as GB18030 (a superset that also covers the
characters GB2312 lacks). Without a clean candidate we decode with replacement and warn.
"""
from __future__ import annotations

import codecs
import re

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
            "gb_2312-80": "gb18030", "hz-gb-2312": "gb18030", "utf8": "utf-8", "unicode": "utf-8",
            "big5-hkscs": "big5hkscs"}


def _canonical(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def sniff_declared(data: bytes, content_type: str | None = None) -> list[tuple[str, str]]:
    """[(source, codec)] in order of evidence strength: bom, header, meta."""
    found: list[tuple[str, str]] = []
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            found.append(("bom", enc))
            break
    if content_type:
        m = _HEADER.search(content_type)
        if m and _canonical(m.group(1)):
            found.append(("header", _canonical(m.group(1))))
    m = _META.search(data[:8192])
    if m and _canonical(m.group(1).decode("ascii", "ignore")):
        found.append(("meta", _canonical(m.group(1).decode("ascii", "ignore"))))
    return found


def decode(data: bytes, content_type: str | None = None) -> tuple[str, str, list[str]]:
    """-> (text, codec used, warnings)."""
    warnings: list[str] = []
    declared = sniff_declared(data, content_type)
    candidates: list[str] = []
    for _src, enc in declared:
        if enc not in candidates:
            candidates.append(enc)
    for enc in ("utf-8", "gb18030"):
        if enc not in candidates:
            candidates.append(enc)
    for enc in candidates:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if declared and enc != declared[0][1]:
            warnings.append(f"declared charset {declared[0][1]} ({declared[0][0]}) does not decode cleanly; used {enc}")
        return text.lstrip("\ufeff"), enc, warnings
    # nothing decodes cleanly: choose the candidate with the fewest replacement characters
    best = min(candidates, key=lambda e: data.decode(e, "replace").count("\ufffd"))
    text = data.decode(best, "replace")
    warnings.append(f"no charset decodes cleanly; decoded as {best} with "
                    f"{text.count(chr(0xFFFD))} replacement characters")
    return text.lstrip("\ufeff"), best, warnings
