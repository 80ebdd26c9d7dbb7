"""The one format sniffer: what a body is, judged from its bytes (never the extension or header).

Crawl (``govcrawl.crawl.content``) and extraction both ask here, so a file the crawl labels
``application/msword`` is the file extraction reads as a Word binary, and a new format is taught
in one place.

    sniff(data)           -> "pdf" | "docx" | "xlsx" | "zip" | "doc" | "xls" | "ole" | "png" | "jpeg"
                             | "gif" | "bmp" | "tiff" | "webp" | "gzip" | "rar" | "html" | "text" | "binary"
    MIME[kind]            -> the MIME type the crawl records for that kind

Compound files (OLE2) are told apart by their streams: ``WordDocument`` is a Word 97-2003 file
(Kingsoft WPS writes .wps the same way), ``Workbook``/``Book`` a BIFF spreadsheet (.xls, and
Kingsoft's .et). A compound file whose directory cannot be read stays "ole".
"""
from __future__ import annotations

import io
import re
import zipfile

__all__ = ["sniff", "is_binary", "MIME", "IMAGE_KINDS", "OLE_MAGIC"]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IMAGE_KINDS = ("png", "jpeg", "gif", "bmp", "tiff", "webp")

MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ole": "application/x-ole-storage",
    "png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "bmp": "image/bmp",
    "tiff": "image/tiff", "webp": "image/webp",
    "gzip": "application/gzip", "rar": "application/x-rar-compressed",
    "html": "text/html", "text": "text/plain", "binary": "application/octet-stream",
}

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF87a", "gif"), (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"), (b"\x1f\x8b", "gzip"), (b"Rar!", "rar"),
)
_HTMLISH = re.compile(rb"<\s*(html|head|body|meta|title|div|p|table|span|br|script|a|!doctype)\b", re.I)
_HTMLISH_TEXT = re.compile(r"<\s*(html|head|body|meta|title|div|p|table|span|br|script|a|!doctype)\b", re.I)


def sniff(data: bytes) -> str:
    """The format the leading bytes show (see the module docstring for the kinds)."""
    head = data[:1024]
    stripped = head.lstrip()
    if stripped.startswith(b"%PDF-") or b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data.startswith(OLE_MAGIC):
        return _ole_kind(data)
    for magic, kind in _MAGIC:
        if stripped.startswith(magic):
            return kind
    if data.startswith(b"BM") and len(data) > 26 and data[6:10] == b"\0\0\0\0":
        return "bmp"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "webp"
    binary = is_binary(data)
    # Random bytes hold "<a " or "<p" often enough (one 4 KB blob in six) to pass for a page, so
    # in binary-looking bytes only a page that opens with its markup counts as HTML.
    if binary and not stripped.startswith(b"<"):
        return "binary"
    if _HTMLISH.search(data[:4096]) or _HTMLISH_TEXT.search(data[:4096].decode("gb18030", "ignore")):
        return "html"
    return "binary" if binary else "text"


def is_binary(data: bytes) -> bool:
    """Binary junk: NUL bytes or many control characters in the leading bytes."""
    sample = data[:8192]
    if not sample:
        return False
    if sample.count(b"\x00") > len(sample) // 100:
        return True
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32 and b != 27)
    return ctrl > len(sample) * 0.05


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return "zip"


def _ole_kind(data: bytes) -> str:
    try:
        import olefile
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(s).lower() for s in ole.listdir(streams=True, storages=False)}
    except Exception:  # olefile raises plain Exceptions/OSErrors on damaged directories
        return "ole"
    if "worddocument" in streams:
        return "doc"
    if "workbook" in streams or "book" in streams:
        return "xls"
    return "ole"
