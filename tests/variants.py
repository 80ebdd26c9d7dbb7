"""Real-world wording and layout variants applied to a real report page (the mutation suite's tools).

Each variant takes a page's HTML text and returns the page as another publisher would have written
it: one wording or shape changed (VARIANTS.md §3–5 and issue 9's table). A variant edits the cells
of the parsed page with lxml and serialises it again, so the rest of the page is untouched. Every
variant reports how many places it changed: a variant that changed nothing proves nothing, and the
suite asserts it did something.
"""
from __future__ import annotations

import re

import lxml.html
from lxml import etree

# --- helpers --------------------------------------------------------------------------------------

_WS = re.compile(r"[\s\u00a0\u3000]+")


def _text(el) -> str:
    return _WS.sub("", el.text_content())


def _set(td, text: str) -> None:
    """Replace a cell's content by one paragraph of ``text`` (newlines become <br>)."""
    for child in list(td):
        td.remove(child)
    td.text = None
    p = etree.SubElement(td, "p")
    parts = text.split("\n")
    p.text = parts[0]
    for part in parts[1:]:
        br = etree.SubElement(p, "br")
        br.tail = part


def _kind(table) -> str | None:
    t = _text(table)
    if "第二十条" in t:
        return "t2"
    if "申请人情况" in t or "予以公开" in t:
        return "t3"
    if "复议后起诉" in t or "未经复议" in t:
        return "t4"
    return None


def _tables(root, kind):
    return [t for t in root.iter("table") if t.find(".//table") is None and _kind(t) == kind]


class Page:
    """A parsed page plus a change counter."""

    def __init__(self, html: str):
        self.root = lxml.html.document_fromstring(html)
        self.changes = 0

    def cells(self, kind=None):
        tables = [t for t in self.root.iter("table") if t.find(".//table") is None] if kind is None \
            else _tables(self.root, kind)
        for t in tables:
            yield from t.iter("td", "th")

    def edit(self, kind, fn) -> None:
        """fn(squashed cell text) -> new text or None (leave the cell)."""
        for td in list(self.cells(kind)):
            new = fn(_text(td))
            if new is not None and new != _text(td):
                _set(td, new)
                self.changes += 1

    def html(self) -> str:
        out = lxml.html.tostring(self.root, encoding="unicode", doctype="<!DOCTYPE html>")
        return re.sub(r"charset=[\w-]+", "charset=utf-8", out)


def _sub(kind, pattern, repl):
    rx = re.compile(pattern)

    def apply(html: str):
        p = Page(html)
        p.edit(kind, lambda t: rx.sub(repl, t) if rx.search(t) else None)
        return p.html(), p.changes
    return apply


def _exact(kind, mapping):
    def apply(html: str):
        p = Page(html)
        p.edit(kind, lambda t: mapping.get(t))
        return p.html(), p.changes
    return apply


# --- table shapes ---------------------------------------------------------------------------------

def _grid_values(table) -> list[list[str]]:
    return [[_WS.sub("", td.text_content()) for td in tr.iter("td", "th")] for tr in table.iter("tr")]


def _new_table(rows: list[list[str]]) -> etree._Element:
    t = etree.Element("table", border="1")
    body = etree.SubElement(t, "tbody")
    for r in rows:
        tr = etree.SubElement(body, "tr")
        for text in r:
            _set(etree.SubElement(tr, "td"), text)
    return t


def _t4_numbers(table) -> list[str]:
    """The 15 figures of table 四: the last row with figures."""
    rows = [r for r in _grid_values(table) if sum(bool(re.fullmatch(r"[\d/—-]*", c)) and c != "" for c in r) >= 10]
    return rows[0][-15:] if rows else []


def t4_transposed(html: str):
    """Table 四 with the three groups as rows and the five results as columns."""
    p = Page(html)
    for t in _tables(p.root, "t4"):
        n = _t4_numbers(t)
        if len(n) != 15:
            continue
        rows = [["", "", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
                ["行政复议", "", *n[0:5]],
                ["行政诉讼", "未经复议直接起诉", *n[5:10]],
                ["行政诉讼", "复议后起诉", *n[10:15]]]
        t.getparent().replace(t, _new_table(rows))
        p.changes += 1
    return p.html(), p.changes


def t4_split(html: str):
    """Table 四 printed as two tables: 行政复议, then 行政诉讼 (two header rows)."""
    p = Page(html)
    for t in _tables(p.root, "t4"):
        n = _t4_numbers(t)
        if len(n) != 15:
            continue
        leaves = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
        a = _new_table([["行政复议"] * 5, leaves, n[0:5]])
        b = _new_table([["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5, leaves + leaves, n[5:15]])
        parent = t.getparent()
        i = parent.index(t)
        parent.remove(t)
        cap = etree.Element("p")
        cap.text = "行政诉讼情况"
        parent.insert(i, b)
        parent.insert(i, cap)
        parent.insert(i, a)
        p.changes += 1
    return p.html(), p.changes


def t4_as_text(html: str):
    """Table 四 printed as lines of text instead of a table."""
    p = Page(html)
    for t in _tables(p.root, "t4"):
        n = _t4_numbers(t)
        if len(n) != 15:
            continue
        lines = [f"行政复议：结果维持{n[0]}件，结果纠正{n[1]}件，其他结果{n[2]}件，尚未审结{n[3]}件，总计{n[4]}件。",
                 f"行政诉讼（未经复议直接起诉）：结果维持{n[5]}件，结果纠正{n[6]}件，其他结果{n[7]}件，"
                 f"尚未审结{n[8]}件，总计{n[9]}件。",
                 f"行政诉讼（复议后起诉）：结果维持{n[10]}件，结果纠正{n[11]}件，其他结果{n[12]}件，"
                 f"尚未审结{n[13]}件，总计{n[14]}件。"]
        parent = t.getparent()
        i = parent.index(t)
        parent.remove(t)
        for line in reversed(lines):
            el = etree.Element("p")
            el.text = line
            parent.insert(i, el)
        p.changes += 1
    return p.html(), p.changes


def t3_split_repeated_header(html: str):
    """Table 三 cut in two at （四）无法提供, the header rows repeated on the second part."""
    p = Page(html)
    for t in _tables(p.root, "t3"):
        trs = [tr for tr in t.iter("tr")]
        cut = next((i for i, tr in enumerate(trs) if "无法提供" in _text(tr)), None)
        head = next((i for i, tr in enumerate(trs) if "本年新收" in _text(tr) or "本年新" in _text(tr)), None)
        if cut is None or head is None or cut <= head:
            continue
        import copy
        second = etree.Element("table", border="1")
        body = etree.SubElement(second, "tbody")
        for tr in trs[:head]:
            body.append(copy.deepcopy(tr))
        for tr in trs[cut:]:
            body.append(tr)  # moves the row
        # a vertical merged label that started above the cut lost its continuation: repeat the group
        parent = t.getparent()
        parent.insert(parent.index(t) + 1, second)
        p.changes += 1
    return p.html(), p.changes


def t3_blank_zeros(html: str):
    """Shanghai style: every 0 in table 三 left blank (a blank is not a 0)."""
    p = Page(html)
    p.edit("t3", lambda t: "" if t == "0" else None)
    return p.html(), p.changes


def _num_cells(kind, fn):
    def apply(html: str):
        p = Page(html)
        p.edit(kind, lambda t: fn(t) if re.fullmatch(r"\d+", t) else None)
        return p.html(), p.changes
    return apply


def t3_rows_renumbered(html: str):
    """（三）不予公开 items 2 and 3 printed in swapped order, their numbers following the new places:
    position and numbering now say 2 for the row whose words (and figures) are item 3's."""
    p = Page(html)
    for t in _tables(p.root, "t3"):
        trs = list(t.iter("tr"))
        a = next((tr for tr in trs if "法律行政法规禁止公开" in _text(tr)), None)
        b = next((tr for tr in trs if "三安全一稳定" in _text(tr)), None)
        if a is None or b is None or a.getparent() is not b.getparent() or len(a) != len(b):
            continue
        for tr, old, new in ((a, "2", "3"), (b, "3", "2")):
            for td in tr.iter("td", "th"):
                txt = _text(td)
                if re.match(rf"{old}[.．、]", txt):
                    _set(td, new + txt[1:])
                    p.changes += 1
        parent = a.getparent()
        ia = parent.index(a)
        parent.remove(b)
        parent.insert(ia, b)  # b now sits where a was, a follows it
    return p.html(), p.changes


def t3_header_split_rows(html: str):
    """The five 法人或其他组织 sub-headers broken over two header rows (商业 / 企业), as a narrow
    Word column prints them; the cells spanning the header grow by one row."""
    p = Page(html)
    for t in _tables(p.root, "t3"):
        trs = list(t.iter("tr"))
        sub = next((tr for tr in trs if "商业企业" in _text(tr) and "科研机构" in _text(tr)), None)
        if sub is None:
            continue
        tds = [td for td in sub if td.tag in ("td", "th")]
        if len(tds) != 5:
            continue
        new = etree.Element("tr")
        for td in tds:
            txt = _text(td)
            half = len(txt) // 2
            low = etree.SubElement(new, "td")
            _set(low, txt[half:])
            _set(td, txt[:half])
        sub.addnext(new)
        for tr in trs[:trs.index(sub) + 1]:  # everything spanning down to the sub-header row grows
            for td in tr.iter("td", "th"):
                rs = int(td.get("rowspan", "1") or 1)
                if trs.index(tr) + rs - 1 >= trs.index(sub) and td not in tds:
                    td.set("rowspan", str(rs + 1))
        p.changes += 1
    return p.html(), p.changes


def t3_org_subtotal_column(html: str):
    """A 法人或其他组织 小计 column the template does not have (some publishers and tools add one)."""
    p = Page(html)
    for t in _tables(p.root, "t3"):
        trs = list(t.iter("tr"))
        sub_row = next((tr for tr in trs if any(_text(td).startswith("法律服务") for td in tr)), None)
        if sub_row is None:
            continue
        for tr in trs:
            tds = [td for td in tr if td.tag in ("td", "th")]
            texts = [_text(td) for td in tds]
            if tr is sub_row:
                legal = next(i for i, x in enumerate(texts) if x.startswith("法律服务"))
                new = etree.Element("td")
                _set(new, "小计")
                tds[legal + 1].addnext(new)
                continue
            for td, txt in zip(tds, texts):
                if (txt.startswith("法人") or txt.startswith("申请人")) and td.get("colspan"):
                    td.set("colspan", str(int(td.get("colspan")) + 1))
            figs = [re.sub(r"件$", "", x) for x in texts[-7:]]
            if len(tds) >= 8 and all(re.fullmatch(r"\d*", x) for x in figs) and any(figs):
                new = etree.Element("td")
                _set(new, str(sum(int(x or 0) for x in figs[1:6])))
                tds[-1].addprevious(new)
        p.changes += 1
    return p.html(), p.changes


def traditional(html: str):
    """The whole page in traditional script, as some mirrors and Hong Kong-facing pages print it."""
    from govcrawl.vocabulary import TRADITIONAL
    to_trad = {}
    for t, simp in TRADITIONAL.items():
        to_trad.setdefault(ord(simp), chr(t))  # the first traditional form of each simplified character
    p = Page(html)
    for el in p.root.iter():
        for attr in ("text", "tail"):
            v = getattr(el, attr, None)
            if isinstance(el.tag, str) and v:
                new = v.translate(to_trad)
                if new != v:
                    setattr(el, attr, new)
                    p.changes += 1
    return p.html(), p.changes


def t2_header_rows_lost(html: str):
    """Table 二 without its 信息内容 header rows (lost at a page break or never typed)."""
    p = Page(html)
    for t in _tables(p.root, "t2"):
        for tr in list(t.iter("tr")):
            if _text(tr).startswith("信息内容"):
                tr.getparent().remove(tr)
                p.changes += 1
    return p.html(), p.changes


GARBLED = "□■"


def _garble(text: str) -> str:
    """OCR that lost a label's words but kept its numbering."""
    m = re.match(r"^(?:[一二三四]、|（[一二三四五六七]）|\d[.．、])", text)
    head = m.group(0) if m else ""
    return head + "".join(GARBLED[i % 2] for i in range(max(3, len(text) - len(head))))


def t3_row_labels_garbled(html: str):
    """Two row labels unreadable (OCR): their place in the template order, confirmed by the
    identities, must still name them."""
    p = Page(html)
    targets = ("保护第三方合法权益", "上年结转")
    p.edit("t3", lambda t: _garble(t) if any(x in t for x in targets) else None)
    return p.html(), p.changes


def t3_header_garbled(html: str):
    """Table 三's column headers unreadable: the value columns must be found from the figures."""
    p = Page(html)
    heads = {"自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计", "其它", "合计"}
    p.edit("t3", lambda t: _garble(t) if t in heads else None)
    return p.html(), p.changes


# --- the variants -----------------------------------------------------------------------------------

PARAPHRASE = {
    "一、本年新收政府信息公开申请数量": "一、本年新收到政府信息公开申请数",
    "二、上年结转政府信息公开申请数量": "二、上年结转申请数",
}

VARIANTS = {
    # issue 9's table
    "qita": _sub(None, "其他", "其它"),
    "heji": _sub(None, "总计", "合计"),
    "t3_header_units": _exact("t3", {"自然人": "自然人（件）", "总计": "总计（件）", "合计": "合计（件）"}),
    "t3_paraphrased_rows": _exact("t3", PARAPHRASE),
    "t4_transposed": t4_transposed,
    "t3_rows_renumbered": t3_rows_renumbered,
    # VARIANTS.md §3–5 and issue 9's item 1/3
    "t3_all_header_units_dan_wei": _sub("t3", r"^(自然人|商业企业|科研机构|社会公益组织|法律服务机构|其他|总计)$",
                                        r"\1（单位：件）"),
    "t3_paraphrased_rows_ben_nian_du": _exact("t3", {
        "一、本年新收政府信息公开申请数量": "一、本年度新收政府信息公开申请",
        "二、上年结转政府信息公开申请数量": "二、上年度结转政府信息公开申请数"}),
    "numbering_dropped": _sub("t3", r"^(?:[一二三四]、|（[一二三四五六七]）|\d\.)", ""),
    "numbering_half_width": _sub(None, r"（([一二三四五六七九])）", r"(\1)"),
    "normative_wording": _exact("t2", {"行政规范性文件": "规范性文件", "规范性文件": "行政规范性文件"}),
    "header_line_breaks": _exact(None, {"本年新制作数量": "本年新\n制作数量", "本年制发件数": "本年制发\n件数",
                                        "商业企业": "商业 企业", "科研机构": "科研\n机构",
                                        "社会公益组织": "社会公益\n组织", "法律服务机构": "法律服务\n机构"}),
    "partial_remark_dropped": _sub("t3", r"^（二）部分公开.*$", "（二）部分公开"),
    "quotes_straight": _sub("t3", "“三安全一稳定”", '"三安全一稳定"'),
    "quotes_single": _sub("t3", "“三安全一稳定”", "'三安全一稳定'"),
    "org_group_header": _exact("t3", {"法人或其他组织": "法人或者其他组织"}),
    "values_units_in_cells": _num_cells("t3", lambda t: t + "件"),
    "values_padding": _num_cells(None, lambda t: "\u00a0" + t + "\u3000\u3000"),
    "values_thousands": _num_cells(None, lambda t: f"{int(t):,}"),
    "t3_blank_zeros": t3_blank_zeros,
    "t3_slash_for_zero": _num_cells("t3", lambda t: "/" if t == "0" else None),
    "t4_dash_for_zero": _num_cells("t4", lambda t: "—" if t == "0" else None),
    "t3_split_repeated_header": t3_split_repeated_header,
    "t4_split": t4_split,
    "t4_as_text": t4_as_text,
    "t2_header_units": _sub("t2", r"^(本年新制作数量|本年新公开数量|对外公开总数量|本年制发件数|本年废止件数|现行有效件数|"
                                  r"处理决定数量|本年处理决定数量)$", r"\1（件）"),
    "t2_header_paraphrased": _exact("t2", {"本年制发件数": "本年制发数量", "本年废止件数": "本年废止数量",
                                          "现行有效件数": "现行有效数量", "本年新制作数量": "本年新制作件数",
                                          "本年新公开数量": "本年新公开件数", "对外公开总数量": "对外公开总数"}),
    "t2_header_rows_lost": t2_header_rows_lost,
    "t2_caption_plain": _sub("t2", r"^第二十条第（([一五六八九])）项$", r"第二十条第\1项"),
    "t3_org_subtotal_column": t3_org_subtotal_column,
    "traditional_script": traditional,
    "t3_header_split_rows": t3_header_split_rows,
    "t3_row_labels_garbled": t3_row_labels_garbled,
    "t3_header_garbled": t3_header_garbled,
}

# the issue's table: these must also hold all together
ISSUE_TABLE = ("qita", "heji", "t3_header_units", "t3_paraphrased_rows", "t4_transposed", "t3_rows_renumbered")


def apply(html: str, names) -> tuple[str, dict[str, int]]:
    changes = {}
    for n in names:
        html, changes[n] = VARIANTS[n](html)
    return html, changes


def expected_after(name: str, cells: dict) -> dict:
    """The reference cells as the variant leaves them (only blanks change a value)."""
    prefix = {"t3_blank_zeros": "t3.", "t3_slash_for_zero": "t3.", "t4_dash_for_zero": "t4."}.get(name)
    if prefix:
        return {k: (None if k.startswith(prefix) and v == 0 else v) for k, v in cells.items()}
    return dict(cells)


# --- the same page as text without table structure ------------------------------------------------

def as_text(html: str, style: str) -> str:
    """The report body as a converter would write it: ``pipe`` (markdown tables), ``spaces`` (a PDF
    text layer: cells of a row separated by spaces, merged cells printed once), ``lines`` (one cell
    per line, as a web page copied to text)."""
    root = lxml.html.document_fromstring(html)
    body = next(iter(root.xpath('//div[contains(@class, "TRS_Editor")]')), None)
    body = body if body is not None else root.find("body")
    out: list[str] = []
    for el in body.iter("p", "tr"):
        if el.tag == "p":
            if next(el.iterancestors("tr"), None) is None:
                text = _WS.sub(" ", el.text_content()).strip()
                if text:
                    out.append(text)
            continue
        cells = [_WS.sub(" ", td.text_content()).strip() for td in el if td.tag in ("td", "th")]
        if style == "pipe":
            out.append("| " + " | ".join(cells) + " |")
            if el.getprevious() is None:
                out.append("|" + "---|" * len(cells))
        elif style == "spaces":
            out.append("  ".join(c for c in cells if c))
        else:
            out.extend(cells)
            out.append("")
    return "\n".join(out) + "\n"
