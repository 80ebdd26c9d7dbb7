"""Per-site counters of a crawl run and the summary a person reads at the end of it."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field

# What an operator does about a failure depends on its kind, not its exact wording.
_KIND_WORDS = (
    ("trap", ("page budget", "javascript redirects", "max redirections")),
    ("blocks us", ("robots.txt", "retry-after")),
    ("moved", ("soft 404", "redirect", "outside the allowed domains", "outside every registry site")),
    ("too large", ("maxsize", "max size", "cancel", "exceeds")),
    ("down", ("timeout", "took longer", "connection", "refused", "reset", "lost", "dataloss",
              "data loss", "resolve", "dns", "tunnel", "partial")),
)


def failure_kind(reason: str, status: int | None = None) -> str:
    """down (5xx, timeouts, resets) | moved (404/410, redirects, soft 404s) | blocks us (401/403/
    429/451, robots.txt) | trap (page budget) | too large | other."""
    if status in (401, 403, 407, 429, 451):
        return "blocks us"
    if status in (404, 410) or (status and 300 <= status < 400):
        return "moved"
    if status and status >= 500:
        return "down"
    low = (reason or "").lower()
    for kind, words in _KIND_WORDS:
        if any(w in low for w in words):
            return kind
    return "other"


PARTIAL_COVERAGE = 0.95  # a new version below this share of template cells is named in the summary
_URL = re.compile(r"https?://\S+")


def reason_key(reason: str) -> str:
    """The reason without the URLs in it, so the same failure on many URLs groups as one."""
    return _URL.sub("<url>", reason or "").strip()


def site_verdict(site: dict) -> str:
    """One line an operator reads: ok, or FAILED with what the listing errors say (down/moved/…)."""
    errors = site.get("errors") or []
    if site.get("listing_pages", 0) == 0:
        listing = [failure_kind(e["reason"], e.get("status")) for e in errors
                   if e["reason"].startswith("listing")] or [failure_kind(e["reason"], e.get("status"))
                                                               for e in errors]
        kind = Counter(listing).most_common(1)[0][0] if listing else "no listing response"
        return f"FAILED: {kind} (no listing page could be read)"
    if errors:
        kinds = Counter(failure_kind(e["reason"], e.get("status")) for e in errors)
        return "ok, some failed: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common())
    return "ok"


@dataclass
class SiteStats:
    site_id: str
    name: str = ""
    listing_pages: int = 0
    pages_fetched: int = 0
    bytes: int = 0
    report_links: int = 0
    reports: int = 0
    new_reports: int = 0
    changed: int = 0  # a new version of a report the archive held
    unchanged: int = 0
    moved: int = 0  # found at a new URL, host or scheme (a move, not a new report)
    removed: int = 0
    not_reports: int = 0
    check_failures: int = 0
    robots_blocked: int = 0
    robots_urls: list[str] = field(default_factory=list)  # the first 20 robots.txt forbids
    errors: list[dict] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)  # truncated/broken documents: no tables left
    partial_tables: list[str] = field(default_factory=list)  # new versions with coverage < PARTIAL_COVERAGE

    @property
    def failed_entirely(self) -> bool:
        """No listing page could be read: the site is down, moved or blocks us."""
        return self.listing_pages == 0


class RunSummary:
    def __init__(self, run_id: str, sites: list):
        self.run_id = run_id
        self.sites: dict[str, SiteStats] = {s.site_id: SiteStats(s.site_id, s.name) for s in sites}

    def site(self, site_id: str | None) -> SiteStats:
        key = site_id or "(unknown)"
        if key not in self.sites:
            self.sites[key] = SiteStats(key)
        return self.sites[key]

    def error(self, site_id: str | None, url: str, reason: str, status: int | None = None) -> None:
        self.site(site_id).errors.append({"url": url, "reason": reason, "status": status})

    @property
    def failed_sites(self) -> list[str]:
        return [s.site_id for s in self.sites.values() if s.failed_entirely and s.site_id != "(unknown)"]

    def totals(self) -> dict:
        keys = ("listing_pages", "pages_fetched", "bytes", "report_links", "reports", "new_reports",
                "changed", "unchanged", "moved", "removed", "not_reports", "check_failures", "robots_blocked")
        out = {k: sum(getattr(s, k) for s in self.sites.values()) for k in keys}
        out["errors"] = sum(len(s.errors) for s in self.sites.values())
        out["damaged"] = sum(len(s.damaged) for s in self.sites.values())
        out["partial_tables"] = sum(len(s.partial_tables) for s in self.sites.values())
        out["sites"] = len([s for s in self.sites if s != "(unknown)"])
        out["sites_failed"] = len(self.failed_sites)
        return out

    def to_dict(self) -> dict:
        return {"run_id": self.run_id, "totals": self.totals(), "failed_sites": self.failed_sites,
                "sites": {k: asdict(v) for k, v in sorted(self.sites.items())}}


def format_summary(summary: dict) -> str:
    """Render ``RunSummary.to_dict()`` as the text printed at the end of every crawl."""
    t = summary["totals"]
    lines = [
        f"govcrawl run {summary['run_id']}: {t['sites']} sites, {t['pages_fetched']} pages fetched "
        f"({t['bytes'] / 1024:.0f} KiB), {t['reports']} reports extracted "
        f"({t['new_reports']} new, {t.get('changed', 0)} changed, {t['unchanged']} unchanged, "
        f"{t.get('moved', 0)} moved, {t['removed']} removed from their sites), "
        f"{t['not_reports']} fetched pages not reports, "
        f"{t['check_failures']} reports failing checks, {t['robots_blocked']} blocked by robots.txt, "
        f"{t['errors']} errors, {t['sites_failed']} sites failed",
    ]
    if summary.get("health"):
        lines.append(summary["health"]["line"])
    lines += [
        "",
        f"{'site':<28}{'pages':>6}{'reports':>8}{'new':>5}{'checks✗':>8}{'robots':>7}{'errors':>7}  status",
    ]
    for site_id, s in summary["sites"].items():
        status = site_verdict(s)
        lines.append(f"{site_id:<28}{s['pages_fetched']:>6}{s['reports']:>8}{s['new_reports']:>5}"
                     f"{s['check_failures']:>8}{s['robots_blocked']:>7}{len(s['errors']):>7}  {status}")
    lines += changes_lines(summary.get("changes"))
    blocked = [(site_id, s) for site_id, s in summary["sites"].items() if s.get("robots_blocked")]
    if blocked:
        lines += ["", "Not fetched, robots.txt forbids (errors table, reason 'blocked by robots.txt'):"]
        for site_id, s in blocked:
            shown = (s.get("robots_urls") or [])[:3]
            more = f" (+{s['robots_blocked'] - len(shown)} more)" if s["robots_blocked"] > len(shown) else ""
            lines.append(f"  {site_id}: {' '.join(shown)}{more}")
    lines += _listed(summary, "damaged", "Damaged documents (truncated or broken; raw capture kept, no tables read):")
    lines += _listed(summary, "partial_tables",
                     f"New versions with partial tables (coverage < {PARTIAL_COVERAGE:.0%} of the template's cells):")
    errors = [(site_id, e) for site_id, s in summary["sites"].items() for e in s["errors"]]
    if errors:
        lines += ["", "Failures by site, kind and reason:"]
        grouped: dict[tuple, list[str]] = {}
        for site_id, e in errors:
            key = (site_id, failure_kind(e["reason"], e.get("status")), reason_key(e["reason"]))
            grouped.setdefault(key, []).append(e["url"])
        for (site_id, kind, reason), urls in sorted(grouped.items()):
            more = f" (+{len(urls) - 1} more)" if len(urls) > 1 else ""
            lines.append(f"  {site_id}: [{kind}] {reason} ×{len(urls)}: {urls[0]}{more}")
    return "\n".join(lines)


def _listed(summary: dict, key: str, heading: str, most: int = 5) -> list[str]:
    """A heading and the first few entries of a per-site list, for the reports a person should open."""
    rows = [(site_id, entry) for site_id, s in summary["sites"].items() for entry in s.get(key) or []]
    if not rows:
        return []
    lines = ["", heading] + [f"  {site_id}: {entry}" for site_id, entry in rows[:most]]
    return lines + ([f"  (+{len(rows) - most} more)"] if len(rows) > most else [])


def changes_lines(changes: dict | None) -> list[str]:
    """The nightly line of what changed (``govcrawl.archive.changes.counts``), changed reports named."""
    if not changes:
        return []
    n = lambda k: changes.get(k, 0)  # noqa: E731
    line = (f"Changes: {n('new')} new, {n('changed')} changed, {n('moved')} moved, {n('removed')} removed"
            + (f" ({n('markup-only')} re-marked-up only, not counted as changed)" if n("markup-only") else "")
            + " — `govcrawl changes` lists them, `govcrawl diff` shows one"
            + (f"; feed {changes['feed']}" if changes.get("feed") else ""))
    return ["", line] + [f"  changed: {name}" for name in changes.get("changed_reports") or []]
