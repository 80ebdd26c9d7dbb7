"""Read archived documents back from the WARC files, without the network.

A capture may be a ``revisit`` (same payload as before, or a 304): its bytes live in the first
``response`` record with the same payload digest, found through the captures index.
"""
from __future__ import annotations

from pathlib import Path

from govcrawl.archive.store import Archive
from govcrawl.archive.warc import read_record


class NotArchived(LookupError):
    pass


def find_capture(archive: Archive, url: str, at: str | None = None) -> dict:
    """The newest capture of ``url`` fetched at or before ``at`` (an ISO date or time), if any."""
    sql = "select * from captures where url = ?"
    params: list = [url]
    if at:
        sql += " and fetched_at <= ?"
        params.append(at if "T" in at else at + "T99")  # a bare date includes that whole day
    rows = list(archive.db.query(sql + " order by fetched_at desc, rowid desc limit 1", params))
    if not rows:
        when = f" at or before {at}" if at else ""
        raise NotArchived(f"no capture of {url}{when} in {archive.path}")
    return rows[0]


def payload(archive: Archive, warc_dir: str | Path | list, capture: dict) -> bytes:
    """The body a capture stands for, following revisits to the record that holds the bytes.

    ``warc_dir`` may be several directories (other crawl nodes' WARCs merged by ``govcrawl
    ingest --warc-dir``); a capture indexed from one of them remembers it in ``warc_dir``.
    """
    if capture["record_type"] == "revisit":
        original = archive.capture_for_digest(capture["payload_sha256"])
        if original is None:
            raise NotArchived(f"revisit of {capture['url']} refers to a payload that is not archived")
        capture = original
    dirs = [Path(d) for d in (warc_dir if isinstance(warc_dir, (list, tuple)) else [warc_dir])]
    if capture.get("warc_dir"):
        dirs.insert(0, Path(capture["warc_dir"]))
    path = next((d / capture["warc_file"] for d in dirs if (d / capture["warc_file"]).exists()), None)
    if path is None:
        raise NotArchived(f"WARC file {capture['warc_file']} is missing from {', '.join(map(str, dirs))}")
    _, body, _ = read_record(path, capture["warc_offset"])
    return body
