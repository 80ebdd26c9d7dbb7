"""Real scrapyd daemons on loopback ports, each in its own directory with its own scrapyd.conf."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

from govcrawl.cluster.scrapyd import node_config


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """One scrapyd in ``directory`` (its working directory: eggs/, logs/, dbs/, shards/)."""

    def __init__(self, directory: Path, *, max_proc: int = 2):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        (self.directory / "scrapyd.conf").write_text(
            node_config(port=self.port, max_proc=max_proc, poll_interval=0.3), encoding="utf-8")
        self.log = open(self.directory / "scrapyd.out", "ab")
        scrapyd = Path(sys.executable).parent / "scrapyd"
        # the jobs inherit this environment: the loopback-only guard holds inside every crawl
        env = dict(os.environ, GOVCRAWL_LOOPBACK_ONLY="1")
        self.process = subprocess.Popen([str(scrapyd)], cwd=self.directory, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 30
        while True:
            try:
                with urlopen(f"{self.url}/daemonstatus.json", timeout=1):
                    break
            except OSError:
                if self.process.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"scrapyd did not start in {self.directory}: "
                                       + (self.directory / "scrapyd.out").read_text(errors="replace")[-2000:])
                time.sleep(0.2)

    def kill(self) -> None:
        """kill -9 of the scrapyd daemon itself (its running crawl processes are not signalled)."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
