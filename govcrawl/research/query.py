"""Read-only SQL over the archive, for `govcrawl query` and for readers during a crawl.

Three guards, so a typo can never change the archive: the file is opened with ``mode=ro``,
``PRAGMA query_only`` is on, and an authorizer refuses every action but reading. The archive is in
WAL mode, so a reader neither blocks nor is blocked by a crawl that is writing.
"""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import unicodedata
from pathlib import Path

_ALLOWED = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION,
            getattr(sqlite3, "SQLITE_RECURSIVE", 33)}
_TABLE_PRAGMAS = {"table_info", "table_xinfo", "index_list", "index_info", "index_xinfo",
                  "foreign_key_list"}  # take a table or index name
_VALUE_PRAGMAS = {"database_list", "function_list", "compile_options", "user_version", "page_count",
                  "page_size", "freelist_count", "journal_mode"}  # read only without an argument


class ReadOnlyError(Exception):
    """The statement would change the archive; `govcrawl query` only reads."""


def _authorize(action, arg1, arg2, _db, _trigger):
    if action in _ALLOWED:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and (
            arg1 in _TABLE_PRAGMAS or (arg1 in _VALUE_PRAGMAS and arg2 is None)):
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def connect_readonly(db_path: str | Path) -> sqlite3.Connection:
    path = Path(db_path)
    if not path.exists():
        raise FileNotFoundError(f"no archive at {path}")
    conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, timeout=10)
    conn.execute("PRAGMA query_only = 1")
    conn.set_authorizer(_authorize)
    return conn


def run_query(db_path: str | Path, sql: str, params: list | dict | None = None) -> tuple[list[str], list[tuple]]:
    """(column names, rows) of one read-only statement; ReadOnlyError for anything that writes."""
    conn = connect_readonly(db_path)
    try:
        cursor = conn.execute(sql, params or [])
        return [d[0] for d in cursor.description or []], cursor.fetchall()
    except sqlite3.DatabaseError as exc:
        if any(w in str(exc) for w in ("authoriz", "readonly", "read-only", "query_only")):
            raise ReadOnlyError("govcrawl query is read-only: the statement would change the archive "
                                "(only SELECT, WITH … SELECT and informational PRAGMAs run)") from exc
        raise
    finally:
        conn.close()


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_rows(columns: list[str], rows: list[tuple], fmt: str = "table") -> str:
    """Rows as an aligned text table (CJK counted double width), CSV or a JSON array."""
    if fmt == "json":
        return json.dumps([dict(zip(columns, r)) for r in rows], ensure_ascii=False, indent=1)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        w.writerows(rows)
        return buf.getvalue().rstrip("\n")
    cells = [[("" if v is None else str(v)) for v in r] for r in rows]
    widths = [max([_width(c)] + [_width(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = lambda vals: "  ".join(v + " " * (w - _width(v)) for v, w in zip(vals, widths)).rstrip()  # noqa: E731
    out = [line(columns), line(["-" * w for w in widths])] + [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
