"""``govcrawl cluster crawl``: one scrapyd job per shard, followed until every shard has finished.

The coordinator keeps a small JSON state file per night (which shard ran where, as which job, and
how it ended), so it can be stopped and started again, and so a shard that did not finish — its
node was killed, its process died, the run hit its time limit — is scheduled again, on another node
when its own is down. A shard prefers the node that crawled it last time: that node holds the
shard's captures, and a revalidation there costs 304s instead of full downloads.

Each job writes into ``shards/<shard>/`` under its node's working directory: ``archive.db`` (the
captures index and report chains: the shard's revalidation state) and ``warc/`` (one set of WARC
files per job, named after the job, holding the chains too). Nodes only capture;
``govcrawl cluster merge`` (or ``govcrawl ingest --warc-dir``) builds the reports centrally.
"""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from govcrawl.cluster.scrapyd import NodeDown, Scrapyd, ScrapydError, build_egg
from govcrawl.cluster.shards import Shard, encode_registry, registry_rows, split
from govcrawl.registry import load_sites

FINISHED_MARK = "'finish_reason': 'finished'"  # Scrapy's closing stats line, in the job's log
ACTIVE = ("scheduled", "pending", "running")


def shard_settings(shard: Shard) -> dict[str, str]:
    """Where a shard job writes on its node, relative to the node's scrapyd working directory."""
    base = f"shards/{shard.key}"
    # nodes only capture: reports are built once, by the merge on the ingest machine
    return {"GOVCRAWL_DB": f"{base}/archive.db", "GOVCRAWL_WARC_DIR": f"{base}/warc", "GOVCRAWL_INGEST": "off",
            "LOG_LEVEL": "INFO"}


@dataclass
class ShardRun:
    """One shard tonight: where its current job runs and how it went so far."""

    shard: str
    sites: list[str]
    status: str = "todo"  # todo | scheduled | pending | running | done | unfinished | failed
    node: str | None = None
    job: str | None = None
    tries: int = 0
    started: float | None = None
    seconds: float | None = None
    history: list[str] = field(default_factory=list)


@dataclass
class ClusterResult:
    night: str
    shards: dict[str, ShardRun]
    skipped_nodes: list[str]
    dead_nodes: list[str]

    @property
    def unfinished(self) -> list[str]:
        return [k for k, s in self.shards.items() if s.status != "done"]


class Coordinator:
    def __init__(self, nodes: list[str], *, sites_file: str | Path, shards: int = 8,
                 state_path: str | Path = "data/cluster/state.json", night: str | None = None,
                 settings: dict[str, str] | None = None, poll: float = 5.0, timeout: float | None = None,
                 max_tries: int = 3, out: Callable[[str], None] = print):
        clients = [Scrapyd(url) for url in nodes]  # a node's password stays out of messages and state
        self.clients = {c.url.rstrip("/"): c for c in clients}
        self.sites_file = Path(sites_file)
        self.nshards = shards
        self.state_path = Path(state_path)
        self.night = night or datetime.now(timezone.utc).strftime("%Y-%m-%d")
        self.settings = dict(settings or {})
        self.poll = poll
        self.timeout = timeout
        self.max_tries = max_tries
        self.out = out
        self.alive: list[str] = []
        self.dead: list[str] = []
        self.skipped: list[str] = []
        self.version: str | None = None
        self.runs: dict[str, ShardRun] = {}
        self.last_node: dict[str, str] = {}

    # --- state ------------------------------------------------------------------------------------

    def _load_state(self, shards: list[Shard]) -> None:
        saved = json.loads(self.state_path.read_text(encoding="utf-8")) if self.state_path.exists() else {}
        self.last_node = dict(saved.get("last_node", {}))
        tonight = saved.get("shards", {}) if saved.get("night") == self.night else {}
        for shard in shards:
            old = tonight.get(shard.key)
            if old and old.get("sites") == shard.site_ids:
                self.runs[shard.key] = ShardRun(**old)
            else:  # a new night, or the registry/shard count changed: this shard starts afresh
                self.runs[shard.key] = ShardRun(shard.key, shard.site_ids)

    def _save_state(self) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        state = {"night": self.night, "shard_count": self.nshards, "last_node": self.last_node,
                 "shards": {k: vars(r) for k, r in self.runs.items()}}
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(self.state_path)

    def _note(self, run: ShardRun, status: str, message: str) -> None:
        run.status = status
        run.history.append(f"{datetime.now(timezone.utc).isoformat(timespec='seconds')} {message}")
        self.out(f"  {run.shard} ({len(run.sites)} sites): {message}")
        self._save_state()

    # --- nodes ------------------------------------------------------------------------------------

    def _check_nodes(self) -> None:
        for url, client in self.clients.items():
            try:
                status = client.daemonstatus()
            except (NodeDown, ScrapydError) as exc:
                self.skipped.append(url)
                self.out(f"node {url}: down, skipped ({exc})")
                continue
            self.alive.append(url)
            self.out(f"node {url}: up ({status.get('running', 0)} running, {status.get('pending', 0)} pending, "
                     f"{status.get('finished', 0)} finished)")

    def _deploy(self) -> None:
        self.version, egg = build_egg()
        for url in list(self.alive):
            try:
                client = self.clients[url]
                if self.version not in client.listversions():
                    client.addversion(self.version, egg)
                    self.out(f"node {url}: deployed govcrawl {self.version} ({len(egg) // 1024} KiB egg)")
            except (NodeDown, ScrapydError) as exc:
                self._node_lost(url, f"deploy failed: {exc}")

    def _node_lost(self, url: str, why: str) -> None:
        if url in self.alive:
            self.alive.remove(url)
            self.dead.append(url)
        orphans = [r for r in self.runs.values() if r.node == url and r.status in ACTIVE]
        self.out(f"node {url}: {why}; its shards {', '.join(r.shard for r in orphans) or '(none)'} "
                 "will run elsewhere")
        for run in orphans:
            self._note(run, "unfinished", f"lost with node {url} (job {run.job})")

    def _pick_node(self, run: ShardRun) -> str | None:
        if not self.alive:
            return None
        preferred = self.last_node.get(run.shard)
        if preferred in self.alive and not (run.status == "unfinished" and run.node == preferred):
            return preferred
        load = {url: 0 for url in self.alive}
        for r in self.runs.values():
            if r.status in ACTIVE and r.node in load:
                load[r.node] += 1
        candidates = [u for u in self.alive if u != run.node] or self.alive
        return min(candidates, key=lambda u: (load[u], self.alive.index(u)))

    # --- jobs -------------------------------------------------------------------------------------

    def _schedule(self, run: ShardRun, shard: Shard) -> None:
        while True:
            url = self._pick_node(run)
            if url is None:
                return
            jobid = f"{self.night.replace('-', '')}-{shard.key}-{uuid.uuid4().hex[:6]}"
            args = {"registry": encode_registry(registry_rows(self.sites_file, shard.site_ids), shard=shard.key),
                    "site": ",".join(shard.site_ids)}
            settings = {**shard_settings(shard), **self.settings}
            try:
                self.clients[url].schedule(jobid=jobid, version=self.version, settings=settings, args=args)
            except (NodeDown, ScrapydError) as exc:
                self._node_lost(url, f"cannot schedule ({exc})")
                continue
            run.node, run.job, run.tries = url, jobid, run.tries + 1
            run.started, run.seconds = time.time(), None
            self.last_node[run.shard] = url
            again = f" (try {run.tries})" if run.tries > 1 else ""
            self._note(run, "scheduled", f"job {jobid} on {url}{again}")
            return

    def _finished(self, run: ShardRun) -> None:
        try:
            log = self.clients[run.node].log_tail(run.job)
        except NodeDown as exc:
            self._node_lost(run.node, str(exc))
            return
        run.seconds = round(time.time() - (run.started or time.time()), 1)
        if log is None:
            self._note(run, "done", f"finished in {run.seconds} s (no job log on the node to confirm it)")
        elif FINISHED_MARK in log:
            self._note(run, "done", f"finished in {run.seconds} s")
        else:
            reason = "the crawl process died" if "finish_reason" not in log else "stopped before the end"
            status = "failed" if run.tries >= self.max_tries else "unfinished"
            self._note(run, status, f"job {run.job} {reason} (log: {run.node}/logs/govcrawl/reports/{run.job}.log)")

    def _poll(self) -> bool:
        """One round over the nodes; True when something changed."""
        changed = False
        for url in list(self.alive):
            active = [r for r in self.runs.values() if r.node == url and r.status in ACTIVE]
            if not active:
                continue
            try:
                jobs = self.clients[url].listjobs()
            except (NodeDown, ScrapydError) as exc:
                self._node_lost(url, f"went down ({exc})")
                changed = True
                continue
            for run in active:
                job = jobs.get(run.job)
                if job is None:  # a restarted scrapyd forgets its jobs
                    self._note(run, "unfinished", f"job {run.job} unknown to {url} (restarted?)")
                elif job["state"] == "finished":
                    self._finished(run)
                elif job["state"] != run.status:
                    self._note(run, job["state"], f"{job['state']} on {url}")
                else:
                    continue
                changed = True
        return changed

    def progress_line(self) -> str:
        parts = []
        for url in self.alive:
            mine = [r for r in self.runs.values() if r.node == url]
            count = {s: sum(1 for r in mine if r.status == s) for s in ("pending", "running", "done")}
            count["pending"] += sum(1 for r in mine if r.status == "scheduled")
            parts.append(f"{url}: {count['running']} running, {count['pending']} pending, {count['done']} done")
        total = len(self.runs)
        done = sum(1 for r in self.runs.values() if r.status == "done")
        return f"[{done}/{total} shards done] " + "; ".join(parts)

    # --- the whole night --------------------------------------------------------------------------

    def run(self) -> ClusterResult:
        sites = load_sites(self.sites_file)
        shards = {s.key: s for s in split(sites, self.nshards)}
        for shard in shards.values():  # fail before anything is scheduled
            encode_registry(registry_rows(self.sites_file, shard.site_ids), shard=shard.key)
        self._load_state(list(shards.values()))
        self.out(f"{len(sites)} sites in {len(shards)} shards (of {self.nshards}), night {self.night}; "
                 f"state in {self.state_path}")
        self._check_nodes()
        if not self.alive:
            self.out("no node answered: nothing scheduled")
            return ClusterResult(self.night, self.runs, self.skipped, self.dead)
        self._deploy()
        for run in self.runs.values():
            if run.status == "done":
                self.out(f"  {run.shard}: done earlier tonight (job {run.job} on {run.node})")
            elif run.status in ACTIVE and run.node in self.alive:
                self.out(f"  {run.shard}: following job {run.job} on {run.node} from an earlier start")
            elif run.status in ACTIVE:
                self._note(run, "unfinished", f"its node {run.node} is down")
        deadline = time.time() + self.timeout if self.timeout else None
        while True:
            for run in self.runs.values():
                if run.status in ("todo", "unfinished"):
                    self._schedule(run, shards[run.shard])
            if self._poll():
                self.out(self.progress_line())
            if all(r.status in ("done", "failed") for r in self.runs.values()):
                break
            if not self.alive:
                self.out("no node left to run jobs: the unfinished shards run on the next `govcrawl cluster crawl`")
                break
            if deadline and time.time() > deadline:
                self.out("time limit reached: jobs still running are followed by the next "
                         "`govcrawl cluster crawl` (same --state)")
                break
            time.sleep(self.poll)
        self._save_state()
        return ClusterResult(self.night, self.runs, self.skipped, self.dead)


def format_result(result: ClusterResult) -> str:
    lines = [f"night {result.night}: {len(result.shards) - len(result.unfinished)} of {len(result.shards)} "
             "shards done"]
    for run in result.shards.values():
        took = f"{run.seconds:>7.1f} s" if run.seconds is not None else " " * 9
        lines.append(f"  {run.shard}  {run.status:<10} {took}  {run.node or '-':<28} {run.job or '-'}  "
                     f"tries {run.tries}  sites {' '.join(run.sites)}")
    for url in result.skipped_nodes:
        lines.append(f"  node {url} was down at the start: skipped")
    for url in result.dead_nodes:
        lines.append(f"  node {url} went down during the night: its shards ran elsewhere")
    if result.unfinished:
        lines.append(f"unfinished: {', '.join(result.unfinished)} — run `govcrawl cluster crawl` again "
                     "(same --state) to re-run them")
    else:
        lines.append("every shard finished; each node holds shards/<shard>/ (archive.db + warc/) in its "
                     "scrapyd working directory: copy them here and run `govcrawl cluster merge`")
    return "\n".join(lines)
