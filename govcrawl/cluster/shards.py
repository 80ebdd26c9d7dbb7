"""Split the registry into shards of sites, the same way every night.

Sites are independent, so a shard is just a set of registry rows. Two rules shape it:

- Rows that share a host (a department's column on its district's portal) stay together: politeness
  is per host (2 connections, robots.txt Crawl-delay), and two nodes on one host would double it.
- A group's shard is a hash of its first site id modulo the shard count, not a position in the file:
  adding or removing a site moves no other group, so each shard finds last night's captures on the
  node that crawled it (revalidation with If-None-Match needs them).

A job carries its shard's registry rows itself (``encode_registry``), so a node needs the code but
never a copy of ``sites.csv`` that could drift from the coordinator's.
"""
from __future__ import annotations

import base64
import csv
import hashlib
import io
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from govcrawl.registry import Site, load_sites

# A spider argument reaches the crawl process as one command-line argument: Linux caps one at 128 KiB.
MAX_ENCODED_REGISTRY = 120_000


class ShardTooLarge(ValueError):
    """A shard's registry rows do not fit in one scrapyd job argument."""


@dataclass
class Shard:
    number: int
    site_ids: list[str] = field(default_factory=list)
    groups: int = 0  # host groups in this shard

    @property
    def key(self) -> str:
        """Stable name of the shard: its directory on a node, its entry in the coordinator's state."""
        return f"shard-{self.number:03d}"


def site_hosts(site: Site) -> set[str]:
    hosts = set(site.allowed_domains)
    for url in site.listing_urls:
        host = urlsplit(url).hostname
        if host:
            hosts.add(host.lower())
    return hosts


def host_groups(sites: list[Site]) -> list[list[str]]:
    """Site ids grouped so that no host belongs to two groups (union-find over shared hosts)."""
    parent = {s.site_id: s.site_id for s in sites}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    owner: dict[str, str] = {}
    for site in sites:
        for host in site_hosts(site):
            if host in owner:
                a, b = root(owner[host]), root(site.site_id)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[host] = site.site_id
    groups: dict[str, list[str]] = {}
    for site in sites:
        groups.setdefault(root(site.site_id), []).append(site.site_id)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def shard_of(group_key: str, shards: int) -> int:
    """Stable: sha256, not Python's per-process salted ``hash``."""
    return int.from_bytes(hashlib.sha256(group_key.encode("utf-8")).digest()[:8], "big") % shards


def split(sites: list[Site], shards: int) -> list[Shard]:
    """The shards that hold at least one site, by number."""
    if shards < 1:
        raise ValueError("the number of shards must be at least 1")
    out = {n: Shard(n) for n in range(shards)}
    for group in host_groups(sites):
        shard = out[shard_of(group[0], shards)]
        shard.site_ids.extend(group)
        shard.groups += 1
    return [s for s in out.values() if s.site_ids]


def registry_rows(path: str | Path, site_ids: list[str]) -> str:
    """The registry CSV holding these sites and their parent chains (the file's own text per row)."""
    sites = {s.site_id: s for s in load_sites(path)}
    wanted: set[str] = set()
    for site_id in site_ids:
        node = sites[site_id]
        while node is not None and node.site_id not in wanted:
            wanted.add(node.site_id)
            node = sites.get(node.parent_id) if node.parent_id else None
    with Path(path).open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0])
    for row in rows[1:]:
        if row and row[0].strip() in wanted:
            writer.writerow(row)
    return out.getvalue()


def encode_registry(text: str, *, shard: str = "") -> str:
    encoded = base64.b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")
    if len(encoded) > MAX_ENCODED_REGISTRY:
        raise ShardTooLarge(f"{shard or 'a shard'}: its registry rows take {len(encoded):,} bytes "
                            f"encoded, more than one job argument holds ({MAX_ENCODED_REGISTRY:,}); "
                            "use more shards (--shards)")
    return encoded


def decode_registry(encoded: str) -> str:
    return zlib.decompress(base64.b64decode(encoded)).decode("utf-8")
