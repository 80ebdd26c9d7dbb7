"""`govcrawl serve`: Datasette on the archive, read-only, on 127.0.0.1.

Datasette opens the file in immutable mode (``-i``), which skips locking and ignores the WAL, so
``serve`` first upgrades the archive and folds the WAL into the main file; rows written by a crawl
that runs while serving appear after a restart.
"""
from __future__ import annotations

import json
import signal
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


PLUGINS_DIR = Path(__file__).resolve().parent / "datasette_plugins"


def datasette_args(db_path: str | Path, metadata_path: str | Path, port: int = DEFAULT_PORT) -> list[str]:
    return [sys.executable, "-m", "datasette", "serve", "-i", str(db_path),
            "--metadata", str(metadata_path), "--host", HOST, "--port", str(port),
            "--plugins-dir", str(PLUGINS_DIR),
            "--setting", "sql_time_limit_ms", "10000", "--setting", "max_returned_rows", "5000"]


class _Stop(Exception):
    """SIGTERM or SIGHUP: leave like Ctrl-C does, through the clean-up below."""


def _raise_stop(signum, _frame):
    raise _Stop(signum)


def stop_child(proc: subprocess.Popen, timeout: float = 10) -> None:
    """Terminate Datasette and wait for it, killing it when it does not go in ``timeout`` s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def serve(db_path: str | Path, port: int = DEFAULT_PORT) -> int:
    """Run Datasette until it exits or govcrawl is stopped (Ctrl-C, SIGTERM, SIGHUP).

    However govcrawl is stopped, Datasette is stopped with it and the temporary metadata file is
    removed: a stopped ``serve`` leaves neither a listening port nor a file behind.
    """
    db_path = Path(db_path)
    prepare(db_path)
    with tempfile.TemporaryDirectory(prefix="govcrawl-serve-") as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(build_metadata(db_path.stem), ensure_ascii=False), encoding="utf-8")
        previous = {s: signal.signal(s, _raise_stop) for s in (signal.SIGTERM, signal.SIGHUP)}
        proc = None
        try:
            proc = subprocess.Popen(datasette_args(db_path, meta, port))
            print(f"govcrawl serve: Datasette on http://{HOST}:{port}/ (pid {proc.pid}); Ctrl-C stops it",
                  file=sys.stderr)
            return proc.wait()
        except (KeyboardInterrupt, _Stop):
            return 0
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
            if proc is not None:
                stop_child(proc)
