"""The site registry: which agencies we crawl, where their 年报 column is, and which hosts are theirs.

``data/sites.csv`` is generated (``govcrawl.registry.build``) from the national division codes and
portal list, with the hand-checked rows of ``data/registry/hand.csv`` winning. Every mistake in it
must fail loudly at load time with the file, line and site id; a typo in a domain would otherwise
make the spider silently crawl nothing, or crawl somebody else's site.

Besides the nine required columns a registry may carry ``portal_url`` (the government's home page:
where the crawler looks for the 年报 column when ``listing_urls`` is empty), ``valid_from`` /
``valid_to`` (the report years the unit existed: a report belongs to the unit of its year),
``successors`` (the division codes that took a retired unit over) and ``province``. A row with neither listing URLs nor a portal is kept for attribution only (a unit
retired before the portals were listed, or one without a site) and never crawled.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable
from urllib.parse import urlsplit

HEADER = (
    "site_id", "name", "level", "division_code", "parent_id",
    "listing_urls", "allowed_domains", "platform", "verified",
)
OPTIONAL = ("portal_url", "valid_from", "valid_to", "successors", "province")
LEVELS = frozenset({"province", "city", "county", "district", "department"})
_YEAR = re.compile(r"(19|20)\d\d")

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DIVISION = re.compile(r"\d{6}")
_HOSTNAME = re.compile(r"(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")
_VERIFIED = {"1": True, "0": False}


class RegistryError(ValueError):
    """A registry problem, located as precisely as we know (file, line, site id)."""

    def __init__(self, message: str, *, path: str | Path | None = None,
                 line: int | None = None, site_id: str | None = None):
        self.path, self.line, self.site_id, self.reason = path, line, site_id, message
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        if site_id:
            where += f"site {site_id!r}: "
        super().__init__(where + message)


@dataclass(frozen=True)
class Site:
    """One agency. Lists are tuples so a Site can be shared between spider instances safely."""

    site_id: str
    name: str
    level: str
    division_code: str
    parent_id: str | None
    listing_urls: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    platform: str = ""
    verified: bool = False
    extra: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    portal_url: str = ""
    valid_from: int | None = None
    valid_to: int | None = None

    @property
    def crawlable(self) -> bool:
        """It has somewhere to start: a listing, or a portal to find the column from."""
        return bool(self.listing_urls or self.portal_url)

    @property
    def start_urls(self) -> tuple[str, ...]:
        return self.listing_urls or ((self.portal_url,) if self.portal_url else ())

    def existed_in(self, year: int) -> bool:
        """The unit existed in this report year (unknown bounds are open)."""
        return ((self.valid_from is None or self.valid_from <= year)
                and (self.valid_to is None or year <= self.valid_to))

    def allows(self, url: str) -> bool:
        """True if url is http(s) and its host is one of allowed_domains or a subdomain of one."""
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
        except ValueError:
            return False
        return parts.scheme in ("http", "https") and host_allowed(host, self.allowed_domains)


def host_allowed(host: str, domains: Iterable[str]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)


def load_sites(path: str | Path, *, other_ids: Iterable[str] = ()) -> list[Site]:
    """Read and validate a registry CSV; raise RegistryError on the first problem found.

    ``other_ids`` are sites defined elsewhere that rows may name as parent (the generated rows,
    for the hand-checked file merged into them)."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise RegistryError(f"cannot read registry: {exc}", path=path) from exc
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header[: len(HEADER)]) != HEADER:
            raise RegistryError(f"header must start with {','.join(HEADER)}; got {header!r}",
                                path=path, line=1)
        extra_cols = [h.strip() for h in header[len(HEADER):]]
        if any(not h for h in extra_cols) or len(set(extra_cols)) != len(extra_cols):
            raise RegistryError(f"extra columns must be named and unique: {extra_cols!r}",
                                path=path, line=1)
        sites: list[Site] = []
        lines: dict[str, int] = {}
        for row in reader:
            line = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            site = _parse_row(row, header_len=len(header), extra_cols=extra_cols, path=path, line=line)
            if site.site_id in lines:
                raise RegistryError(f"duplicate site_id (first on line {lines[site.site_id]})",
                                    path=path, line=line, site_id=site.site_id)
            lines[site.site_id] = line
            sites.append(site)
    _check_parents(sites, lines, path, set(other_ids))
    return sites


def _parse_row(row: list[str], *, header_len: int, extra_cols: list[str], path: Path, line: int) -> Site:
    site_id = row[0].strip() if row else ""

    def fail(message: str) -> RegistryError:
        return RegistryError(message, path=path, line=line, site_id=site_id or None)

    if len(row) != header_len:
        raise fail(f"expected {header_len} columns, got {len(row)}")
    cells = dict(zip(HEADER, (c.strip() for c in row)))
    if not _SLUG.fullmatch(site_id):
        raise fail("site_id must be a lowercase ascii slug like 'cq-yubei'")
    if not cells["name"]:
        raise fail("name is empty")
    if cells["level"] not in LEVELS:
        raise fail(f"unknown level {cells['level']!r}; expected one of {sorted(LEVELS)}")
    code = cells["division_code"]
    if not _DIVISION.fullmatch(code) or code == "000000":
        raise fail(f"division_code must be 6 digits (GB/T 2260) and not 000000; got {code!r}")
    if cells["verified"] not in _VERIFIED:
        raise fail(f"verified must be 1 or 0; got {cells['verified']!r}")

    extra = dict(zip(extra_cols, (c.strip() for c in row[len(HEADER):])))
    portal = extra.get("portal_url", "")
    years = {}
    for key in ("valid_from", "valid_to"):
        value = extra.get(key, "")
        if value and not _YEAR.fullmatch(value):
            raise fail(f"{key} must be a year like 2019; got {value!r}")
        years[key] = int(value) if value else None
    if years["valid_from"] and years["valid_to"] and years["valid_from"] > years["valid_to"]:
        raise fail(f"valid_from {years['valid_from']} is after valid_to {years['valid_to']}")

    domains = tuple(d.lower().rstrip(".") for d in cells["allowed_domains"].split())
    urls = tuple(cells["listing_urls"].split())
    if not domains and (urls or portal):
        raise fail("allowed_domains is empty")
    for domain in domains:
        if not _HOSTNAME.fullmatch(domain):
            raise fail(f"allowed domain {domain!r} is not a bare host name")

    if not urls and not portal and "portal_url" not in extra:
        raise fail("listing_urls is empty")
    for url in urls + ((portal,) if portal else ()):
        parts = urlsplit(url)
        try:
            host = parts.hostname
        except ValueError:
            host = None
        if parts.scheme not in ("http", "https") or not host:
            raise fail(f"malformed URL {url!r}: need http(s)://host/...")
        if not host_allowed(host, domains):
            raise fail(f"URL host {host!r} is not inside allowed_domains {' '.join(domains)}")

    return Site(
        site_id=site_id,
        name=cells["name"],
        level=cells["level"],
        division_code=code,
        parent_id=cells["parent_id"] or None,
        listing_urls=urls,
        allowed_domains=domains,
        platform=cells["platform"].lower(),
        verified=_VERIFIED[cells["verified"]],
        extra=extra,
        portal_url=portal,
        valid_from=years["valid_from"],
        valid_to=years["valid_to"],
    )


def _check_parents(sites: list[Site], lines: dict[str, int], path: Path, other_ids: set[str]) -> None:
    """Parents may appear later in the file, but must exist and must not form a cycle."""
    by_id = {s.site_id: s for s in sites}
    for site in sites:
        if site.parent_id is None or (site.parent_id in other_ids and site.parent_id not in by_id):
            continue
        if site.parent_id not in by_id:
            raise RegistryError(f"unknown parent_id {site.parent_id!r}",
                                path=path, line=lines[site.site_id], site_id=site.site_id)
        seen = {site.site_id}
        node = by_id[site.parent_id]
        while node is not None:
            if node.site_id in seen:
                raise RegistryError(f"parent_id chain loops back through {node.site_id!r}",
                                    path=path, line=lines[site.site_id], site_id=site.site_id)
            seen.add(node.site_id)
            node = by_id.get(node.parent_id) if node.parent_id else None


def select_sites(sites: Iterable[Site], ids: Iterable[str] | None) -> list[Site]:
    """Pick sites by id, in the order asked (duplicates dropped); None or empty means all."""
    sites = list(sites)
    if not ids:
        return sites
    by_id = {s.site_id: s for s in sites}
    wanted = list(dict.fromkeys(i.strip() for i in ids if i.strip()))
    unknown = [i for i in wanted if i not in by_id]
    if unknown:
        ids = sorted(by_id)
        known = ", ".join(ids[:20]) + (f", … ({len(ids) - 20} more; `govcrawl sites` lists them)"
                                       if len(ids) > 20 else "") or "(none)"
        raise RegistryError(f"unknown site id(s): {', '.join(unknown)}; known ids: {known}")
    return [by_id[i] for i in wanted]


def attribute(sites: Iterable[Site], site: Site, year: int) -> Site:
    """The unit a report of ``year`` found on ``site`` belongs to: the one that existed that year.

    A retired unit's later reports go to its successor (渝北区 500112 → 两江新区 500157 from 2025);
    a new unit's earlier reports to the predecessor it replaced. Departments and rows without
    years keep their own site. Ambiguous cases (several candidates) keep the site, too.
    """
    if site.existed_in(year) or site.level == "department":
        return site
    govs = [s for s in sites if s.level != "department"]
    by_code: dict[str, list[Site]] = {}
    for s in govs:
        by_code.setdefault(s.division_code, []).append(s)
    if site.valid_to is not None and year > site.valid_to:
        nxt = [t for code in site.extra.get("successors", "").split() for t in by_code.get(code, [])]
        alive = [t for t in nxt if t.existed_in(year)]
    else:
        alive = [t for t in govs if site.division_code in t.extra.get("successors", "").split()
                 and t.existed_in(year)]
    return alive[0] if len(alive) == 1 else site
