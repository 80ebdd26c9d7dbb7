"""Build the national registry (data/sites.csv) from the division codes and the portal list.

Inputs (``../shared/registry``): ``division_codes.csv`` — every code since 1981 with the years it
was in use; ``portals.tsv`` — each current unit's portal home page, by name path. Output: one row
per province, prefecture and county-level unit in use in any report year from ``FIRST_YEAR``, with
its portal as the crawl's starting point (the 年报 column is found by the crawler), the portal's
domain and subdomains as scope, and ``verified=0``. Hand-checked rows (``data/registry/hand.csv``)
win over generated ones with the same division code and are copied as they are; their years and
portal are filled in from the data where they leave them empty.

    python -m govcrawl.registry.build [--codes FILE] [--portals FILE] [--hand FILE] [--out FILE]
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from govcrawl.registry import HEADER, OPTIONAL, load_sites

FIRST_YEAR = 2008  # the disclosure regulations took effect in 2008: the first report year
SOURCES = Path(__file__).resolve().parents[3] / "shared" / "registry"
HAND = Path(__file__).resolve().parents[2] / "data" / "registry" / "hand.csv"
OUT = Path(__file__).resolve().parents[2] / "data" / "sites.csv"
COLUMNS = HEADER + OPTIONAL
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
_LEVELS = {"省级": "province", "地级": "city"}

# Changes after the division file's last year (README of the sources): (code, field, value).
# 江北区 and 渝北区 were merged into the new 两江新区 in 2025.
LATER_CHANGES = (
    ("500105", "valid_to", 2024), ("500105", "successors", "500157"),
    ("500112", "valid_to", 2024), ("500112", "successors", "500157"),
)
LATER_UNITS = (
    # code, province, prefecture, name, level, first year
    ("500157", "重庆市", "直辖", "两江新区", "县级", 2025),
)


@dataclass
class Unit:
    code: str
    province: str
    prefecture: str  # "直辖" for units directly under the province
    name: str
    level: str  # 省级 / 地级 / 县级
    valid_from: int | None
    valid_to: int | None
    successors: list[str] = field(default_factory=list)
    portal: str = ""


def read_codes(path: Path) -> list[Unit]:
    units = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            try:
                retired = int(row["变更/弃用时间"]) if row["变更/弃用时间"].strip() else None
                units.append(Unit(
                    code=row["代码"].strip(), province=row["一级行政区"].strip(),
                    prefecture=row["二级行政区"].strip(), name=row["名称"].strip(),
                    level=row["级别"].strip(), valid_from=int(row["启用时间"]),
                    # Retired in year R: its last report is for R-1 (published in R).
                    valid_to=retired - 1 if retired else None,
                    successors=[c.split("[")[0] for c in row["新代码"].split(";") if c.strip()]))
            except (KeyError, ValueError) as exc:
                raise ValueError(f"{path}:{line}: cannot read division row: {exc}") from None
    return units


def merge_renames(units: list[Unit]) -> list[Unit]:
    """One unit per code: a renamed unit (状态 变更, same code) keeps its code and its reports, so
    its rows become one with the newest name and the whole span of years."""
    by_code: dict[str, Unit] = {}
    for u in units:
        seen = by_code.get(u.code)
        if seen is None:
            by_code[u.code] = u
            continue
        newer, older = (u, seen) if (u.valid_from or 0) >= (seen.valid_from or 0) else (seen, u)
        newer.valid_from = min(x for x in (u.valid_from, seen.valid_from) if x is not None)
        newer.successors = [c for c in newer.successors if c != u.code]
        by_code[u.code] = newer
        del older
    return list(by_code.values())


def apply_later_changes(units: list[Unit]) -> list[Unit]:
    by_code = {u.code: u for u in units}
    for code, key, value in LATER_CHANGES:
        if code in by_code:
            if key == "successors":
                by_code[code].successors = value.split()
            else:
                setattr(by_code[code], key, value)
    for code, province, prefecture, name, level, first in LATER_UNITS:
        if code not in by_code:
            units.append(Unit(code, province, prefecture, name, level, first, None))
    return units


def read_portals(path: Path) -> list[tuple[list[str], str]]:
    out = []
    with path.open(encoding="utf-8", newline="") as f:
        next(f)
        for raw in f:
            parts = raw.rstrip("\n").split("\t")
            if len(parts) >= 2:
                out.append((parts[1].split("/"), parts[2].strip() if len(parts) > 2 else ""))
    return out


def _loose(name: str) -> str:
    """Names as the portal list and the code list may spell them differently."""
    for suffix in ("示范区", "新区", "管委会", "自治县", "自治州", "自治旗", "地区", "林区", "特区",
                   "市", "县", "区", "旗", "盟"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def attach_portals(units: list[Unit], portals: list[tuple[list[str], str]]) -> list[str]:
    """Give each in-use unit its portal; returns the portal paths no unit matched (for the log)."""
    live = [u for u in units if u.valid_to is None]
    exact: dict[tuple, list[Unit]] = {}
    loose: dict[tuple, list[Unit]] = {}
    for u in live:
        exact.setdefault((u.province, u.name), []).append(u)
        loose.setdefault((u.province, _loose(u.name)), []).append(u)
    unmatched = []
    for path, url in portals:
        if not url:
            continue
        province, name = path[0], path[-1]
        parent = path[-2] if len(path) == 3 else None
        if len(path) == 1:
            want = lambda u: u.level == "省级"  # noqa: E731
        elif len(path) == 2:
            want = lambda u: u.level == "地级" or u.prefecture == "直辖"  # noqa: E731
        else:
            # 兵团 cities and 省直辖 counties sit under a "parent" that is no prefecture
            want = lambda u: u.prefecture in (parent, "直辖")  # noqa: E731
        for index, key in ((exact, (province, name)), (loose, (province, _loose(name)))):
            found = [u for u in index.get(key, []) if want(u)]
            if len(found) == 1:
                if not found[0].portal:
                    found[0].portal = url
                break
        else:
            unmatched.append("/".join(path))
    return unmatched


def portal_domain(url: str) -> str:
    """The portal's own domain: its host without ``www.``; subdomains (``xxgk.``) come with it."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    for prefix in ("www.", "www1.", "www2."):
        if host.startswith(prefix) and host.count(".") >= 3 - (not host.endswith(".gov.cn")):
            return host[len(prefix):]
    return host


def official_name(u: Unit, prefecture_names: dict[str, str]) -> str:
    """The government's name as it signs its reports (重庆市渝北区人民政府, 和田地区行政公署)."""
    if u.level == "省级":
        base = u.name
    elif u.level == "地级":
        base = u.name
    elif u.province in _MUNICIPALITIES:
        base = u.province + u.name
    elif u.prefecture == "直辖":
        base = u.name
    else:
        base = prefecture_names.get(u.code[:4] + "00", u.prefecture) + u.name
    if base.endswith(("地区", "盟")) and u.level == "地级":
        return base + "行政公署"
    return base + "人民政府"


def level_of(u: Unit) -> str:
    if u.level in _LEVELS:
        return _LEVELS[u.level]
    return "district" if u.name.endswith("区") else "county"


def generated_rows(units: list[Unit]) -> list[dict]:
    kept = [u for u in units if u.level in ("省级", "地级", "县级")
            and (u.valid_to is None or u.valid_to >= FIRST_YEAR)]
    codes = {u.code for u in kept}
    prefecture_names = {u.code: u.name for u in kept if u.level == "地级"}
    rows = []
    for u in sorted(kept, key=lambda u: u.code):
        parent = None
        if u.level == "地级":
            parent = u.code[:2] + "0000"
        elif u.level == "县级":
            parent = u.code[:4] + "00" if u.code[:4] + "00" in codes else u.code[:2] + "0000"
        domain = portal_domain(u.portal) if u.portal else ""
        rows.append({
            "site_id": f"cn-{u.code}", "name": official_name(u, prefecture_names),
            "level": level_of(u), "division_code": u.code,
            "parent_id": f"cn-{parent}" if parent in codes else "",
            "listing_urls": "", "allowed_domains": domain, "platform": "", "verified": "0",
            "portal_url": u.portal, "valid_from": str(u.valid_from or ""),
            "valid_to": str(u.valid_to or ""), "successors": " ".join(u.successors),
            "province": u.province,
        })
    return rows


def merge_hand(rows: list[dict], hand_path: Path) -> list[dict]:
    """Hand rows replace the generated row of their division code (departments are added)."""
    # validated with its own file's line numbers; parents may be generated rows
    hand = load_sites(hand_path, other_ids=[r["site_id"] for r in rows])
    by_code = {r["division_code"]: r for r in rows}
    renamed: dict[str, str] = {}
    out_hand = []
    for s in hand:
        generated = by_code.get(s.division_code) if s.level != "department" else None
        if generated is not None:
            renamed[generated["site_id"]] = s.site_id
        base = generated or {}
        out_hand.append({
            "site_id": s.site_id, "name": s.name, "level": s.level,
            "division_code": s.division_code, "parent_id": s.parent_id or "",
            "listing_urls": " ".join(s.listing_urls), "allowed_domains": " ".join(s.allowed_domains),
            "platform": s.platform, "verified": "1" if s.verified else "0",
            "portal_url": s.portal_url or base.get("portal_url", ""),
            "valid_from": str(s.valid_from or base.get("valid_from", "")),
            "valid_to": str(s.valid_to or base.get("valid_to", "")),
            "successors": s.extra.get("successors") or base.get("successors", ""),
            "province": s.extra.get("province") or base.get("province", ""),
        })
        if out_hand[-1]["portal_url"] and not s.allows(out_hand[-1]["portal_url"]):
            out_hand[-1]["portal_url"] = ""  # a portal outside the hand-checked domains is not theirs
    replaced = set(renamed)
    merged = [r for r in rows if r["site_id"] not in replaced]
    for r in merged:
        r["parent_id"] = renamed.get(r["parent_id"], r["parent_id"])
    by_id = {r["site_id"]: r for r in out_hand}
    # Hand rows go where their generated row was, so the file stays in code order.
    result = []
    hand_by_code = {r["division_code"]: r for r in out_hand if r["level"] != "department"}
    for r in rows:
        if r["site_id"] in replaced:
            result.append(hand_by_code[r["division_code"]])
            result += [d for d in out_hand if d["level"] == "department"
                       and d["division_code"] == r["division_code"]]
        else:
            result.append(r)
    placed = {r["site_id"] for r in result}
    result += [r for r in out_hand if r["site_id"] not in placed]
    assert len(by_id) == len(out_hand)
    return result


def render(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def build(codes: Path, portals: Path, hand: Path | None) -> tuple[list[dict], list[str]]:
    units = apply_later_changes(merge_renames(read_codes(codes)))
    unmatched = attach_portals(units, read_portals(portals))
    rows = generated_rows(units)
    if hand is not None and hand.exists():
        rows = merge_hand(rows, hand)
    return rows, unmatched


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--codes", type=Path, default=SOURCES / "division_codes.csv")
    p.add_argument("--portals", type=Path, default=SOURCES / "portals.tsv")
    p.add_argument("--hand", type=Path, default=HAND)
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)
    rows, unmatched = build(args.codes, args.portals, args.hand)
    args.out.write_text(render(rows), encoding="utf-8")
    sites = load_sites(args.out)  # what we wrote must load
    no_portal = sum(1 for s in sites if not s.crawlable)
    print(f"{args.out}: {len(sites)} rows ({sum(1 for s in sites if s.valid_to is None)} units in use, "
          f"{no_portal} without a portal: attribution only)")
    if unmatched:
        print(f"{len(unmatched)} portal(s) matched no division code: {', '.join(unmatched)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
