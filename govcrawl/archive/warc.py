"""Raw captures as WARC/1.1 files: every exchange is kept byte-for-byte before anything parses it.

``WarcWriterPool`` writes a request and a response record per fetch (gzip per record, so any record
can be read at its offset), or a ``revisit`` record when the same payload was archived before. Files
rotate per run and by size. The returned dict is the row for the ``captures`` index table. No Scrapy
or SQLite here: the crawl glue and the tests feed it plain values.
"""
from __future__ import annotations

import hashlib
import http
import io
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


@dataclass
class Exchange:
    """One HTTP fetch as received: what was asked and what came back."""

    url: str
    status: int
    response_headers: list[tuple[str, str]]
    body: bytes
    method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    protocol: str = "HTTP/1.1"
    fetched_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def payload_sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    def header(self, wanted: str) -> str | None:
        for name, value in self.response_headers:
            if name.lower() == wanted:
                return value
        return None

    @property
    def mime(self) -> str:
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()


def _warc_date(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class WarcWriterPool:
    """Appends records to ``<dir>/<prefix>-<run_id>-<n>.warc.gz``, starting a new file past max_bytes."""

    def __init__(self, directory: str | Path, run_id: str, *, prefix: str = "govcrawl",
                 max_bytes: int = DEFAULT_MAX_BYTES):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.run_id = run_id
        self.prefix = prefix
        self.max_bytes = max_bytes
        self._seq = 0
        self._file: io.BufferedWriter | None = None
        self._path: Path | None = None

    def _current(self) -> tuple[io.BufferedWriter, Path]:
        if self._file is None or self._file.tell() >= self.max_bytes:
            self.close()
            self._seq += 1
            self._path = self.directory / f"{self.prefix}-{self.run_id}-{self._seq:05d}.warc.gz"
            self._file = open(self._path, "ab")
        return self._file, self._path  # type: ignore[return-value]

    def write(self, exchange: Exchange,
              previous: Callable[[str], dict | None] | None = None,
              previous_version: dict | None = None) -> dict:
        """Archive one exchange; ``previous(sha256)`` returns an earlier capture of the same payload.

        ``previous_version`` is the capture a conditional request revalidated: a 304 then becomes a
        ``server-not-modified`` revisit of it, carrying its payload digest.

        Returns the capture index row (without run/site ids, which the caller adds).
        """
        f, path = self._current()
        digest = _sha1_b32(exchange.body)
        writer = WARCWriter(f, gzip=True, warc_version="WARC/1.1")
        date = _warc_date(exchange.fetched_at)
        sha = exchange.payload_sha256
        offset = f.tell()

        request = writer.create_warc_record(
            exchange.url, "request", payload=io.BytesIO(b""), length=0,
            warc_headers_dict={"WARC-Date": date},
            http_headers=StatusAndHeaders(
                f"{exchange.method} {_request_target(exchange.url)} {exchange.protocol}",
                exchange.request_headers, is_http_request=True),
        )
        reason = _reason(exchange.status)
        http_headers = StatusAndHeaders(f"{exchange.status} {reason}", exchange.response_headers,
                                        protocol=exchange.protocol)
        if exchange.status == 304 and previous_version:
            # The server said "not modified": refer to the version we hold of this URL.
            sha = previous_version["payload_sha256"]
            digest = previous_version.get("payload_digest") or ""
            record = writer.create_revisit_record(
                exchange.url, digest=digest,
                refers_to_uri=previous_version["url"],
                refers_to_date=_warc_date(datetime.fromisoformat(previous_version["fetched_at"])),
                http_headers=http_headers,
                warc_headers_dict={"WARC-Date": date, "WARC-Profile": NOT_MODIFIED_PROFILE},
            )
            record_type = "revisit"
        elif earlier := (previous(sha) if previous and 200 <= exchange.status < 300 and exchange.body else None):
            record = writer.create_revisit_record(
                exchange.url, digest=digest, refers_to_uri=earlier["url"],
                refers_to_date=_warc_date(datetime.fromisoformat(earlier["fetched_at"])),
                http_headers=http_headers, warc_headers_dict={"WARC-Date": date},
            )
            record_type = "revisit"
        else:
            record = writer.create_warc_record(
                exchange.url, "response", payload=io.BytesIO(exchange.body),
                length=len(exchange.body), http_headers=http_headers,
                warc_headers_dict={"WARC-Date": date},
            )
            record_type = "response"
        writer.write_record(record)
        response_offset = f.tell()
        writer.write_record(request)
        f.flush()
        return {
            "url": exchange.url, "method": exchange.method, "status": exchange.status,
            "fetched_at": exchange.fetched_at.astimezone(timezone.utc).isoformat(timespec="seconds"),
            "mime": exchange.mime, "length": len(exchange.body), "payload_sha256": sha,
            "record_type": record_type, "warc_file": path.name, "warc_offset": offset,
            "warc_length": response_offset - offset,
            "payload_digest": digest,
            "etag": exchange.header("etag"), "last_modified": exchange.header("last-modified"),
        }

    def write_metadata(self, url: str, data: dict) -> tuple[str, int]:
        """A ``metadata`` record (JSON) about ``url`` — a report chain, so that the WARC files alone
        are enough to ingest a crawl on another machine. Returns (file name, offset)."""
        import json

        f, path = self._current()
        offset = f.tell()
        writer = WARCWriter(f, gzip=True, warc_version="WARC/1.1")
        body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
        record = writer.create_warc_record(
            url, "metadata", payload=io.BytesIO(body), length=len(body),
            warc_headers_dict={"WARC-Date": _warc_date(datetime.now(timezone.utc)),
                               "Content-Type": CHAIN_CONTENT_TYPE})
        writer.write_record(record)
        f.flush()
        return path.name, offset

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


CHAIN_CONTENT_TYPE = "application/vnd.govcrawl.report-chain+json"


def scan(path: str | Path):
    """Rebuild the index from a WARC file alone: yields ("capture", row) for every response and
    revisit record, and ("chain", dict) for every report-chain metadata record.

    Capture rows carry the ids the crawl gave them (``capture_id`` is derived from file and
    offset), so indexing a file twice, or the file of a crawl already indexed, adds nothing. A
    revisit's ``payload_sha256`` is left empty here: the caller finds it through the digest.
    """
    import json

    path = Path(path)
    with open(path, "rb") as f:
        it = ArchiveIterator(f)
        for record in it:
            kind = record.rec_type
            if kind == "metadata" and record.rec_headers.get_header("Content-Type") == CHAIN_CONTENT_TYPE:
                yield "chain", json.loads(record.content_stream().read().decode("utf-8"))
                continue
            if kind not in ("response", "revisit"):
                continue
            http = record.http_headers
            body = record.content_stream().read() if kind == "response" else b""
            offset = it.get_record_offset()  # only after the content is read (warcio)
            date = record.rec_headers.get_header("WARC-Date") or ""
            get = (lambda name: http.get_header(name)) if http else (lambda name: None)
            yield "capture", {
                "url": record.rec_headers.get_header("WARC-Target-URI"), "method": "GET",
                "status": int(http.get_statuscode()) if http else None,
                "fetched_at": date.replace("Z", "+00:00"),
                "mime": (get("Content-Type") or "").split(";", 1)[0].strip().lower(),
                "length": len(body), "record_type": kind,
                "payload_sha256": hashlib.sha256(body).hexdigest() if kind == "response" else "",
                "warc_file": path.name, "warc_offset": offset, "warc_length": None,
                "payload_digest": record.rec_headers.get_header("WARC-Payload-Digest") or "",
                "etag": get("ETag"), "last_modified": get("Last-Modified"),
            }


def read_record(path: str | Path, offset: int) -> tuple[StatusAndHeaders | None, bytes, str]:
    """(http headers, body, record type) of the record at ``offset`` — for replay and re-extraction."""
    with open(path, "rb") as f:
        f.seek(offset)
        for record in ArchiveIterator(f):
            return record.http_headers, record.content_stream().read(), record.rec_type
    raise ValueError(f"no WARC record at {path}:{offset}")


def _request_target(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _sha1_b32(body: bytes) -> str:
    import base64

    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def complete_length(path: str | Path, chunk_size: int = 1 << 20) -> int:
    """Bytes of ``path`` that hold whole gzip members (= whole WARC records, one member each).

    A crawl killed mid-write can leave half a record at the end of its file; everything before
    that is intact because each record is flushed whole.
    """
    import zlib

    good_end = 0  # file offset just past the last complete member
    decomp = zlib.decompressobj(31)
    fed = 0  # file bytes fed to the current decompressor
    with open(path, "rb") as f:
        chunk = f.read(chunk_size)
        while chunk:
            try:
                decomp.decompress(chunk)
            except zlib.error:
                break
            fed += len(chunk)
            if decomp.eof:  # a member ended inside this chunk: restart on what follows it
                leftover = decomp.unused_data
                good_end += fed - len(leftover)
                decomp, fed = zlib.decompressobj(31), 0
                chunk = leftover or f.read(chunk_size)
            else:
                chunk = f.read(chunk_size)
    return good_end


def truncate_incomplete(path: str | Path) -> int:
    """Cut a trailing partial record off a WARC file; returns the number of bytes removed."""
    path = Path(path)
    size = path.stat().st_size
    keep = complete_length(path)
    if keep < size:
        with open(path, "r+b") as f:
            f.truncate(keep)
    return size - keep
