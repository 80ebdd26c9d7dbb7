"""Find tables 二, 三 and 四 among a document's tables and map their cells to template ids by label.

Nothing here maps by position alone. Each table is resolved into a grid, classified by the labels it
contains, and consecutive fragments of one table (split over <table> elements or PDF pages) are
merged. Then:

- table 二 is read as a stream of rows: a 第二十条第（X）项 caption opens a block, a header row
  names the value columns, a data row is matched by its label (row labels are unique across
  blocks, so a block whose caption was lost on a page break is still found);
- table 三: value columns come from the header (bottom-most label of each column); each body row's
  label path (group > subgroup > item) is matched, tolerating numbering typos and truncated labels;
  empty label cells inherit from the row above (how PDF tables show vertical merges);
- table 四: leaf headers (结果维持 … 总计) under group headers (行政复议 / 未经复议直接起诉 / 复议后起诉),
  then the first non-empty row below the header.

Headerless continuation fragments inherit the previous fragment's column map when widths agree.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from govcrawl import templates
from govcrawl.extract import labels as L
from govcrawl.extract.grid import Grid, resolve
from govcrawl.extract.values import looks_numeric


@dataclass
class Found:
    raw: str
    row_label: str | None
    col_label: str | None


@dataclass
class Fragment:
    index: int  # position among the document's tables
    grid: Grid
    kind: str | None = None  # t2 | t3 | t4 | None


@dataclass
class Mapping:
    cells: dict[str, Found] = field(default_factory=dict)
    rows_found: set = field(default_factory=set)  # template-level keys: "t3.open", "t2.a20_1.rules", "t4.cases"
    cols_found: set = field(default_factory=set)  # "t3.person", "t2.a20_1.made_new", "t4.rev_total"
    used_tables: set = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)


# --- vocabularies derived from the templates -----------------------------------------------------

def _vocab():
    t2, t3, t4 = set(), set(), set()
    for v in templates.VERSIONS:
        t = templates.get(v)
        for b in t.table2:
            for c in b.columns:
                t2.update(L.key(x) for x in (c.label, *c.aliases))
            for r in b.rows:
                t2.update(L.key(x) for x in (r.label, *r.aliases))
        for r in t.t3_rows:
            if r.id != "handled_total":
                t3.update(L.core(x) for x in (r.label, *r.aliases))
        t3.update(L.core(lbl) for lbl, _a in t.t3_groups.values())
        t3.update(L.key(c.label) for c in t.t3_columns if c.id not in ("total", "org_other"))
    t2.add(L.key("信息内容"))
    t3.update({L.key("申请人情况"), L.key("法人或其他组织")})
    t4.update(L.key(x) for x in ("结果维持", "结果纠正", "其他结果", "尚未审结", *templates.T4_GROUPS))
    t3 -= t4
    return t2, t3, t4


_T2_KEYS, _T3_KEYS, _T4_KEYS = _vocab()
_CAPTION = re.compile(r"第二十条第?\(?([一二三四五六七八九十]+)\)?项")


def scores_of(grid: Grid) -> dict[str, int]:
    seen: set[str] = set()
    scores = {"t2": 0, "t3": 0, "t4": 0}
    for row in grid.rows[:80]:
        for text in row:
            if not text or text in seen:
                continue
            seen.add(text)
            k = L.key(text)
            if not k or looks_numeric(text):
                continue
            if "第二十条" in k or k in _T2_KEYS:
                scores["t2"] += 1
            c = L.core(text)
            if k in _T3_KEYS or c in _T3_KEYS or "勾稽关系" in k:
                scores["t3"] += 1
            if k in _T4_KEYS:
                scores["t4"] += 1
    return scores


def _numeric_row(row: list[str]) -> bool:
    vals = [t for t in row if t and t.strip()]
    return bool(vals) and sum(looks_numeric(t) for t in vals) >= max(1, len(vals) - 1)


def group_fragments(tables) -> tuple[dict[str, list[Fragment]], list[Fragment]]:
    """-> ({kind: fragments}, other fragments). Same-kind tables and headerless continuations merge."""
    by_kind: dict[str, list[Fragment]] = {}
    others: list[Fragment] = []
    prev: Fragment | None = None
    for i, table in enumerate(tables):
        grid = resolve(table)
        if not grid.rows:
            continue
        scores = scores_of(grid)
        best = max(scores, key=scores.get)
        frag = Fragment(i, grid, best if scores[best] >= 2 else None)
        if frag.kind is None and prev is not None and prev.kind and grid.width == prev.grid.width and (
                scores[prev.kind] >= 1 or all(_numeric_row(r) or not any(x.strip() for x in r) for r in grid.rows)):
            frag.kind = prev.kind  # a short continuation (a row or two, or bare numbers) of the previous table
        if frag.kind:
            by_kind.setdefault(frag.kind, []).append(frag)
        else:
            others.append(frag)
        prev = frag
    return by_kind, others


# --- template detection --------------------------------------------------------------------------

_MARKERS = {v: {L.key(x) for x in xs} for v, xs in templates.T2_VERSION_MARKERS.items()}
_OTHER_2021 = {L.core(r.label) for r in templates.get("2021").t3_rows if r.parent == "g_other"}


def detect_version(by_kind: dict[str, list[Fragment]]) -> tuple[str | None, dict[str, int]]:
    votes = {"2019": 0, "2021": 0}
    for frag in by_kind.get("t2", []):
        for text in {t for row in frag.grid.rows for t in row if t}:
            k = L.key(text)
            for v, keys in _MARKERS.items():
                if k in keys:
                    votes[v] += 1
    for frag in by_kind.get("t3", []):
        texts = {t for row in frag.grid.rows for t in row[:4] if t}
        cores = {L.core(t) for t in texts}
        if any(c in _OTHER_2021 for c in cores if c != "其他"):
            votes["2021"] += 2
    if votes["2019"] == votes["2021"]:
        return None, votes
    return max(votes, key=votes.get), votes


# --- helpers -------------------------------------------------------------------------------------

def _pick(grid: Grid, r: int, cols: list[int]) -> str:
    """The cell under a header spanning ``cols``: the first cell that starts inside the span."""
    for c in cols:
        if grid.origin[r][c]:
            return grid.rows[r][c]
    return grid.rows[r][cols[0]]


def _invert(colmap: dict[int, str]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for c in sorted(colmap):
        out.setdefault(colmap[c], []).append(c)
    return out


def _display(text: str | None) -> str | None:
    t = L.label_text(text)
    return t or None


# --- table 二 ------------------------------------------------------------------------------------

def map_t2(frags: list[Fragment], tpl: templates.Template, out: Mapping) -> None:
    blocks = {b.id: b for b in tpl.table2}
    caption_block = {L.numbering(b.caption.replace("第二十条第", "")) or b.id: b for b in tpl.table2}
    row_index = {}
    for b in tpl.table2:
        for r in b.rows:
            for lbl in (r.label, *r.aliases):
                row_index.setdefault(L.key(lbl), (b, r))
    block = None
    colmap: dict[int, str] | None = None
    col_text: dict[str, str] = {}
    for frag in frags:
        out.used_tables.add(frag.index)
        g = frag.grid
        for ri, row in enumerate(g.rows):
            keys = [L.key(t) for t in row]
            cap = next((m for m in (_CAPTION.search(k) for k in keys if k) if m), None)
            if cap:
                block = caption_block.get(cap.group(1))
                colmap = None
                continue
            # header row: cells naming value columns of the current block (or of any block)
            cand = [block] if block else list(blocks.values())
            hm: dict[int, str] = {}
            hb = None
            for b in cand:
                labels = {L.key(x): c.id for c in b.columns for x in (c.label, *c.aliases)}
                m = {ci: labels[k] for ci, k in enumerate(keys) if k in labels}
                if m:
                    hm, hb = m, b
                    break
            if hm:
                colmap, block = hm, hb
                col_text = {cid: _display(row[ci]) for ci, cid in sorted(hm.items(), reverse=True)}
                continue
            # data row: the first label that names a template row
            hit = next(((ci, row_index[k]) for ci, k in enumerate(keys) if k in row_index), None)
            if hit is None:
                if any(looks_numeric(t) for t in row):
                    label = next((t for t in row if t.strip() and not looks_numeric(t)), "")
                    out.warnings.append(f"table 二: unmatched row {L.collapse(label)!r}")
                continue
            ci, (b, r) = hit
            if block is None or block.id != b.id:
                block = b
                if colmap and not set(colmap.values()) <= {c.id for c in b.columns}:
                    colmap = None
            row_key = f"t2.{b.id}.{r.id}"
            if row_key in out.rows_found:
                out.warnings.append(f"table 二: duplicate row {r.label!r}; kept the first")
                continue
            out.rows_found.add(row_key)
            if not colmap:
                out.warnings.append(f"table 二: no column header for row {r.label!r}")
                continue
            for cid, cols in _invert(colmap).items():
                cols = [c for c in cols if c > ci] or cols
                out.cols_found.add(f"t2.{b.id}.{cid}")
                out.cells[f"{row_key}.{cid}"] = Found(_pick(g, ri, cols), _display(row[ci]), col_text.get(cid))


# --- table 三 ------------------------------------------------------------------------------------

def _t3_header(g: Grid, tpl: templates.Template, row_cores: set[str]) -> tuple[int, dict[int, str], dict[str, str]]:
    """-> (first body row, {grid col: column id}, {column id: header text})."""
    col_keys = {L.key(c.label): c.id for c in tpl.t3_columns}
    body = 0
    for ri, row in enumerate(g.rows[:12]):
        if any(L.core(t) in row_cores for t in row[:3] if t and not looks_numeric(t)):
            body = ri
            break
    else:
        body = 0 if not any(any(L.key(t) in col_keys for t in row) for row in g.rows[:6]) else \
            next((ri for ri, row in enumerate(g.rows) if _numeric_row(row[3:] or row)), len(g.rows))
    colmap: dict[int, str] = {}
    text: dict[str, str] = {}
    for c in range(g.width):
        for ri in range(body - 1, -1, -1):
            k = L.key(g.rows[ri][c])
            if k:
                if k in col_keys:
                    colmap[c] = col_keys[k]
                    text.setdefault(col_keys[k], _display(g.rows[ri][c]))
                break
    if len(set(colmap.values())) < 3:
        return body, {}, {}
    return body, colmap, text


def _t3_matcher(tpl: templates.Template):
    rows = list(tpl.t3_rows)
    group_core = {L.core(lbl): gid for gid, (lbl, _a) in tpl.t3_groups.items()}
    by_key: dict[str, list] = {}
    by_core: dict[str, list] = {}
    for r in rows:
        for lbl in (r.label, *r.aliases):
            by_key.setdefault(L.key(lbl), []).append(r)
            by_core.setdefault(L.core(lbl), []).append(r)
    children: dict[str, list] = {}
    for r in rows:
        if r.parent and r.parent != "g_results":
            children.setdefault(r.parent, []).append(r)

    def match(path: list[str]):
        """-> (Row | None, note). ``path`` is the row's distinct label texts, outermost first."""
        if not path:
            return None, None
        leaf = path[-1]
        groups = [group_core.get(L.core(p)) for p in path[:-1]]
        groups = [gid for gid in groups if gid]
        group = groups[-1] if groups else None
        lk, lc = L.key(leaf), L.core(leaf)
        if group_core.get(lc) in children:
            return None, f"group row {L.collapse(leaf)!r} has no sub-item label; its figures are not mapped"
        cands = by_key.get(lk) or by_core.get(lc)
        if not cands and len(lc) >= 2:
            cands = []
            for r in rows:
                for lbl in (r.label, *r.aliases):
                    rc = L.core(lbl)
                    truncated = len(lc) >= 4 and rc.startswith(lc)  # label cut short by the publisher
                    extended = len(rc) >= 4 and lc.startswith(rc)  # label with an added remark
                    if truncated or extended:
                        cands.append(r)
        if group:
            in_group = [r for r in (cands or []) if r.parent == group]
            if in_group:
                cands = in_group
            elif group in children:
                num = L.numbering(leaf)
                kids = children[group]
                if num and num.isdigit() and 1 <= int(num) <= len(kids):
                    return kids[int(num) - 1], None
                best = max(kids, key=lambda r: L.similar(lc, L.core(r.label)))
                if L.similar(lc, L.core(best.label)) >= 0.6:
                    return best, None
                cands = []
        if cands:
            uniq = list(dict.fromkeys(cands))
            if len(uniq) == 1:
                return uniq[0], None
            return None, f"ambiguous row {L.collapse(leaf)!r}"
        if len(lc) >= 4:
            best = max(rows, key=lambda r: L.similar(lc, L.core(r.label)))
            if L.similar(lc, L.core(best.label)) >= 0.75:
                return best, None
        return None, None

    return match


def map_t3(frags: list[Fragment], tpl: templates.Template, out: Mapping) -> None:
    row_cores = {L.core(r.label) for r in tpl.t3_rows} | {L.core(lbl) for lbl, _ in tpl.t3_groups.values()}
    match = _t3_matcher(tpl)
    colmap: dict[int, str] = {}
    col_text: dict[str, str] = {}
    width = 0
    carry: list[str] = []
    for frag in frags:
        out.used_tables.add(frag.index)
        g = frag.grid
        body, cm, ct = _t3_header(g, tpl, row_cores)
        if cm:
            colmap, col_text, width = cm, ct, g.width
        elif colmap and g.width != width:
            # a continuation with a different width: keep the header's columns, counted from the right
            shift = g.width - width
            colmap = {c + shift: cid for c, cid in colmap.items() if 0 <= c + shift < g.width}
            width = g.width
            out.warnings.append("table 三: continuation fragment of a different width; columns aligned from the right")
        if not colmap:
            out.warnings.append("table 三: no column header found")
            continue
        first_value = min(colmap)
        inv = _invert(colmap)
        if len(carry) != first_value:
            carry = [""] * first_value
        for ri in range(body, len(g.rows)):
            row = g.rows[ri]
            own = [row[c].strip() for c in range(first_value)]
            if not any(own) and not any(row[c].strip() for c in colmap):
                continue
            firstown = next((c for c, t in enumerate(own) if t), first_value)
            eff = [carry[c] if c < firstown else own[c] for c in range(first_value)]
            carry = eff
            path = []
            for t in eff:
                if t and (not path or L.key(path[-1]) != L.key(t)):
                    path.append(t)
            r, note = match(path)
            if r is None:
                if note:
                    figures = ", ".join(L.collapse(_pick(g, ri, cols)) or "blank" for cols in inv.values())
                    out.warnings.append(f"table 三: {note} (figures as printed: {figures})")
                elif any(row[c].strip() for c in colmap) and path:
                    out.warnings.append(f"table 三: unmatched row {L.collapse(path[-1])!r}")
                continue
            key = f"t3.{r.id}"
            if key in out.rows_found:
                out.warnings.append(f"table 三: duplicate row {r.label!r}; kept the first")
                continue
            out.rows_found.add(key)
            for cid, cols in inv.items():
                out.cols_found.add(f"t3.{cid}")
                out.cells[f"{key}.{cid}"] = Found(_pick(g, ri, cols), _display(path[-1]), col_text.get(cid))


# --- table 四 ------------------------------------------------------------------------------------

_T4_LEAF = {L.key(x): x for x in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")}
_T4_LEAF_ID = {"结果维持": "maintain", "结果纠正": "correct", "其他结果": "other", "尚未审结": "pending", "总计": "total"}
_T4_GROUP = {L.key("复议后起诉"): "lit_after_review", L.key("未经复议直接起诉"): "lit_direct",
             L.key("行政复议"): "rev"}
_T4_PRIORITY = ("lit_after_review", "lit_direct", "rev")


def _t4_header(g: Grid) -> tuple[int, dict[int, str], dict[str, str]]:
    labelled = [ri for ri, row in enumerate(g.rows) if any(L.key(t) in _T4_LEAF or L.key(t) in _T4_GROUP for t in row)]
    body = next((ri for ri, row in enumerate(g.rows)
                 if _numeric_row(row) and not any(L.key(t) in _T4_LEAF for t in row)),
                labelled[-1] + 1 if labelled else len(g.rows))
    colmap: dict[int, str] = {}
    text: dict[str, str] = {}
    for c in range(g.width):
        leaf = None
        for ri in range(body - 1, -1, -1):
            k = L.key(g.rows[ri][c])
            if k in _T4_LEAF:
                leaf = _T4_LEAF[k]
                leaf_text = g.rows[ri][c]
                break
        if not leaf:
            continue
        groups = set()
        for ri in range(body):
            for cc in range(c, -1, -1):  # nearest non-empty header cell at or left of c
                k = L.key(g.rows[ri][cc])
                if k:
                    if k in _T4_GROUP:
                        groups.add(_T4_GROUP[k])
                    break
        grp = next((p for p in _T4_PRIORITY if p in groups), None)
        if grp:
            cid = f"{grp}_{_T4_LEAF_ID[leaf]}"
            if cid not in colmap.values():
                colmap[c] = cid
                text[cid] = _display(leaf_text)
    return body, colmap, text


def map_t4(frags: list[Fragment], tpl: templates.Template, out: Mapping) -> None:
    colmap: dict[int, str] = {}
    col_text: dict[str, str] = {}
    for frag in frags:
        out.used_tables.add(frag.index)
        if "t4.cases" in out.rows_found:
            continue
        g = frag.grid
        body, cm, ct = _t4_header(g)
        if cm:
            colmap, col_text = cm, ct
        if not colmap:
            continue
        inv = _invert(colmap)
        # the first row with any figure; an all-blank row only when nothing else follows the header
        filled = [ri for ri in range(body, len(g.rows)) if any(g.rows[ri][c].strip() for c in colmap)]
        data_row = filled[0] if filled else (body if body < len(g.rows) else None)
        if data_row is not None:
            out.rows_found.add("t4.cases")
            for cid, cols in inv.items():
                out.cols_found.add(f"t4.{cid}")
                out.cells[f"t4.cases.{cid}"] = Found(_pick(g, data_row, cols), None, col_text.get(cid))
        if len(set(colmap.values())) < 15:
            out.warnings.append(f"table 四: only {len(set(colmap.values()))} of 15 columns found")


def map_all(by_kind: dict[str, list[Fragment]], version: str) -> Mapping:
    tpl = templates.get(version)
    out = Mapping()
    map_t2(by_kind.get("t2", []), tpl, out)
    map_t3(by_kind.get("t3", []), tpl, out)
    map_t4(by_kind.get("t4", []), tpl, out)
    return out
