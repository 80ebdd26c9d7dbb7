"""A site's health after a night's crawl: ok, moved, dead, blocked, or no column found.

Judged from the run's per-site summary (listing pages read, errors with their reasons) and what the
column finder saw (``discovery``: redirected elsewhere, challenge page, nothing found). Pure
functions over dicts, so the crawl, the CLI and tests share them.

- moved: the portal or column redirected to another host or path (the new URL is recorded), or a
  request was steered outside the site's domains by a redirect;
- dead: DNS failure, refused or reset connections, timeouts, 5xx on every start page;
- blocked: 401/403/429/451, robots.txt, a WAF or JavaScript challenge page;
- no column: pages were read but no 年报 column was found within the budget;
- ok: the column was read.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

from govcrawl.crawl.summary import failure_kind

_OUT_OF_SCOPE = re.compile(r"outside (?:the allowed domains of \S+|every registry site): (\S+)")


def verdict(stats: dict, discovery: dict | None = None) -> tuple[str, str, str | None]:
    """(health, detail, new_url) for one site from ``SiteStats`` as a dict and the finder's notes."""
    discovery = discovery or {}
    errors = stats.get("errors") or []
    starts = [e for e in errors if e["reason"].startswith(("listing", "discover"))] or errors
    moved = discovery.get("moved_to")
    for e in starts:  # a start URL is in scope by validation: only a redirect can leave it
        m = _OUT_OF_SCOPE.search(e["reason"])
        if m:
            moved = moved or m.group(1)
    if discovery.get("blocked"):
        return "blocked", discovery["blocked"], None
    if moved and not stats.get("listing_pages"):
        return "moved", f"redirected to {moved}", moved
    if stats.get("listing_pages"):
        if moved:
            return "moved", f"redirected to {moved} (column still read)", moved
        return "ok", f"{stats.get('listing_pages', 0)} listing pages, {stats.get('report_links', 0)} report links", None
    kinds = Counter(failure_kind(e["reason"], e.get("status")) for e in starts)
    if stats.get("robots_blocked") and not discovery.get("pages_read"):
        return "blocked", f"robots.txt forbids {stats['robots_blocked']} start page(s)", None
    if kinds.get("blocks us"):
        return "blocked", _first(starts, "blocks us"), None
    if kinds.get("down") and not discovery.get("pages_read"):
        return "dead", _first(starts, "down"), None
    if kinds.get("moved") and not discovery.get("pages_read"):
        return "moved", _first(starts, "moved"), None
    if discovery.get("searched"):
        return "no column", (f"no 年报 column within {discovery.get('budget', '?')} pages "
                             f"({discovery.get('pages_read', 0)} read)"), None
    if kinds:
        kind = kinds.most_common(1)[0][0]
        return ("dead" if kind == "down" else "moved" if kind == "moved" else "blocked"
                if kind == "blocks us" else "no column"), _first(starts, kind), None
    return "no column", "no listing page could be read", None


def _first(errors: list[dict], kind: str) -> str:
    for e in errors:
        if failure_kind(e["reason"], e.get("status")) == kind:
            return e["reason"][:200]
    return kind


def counts_line(verdicts: dict[str, tuple[str, str, str | None]], changed: int | None = None) -> str:
    """The crawl summary's one line: ``health: ok 280, moved 5, …; 7 changed since last night``."""
    counts = Counter(h for h, _, _ in verdicts.values())
    order = ("ok", "moved", "dead", "blocked", "no column")
    text = "health: " + ", ".join(f"{h} {counts[h]}" for h in order if counts[h])
    if changed is not None:
        text += f"; {changed} changed since last night"
    return text


def health_report(states: dict[str, dict], changes: list[dict], sites: list) -> str:
    """``govcrawl sites --health``: counts by province, the sites that changed, every site not ok."""
    order = ("ok", "moved", "dead", "blocked", "no column", "unchecked")
    crawlable = [s for s in sites if s.crawlable]
    table: dict[str, Counter] = {}
    for s in crawlable:
        province = s.extra.get("province") or s.division_code[:2]
        health = (states.get(s.site_id) or {}).get("health") or "unchecked"
        table.setdefault(province, Counter())[health] += 1
    width = max([_width(p) for p in table] + [8]) + 1
    lines = [_pad("province", width) + "".join(f"{h:>11}" for h in order)]
    total: Counter = Counter()
    for province, counts in table.items():
        total.update(counts)
        lines.append(_pad(province, width) + "".join(f"{counts[h]:>11}" for h in order))
    lines.append(_pad("total", width) + "".join(f"{total[h]:>11}" for h in order))
    checked = sum(total[h] for h in order[:-1])
    lines.append(f"{len(crawlable)} crawlable sites, {checked} checked by a crawl")
    names = {s.site_id: s.name for s in sites}
    if changes:
        lines += ["", f"Changed since the last night ({len(changes)}):"]
        lines += [f"  {c['site_id']} {names.get(c['site_id'], '')}: {c['previous']} → {c['health']}"
                  f" ({c['detail'] or ''})" for c in changes]
    bad = [(sid, st) for sid, st in sorted(states.items()) if st.get("health") not in (None, "ok")]
    if bad:
        lines += ["", f"Not ok ({len(bad)}):"]
        lines += [f"  {sid} {names.get(sid, '')}: {st['health']}"
                  + (f" → {st['new_url']}" if st.get("new_url") else "") + f" ({st.get('detail') or ''})"
                  for sid, st in bad]
    return "\n".join(lines)


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))
