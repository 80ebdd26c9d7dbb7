"""scrapyd's JSON API (daemonstatus, addversion, schedule, listjobs, logs) and the egg it runs.

Plain ``urllib``: the coordinator needs nothing beyond the standard library to drive the nodes.
A node that cannot be reached raises ``NodeDown``; scrapyd's own ``{"status": "error"}`` answers
raise ``ScrapydError`` with its message.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import uuid
import zipfile
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import unquote, urlencode, urljoin, urlsplit, urlunsplit
from urllib.request import Request, urlopen

PROJECT = "govcrawl"
SPIDER = "reports"


class NodeDown(ConnectionError):
    """The node's scrapyd did not answer."""


class ScrapydError(RuntimeError):
    """scrapyd answered with an error."""


class Scrapyd:
    def __init__(self, url: str, *, timeout: float = 10.0):
        parts = urlsplit(url)
        self.auth = None
        if parts.username:  # http://user:password@host:6800 for a node with scrapyd's basic auth
            token = base64.b64encode(f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode())
            self.auth = "Basic " + token.decode("ascii")
            parts = parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else ""))
        self.url = urlunsplit(parts).rstrip("/") + "/"
        self.timeout = timeout

    def _request(self, url: str, *, data: bytes | None = None, headers: dict | None = None,
                 method: str | None = None) -> Request:
        headers = dict(headers or {})
        if self.auth:
            headers["Authorization"] = self.auth
        return Request(url, data=data, headers=headers, method=method)

    def __repr__(self) -> str:
        return f"Scrapyd({self.url!r})"

    def _call(self, endpoint: str, *, query: dict | None = None, form: list[tuple[str, str]] | None = None,
              body: bytes | None = None, content_type: str | None = None) -> dict:
        url = urljoin(self.url, endpoint) + (f"?{urlencode(query)}" if query else "")
        if form is not None:
            body, content_type = urlencode(form).encode("utf-8"), "application/x-www-form-urlencoded"
        request = self._request(url, data=body, headers={"Content-Type": content_type} if content_type else {})
        try:
            with urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read().decode("utf-8"))
        except HTTPError as exc:
            raise ScrapydError(f"{self.url}{endpoint}: HTTP {exc.code}") from None
        except (URLError, OSError) as exc:
            raise NodeDown(f"{self.url} does not answer ({getattr(exc, 'reason', exc)})") from None
        except json.JSONDecodeError:
            raise ScrapydError(f"{self.url}{endpoint}: not a JSON answer; is this a scrapyd?") from None
        if answer.get("status") != "ok":
            raise ScrapydError(f"{self.url}{endpoint}: {answer.get('message', answer)}")
        return answer

    def daemonstatus(self) -> dict:
        return self._call("daemonstatus.json")

    def addversion(self, version: str, egg: bytes, project: str = PROJECT) -> dict:
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in (("project", project), ("version", version)):
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                         .encode("utf-8"))
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="egg"; filename="{project}.egg"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode("utf-8") + egg + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode("utf-8"))
        return self._call("addversion.json", body=b"".join(parts),
                          content_type=f"multipart/form-data; boundary={boundary}")

    def listversions(self, project: str = PROJECT) -> list[str]:
        """Versions of the project deployed on the node (none when it was never deployed)."""
        try:
            return self._call("listversions.json", query={"project": project})["versions"]
        except ScrapydError:
            return []

    def schedule(self, *, jobid: str, version: str | None, settings: dict[str, str],
                 args: dict[str, str], project: str = PROJECT, spider: str = SPIDER) -> str:
        form = [("project", project), ("spider", spider), ("jobid", jobid)]
        if version:
            form.append(("_version", version))
        form += [("setting", f"{k}={v}") for k, v in settings.items()]
        form += list(args.items())
        return self._call("schedule.json", form=form)["jobid"]

    def listjobs(self, project: str = PROJECT) -> dict[str, dict]:
        """Every job the node knows, by id, with ``state`` pending / running / finished."""
        answer = self._call("listjobs.json", query={"project": project})
        return {job["id"]: dict(job, state=state)
                for state in ("pending", "running", "finished") for job in answer.get(state, [])}

    def cancel(self, jobid: str, project: str = PROJECT) -> dict:
        return self._call("cancel.json", form=[("project", project), ("job", jobid)])

    def log_tail(self, jobid: str, *, project: str = PROJECT, spider: str = SPIDER,
                 nbytes: int = 16384) -> str | None:
        """The end of a job's log (scrapyd serves ``logs_dir`` at /logs/); None when it has none.

        The length is asked first: Twisted's file server answers a suffix range longer than the
        file with a 500.
        """
        url = urljoin(self.url, f"logs/{project}/{spider}/{jobid}.log")
        try:
            with urlopen(self._request(url, method="HEAD"), timeout=self.timeout) as response:
                size = int(response.headers.get("Content-Length") or 0)
            headers = {"Range": f"bytes={size - nbytes}-"} if size > nbytes else {}
            with urlopen(self._request(url, headers=headers), timeout=self.timeout) as response:
                return response.read().decode("utf-8", "replace")
        except HTTPError:
            return None
        except (URLError, OSError) as exc:
            raise NodeDown(f"{self.url} does not answer ({getattr(exc, 'reason', exc)})") from None


# --- the egg -------------------------------------------------------------------------------------

PACKAGES = ("govcrawl", "spiders")
_SKIP_DIRS = {"__pycache__"}
_SKIP_SUFFIXES = {".pyc", ".pyo"}


def build_egg(version_prefix: str | None = None) -> tuple[str, bytes]:
    """(version, egg bytes) of the project as this machine has it: scrapyd's unit of deployment.

    The version is the package version plus a hash of the files, so the same code deploys as the
    same version (scrapyd keeps it once) and a changed file is a new version. The egg's entry point
    names the settings module, as ``scrapyd-deploy`` would.
    """
    import govcrawl

    root = Path(govcrawl.__file__).resolve().parent.parent
    files: list[tuple[str, bytes]] = []
    for package in PACKAGES:
        base = root / package
        for path in sorted(base.rglob("*")):
            rel = path.relative_to(root)
            if path.is_dir() or _SKIP_DIRS & set(rel.parts) or path.suffix in _SKIP_SUFFIXES:
                continue
            files.append((rel.as_posix(), path.read_bytes()))
    digest = hashlib.sha256()
    for name, data in files:
        digest.update(name.encode("utf-8") + b"\0" + data)
    # scrapyd stores a version as a file name with dots escaped: use the escaped form throughout
    version = re.sub(r"\W", "_", f"{version_prefix or govcrawl.__version__}_{digest.hexdigest()[:12]}")
    meta = {
        "EGG-INFO/PKG-INFO": f"Metadata-Version: 1.1\nName: {PROJECT}\nVersion: {version}\n",
        "EGG-INFO/entry_points.txt": "[scrapy]\nsettings = govcrawl.crawl.settings\n",
        "EGG-INFO/top_level.txt": "\n".join(PACKAGES) + "\n",
        "EGG-INFO/zip-safe": "\n",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as egg:
        for name, data in files:
            egg.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
        for name, text in meta.items():
            egg.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), text, zipfile.ZIP_DEFLATED)
    return version, out.getvalue()


def node_config(*, port: int = 6800, bind: str = "127.0.0.1", max_proc: int = 2, poll_interval: float = 5.0) -> str:
    """A ``scrapyd.conf`` for a crawl node; its directories are relative to scrapyd's working directory.

    ``max_proc`` shard jobs run at once: each is one Scrapy process (one core at most, mostly
    waiting on politeness delays), so 1–2 per core. Logs stay on, 500 per spider (a night of 64
    shards and its re-runs fits many times): the coordinator reads a job's closing stats from them
    to tell a finished shard from one whose process died.
    """
    return (f"[scrapyd]\nbind_address = {bind}\nhttp_port = {port}\nmax_proc = {max_proc}\n"
            f"poll_interval = {poll_interval}\neggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\n"
            "items_dir =\njobs_to_keep = 500\nfinished_to_keep = 500\n")
