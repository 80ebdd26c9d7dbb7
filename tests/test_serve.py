"""`govcrawl serve`: Datasette on 127.0.0.1, immutable, with descriptions and working canned queries."""
from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from govcrawl.research.datasette_metadata import QUERIES, build_metadata
from govcrawl.research.serve import HOST, datasette_args, prepare

from test_views import build_archive


@pytest.fixture
def db(tmp_path):
    build_archive(tmp_path / "archive.db").close()
    return tmp_path / "archive.db"


def test_every_canned_query_runs_on_an_archive(db):
    conn = sqlite3.connect(db)
    results = {name: conn.execute(q["sql"], {"phrase": "依申请公开", "since": ""}).fetchall() for name, q in QUERIES.items()}
    assert results["applications_by_year"][1][:4] == (2021, 3, 3, 25)
    assert results["reports_failing_checks"][0][1] == "cq-b"
    assert [r[1] for r in results["search"]] == [2020]
    assert "【依申请公开】" in results["search"][0][-1]
    assert len(results["litigation_outcomes"]) == 2 and len(results["denial_reasons"]) == 2


def test_metadata_describes_columns_with_labels_and_units():
    meta = build_metadata("archive")
    t3 = meta["databases"]["archive"]["tables"]["t3_current"]["columns"]
    assert "自然人" in t3["new_person"] and "件" in t3["new_person"]
    assert meta["license"] and meta["source"]
    assert set(QUERIES) <= set(meta["databases"]["archive"]["queries"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


def test_datasette_serves_the_archive_read_only_on_loopback(db, tmp_path):
    prepare(db)
    meta = tmp_path / "metadata.json"
    meta.write_text(json.dumps(build_metadata("archive"), ensure_ascii=False), encoding="utf-8")
    port = _free_port()
    args = datasette_args(db, meta, port)
    assert args[args.index("--host") + 1] == "127.0.0.1" and "-i" in args
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://{HOST}:{port}"
    try:
        for _ in range(100):
            try:
                _get(f"{base}/-/versions.json")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        assert _get(f"{base}/-/databases.json")[0]["is_mutable"] is False
        rows = _get(f"{base}/archive/applications_by_year.json?_shape=array")
        assert [(r["year"], r["new_total"]) for r in rows] == [(2020, 4), (2021, 25)]
        found = _get(f"{base}/archive/search.json?_shape=array&phrase=" + urllib.parse.quote("行政复议"))
        assert len(found) == 4
        with pytest.raises(urllib.error.HTTPError):
            _get(f"{base}/archive.json?sql=" + urllib.parse.quote("delete from reports"))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
