"""Scale-out on scrapyd: shards, real scrapyd nodes on loopback crawling the demo mirror, the merge,
and a node killed mid-job."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from govcrawl.cluster.compare import compare_archives, counts
from govcrawl.cluster.merge import merge_nodes
from govcrawl.cluster.schedule import Coordinator
from govcrawl.cluster.scrapyd import Scrapyd, build_egg
from govcrawl.cluster.shards import (ShardTooLarge, decode_registry, encode_registry, host_groups,
                                     registry_rows, split)
from govcrawl.demo.mirror import serve_mirror
from govcrawl.registry import load_sites
from helpers import DEMO, ROOT, query, run_crawl
from scrapyd_nodes import Node, free_port

HEADER = "site_id,name,level,division_code,parent_id,listing_urls,allowed_domains,platform,verified\n"
FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_START_DELAY": "0.01"}


def registry(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "sites.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def county(i: int, host: str | None = None, parent: str = "") -> str:
    host = host or f"www.x{i}.gov.cn"
    return (f"x{i},第{i}县人民政府,county,5001{i % 100:02d},{parent},https://{host}/zwgk/nb/,"
            f"{host},trs,0")


# --- shards ------------------------------------------------------------------------------------


def test_sites_sharing_a_host_land_in_one_shard(tmp_path):
    rows = [county(i) for i in range(1, 40)] + [
        "x1-mzj,第1县民政局,department,500101,x1,https://www.x1.gov.cn/bm/mzj/nb/,www.x1.gov.cn,trs,0"]
    sites = load_sites(registry(tmp_path, rows))
    assert ["x1", "x1-mzj"] in host_groups(sites)
    (shard,) = [s for s in split(sites, 5) if "x1" in s.site_ids]
    assert "x1-mzj" in shard.site_ids
    assert sorted(i for s in split(sites, 5) for i in s.site_ids) == sorted(s.site_id for s in sites)


def test_shards_are_stable_when_other_sites_are_added(tmp_path):
    before = load_sites(registry(tmp_path, [county(i) for i in range(1, 60)]))
    after = load_sites(registry(tmp_path, [county(i) for i in range(1, 90)]))
    where = lambda shards: {i: s.number for s in shards for i in s.site_ids}  # noqa: E731
    old, new = where(split(before, 7)), where(split(after, 7))
    assert all(new[i] == n for i, n in old.items())
    assert where(split(before, 7)) == old  # the same registry gives the same split, run after run


def test_a_job_carries_its_sites_with_their_parent_chain(tmp_path):
    rows = [county(1), county(2, parent="x1"), county(3, parent="x2"), county(4)]
    path = registry(tmp_path, rows)
    text = decode_registry(encode_registry(registry_rows(path, ["x3"])))
    assert [line.split(",")[0] for line in text.splitlines()] == ["site_id", "x1", "x2", "x3"]
    copy = tmp_path / "job.csv"
    copy.write_text(text, encoding="utf-8")
    assert [s.site_id for s in load_sites(copy)] == ["x1", "x2", "x3"]  # validates: parents present


def test_a_shard_too_big_for_one_job_argument_asks_for_more_shards():
    noise = os.urandom(200_000).hex()
    with pytest.raises(ShardTooLarge, match="--shards"):
        encode_registry(noise, shard="shard-001")


def test_the_egg_names_the_settings_module_and_holds_the_spider():
    version, egg = build_egg()
    assert version == build_egg()[0]  # same files, same version
    with zipfile.ZipFile(BytesIO(egg)) as z:
        names = set(z.namelist())
        assert "settings = govcrawl.crawl.settings" in z.read("EGG-INFO/entry_points.txt").decode()
    assert {"spiders/reports.py", "govcrawl/crawl/settings.py", "govcrawl/cluster/node.py"} <= names
    assert not any("__pycache__" in n for n in names)


def test_the_egg_runs_where_govcrawl_is_not_installed(tmp_path):
    """A node may have only the dependencies: the spider, settings and templates import from the egg."""
    import subprocess
    import sys

    egg = tmp_path / "govcrawl.egg"
    egg.write_bytes(build_egg()[1])
    probe = (
        "import sys\n"
        "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]\n"
        f"sys.path[:] = [p for p in sys.path if p and p not in ({str(ROOT)!r}, {str(ROOT / 'tests')!r})]\n"
        f"sys.path.append({str(egg)!r})\n"
        "import govcrawl, spiders.reports, govcrawl.crawl.settings\n"
        "from govcrawl.research.codebook import cell_defs\n"
        "assert govcrawl.__file__.startswith(sys.path[-1]), govcrawl.__file__\n"
        "print(len(cell_defs()))\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 100


# --- real scrapyd nodes ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    quirks = json.loads((DEMO / "quirks.json").read_text(encoding="utf-8"))
    tmp = tmp_path_factory.mktemp("cluster-mirror")
    with serve_mirror(DEMO / "sites", quirks) as m:
        sites = tmp / "sites.csv"
        sites.write_text(m.render_registry(DEMO / "sites.csv.in"), encoding="utf-8")
        m.sites_file = sites
        yield m


@pytest.fixture(scope="module")
def single(mirror, tmp_path_factory):
    """The same registry crawled once on one machine: what the merged archive must equal."""
    tmp = tmp_path_factory.mktemp("single")
    mirror.reset()
    run_crawl(mirror.sites_file, tmp / "archive.db", tmp / "warc", *(f"{k}={v}" for k, v in FAST.items()))
    return tmp / "archive.db"


@pytest.fixture
def nodes(tmp_path):
    started = [Node(tmp_path / "node-a"), Node(tmp_path / "node-b")]
    yield started
    for node in started:
        node.stop()


def test_two_nodes_merge_into_the_archive_a_single_crawl_makes(mirror, single, nodes, tmp_path):
    down = f"http://127.0.0.1:{free_port()}"  # nobody listens there
    lines: list[str] = []
    mirror.reset()
    result = Coordinator([n.url for n in nodes] + [down], sites_file=mirror.sites_file, shards=4,
                         state_path=tmp_path / "state.json", settings=FAST, poll=0.3, timeout=240,
                         out=lines.append).run()
    log = "\n".join(lines)
    assert not result.unfinished, log
    assert f"node {down}: down, skipped" in log
    assert {r.node for r in result.shards.values()} == {n.url for n in nodes}, log
    for run in result.shards.values():  # each job wrote its own WARCs and captures index on its node
        node = next(n for n in nodes if n.url == run.node)
        shard_dir = node.directory / "shards" / run.shard
        assert list((shard_dir / "warc").glob(f"*{run.job}*.warc.gz")), run
        assert query(shard_dir / "archive.db", "select count(*) n from captures where run_id = ?",
                     [run.job])[0]["n"] > 0

    central = tmp_path / "central"
    merge_nodes(central / "archive.db", central / "warc", [n.directory for n in nodes])
    assert compare_archives(central / "archive.db", single) == []
    first = counts(central / "archive.db")
    assert first["reports"] >= 15 and first["cells"] > 1000

    again = merge_nodes(central / "archive.db", central / "warc", [n.directory for n in nodes])
    assert (again.captures_new, again.chains_new, again.ingest.chains) == (0, 0, 0)
    assert counts(central / "archive.db") == first
    n_captures = query(central / "archive.db", "select count(*) n from captures")[0]["n"]
    node_dbs = [db for n in nodes for db in (n.directory / "shards").rglob("archive.db")]
    assert n_captures == sum(query(db, "select count(*) n from captures")[0]["n"] for db in node_dbs)

    state = json.loads((tmp_path / "state.json").read_text(encoding="utf-8"))
    rerun = Coordinator([n.url for n in nodes], sites_file=mirror.sites_file, shards=4,
                        state_path=tmp_path / "state.json", settings=FAST, poll=0.3, timeout=60,
                        out=lines.append).run()
    assert not rerun.unfinished  # the same night again: nothing is scheduled twice
    assert {k: r.job for k, r in rerun.shards.items()} == {k: v["job"] for k, v in state["shards"].items()}


def test_a_node_killed_mid_job_has_its_shard_rerun_elsewhere(mirror, single, nodes, tmp_path):
    a, b = nodes
    client = Scrapyd(a.url)
    lines: list[str] = []
    # One shard, slowed down, so the job is still running when its node dies.
    slow = {"DOWNLOAD_DELAY": "0.4", "AUTOTHROTTLE_ENABLED": "False"}
    coordinator = Coordinator([a.url, b.url], sites_file=mirror.sites_file, shards=1,
                              state_path=tmp_path / "state.json", settings=slow, poll=0.3, timeout=240,
                              out=lines.append)
    mirror.reset()
    results = []
    thread = threading.Thread(target=lambda: results.append(coordinator.run()))
    thread.start()
    orphan = None
    deadline = time.time() + 60
    while orphan is None and time.time() < deadline:  # wait for the job to have archived something
        running = [j for j in _jobs(client) if j["state"] == "running"]
        shard_db = a.directory / "shards" / "shard-000" / "archive.db"
        if running and shard_db.exists() and _captures(shard_db) >= 3:
            orphan = running[0]["pid"]
        time.sleep(0.1)
    assert orphan, "\n".join(lines)
    a.kill()  # kill -9 of node a's scrapyd, mid-job
    thread.join(timeout=240)
    try:
        log = "\n".join(lines)
        print(log)  # shown with pytest -rP: what an operator would have seen
        (result,) = results
        assert not result.unfinished, log
        run = result.shards["shard-000"]
        assert run.node == b.url and run.tries == 2, log
        assert f"node {a.url}: went down" in log and a.url in result.dead_nodes
    finally:
        _end(orphan)  # the crawl process scrapyd left behind, if it still runs

    central = tmp_path / "central"
    summary = merge_nodes(central / "archive.db", central / "warc", [a.directory, b.directory])
    assert summary.ingest.failed == 0
    assert compare_archives(central / "archive.db", single) == []  # nothing lost
    doubled = query(central / "archive.db", "select site_id, url, count(*) n from reports "
                    "where is_current = 1 group by site_id, url having n > 1")
    assert doubled == []  # nothing doubled


def _jobs(client: Scrapyd) -> list[dict]:
    try:
        return list(client.listjobs().values())
    except Exception:
        return []


def _captures(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return conn.execute("select count(*) from captures").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def _end(pid: int | None) -> None:
    """Stop the orphaned crawl process (by its pid) and wait until it is gone."""
    if not pid:
        return
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)


def test_a_node_password_goes_in_a_header_never_in_messages():
    client = Scrapyd("http://govcrawl:s3cret@10.0.0.5:6800")
    assert client.url == "http://10.0.0.5:6800/"
    assert client.auth == "Basic Z292Y3Jhd2w6czNjcmV0"
    coordinator = Coordinator(["http://govcrawl:s3cret@10.0.0.5:6800/"], sites_file="unused.csv")
    assert list(coordinator.clients) == ["http://10.0.0.5:6800"]


def test_a_job_whose_crawl_process_died_is_rerun_on_another_node(mirror, nodes, tmp_path):
    a, b = nodes
    lines: list[str] = []
    slow = {"DOWNLOAD_DELAY": "0.4", "AUTOTHROTTLE_ENABLED": "False"}
    coordinator = Coordinator([a.url, b.url], sites_file=mirror.sites_file, shards=1,
                              state_path=tmp_path / "state.json", settings=slow, poll=0.3, timeout=240,
                              out=lines.append)
    mirror.reset()
    results = []
    thread = threading.Thread(target=lambda: results.append(coordinator.run()))
    thread.start()
    deadline, killed = time.time() + 60, None
    while killed is None and time.time() < deadline:
        running = [j for j in _jobs(Scrapyd(a.url)) if j["state"] == "running"]
        if running and _captures(a.directory / "shards" / "shard-000" / "archive.db") >= 3:
            killed = running[0]["pid"]
            _end(killed)  # the crawl dies; its scrapyd lives on and reports the job finished
        time.sleep(0.1)
    thread.join(timeout=240)
    log = "\n".join(lines)
    assert killed, log
    (result,) = results
    run = result.shards["shard-000"]
    assert "the crawl process died" in log and a.url not in result.dead_nodes, log
    assert (run.status, run.node, run.tries) == ("done", b.url, 2), log

def test_a_shard_left_running_when_its_node_died_runs_elsewhere_on_the_next_start(mirror, nodes, tmp_path):
    a, b = nodes
    state = tmp_path / "state.json"
    slow = {"DOWNLOAD_DELAY": "0.4", "AUTOTHROTTLE_ENABLED": "False"}
    lines: list[str] = []
    mirror.reset()
    first = Coordinator([a.url], sites_file=mirror.sites_file, shards=1, state_path=state, settings=slow,
                        poll=0.3, timeout=2, out=lines.append).run()  # the coordinator stops early
    assert first.unfinished == ["shard-000"] and first.shards["shard-000"].node == a.url
    pids = [j["pid"] for j in _jobs(Scrapyd(a.url)) if j["state"] == "running"]
    a.kill()
    try:
        second = Coordinator([a.url, b.url], sites_file=mirror.sites_file, shards=1, state_path=state,
                             settings=slow, poll=0.3, timeout=240, out=lines.append).run()
    finally:
        for pid in pids:
            _end(pid)
    log = "\n".join(lines)
    assert f"node {a.url}: down, skipped" in log
    assert f"its node {a.url} is down" in log
    run = second.shards["shard-000"]
    assert (run.status, run.node, run.tries) == ("done", b.url, 2), log


def test_cli_cluster_commands(tmp_path, capsys):
    from govcrawl.cli import main

    path = registry(tmp_path, [county(i) for i in range(1, 30)])
    assert main(["cluster", "shards", "--sites", str(path), "--shards", "4"]) == 0
    out = capsys.readouterr().out
    assert "29 sites in" in out and "shard-000" in out
    assert main(["cluster", "node-config", str(tmp_path / "node"), "--port", "6899"]) == 0
    assert "http_port = 6899" in (tmp_path / "node" / "scrapyd.conf").read_text()
    assert main(["cluster", "compare", str(tmp_path / "nope.db"), str(tmp_path / "nope2.db")]) == 2
    down = f"http://127.0.0.1:{free_port()}"
    assert main(["cluster", "crawl", "--nodes", down, "--sites", str(path), "--shards", "4",
                 "--state", str(tmp_path / "state.json")]) == 1
    out = capsys.readouterr().out
    assert f"node {down}: down, skipped" in out and "no node answered" in out
    assert main(["cluster", "merge", str(tmp_path / "no-such-node"), "--db", str(tmp_path / "c.db")]) == 2


# --- the merge without scrapyd: two "nodes" are two crawl directories -------------------------------


def test_two_nodes_that_fetched_the_same_urls_give_one_history_and_removals_carry_over(tmp_path):
    bench = _bench_incremental()
    BENCH_HEADER, generate = bench.HEADER, bench.generate

    generate(tmp_path / "mirror", 1, 1)  # one site, one listing page of 20 reports
    listing = tmp_path / "mirror" / "site00" / "zwgk" / "zfxxgknb" / "index.html"
    with serve_mirror(tmp_path / "mirror", {}) as m:
        host = m.hosts["site00"]
        sites = tmp_path / "sites.csv"
        sites.write_text(BENCH_HEADER + f"bench-00,第00号单位,district,500101,,http://{host}/zwgk/zfxxgknb/"
                         f"index.html,{host.split(':')[0]},trs,1\n", encoding="utf-8")
        node_a, node_b = tmp_path / "node-a" / "shards" / "shard-000", tmp_path / "node-b" / "shards" / "shard-000"
        fast = [f"{k}={v}" for k, v in FAST.items()]
        run_crawl(sites, node_a / "archive.db", node_a / "warc", *fast)
        run_crawl(sites, node_b / "archive.db", node_b / "warc", *fast)  # the same site, crawled twice
        gone = "t20220218_7.htm"
        html = listing.read_text(encoding="utf-8")
        listing.write_text(html.replace(f'<a href="./202208/{gone}"', '<a href="./x/none.htm"'), encoding="utf-8")
        run_crawl(sites, node_b / "archive.db", node_b / "warc", *fast)  # node b: the report is gone

    central = tmp_path / "central"
    summary = merge_nodes(central / "archive.db", central / "warc", [tmp_path / "node-a", tmp_path / "node-b"])
    db = central / "archive.db"
    assert summary.removed == 1 and summary.ingest.failed == 0
    history = query(db, "select run_id, fetched_at from captures where url like ? order by fetched_at",
                    ["%" + "t20220218_3.htm"])
    assert len({h["run_id"] for h in history}) == 3  # node a's fetch and node b's two, one history
    per_url = query(db, "select url, count(*) n, sum(is_current) cur, max(removed_at) removed "
                        "from reports group by url")
    assert len(per_url) == 20 and all(r["n"] == 1 and (r["cur"] == 1) != bool(r["removed"]) for r in per_url)
    assert [r["url"].rsplit("/", 1)[1] for r in per_url if r["removed"]] == [gone]
    again = merge_nodes(db, central / "warc", [tmp_path / "node-a", tmp_path / "node-b"])
    assert (again.captures_new, again.chains_new, again.ingest.chains, again.removed) == (0, 0, 0, 0)


def _bench_incremental():
    """bench/incremental.py's mirror generator (loaded by path: Twisted owns the name `incremental`)."""
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "bench" / "incremental.py"
    spec = importlib.util.spec_from_file_location("bench_incremental", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
