"""Bytes -> text for HTML and plain text, choosing among the charset evidence.

The one charset policy of govcrawl: extraction, link discovery and the crawl's content checks all
decode through here. Evidence: a BOM, the HTTP Content-Type header, a <meta> charset, or nothing.
Chinese government sites often declare one charset and serve another, so each candidate is tried
strictly and the evidence that decodes cleanly wins. GB2312/GBK are read as GB18030 (a superset
that also covers the characters GB2312 lacks). Clean UTF-8 beats a GB declaration when the body
holds non-ASCII bytes: GBK text is almost never valid UTF-8, while UTF-8 text often "decodes" as
GB18030 into mojibake without a single error. Without a clean candidate we decode with
replacement characters and warn.
"""
from __future__ import annotations

import codecs
import re

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
            "gb_2312-80": "gb18030", "euc-cn": "gb18030", "hz-gb-2312": "gb18030", "utf8": "utf-8",
            "unicode": "utf-8", "big5-hkscs": "big5hkscs"}
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def canonical(name: str | None) -> str | None:
    """Python's codec name for a declared charset (GB family → gb18030), or None if unknown."""
    if not name:
        return None
    name = name.strip().lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def header_charset(content_type: str | None) -> str | None:
    """The codec an HTTP Content-Type header declares, if any."""
    m = _HEADER.search(content_type or "")
    return canonical(m.group(1)) if m else None


def sniff_declared(data: bytes, content_type: str | None = None) -> list[tuple[str, str]]:
    """[(source, codec)] in order of evidence strength: bom, header, meta."""
    found: list[tuple[str, str]] = []
    for bom, enc in _BOMS:
        if data.startswith(bom):
            found.append(("bom", enc))
            break
    if header_charset(content_type):
        found.append(("header", header_charset(content_type)))
    m = _META.search(data[:8192])
    if m and canonical(m.group(1).decode("ascii", "ignore")):
        found.append(("meta", canonical(m.group(1).decode("ascii", "ignore"))))
    return found


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
        return True
    except (UnicodeDecodeError, LookupError):
        return False


def resolve_charset(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(codec, evidence): 'bom', 'header', 'meta', 'bytes' or 'fewest replacement characters'."""
    declared = sniff_declared(data, content_type)
    if declared and declared[0][0] == "bom":
        return declared[0][1], "bom"
    if not data.isascii() and _decodes(data, "utf-8"):
        return "utf-8", next((src for src, codec in declared if codec == "utf-8"), "bytes")
    for source, codec in declared:
        if _decodes(data, codec):
            return codec, source
    if _decodes(data, "gb18030"):
        return "gb18030", "bytes"
    candidates = [codec for _, codec in declared] + ["utf-8", "gb18030"]
    best = min(candidates, key=lambda c: data.decode(c, "replace").count("\ufffd"))
    return best, "fewest replacement characters"


def decode(data: bytes, content_type: str | None = None) -> tuple[str, str, list[str]]:
    """-> (text, codec used, warnings)."""
    codec, evidence = resolve_charset(data, content_type)
    text = data.decode(codec, "replace").lstrip("\ufeff")
    warnings: list[str] = []
    declared = sniff_declared(data, content_type)
    if evidence == "fewest replacement characters":
        warnings.append(f"no charset decodes cleanly; decoded as {codec} with "
                        f"{text.count(chr(0xFFFD))} replacement characters")
    elif declared and codec != declared[0][1]:
        warnings.append(f"declared charset {declared[0][1]} ({declared[0][0]}) does not fit the "
                        f"bytes; used {codec}")
    return text, codec, warnings


def cut_before_tag(data: bytes, limit: int) -> bytes:
    """The first ``limit`` bytes of an HTML body, cut before a tag so no character is split."""
    if limit <= 0 or len(data) <= limit:
        return data
    cut = data.rfind(b"<", 0, limit)
    return data[:cut if cut > 0 else limit]
