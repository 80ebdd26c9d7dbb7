"""Tables read from text that lost its table structure: flattened web pages (one cell per line,
tabs), markdown pipe tables written by converters, PDF text layers without ruling lines, OCR text.

No grid can be trusted there, so the text is read as a stream of tokens — labels and figures — and
the figures are laid against the template's own row and column order: a row label the template
knows (matched by meaning, as in ``tables``) takes the figures that follow it, in column order.
A reading is accepted where the template's identities hold (row sums of table 三, the 总计 of each
table-四 group); a run of digits that lost its separators ("10203") is split only the ways those
identities allow. Cells whose reading the identities cannot confirm are named as uncertain.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from govcrawl import templates
from govcrawl.extract import labels as L
from govcrawl.extract import tables as T
from govcrawl.extract.tables import _T4_GROUP, _T4_LEAF, _T4_PRIORITY, Found, matcher_for
from govcrawl.extract.values import NULL_TOKENS, looks_numeric, parse

MAX_SPLITS = 5000  # digit-run splits tried per row, so a long run costs bounded time
MAX_RUN = 24  # a longer digit run is a phone or document number, not figures that lost their spaces

_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_SEP = re.compile(r"[\t|｜]+|\s{2,}|[\u3000]+")
# a figure written inside running text: 结果维持0件， / 总计20 — digits after a CJK character or a
# colon, ending at a unit, punctuation, a space or the end (never "1." numbering or a year)
_EMBEDDED = re.compile(r"(?<=[\u4e00-\u9fff）):：、，,”\"」])([+-]?\d[\d,]*(?:\.\d+)?)(万元|元|件|条|项|个)?"
                       r"(?=$|[，,。；;、\s]|[\u4e00-\u9fff（(])")
# PDF text layers glue a row's last figure, a character of a vertical header (三、本年度办理结果
# printed one character per line) and the next row's label into one run: "0度3.危及…", "258理5.属于…"
_LEADING_FIGURE = re.compile(r"^(\d[\d,]*(?:\.\d+)?)(?=[\u4e00-\u9fff]|、(?:[（(\d]|$))")
_STRAY_CHAR = re.compile(r"^[\u4e00-\u9fff、](?=\d{1,2}[.．、][\u4e00-\u9fff]|[（(][一二三四五六七八][）)])")


def _label_pieces(sub: str):
    """Split a label run into (text, is_value) pieces: glued leading figures and stray characters
    of vertical headers come off the front, figures written into the text come out of it."""
    while True:
        m = _LEADING_FIGURE.match(sub)
        if m and not (len(m.group(1)) == 4 and sub[m.end():m.end() + 1] == "年") and \
                sub[m.end():m.end() + 1] not in ("月", "日", "号"):
            yield m.group(1), True
            sub = sub[m.end():].lstrip("、")
            continue
        m = _STRAY_CHAR.match(sub)
        if m:
            yield m.group(0), False
            sub = sub[m.end():]
            continue
        break
    pos = 0
    for m in _EMBEDDED.finditer(sub):
        if m.start() > pos:
            yield sub[pos:m.start()], False
        yield m.group(0), True
        pos = m.end()
    if pos < len(sub):
        yield sub[pos:], False


@dataclass
class Tok:
    text: str
    value: bool  # a figure (or a null token such as '/' or '—') rather than a label


@dataclass
class StreamResult:
    cells: dict[str, Found] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)  # row/column key -> 0..1
    uncertain: list[str] = field(default_factory=list)  # cell ids the identities could not confirm
    warnings: list[str] = field(default_factory=list)
    kinds: set = field(default_factory=set)  # t2 | t3 | t4 read


def _is_value(piece: str) -> bool:
    if re.search(r"[\s\u00a0\u3000]", piece.strip()):
        return False  # several tokens ("— — —"): split first
    s = L.squash(piece)
    return looks_numeric(piece) or s in NULL_TOKENS or (bool(s) and s.strip("-—－/") == "")


def _pipe_cells(line: str) -> list[str] | None:
    """The cells of a pipe-table row ('| a | | 3 |'), empty ones kept; None for other lines."""
    t = line.strip()
    if not (t.startswith(("|", "｜")) and t.endswith(("|", "｜")) and len(t) > 1):
        return None
    return [c.strip(" \u00a0\u3000") for c in re.split(r"[|｜]", t[1:-1])]


def tokens(text: str) -> list[Tok]:
    """Labels and figures in reading order. In a pipe table an empty cell after the row's label is
    a blank figure (a blank is not a 0, and dropping it would shift the columns)."""
    out: list[Tok] = []
    for line in text.splitlines():
        if _MD_RULE.match(line):
            continue
        cells = _pipe_cells(line)
        if cells is not None:
            last_label = max((i for i, c in enumerate(cells) if c and not _is_value(c)), default=-1)
            if last_label >= 0 and len(cells) > last_label + 1:  # a label, then its cells (even all blank)
                for i, c in enumerate(cells):
                    if i > last_label and not c:
                        out.append(Tok("", True))
                    elif c:
                        out.extend(tokens(c))
                continue
        for piece in _SEP.split(line):
            piece = piece.strip(" \u00a0")
            if not piece:
                continue
            if _is_value(piece):
                out.append(Tok(piece, True))
                continue
            for sub in piece.split():
                if _is_value(sub):
                    out.append(Tok(sub, True))
                    continue
                out.extend(Tok(t, v) for t, v in _label_pieces(sub) if t)
    return out


# --- splitting runs of digits that lost their separators -----------------------------------------

def _splits(run: str, parts: int):
    """Ways to cut a digit run into ``parts`` numbers without leading zeros (a '0' stands alone),
    generated lazily and pruned as it goes, so the caller's budget bounds the work."""
    if parts == 1:
        if run == "0" or not run.startswith("0"):
            yield [run]
        return
    if len(run) < parts:
        return
    if run[0] == "0":
        for rest in _splits(run[1:], parts - 1):
            yield ["0", *rest]
        return
    for cut in range(1, len(run) - parts + 2):
        for rest in _splits(run[cut:], parts - 1):
            yield [run[:cut], *rest]


def resolve_figures(raw: list[str], want: int, ok) -> tuple[list[str] | None, bool]:
    """-> (figures, confirmed). ``raw`` figures as tokenised; ``ok(list[int|None]) -> bool`` is the
    identity test. When there are too few figures, the longest digit runs are split the ways that
    give ``want`` figures; a reading is confirmed only when ``ok`` holds and no other split does."""
    def ints(xs):
        return [parse(x).value for x in xs]
    if len(raw) >= want:
        got = raw[:want]
        return got, ok(ints(got))
    missing = want - len(raw)
    runs = [i for i, x in enumerate(raw) if re.fullmatch(r"\d{2,%d}" % MAX_RUN, L.squash(x))]
    if not runs:
        return None, False
    found: list[list[str]] = []
    tried = 0

    def rec(i: int, need: int, acc: list[str]) -> bool:
        """False once the budget is spent or the reading is known to be ambiguous."""
        nonlocal tried
        tried += 1
        if tried > MAX_SPLITS or len(found) > 1:
            return False
        if i == len(raw):
            if need == 0 and ok(ints(acc)):
                found.append(list(acc))
            return True
        x = L.squash(raw[i])
        if i in runs:
            for extra in range(0, min(need, len(x) - 1) + 1):
                for pieces in _splits(x, extra + 1):
                    if not rec(i + 1, need - extra, acc + pieces):
                        return False
            return True
        return rec(i + 1, need, acc + [raw[i]])
    finished = rec(0, missing, [])
    if len(found) == 1 and finished:
        return found[0], True
    return None, False


# --- the three tables -----------------------------------------------------------------------------

def _rowsum_ok(vals) -> bool:
    if any(v is None for v in vals):
        return True  # blanks: nothing to check
    return sum(vals[:-1]) == vals[-1]


def read_t3(toks: list[Tok], tpl: templates.Template, res: StreamResult) -> None:
    match = matcher_for(tpl.version)
    group_core = {L.core(lbl): gid for gid, (lbl, _a) in tpl.t3_groups.items()}
    cols = [c.id for c in tpl.t3_columns]
    entries: list[list] = []  # [row, label text, [figures], confidence, renumber warning]
    group_text = None
    for i, t in enumerate(toks):
        if t.value:
            if entries:
                entries[-1][2].append(t.text)
            continue
        c = L.core(t.text)
        if c in group_core:
            group_text = t.text if group_core[c] != "g_results" else None
            r0, _n, _c, _w = match([t.text])
            if r0 is None:  # a group without figures of its own ((六)其他处理 is a row in 2019)
                continue
        r, _note, conf, renum = match([t.text])
        if r is not None and r.parent not in (None, "g_results") and group_text:
            r2, _n2, conf2, renum2 = match([group_text, t.text])
            if r2 is not None:
                r, conf, renum = r2, conf2, renum2
        elif r is None and group_text:
            r, _note, conf, renum = match([group_text, t.text])
        if r is None:
            # an unreadable label followed by figures: a row, to be placed by its neighbours
            if i + 1 < len(toks) and toks[i + 1].value and len(L.key(t.text)) >= 2:
                entries.append([None, t.text, [], 0.0, None])
            continue
        if r.parent in (None, "g_results"):
            group_text = None
        entries.append([r, t.text, [], conf, renum])
    done: set[str] = set()
    found = StreamResult()
    unread: list[tuple] = []  # (index in entries, label, figures) of rows without a readable label
    for n, (r, label, figs, conf, renum) in enumerate(entries):
        figs = [f for f in figs if _count_like(f)]
        if r is None:
            if len(figs) >= len(cols):
                unread.append((n, label, figs))
            continue
        if not figs or r.id in done:
            continue
        figs, dropped = _skip_subtotal(figs, len(cols))
        if dropped:
            found.warnings.append("text table 三: a 法人或其他组织小计 column the template lacks was skipped")
        got, confirmed = resolve_figures(figs, len(cols), _rowsum_ok)
        if got is None:
            res.warnings.append(f"text table 三: row {L.collapse(label)!r} has {len(figs)} figures, "
                                f"expected {len(cols)}; not read")
            continue
        done.add(r.id)
        if renum:
            found.warnings.append(renum)
        found.confidence[f"t3.{r.id}"] = min(conf, 0.9 if confirmed else 0.5)
        for cid, raw in zip(cols, got):
            found.cells[f"t3.{r.id}.{cid}"] = Found(raw, L.label_text(label), None)
        if not confirmed:
            found.uncertain.extend(f"t3.{r.id}.{cid}" for cid in cols)
    if unread and done:
        _place_unread(entries, unread, tpl, cols, found, done)
    # a stray 其他 or 总计 in a page's chrome followed by phone numbers is not a table: a reading
    # counts only when several rows were found and most of them satisfy their row sums
    confirmed_rows = len(done) - len(found.uncertain) // len(cols)
    if len(done) >= 3 and confirmed_rows * 2 >= len(done):
        res.cells.update(found.cells)
        res.confidence.update(found.confidence)
        res.uncertain.extend(found.uncertain)
        res.warnings.extend(found.warnings)
        res.kinds.add("t3")
    elif done:
        res.warnings.append(f"text table 三: {len(done)} rows found in running text, {confirmed_rows} confirmed by "
                            f"their row sums: not read as a table")


def _skip_subtotal(figs: list[str], n: int) -> tuple[list[str], bool]:
    """One figure too many, the seventh being the sum of the five 法人或其他组织 columns before it:
    a subtotal column the template does not have."""
    if len(figs) != n + 1:
        return figs, False
    v = [parse(f).value for f in figs]
    if all(isinstance(x, int) for x in v) and v[6] == sum(v[1:6]) and sum(v[:6]) == v[7]:
        return figs[:6] + figs[7:], True
    return figs, False


def _place_unread(entries, unread, tpl, cols, found: StreamResult, done: set[str]) -> None:
    """Rows whose label the text lost take the one template place their neighbours leave free,
    when the identities confirm it (the same rule as for tables, ``tables._place_unread_rows``)."""
    m = T.Mapping(cells=dict(found.cells), rows_found={f"t3.{r}" for r in done})
    seq = []
    unread_at = {n: (label, figs) for n, label, figs in unread}
    for n, (r, _label, _figs, _c, _w) in enumerate(entries):
        if n in unread_at:
            label, figs = unread_at[n]
            seq.append((None, label, dict(zip(cols, figs[:len(cols)])), {}))
        elif r is not None and f"t3.{r.id}" in m.rows_found and (not seq or seq[-1][0] is not r):
            seq.append((r, None, None, None))
    T._place_unread_rows(seq, tpl, m)
    for key in m.rows_found - {f"t3.{r}" for r in done}:
        rid = key.split(".")[1]
        done.add(rid)
        found.confidence[key] = m.confidence.get(key, 0.6)
        for cid in cols:
            found.cells[f"{key}.{cid}"] = m.cells[f"{key}.{cid}"]
    found.warnings.extend(w.replace("table 三:", "text table 三:", 1) for w in m.warnings)


def _count_like(raw: str) -> bool:
    """A figure a table-三 cell can hold: a whole count (digits may have lost their separators) or a null mark."""
    v = parse(raw)
    return v.null_reason in ("blank", "not_applicable") or (isinstance(v.value, int) and v.value >= 0)


def _t4_words(text: str) -> tuple[str | None, str | None]:
    """(group, leaf) named anywhere inside a label token: '行政诉讼（复议后起诉）：结果维持'."""
    k = L.key(text)
    group = next((g for g in _T4_PRIORITY if any(w in k for w, gid in _T4_GROUP.items() if gid == g)), None)
    leaf, at = None, -1
    for w, lid in _T4_LEAF.items():
        i = k.rfind(w)
        if i > at or (i == at and i >= 0 and leaf and len(w) > 2):
            leaf, at = lid, i
    return group, leaf


def read_t4(toks: list[Tok], res: StreamResult) -> None:
    """Table 四 from text: figures named by the words before them (结果维持1件，…) when every one
    is, else the 15 figures after the first table-四 label, in template order."""
    start = next((i for i, t in enumerate(toks) if not t.value and any(_t4_words(t.text))), None)
    if start is None:
        return
    order = [f"{g}_{x}" for g in ("rev", "lit_direct", "lit_after_review")
             for x in ("maintain", "correct", "other", "pending", "total")]

    def ok(vals):
        for i in range(0, 15, 5):
            part = vals[i:i + 5]
            if all(v is not None for v in part) and sum(part[:4]) != part[4]:
                return False
        return True
    named: dict[str, str] = {}
    group = leaf = None
    figs: list[str] = []
    for t in toks[start:]:
        if t.value:
            figs.append(t.text)
            if group and leaf and f"{group}_{leaf}" not in named:
                named[f"{group}_{leaf}"] = t.text
            leaf = None
            continue
        g, lf = _t4_words(t.text)
        group = g or group
        leaf = lf
        if len(figs) >= 30:
            break
    if len(named) == 15 and ok([parse(named[c]).value for c in order]):
        got, confirmed = [named[c] for c in order], True
    else:
        if not figs:
            return
        filled = [f for f in figs if f.strip()]
        if len(figs) > 15 and len(filled) == 15:
            figs = filled  # empty cells of a layout (a group row with no sub-label), not blanks
        got, confirmed = resolve_figures(figs[:15], 15, ok)
    if got is None:
        res.warnings.append(f"text table 四: {len(figs)} figures where 15 are expected; not read")
        return
    for cid, raw in zip(order, got):
        res.cells[f"t4.cases.{cid}"] = Found(raw, None, None)
        res.confidence[f"t4.{cid}"] = 0.9 if confirmed else 0.5
    if not confirmed:
        res.uncertain.extend(f"t4.cases.{cid}" for cid in order)
    res.kinds.add("t4")


_CAPTION = re.compile(r"第二十条第?\(?([一二三四五六七八九十]+)\)?项")


def read_t2(toks: list[Tok], tpl: templates.Template, res: StreamResult) -> None:
    caption_block = {L.numbering(b.caption.replace("第二十条第", "")): b for b in tpl.table2}
    row_index = {}
    for b in tpl.table2:
        for r in b.rows:
            for lbl in (r.label, *r.aliases):
                row_index.setdefault(L.key(lbl), (b, r))
    block = None
    current = None  # (block, row, label, figures)
    rows: list = []
    for t in toks:
        if t.value:
            if current:
                current[3].append(t.text)
            continue
        k = L.key(t.text)
        m = _CAPTION.search(k)
        if m:
            block = caption_block.get(m.group(1))
            current = None
            continue
        hit = row_index.get(k)
        if hit:
            b, r = hit
            if block is not None and block.id != b.id and any(L.key(x.label) == k for x in block.rows):
                b = block
            current = (b, r, t.text, [])
            rows.append(current)
    for b, r, label, figs in rows:
        n = len(b.columns)
        if len(figs) < n:
            if figs:
                res.warnings.append(f"text table 二: row {L.collapse(label)!r} has {len(figs)} figures, expected {n}")
            continue
        for c, raw in zip(b.columns, figs[:n]):
            res.cells[f"t2.{b.id}.{r.id}.{c.id}"] = Found(raw, L.label_text(label), None)
        res.confidence[f"t2.{b.id}.{r.id}"] = 0.85
        res.kinds.add("t2")


def read_stream(texts: dict[str, str], tpl: templates.Template, want: set[str]) -> StreamResult:
    """``texts``: {'t2'|'t3'|'t4': the text where that table should be}; ``want``: the tables to read."""
    res = StreamResult()
    if "t2" in want and texts.get("t2"):
        read_t2(tokens(texts["t2"]), tpl, res)
    if "t3" in want and texts.get("t3"):
        read_t3(tokens(texts["t3"]), tpl, res)
    if "t4" in want and texts.get("t4"):
        read_t4(tokens(texts["t4"]), res)
    if res.uncertain:
        res.warnings.append(f"text tables: {len(res.uncertain)} cells read from text could not be confirmed by the "
                            f"identities: {', '.join(res.uncertain[:12])}" + (" …" if len(res.uncertain) > 12 else ""))
    return res


_T2_MARK = {v: {L.key(x) for x in xs} for v, xs in templates.T2_VERSION_MARKERS.items()}


def detect_version(text: str) -> str | None:
    """2019 or 2021 from the table-二 column names or table 三's （六）其他处理 sub-items in the text."""
    keys = {L.key(t.text) for t in tokens(text) if not t.value}
    votes = {v: len(keys & ks) for v, ks in _T2_MARK.items()}
    if any("逾期不补正" in k or "逾期未按收费通知" in k for k in keys):
        votes["2021"] += 2
    if votes["2019"] == votes["2021"]:
        return None
    return max(votes, key=votes.get)
