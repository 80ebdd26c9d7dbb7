"""`govcrawl serve`: Datasette on the archive, read-only, on 127.0.0.1.

Datasette opens the file in immutable mode (``-i``), which skips locking and ignores the WAL, so
``serve`` first upgrades the archive and folds the WAL into the main file; rows written by a crawl
that runs while serving appear after a restart.
"""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from govcrawl.research.datasette_metadata import build_metadata
from govcrawl.archive.store import Archive

HOST = "127.0.0.1"
DEFAULT_PORT = 8001


def prepare(db_path: str | Path) -> None:
    """Apply pending migrations and checkpoint the WAL so an immutable reader sees every row."""
    Archive(db_path).close()
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def datasette_args(db_path: str | Path, metadata_path: str | Path, port: int = DEFAULT_PORT) -> list[str]:
    return [sys.executable, "-m", "datasette", "serve", "-i", str(db_path),
            "--metadata", str(metadata_path), "--host", HOST, "--port", str(port),
            "--setting", "sql_time_limit_ms", "10000", "--setting", "max_returned_rows", "5000"]


def serve(db_path: str | Path, port: int = DEFAULT_PORT) -> int:
    """Run Datasette until interrupted; returns its exit status."""
    db_path = Path(db_path)
    prepare(db_path)
    with tempfile.TemporaryDirectory() as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(build_metadata(db_path.stem), ensure_ascii=False), encoding="utf-8")
        try:
            return subprocess.call(datasette_args(db_path, meta, port))
        except KeyboardInterrupt:
            return 0
