"""Find tables 二, 三 and 四 among a document's tables and map their cells to template ids by meaning.

Labels are compared in normal form (``labels.key``/``core``/``gist``: width, spacing, punctuation,
numbering, units and the vocabulary's same-meaning words erased), so 其它/其他, 合计/总计,
自然人（件）, 本年新收到…申请数 or traditional script name the same cell; each match carries a
confidence (official words 1.0, paraphrase 0.9, truncated 0.8, fuzzy lower, by place 0.6). Each
table is resolved into a grid, classified by the labels it contains, and consecutive fragments of
one table (split over <table> elements or PDF pages) are merged. Then:

- table 二 is read as a stream of rows: a 第二十条第（X）项 caption opens a block, a header row
  names the value columns, a data row is matched by its label; a block without a header row is
  read in the template's column order;
- table 三: value columns come from the header (bottom-most label of each column, or two header
  rows joined), else from the figures under them when the row sums confirm it; each body row's
  label path (group > subgroup > item) is matched by its words — a row numbered differently from
  its words is read by its words, with a warning — and a row whose label is unreadable takes the
  one template place its neighbours leave free when the identities confirm it;
- table 四: each figure is named by the labels above it and left of it, so the usual layout, the
  transposed one (groups as rows) and tables split into 行政复议 / 行政诉讼 parts read alike.

Headerless continuation fragments inherit the previous fragment's column map.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from govcrawl import checks, templates
from govcrawl import vocabulary as VOC
from govcrawl.extract import labels as L
from govcrawl.extract.grid import Grid, resolve
from govcrawl.extract.values import looks_numeric, parse


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
    confidence: dict = field(default_factory=dict)  # row/column key ("t3.open", "t3.person") -> 0..1
    low_confidence: set = field(default_factory=set)  # keys found by position, not by a label


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
    # the vocabulary's wordings count as evidence too (a table with paraphrased rows is still table 三)
    t3.update(L.core(x) for xs in VOC.T3_ROW_VARIANTS.values() for x in xs if len(L.core(x)) >= 4)
    t4.update(L.key(x) for xs in (*VOC.T4_GROUP_VARIANTS.values(), *VOC.T4_LEAF_VARIANTS.values())
              for x in xs if len(L.key(x)) >= 3)
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

def _t2_indexes(tpl: templates.Template):
    rows_by_key, rows_by_gist = {}, {}
    for b in tpl.table2:
        for r in b.rows:
            for lbl in (r.label, *r.aliases):
                rows_by_key.setdefault(L.key(lbl), (b, r))
                rows_by_gist.setdefault(L.gist(lbl), (b, r))
    return rows_by_key, rows_by_gist


def _t2_header(keys: list[str], texts: list[str], cand) -> tuple[dict[int, str], object, float]:
    """-> ({grid col: column id}, block, confidence): the official words first, then the gist."""
    for exact in (True, False):
        for b in cand:
            labels = {(L.key(x) if exact else L.gist(x)): c.id for c in b.columns for x in (c.label, *c.aliases)}
            m = {ci: labels[k] for ci, k in enumerate(keys if exact else [L.gist(t) if k else "" for t, k in
                                                                          zip(texts, keys)]) if k and k in labels}
            if m:
                return m, b, 1.0 if exact else 0.9
    return {}, None, 0.0


def map_t2(frags: list[Fragment], tpl: templates.Template, out: Mapping) -> None:
    blocks = {b.id: b for b in tpl.table2}
    caption_block = {L.numbering(b.caption.replace("第二十条第", "")) or b.id: b for b in tpl.table2}
    rows_by_key, rows_by_gist = _t2_indexes(tpl)
    block = None
    colmap: dict[int, str] | None = None
    col_text: dict[str, str] = {}
    col_conf = 1.0
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
            # data row: the first label that names a template row (its words, else its gist)
            hit = next(((ci, rows_by_key[k], 1.0) for ci, k in enumerate(keys) if k in rows_by_key), None) or \
                next(((ci, rows_by_gist[L.gist(t)], 0.9) for ci, t in enumerate(row)
                      if keys[ci] and not looks_numeric(t) and L.gist(t) in rows_by_gist), None)
            if hit is None:
                # header row: cells naming value columns of the current block (or of any block)
                hm, hb, conf = _t2_header(keys, row, [block] if block else list(blocks.values()))
                if hm:
                    colmap, block, col_conf = hm, hb, conf
                    col_text = {cid: _display(row[ci]) for ci, cid in sorted(hm.items(), reverse=True)}
                elif any(looks_numeric(t) for t in row):
                    label = next((t for t in row if t.strip() and not looks_numeric(t)), "")
                    out.warnings.append(f"table 二: unmatched row {L.collapse(label)!r}")
                continue
            ci, (b, r), row_conf = hit
            if block is None or block.id != b.id:
                block = b
                if colmap and not set(colmap.values()) <= {c.id for c in b.columns}:
                    colmap = None
            row_key = f"t2.{b.id}.{r.id}"
            if row_key in out.rows_found:
                out.warnings.append(f"table 二: duplicate row {r.label!r}; kept the first")
                continue
            out.rows_found.add(row_key)
            out.confidence[row_key] = row_conf
            cm, conf = colmap, col_conf
            if not cm:
                cm = _t2_columns_by_place(g, ri, ci, b)
                if not cm:
                    out.warnings.append(f"table 二: no column header for row {r.label!r}")
                    continue
                conf = 0.6
                out.warnings.append(f"table 二: no column header for row {r.label!r}; its figures read in the "
                                    f"template's column order ({', '.join(c.label for c in b.columns)})")
            for cid, cols in _invert(cm).items():
                cols = [c for c in cols if c > ci] or cols
                out.cols_found.add(f"t2.{b.id}.{cid}")
                out.confidence[f"t2.{b.id}.{cid}"] = min(conf, out.confidence.get(f"t2.{b.id}.{cid}", 1.0))
                out.cells[f"{row_key}.{cid}"] = Found(_pick(g, ri, cols), _display(row[ci]), col_text.get(cid)
                                                      if cm is colmap else None)


def _t2_columns_by_place(g: Grid, ri: int, ci: int, b) -> dict[int, str]:
    """A block whose header row is lost: the cells right of the row label, one per template column,
    when there are exactly as many as the block has columns."""
    starts = [c for c in range(ci + 1, g.width) if g.origin[ri][c]]
    if len(starts) != len(b.columns):
        return {}
    ends = starts[1:] + [g.width]
    out: dict[int, str] = {}
    for s_, e_, col in zip(starts, ends, b.columns):
        for c in range(s_, e_):
            out[c] = col.id
    return out


# --- table 三 ------------------------------------------------------------------------------------

def _t3_matcher(tpl: templates.Template):
    """-> match(path) -> (Row | None, note, confidence, renumbered warning | None)."""
    rows = list(tpl.t3_rows)
    group_core = {L.core(lbl): gid for gid, (lbl, _a) in tpl.t3_groups.items()}
    by_key: dict[str, list] = {}
    by_core: dict[str, list] = {}
    by_gist: dict[str, list] = {}
    for r in rows:
        for lbl in (r.label, *r.aliases, *VOC.T3_ROW_VARIANTS.get(r.id, ())):
            by_key.setdefault(L.key(lbl), []).append(r)
            by_core.setdefault(L.core(lbl), []).append(r)
            by_gist.setdefault(L.gist(lbl), []).append(r)
    children: dict[str, list] = {}
    for r in rows:
        if r.parent and r.parent != "g_results":
            children.setdefault(r.parent, []).append(r)
    number_of = {r.id: L.numbering(r.label) for r in rows}

    def words(leaf: str, group: str | None):
        lk, lc, lg = L.key(leaf), L.core(leaf), L.gist(leaf)
        for table, k, conf in ((by_key, lk, 1.0), (by_core, lc, 0.95), (by_gist, lg, 0.9)):
            cands = table.get(k)
            if cands:
                break
        else:
            cands, conf = [], 0.0
            if len(lc) >= 2:
                for r in rows:
                    for lbl in (r.label, *r.aliases):
                        rc = L.core(lbl)
                        truncated = len(lc) >= 4 and rc.startswith(lc)  # label cut short by the publisher
                        extended = len(rc) >= 4 and lc.startswith(rc)  # label with an added remark
                        if truncated or extended:
                            cands.append(r)
                            conf = 0.8
        if group:
            in_group = [r for r in cands if r.parent == group]
            if in_group:
                cands = in_group
            elif group in children:
                cands = []
        uniq = list(dict.fromkeys(cands))
        return uniq, conf

    memo: dict[tuple, tuple] = {}

    def match(path: list[str]):
        k = tuple(path)
        if k not in memo:
            if len(memo) > 20000:  # the matcher lives as long as the process: keep its memo bounded
                memo.clear()
            memo[k] = _match(path)
        return memo[k]

    def known(text: str) -> bool:
        """Cheap test (no fuzzy matching): does ``text`` name a template row by its words?"""
        return L.key(text) in by_key or L.core(text) in by_core or L.gist(text) in by_gist

    match.known = known

    def _match(path: list[str]):
        if not path:
            return None, None, 0.0, None
        leaf = path[-1]
        groups = [group_core.get(L.core(p)) for p in path[:-1]]
        groups = [gid for gid in groups if gid]
        group = groups[-1] if groups else None
        lc = L.core(leaf)
        if group_core.get(lc) in children:
            return None, f"group row {L.collapse(leaf)!r} has no sub-item label; its figures are not mapped", 0.0, None
        cands, conf = words(leaf, group)
        if len(cands) > 1:
            return None, f"ambiguous row {L.collapse(leaf)!r}", 0.0, None
        num = L.numbering(leaf)
        if cands:
            r = cands[0]
            renum = None
            want = number_of.get(r.id)
            if num and want and num != want:
                renum = (f"table 三: row {L.collapse(leaf)!r} is numbered {num} but its words are those of "
                         f"{r.label!r} (numbered {want}); read by its words, not its number")
            return r, None, conf, renum
        if group in children:
            kids = children[group]
            best = max(kids, key=lambda r: L.similar(L.gist(leaf), L.gist(r.label)))
            sim = L.similar(L.gist(leaf), L.gist(best.label))
            if sim >= 0.6:
                return best, None, round(0.9 * sim, 2), None
            if num and num.isdigit() and 1 <= int(num) <= len(kids):
                return kids[int(num) - 1], None, 0.6, None  # words unreadable: the number decides
            return None, None, 0.0, None
        lg = L.gist(leaf)
        if len(lg) >= 4:
            best = max(rows, key=lambda r: L.similar(lg, L.gist(r.label)))
            sim = L.similar(lg, L.gist(best.label))
            if sim >= 0.75:
                return best, None, round(0.85 * sim, 2), None
        return None, None, 0.0, None

    return match


def _t3_header(g: Grid, tpl: templates.Template, match) -> tuple[int, dict[int, str], dict[str, str]]:
    """-> (first body row, {grid col: column id}, {column id: header text}).

    The body starts at the first row that names a template row or carries figures; each column is
    named by its bottom-most header text. Columns the header does not name are found from the
    figures under them (see ``_t3_columns_by_figures``)."""
    col_keys = {L.key(c.label): c.id for c in tpl.t3_columns}
    group_cores = {L.core(lbl) for lbl, _a in tpl.t3_groups.values()}
    body = len(g.rows)
    for ri, row in enumerate(g.rows[:15]):
        nums = sum(1 for t in row if looks_numeric(t))
        named = any(L.core(t) in group_cores or match.known(t)
                    for t in row[:4] if t.strip() and not looks_numeric(t) and L.key(t) not in col_keys)
        if nums >= 2 or named:
            body = ri
            break
    colmap: dict[int, str] = {}
    text: dict[str, str] = {}
    for c in range(g.width):
        above = [g.rows[ri][c] for ri in range(body - 1, -1, -1) if L.key(g.rows[ri][c])]
        above = list(dict.fromkeys(above))  # a spanning cell repeats its text down the rows
        if not above:
            continue
        # the bottom-most header text, or a label broken over two header rows (商业 / 企业)
        for label in (above[0], *(above[1] + above[0] for _ in (0,) if len(above) > 1)):
            k = L.key(label)
            if k in col_keys and col_keys[k] not in text:
                colmap[c] = col_keys[k]
                text[col_keys[k]] = _display(label)
                break
    return body, colmap, text


def _t3_columns_by_figures(g: Grid, body: int, colmap: dict[int, str], tpl: templates.Template,
                           out: Mapping) -> dict[int, str]:
    """When the header names fewer than the 7 value columns, find them from the figures: the
    rightmost 7 columns holding numbers in the body, in template order, accepted only when the
    row sums (总计 = 自然人 + the five 法人或其他组织 columns) hold on the rows that are complete."""
    ids = [c.id for c in tpl.t3_columns]
    if len(set(colmap.values())) == len(ids):
        return colmap
    numeric = [c for c in range(g.width)
               if sum(1 for r in g.rows[body:] if looks_numeric(r[c])) >= max(2, (len(g.rows) - body) // 3)]
    if len(numeric) < len(ids):
        return colmap if len(set(colmap.values())) >= 3 else {}
    cols = numeric[-len(ids):]
    if colmap and any(colmap.get(c, cid) != cid for c, cid in zip(cols, ids)):
        return colmap  # the header says otherwise; trust it
    ok = bad = 0
    for r in g.rows[body:]:
        vals = [parse(r[c]).value for c in cols]
        if all(isinstance(v, int) for v in vals):
            if sum(vals[:-1]) == vals[-1]:
                ok += 1
            else:
                bad += 1
    if ok >= 2 and bad <= ok // 10:
        missing = [cid for cid in ids if cid not in colmap.values()]
        out.warnings.append(f"table 三: column header unreadable for {', '.join(missing)}; columns found from the "
                            f"figures (row sums hold on {ok} rows)")
        out.low_confidence.update(f"t3.{cid}" for cid in missing)
        return dict(zip(cols, ids))
    return colmap if len(set(colmap.values())) >= 3 else {}


@cache
def matcher_for(version: str):
    return _t3_matcher(templates.get(version))


def map_t3(frags: list[Fragment], tpl: templates.Template, out: Mapping) -> None:
    match = matcher_for(tpl.version)
    seq: list[tuple] = []  # rows in document order: (Row, …) or (None, label, figures, header texts)
    colmap: dict[int, str] = {}
    col_text: dict[str, str] = {}
    width = 0
    carry: list[str] = []
    for frag in frags:
        out.used_tables.add(frag.index)
        g = frag.grid
        body, cm, ct = _t3_header(g, tpl, match)
        if cm or not colmap:  # a headerless continuation inherits the columns of the fragment before
            cm = _t3_columns_by_figures(g, body, cm, tpl, out)
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
        subtotal = _subtotal_column(g, body, colmap)
        if len(carry) != first_value:
            carry = [""] * first_value
        for ri in range(body, len(g.rows)):
            row = g.rows[ri]
            # a row missing its leading merged cell (a table cut at a page break) is short: its
            # figures end at the row's own right edge, so read them from there
            short = g.width - g.row_width[ri] if g.row_width else 0
            if short and not any(looks_numeric(row[c]) for c in range(g.row_width[ri], g.width)):
                row = [""] * short + row[:g.row_width[ri]]
            own = [row[c].strip() for c in range(first_value)]
            if not any(own) and not any(row[c].strip() for c in colmap):
                continue
            firstown = next((c for c, t in enumerate(own) if t), first_value)
            eff = [carry[c] if c < firstown else own[c] for c in range(first_value)]
            carry = eff
            path = []
            for t in eff:
                if t and not looks_numeric(t) and (not path or L.key(path[-1]) != L.key(t)):
                    path.append(t)
            r, note, conf, renum = match(path)
            if r is None:
                if note:
                    figures = ", ".join(L.collapse(row[cols[0]]) or "blank" for cols in inv.values())
                    out.warnings.append(f"table 三: {note} (figures as printed: {figures})")
                elif any(row[c].strip() for c in colmap) and path:
                    figs = {cid: (row[cols[0]] if row is not g.rows[ri] else _pick(g, ri, cols))
                            for cid, cols in inv.items()}
                    seq.append((None, path[-1], figs, dict(col_text)))
                continue
            key = f"t3.{r.id}"
            if key in out.rows_found:
                out.warnings.append(f"table 三: duplicate row {r.label!r}; kept the first")
                continue
            seq.append((r, None, None, None))
            if renum:
                out.warnings.append(renum)
            out.rows_found.add(key)
            out.confidence[key] = conf
            if subtotal is not None:
                _check_subtotal(row, subtotal, inv, r, out)
            for cid, cols in inv.items():
                out.cols_found.add(f"t3.{cid}")
                raw = row[cols[0]] if row is not g.rows[ri] else _pick(g, ri, cols)
                out.cells[f"{key}.{cid}"] = Found(raw, _display(path[-1]), col_text.get(cid))


    _place_unread_rows(seq, tpl, out)


def _subtotal_column(g: Grid, body: int, colmap: dict[int, str]) -> int | None:
    """A 法人或其他组织 小计 column the template does not have (VARIANTS.md §3), if the table has one."""
    for c in range(g.width):
        if c in colmap:
            continue
        heads = [L.key(g.rows[ri][c]) for ri in range(body) if L.key(g.rows[ri][c])]
        if heads and heads[-1] == "小计":
            return c
    return None


def _check_subtotal(row: list[str], c: int, inv: dict[str, list[int]], r, out: Mapping) -> None:
    """The extra subtotal is not a template cell; check it against the five columns it sums."""
    sub = parse(row[c]).value
    parts = [parse(row[cols[0]]).value for cid, cols in inv.items() if cid.startswith("org_")]
    if isinstance(sub, int) and len(parts) == 5 and all(isinstance(x, int) for x in parts) and sub != sum(parts):
        out.warnings.append(f"table 三: row {r.label!r}: the publisher's 法人或其他组织小计 {sub} differs from "
                            f"the sum of its five columns ({sum(parts)})")


def _place_unread_rows(seq: list[tuple], tpl: templates.Template, out: Mapping) -> None:
    """A row whose label cannot be read takes the one template row its neighbours leave free
    (the rows before and after it were read and sit two places apart in the template), but only
    when the identities confirm it: its 总计 equals the sum of its parts and an identity across
    rows holds with it. Otherwise it is reported, not guessed."""
    order = [r.id for r in tpl.t3_rows]
    idents = [i for i in tpl.identities() if i.table == "table3" and i.kind in ("printed", "structural")]
    for i, (r, label, figs, col_text) in enumerate(seq):
        if r is not None:
            continue
        before = next((x[0] for x in reversed(seq[:i]) if x[0] is not None), None)
        after = next((x[0] for x in seq[i + 1:] if x[0] is not None), None)
        lo = order.index(before.id) if before else -1
        hi = order.index(after.id) if after else len(order)
        free = [rid for rid in order[lo + 1:hi] if f"t3.{rid}" not in out.rows_found]
        shown = L.collapse(label)
        if len(free) != 1 or hi - lo != 2:
            out.warnings.append(f"table 三: unmatched row {shown!r}")
            continue
        rid = free[0]
        trial = {k: parse(f.raw).value for k, f in out.cells.items() if k.startswith("t3.")}
        trial.update({f"t3.{rid}.{cid}": parse(raw).value for cid, raw in figs.items()})
        mine = [checks.evaluate_identity(x, trial) for x in idents if f"t3.{rid}." in x.expr]
        rowsum = [m for m in mine if m["id"] == f"t3_rowsum_{rid}"]
        across = [m for m in mine if m["id"] != f"t3_rowsum_{rid}"]
        if any(m["status"] == "fail" for m in rowsum) or not any(m["status"] == "pass" for m in across):
            out.warnings.append(f"table 三: unmatched row {shown!r}; its place suggests {rid} but the identities "
                                f"do not confirm it, so its figures are not mapped")
            continue
        passed = [m["id"] for m in across if m["status"] == "pass"]
        out.warnings.append(f"table 三: row label {shown!r} unreadable; read as {rid} by its place in the template "
                            f"order, confirmed by {len(passed)} identities ({', '.join(passed[:3])})")
        key = f"t3.{rid}"
        out.rows_found.add(key)
        out.confidence[key] = 0.6
        row = next(x for x in tpl.t3_rows if x.id == rid)
        for cid, raw in figs.items():
            out.cells[f"{key}.{cid}"] = Found(raw, _display(label) or row.label, col_text.get(cid))


# --- table 四 ------------------------------------------------------------------------------------

def _t4_vocab():
    leaf, group = {}, {}
    for lid, lbl in (("maintain", "结果维持"), ("correct", "结果纠正"), ("other", "其他结果"),
                     ("pending", "尚未审结"), ("total", "总计")):
        for x in (lbl, *VOC.T4_LEAF_VARIANTS.get(lid, ())):
            leaf[L.key(x)] = lid
    for gid, lbl in (("rev", "行政复议"), ("lit_direct", "未经复议直接起诉"), ("lit_after_review", "复议后起诉")):
        for x in (lbl, *VOC.T4_GROUP_VARIANTS.get(gid, ())):
            group[L.key(x)] = gid
    return leaf, group


_T4_LEAF, _T4_GROUP = _t4_vocab()
_T4_PRIORITY = ("lit_after_review", "lit_direct", "rev")


def _t4_label(text: str) -> tuple[str | None, str | None]:
    """-> (group id, leaf id) named by one header cell (either may be None)."""
    k = L.key(text)
    if not k:
        return None, None
    if k in _T4_LEAF:
        return None, _T4_LEAF[k]
    if k in _T4_GROUP:
        return _T4_GROUP[k], None
    c = L.core(text)
    return _T4_GROUP.get(c), _T4_LEAF.get(c)


def _value_like(text: str) -> bool:
    t = L.squash(text)
    return looks_numeric(text) or (bool(t) and t.strip("-—－/\\") == "")


def map_t4(frags: list[Fragment], tpl: templates.Template, out: Mapping) -> None:
    """Each value cell is named by the labels above it in its column and left of it in its row, so
    the usual layout (groups over leaves, one row of 15 figures), the transposed one (groups as
    rows) and tables split into 行政复议 / 行政诉讼 parts read alike. The first figure found for a
    cell wins (a trailing empty row cannot overwrite it)."""
    for frag in frags:
        out.used_tables.add(frag.index)
        g = frag.grid
        body_rows = [ri for ri, row in enumerate(g.rows) if any(_value_like(t) for t in row)]
        if not body_rows:
            # an unfilled form: the first row below the labels, all blank
            labelled = [ri for ri, row in enumerate(g.rows) if any(t.strip() for t in row)]
            if not labelled or labelled[-1] + 1 >= len(g.rows):
                continue
            body_rows = [labelled[-1] + 1]
        for ri in body_rows:
            row = g.rows[ri]
            left: list[tuple] = []
            for c, t in enumerate(row):
                if t.strip() and not _value_like(t):
                    left.append((*_t4_label(t), t))
                    continue
                above = [(*_t4_label(g.rows[r][c]), g.rows[r][c]) for r in range(ri - 1, -1, -1)
                         if g.rows[r][c].strip() and not _value_like(g.rows[r][c])]
                labels = above + left[::-1]  # nearest first
                grp = next((p for p in _T4_PRIORITY if p in {x for x, _y, _t in labels}), None)
                leaf = next(((y, t) for _x, y, t in labels if y), None)
                if not grp or not leaf:
                    continue
                cid = f"{grp}_{leaf[0]}"
                if f"t4.cases.{cid}" not in out.cells:
                    out.cells[f"t4.cases.{cid}"] = Found(t, None, _display(leaf[1]))
                    out.cols_found.add(f"t4.{cid}")
    if any(k.startswith("t4.cases.") for k in out.cells):
        out.rows_found.add("t4.cases")
        n = sum(1 for k in out.cells if k.startswith("t4.cases."))
        if n < 15:
            out.warnings.append(f"table 四: only {n} of 15 columns found")


def map_all(by_kind: dict[str, list[Fragment]], version: str) -> Mapping:
    tpl = templates.get(version)
    out = Mapping()
    map_t2(by_kind.get("t2", []), tpl, out)
    map_t3(by_kind.get("t3", []), tpl, out)
    map_t4(by_kind.get("t4", []), tpl, out)
    return out
