"""Operator rough edges: a closed pipe, stopping `serve`, text output aligned under Chinese labels."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from govcrawl.extract import extract_file, format_text
from govcrawl.extract.report import display_width
from govcrawl.research.serve import HOST
from helpers import FIXTURES, ROOT, crawl_env
from test_views import build_archive

MANY_ROWS = "with recursive n(i) as (select 1 union all select i + 1 from n where i < 100000) select i from n"


def test_a_reader_that_closes_the_pipe_ends_the_command_quietly(tmp_path):
    db = tmp_path / "archive.db"
    build_archive(db).close()
    for args in (["query", MANY_ROWS, "--db", str(db)], ["runs", "--db", str(db)]):
        proc = subprocess.Popen([sys.executable, "-m", "govcrawl.cli", *args], cwd=ROOT, env=crawl_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        proc.stdout.close()  # `| head` that has read enough: every write now fails with EPIPE
        err = proc.stderr.read().decode()
        status = proc.wait(timeout=60)
        assert "Traceback" not in err and "BrokenPipe" not in err, err
        assert status in (0, 128 + signal.SIGPIPE)
    head = subprocess.run(f"{sys.executable} -m govcrawl.cli query '{MANY_ROWS}' --db {db} | head -n 3",
                          shell=True, cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=60)
    assert head.stdout.splitlines()[2].strip() == "1" and head.stderr == ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex((HOST, port)) == 0


def test_stopping_serve_stops_datasette_and_removes_its_metadata_file(tmp_path):
    db = tmp_path / "archive.db"
    build_archive(db).close()
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "govcrawl.cli", "serve", "--db", str(db), "--port", str(port)],
                            cwd=ROOT, env=dict(crawl_env(), TMPDIR=str(tmpdir)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(150):
            if _listening(port):
                break
            time.sleep(0.1)
        assert _listening(port), "Datasette did not start"
        assert list(tmpdir.glob("govcrawl-serve-*/metadata.json"))
        body = urllib.request.urlopen(f"http://{HOST}:{port}/archive/sites.json?_shape=array", timeout=5).read()
        assert "重庆甲区".encode() in body and b"\\u" not in body  # Chinese as characters, not escapes
        url = f"http://{HOST}:{port}/archive/search.json?_shape=array&phrase=" + urllib.parse.quote("受理")
        assert urllib.request.urlopen(url, timeout=5).read().count(b'"report_id"') == 1  # two characters
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    for _ in range(50):
        if not _listening(port):
            break
        time.sleep(0.1)
    assert not _listening(port), "Datasette still listens after serve was stopped"
    assert list(tmpdir.iterdir()) == []


def test_extract_text_aligns_numbers_after_chinese_labels():
    report = extract_file(FIXTURES / "extract" / "seed_yubei_2020.html")
    lines = [line for line in format_text(report).splitlines() if line.startswith("  ") and line[2] > "\u3000"]
    figures = [line for line in lines if line.split()[-1].isdigit() and "|" not in line]
    assert len(figures) >= 9
    columns = {display_width(line[:len(line) - len(line.split()[-1])]) for line in figures}
    assert len(columns) == 1, figures  # every number starts in the same terminal column
    assert display_width("行政复议总计") == 12 and display_width("ab") == 2
