"""Evaluate the accounting identities of a template on one report's cells.

Pure functions: ``cells`` maps a cell id to its value (an int, a Decimal, or None) or to a cell dict
with a ``value`` key. A check fails when the report's own printed figures disagree; it is never
"repaired". A check is ``unknown`` when a needed cell is null, and for cross-year identities, which
need the previous year's report (``evaluate(..., prev=...)`` evaluates them when it is given).
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Iterable, Mapping

from govcrawl import templates

_TERM = re.compile(r"\s*([+-])?\s*(prev\(([\w.]+)\)|[\w.]+)")


def _parse_side(side: str) -> list[tuple[int, str, bool]]:
    """'a + prev(b) - c' -> [(+1, 'a', False), (+1, 'b', True), (-1, 'c', False)]."""
    out, pos = [], 0
    side = side.strip()
    while pos < len(side):
        m = _TERM.match(side, pos)
        if not m:
            raise ValueError(f"cannot parse expression side: {side!r}")
        sign = -1 if m.group(1) == "-" else 1
        if m.group(3):
            out.append((sign, m.group(3), True))
        else:
            out.append((sign, m.group(2), False))
        pos = m.end()
    return out


def parse(expr: str) -> tuple[list, str, list]:
    for op in ("==", "<="):
        if op in expr:
            left, right = expr.split(op)
            return _parse_side(left), op, _parse_side(right)
    raise ValueError(f"no comparison in {expr!r}")


def _value(cells: Mapping[str, Any] | None, cid: str):
    if cells is None:
        return None
    v = cells.get(cid)
    if isinstance(v, Mapping):
        v = v.get("value")
    if isinstance(v, str):
        try:
            v = Decimal(v)
        except Exception:
            return None
    return v


def _fmt(v) -> str:
    if isinstance(v, Decimal):
        return format(v.normalize(), "f")
    return str(v)


def evaluate_identity(identity, cells: Mapping[str, Any], prev: Mapping[str, Any] | None = None) -> dict:
    """One identity -> {id, kind, status, expr, detail}."""
    ident_id, kind, expr = identity.id, identity.kind, identity.expr
    left, op, right = parse(expr)
    result = {"id": ident_id, "kind": kind, "status": "unknown", "expr": expr, "detail": ""}
    if any(is_prev for _s, _c, is_prev in left + right) and prev is None:
        result["detail"] = "cross-year identity: needs the previous year's report of the same agency"
        return result
    missing, sides = [], []
    for terms in (left, right):
        vals = []
        for sign, cid, is_prev in terms:
            v = _value(prev if is_prev else cells, cid)
            if v is None:
                missing.append(f"prev({cid})" if is_prev else cid)
            vals.append((sign, v))
        sides.append(vals)
    if missing:
        result["detail"] = "null cells: " + ", ".join(missing)
        return result
    totals = [sum((s * v for s, v in vals), start=0) for vals in sides]
    ok = totals[0] == totals[1] if op == "==" else totals[0] <= totals[1]
    shown = [" ".join(("" if i == 0 and s > 0 else ("+ " if s > 0 else "- ")) + _fmt(v)
                      for i, (s, v) in enumerate(vals)).strip() for vals in sides]
    if ok:
        result["status"] = "pass"
        result["detail"] = f"{shown[0]} {op} {shown[1]}"
    else:
        result["status"] = "fail"
        neg = "!=" if op == "==" else ">"
        result["detail"] = f"{shown[0]} {neg} {shown[1]} ({_fmt(totals[0])} vs {_fmt(totals[1])})"
    return result


def evaluate(template: str, cells: Mapping[str, Any], *, prev: Mapping[str, Any] | None = None,
             kinds: Iterable[str] | None = None) -> list[dict]:
    """Every identity of ``template`` ('2019' | '2021'); [] for templates without identities."""
    if template not in templates.VERSIONS:
        return []
    wanted = set(kinds) if kinds is not None else None
    return [evaluate_identity(i, cells, prev) for i in templates.get(template).identities()
            if wanted is None or i.kind in wanted]


def failed(results: Iterable[dict]) -> list[str]:
    return [r["id"] for r in results if r["status"] == "fail"]
