"""HTML -> Document, with lxml as the fast path.

Steps: drop scripts/styles/comments; read <title> and <meta name=… content=…>; find the content
block (CMS editor divs first, then the element whose paragraphs and tables hold the most text);
walk it once, iteratively (no recursion, so deeply nested input cannot overflow the stack), turning
block elements into Paragraphs and data tables into Tables. Layout tables (a table holding other
tables, or a single cell) are walked through as containers. Inside cells, <br> and <p> boundaries
become newlines so that "本年新<br>制作数量" stays one label and Word's span soup collapses.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from govcrawl.extract.document import Cell, Document, Paragraph, Table
from govcrawl.extract.labels import collapse

MAX_TABLES = 300
MAX_CELLS_PER_TABLE = 20000
MAX_BLOCKS = 20000

# CMS content containers, most specific first (TRS, Hanweb, 大汉, Word-exported pages, generic)
_CONTENT_XPATHS = (
    '//div[contains(concat(" ", normalize-space(@class), " "), " TRS_Editor ")]',
    '//div[contains(@class, "TRS_Editor")]',
    '//*[contains(@class, "article_content")]',
    '//*[@id="zoom" or @id="Zoom" or @id="UCAP-CONTENT" or @id="js_content" or @id="content_text"]',
    '//*[contains(@class, "article-content") or contains(@class, "art_con") or contains(@class, "news_content")'
    ' or contains(@class, "xxgk_content") or contains(@class, "detail-content") or contains(@class, "zwgk_content")]',
    '//div[contains(@class, "WordSection1") or contains(@class, "Section1")]',
)
_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
               "section", "article", "blockquote", "pre", "center", "header", "footer", "form",
               "address", "hr", "tr", "caption", "body", "html", "main", "nav", "aside", "figure"}
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "select",
              "textarea", "button", "head")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def parse_tree(text: str):
    # control characters and lone surrogates are not allowed in lxml text nodes
    text = _CONTROL.sub("", _XML_DECL.sub("", text, count=1))
    if not text.strip():
        text = "<html></html>"
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html><body></body></html>")


# libxml2 stops building the tree at this depth (and drops the rest of the page) unless told not to
LXML_MAX_DEPTH = 255
_DEEP = "boolean(/" + "/".join(["*"] * (LXML_MAX_DEPTH - 5)) + ")"  # any element that deep: O(elements)


def lost_depth(root) -> bool:
    """True when the lxml tree reaches libxml2's depth limit: content past it was dropped."""
    return bool(root.xpath(_DEEP))


def soup_tree(text: str):
    """Parse with BeautifulSoup's own parser (no depth limit, its own repair of misnested markup)
    and build the same lxml element tree the rest of the reader walks — iteratively, so a page
    nested thousands deep costs neither a stack overflow nor lost content."""
    from bs4 import BeautifulSoup, Comment, Declaration, Doctype, ProcessingInstruction, Tag

    soup = BeautifulSoup(_CONTROL.sub("", text), "html.parser")
    root = lxml.html.Element("html")  # SubElements of an HtmlElement are HtmlElements too
    stack = [(soup, root)]
    skip = (Comment, Declaration, Doctype, ProcessingInstruction)
    while stack:
        src, dst = stack.pop()
        last = None
        children = []
        for child in src.contents:
            if isinstance(child, Tag):
                name = (child.name or "").lower().replace(":", "_")
                if name == "html":
                    children.append((child, dst))  # its children go straight under our root
                    continue
                if not _TAG_NAME.fullmatch(name):
                    name = "div"
                el = etree.SubElement(dst, name)
                for k, v in child.attrs.items():
                    if _ATTR_NAME.fullmatch(k or ""):
                        el.set(k, " ".join(v) if isinstance(v, list) else str(v))
                children.append((child, el))
                last = el
            elif not isinstance(child, skip):
                if last is None:
                    dst.text = (dst.text or "") + str(child)
                else:
                    last.tail = (last.tail or "") + str(child)
        stack.extend(reversed(children))
    if root.find(".//body") is None:  # the html/body shape the rest of the reader expects
        body = etree.SubElement(root, "body")
        for el in list(root)[:-1]:
            body.append(el)
        body.text, root.text = root.text, None
    return root


_TAG_NAME = re.compile(r"[a-z][a-z0-9_-]*")
_ATTR_NAME = re.compile(r"[A-Za-z_][\w.-]*")


def _meta(root) -> dict[str, str]:
    meta: dict[str, str] = {}
    for m in root.iter("meta"):
        name = m.get("name") or m.get("property") or m.get("http-equiv")
        content = m.get("content")
        if name and content is not None and name not in meta:
            meta[name.strip()] = content.strip()
    return meta


def _text_len(el) -> int:
    return sum(len(t.strip()) for t in el.itertext())


def _content_block(root):
    """The element holding the report body, or the <body> when nothing stands out."""
    for xp in _CONTENT_XPATHS:
        found = [el for el in root.xpath(xp) if _text_len(el) > 20]
        if found:
            return max(found, key=_text_len)
    # fallback: the parent that directly holds the most paragraph/table text
    score: dict = {}
    for el in root.iter("p", "table", "br"):
        parent = el.getparent()
        if parent is None:
            continue
        n = _text_len(el) if el.tag != "br" else len((el.tail or "").strip())
        score[parent] = score.get(parent, 0) + n
    if score:
        best = max(score, key=score.get)
        body = root.find("body")
        if body is not None and score[best] >= 0.3 * max(1, _text_len(body)):
            return best
    body = root.find("body")
    return body if body is not None else root


def _is_layout_table(table) -> bool:
    if table.find(".//table") is not None:
        return True
    cells = table.xpath("./tr/td|./tr/th|./*/tr/td|./*/tr/th")
    if len(cells) <= 1:
        return True
    return False


def _prepare_cells(root) -> None:
    """Make <br> and block boundaries inside elements visible as newlines in itertext()."""
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for el in root.iter("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6"):
        el.tail = "\n" + (el.tail or "")


def _cell_text(td) -> str:
    return "".join(t for t in td.itertext() if isinstance(t, str)).strip("\n")


def _span(v) -> int:
    if not v:
        return 1
    m = re.match(r"\s*(\d+)", str(v))
    n = int(m.group(1)) if m else 1
    return max(1, n)


def _table(el, warnings: list[str]) -> Table:
    rows: list[list[Cell]] = []
    ncells = 0
    for tr in el.iter("tr"):
        # only rows of this table, not of a nested one (layout tables are handled by the caller)
        row = []
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            row.append(Cell(_cell_text(td), _span(td.get("rowspan")), _span(td.get("colspan"))))
            ncells += 1
        rows.append(row)
        if ncells > MAX_CELLS_PER_TABLE:
            warnings.append(f"table truncated after {ncells} cells")
            break
    return Table(rows=rows, source="html")


def read_html(text: str, url: str | None = None, *, soup: bool = False) -> Document:
    """``soup=True`` reads the page with BeautifulSoup instead of libxml2 (the slow second look)."""
    root = soup_tree(text) if soup else parse_tree(text)
    doc = Document(format="html")
    meta = _meta(root)
    doc.meta = meta
    if not soup and lost_depth(root):
        doc.warnings.append(f"html: nested deeper than {LXML_MAX_DEPTH} elements; libxml2 dropped what follows")
        doc.meta["_lost_depth"] = "1"
    title_el = root.find(".//title")
    page_title = collapse(title_el.text_content()) if title_el is not None else ""
    doc.title = meta.get("ArticleTitle") or meta.get("articletitle") or page_title or None
    if page_title:
        doc.meta.setdefault("_page_title", page_title)
    drop = [el for el in root.iter(etree.Comment, etree.ProcessingInstruction, *_DROP_TAGS)]
    for el in drop:
        if el.getparent() is not None:
            el.drop_tree()
    if not any(k.lower() in ("pubdate", "publishdate", "firstpublishedtime") for k in meta):
        # dates printed in the page chrome ("发布时间：2021-01-13") are the next best evidence
        body = root.find("body")
        doc.meta["_pagetext"] = collapse((body if body is not None else root).text_content()[:20000])
    content = _content_block(root)
    # links with report-like titles anywhere on the page: evidence for listing pages
    doc.meta["_links"] = str(sum(1 for a in root.iter("a") if "报告" in (a.text_content() or "")))
    _prepare_cells(content)
    _walk(content, doc, url)
    if content.tag == "body" or content.tag == "html":
        doc.warnings.append("no content block found; used the whole page")
    return doc


def _walk(content, doc: Document, url: str | None) -> None:
    buf: list[str] = []
    blocks = doc.blocks
    ntables = 0

    def flush():
        if buf:
            text = collapse("".join(buf))
            buf.clear()
            if text and len(blocks) < MAX_BLOCKS:
                blocks.append(Paragraph(text))

    walker = etree.iterwalk(content, events=("start", "end"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if el is not content and tag in _BLOCK_TAGS:
                flush()
            if tag == "table":
                if _is_layout_table(el):
                    flush()
                else:
                    flush()
                    ntables += 1
                    if ntables <= MAX_TABLES:
                        blocks.append(_table(el, doc.warnings))
                    elif ntables == MAX_TABLES + 1:
                        doc.warnings.append(f"more than {MAX_TABLES} tables; the rest were skipped")
                    for img in el.iter("img"):
                        _add_image(doc, img, url)
                    walker.skip_subtree()
                    continue
            elif tag in ("td", "th"):
                flush()
            elif tag == "img":
                _add_image(doc, el, url)
            elif tag == "br":
                flush()
            if el.text and tag not in ("table", "tr", "tbody", "thead"):
                buf.append(el.text)
        else:
            if tag in _BLOCK_TAGS or tag in ("td", "th", "table"):
                flush()
            if el is not content and el.tail:
                buf.append(el.tail)
    flush()


def _add_image(doc: Document, img, url: str | None) -> None:
    src = img.get("src") or img.get("data-src") or img.get("original")
    if not src or src.startswith("data:"):
        return
    full = urljoin(url, src) if url else src
    if full not in doc.images:
        doc.images.append(full)
        doc.image_at[full] = len(doc.blocks)
