"""Departments proposed from portals' 部门 pages, written as registry rows for an operator to review.

The column finder notes the departments a government lists (区民政局, 县教育委员会 …) while it looks
for the 年报 column; the archive keeps them in ``department_proposals``. Nothing is crawled from
there: ``govcrawl sites --departments FILE`` writes them as ``data/sites.csv``-shaped rows
(``level=department``, ``verified=0``, the department page as ``portal_url``), and an operator
copies the ones that are right into ``data/registry/hand.csv`` before the registry is rebuilt.
"""
from __future__ import annotations

import csv
import hashlib
import io
from urllib.parse import urlsplit

from govcrawl.registry import HEADER, OPTIONAL, Site
from govcrawl.registry.build import portal_domain

_PREFIXES = ("区", "县", "市", "旗", "州", "省")


def department_name(parent: Site, name: str) -> str:
    """区民政局 on 重庆市渝北区人民政府's portal → 重庆市渝北区民政局."""
    short = parent.name.removesuffix("人民政府").removesuffix("行政公署")
    if name.startswith(_PREFIXES) and short.endswith(name[0]):
        return short + name[1:]
    return name if name.startswith(short) else short + name


def proposal_rows(proposals: list[dict], sites: list[Site]) -> tuple[str, int]:
    """(CSV text in registry columns, number of rows); proposals already in the registry are left out."""
    by_id = {s.site_id: s for s in sites}
    known_urls = {u for s in sites for u in s.listing_urls + ((s.portal_url,) if s.portal_url else ())}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER + OPTIONAL + ("found_on",))  # data/registry/hand.csv's own header
    n = 0
    for p in proposals:
        parent = by_id.get(p["parent_id"])
        if parent is None or p["url"] in known_urls:
            continue
        host = urlsplit(p["url"]).hostname or ""
        domains = parent.allowed_domains if parent.allows(p["url"]) else (portal_domain(p["url"]),)
        site_id = f"{parent.site_id}-d{hashlib.sha1(p['url'].encode()).hexdigest()[:6]}"
        w.writerow([site_id, department_name(parent, p["name"]), "department", parent.division_code,
                    parent.site_id, "", " ".join(domains) or host, "", "0", p["url"],
                    parent.valid_from or "", parent.valid_to or "", "", parent.extra.get("province", ""),
                    p.get("found_on", "")])
        n += 1
    return buf.getvalue(), n
