"""Which agency published a report, and whether it is a government or one of its departments.

A registry row is a website, not an agency: a county portal's 年报 column lists the county
government's own report and every department's. The audit's deadline (条例 第49条: departments by
31 January, a government's own report by 31 March) and the year-to-year series both need the
agency named by the report itself, so these helpers read it from the report's title/agency field.
"""
from __future__ import annotations

import re

# A government's own report: 人民政府, 管委会 of a zone, or a bare place name (鹭湾区, 平潭综合实验区).
_GOVERNMENT = re.compile(r"(人民政府|政府|管理委员会|管委会|办事处|[省市区县旗州盟乡镇]|实验区|新区|开发区)$")
# A department: 局, 委员会/委, 办公室/办, 厅, 部, 中心, 院, 所, 署, 站, 队, 处.
_DEPARTMENT = re.compile(r"(局|委员会|委|办公室|办公厅|办|厅|部|中心|院|所|署|站|队|处|馆|会)$")
_SPACE = re.compile(r"\s+")


def agency_key(agency: str | None) -> str:
    """The agency's name as a comparison key: whitespace removed."""
    return _SPACE.sub("", agency or "")


def publisher_kind(agency: str | None, site_level: str | None) -> tuple[str, str]:
    """("department" | "government", why) for the 第49条 deadline.

    The report's own agency name decides (重庆市渝北区民政局 is a department even on a district
    portal); the registry level only when the name says nothing.
    """
    name = agency_key(agency)
    if name and _GOVERNMENT.search(name) and not name.endswith(("办公室", "办公厅")):
        return "government", f"agency {name}: a government's own report"
    if name and _DEPARTMENT.search(name):
        return "department", f"agency {name}: a department"
    if site_level == "department":
        return "department", "registry level department"
    return "government", f"registry level {site_level or '?'}"


def same_agency(keys: list[str], key: str) -> str:
    """``key``, or the already-known key one of them ends with (渝北区民政局 / 重庆市渝北区民政局)."""
    if len(key) >= 3:
        for k in sorted(keys, key=len, reverse=True):
            if len(k) >= 3 and (k.endswith(key) or key.endswith(k)):
                return k
    return key
