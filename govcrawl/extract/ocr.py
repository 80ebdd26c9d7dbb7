"""Local OCR for tables that are pictures: images and PDF pages without a text layer -> ``Document``.

Engine: RapidOCR's PP-OCRv4 Chinese recogniser on onnxruntime (``rapidocr-onnxruntime``, whose wheel
carries the models: nothing is downloaded, ever). Chosen over tesseract ``chi_sim`` by
measurement on the same pages, grid and crops (bench/ocr.py, jiangsu corpus at 300 dpi): 100 % of
the cells exact at 1.6 s CPU per page, against 74 % (the rest null) at 10.5 s for tesseract, which
also needs a Debian package. Only the recogniser runs: the page's text lines and table cells are
found here by cheap image geometry, which is faster than the detector network (12 s per page) and
keeps every reading tied to its table cell.

A page becomes blocks in reading order:

1. grey, deskewed (projection-profile search over ±3°), ink mask by adaptive threshold, specks removed;
2. ruled tables -> grid cells with spans (``imagetable.py``); each cell's text lines are cut by
   horizontal projection and recognised (vertical text in a narrow cell glyph by glyph);
3. the rest of the page -> text lines -> paragraphs.

Only pages that need it are read: PDF pages with a picture and no text layer (``read_pdf_pages``),
images attached or shown in a page whose own tables are not text.

Every OCR'd cell keeps its confidence (the least certain character). A figure the engine is unsure
of (below ``UNCERTAIN_BELOW``) is marked with ``values.OCR_UNCERTAIN`` so it becomes null with reason
``ocr_uncertain`` instead of a wrong number; ``settle_uncertain`` then lets the template's
identities accept a reading they confirm.
"""
from __future__ import annotations

import io
import re
import threading
import time
from decimal import Decimal
from pathlib import Path

import numpy as np

from govcrawl.extract.document import Cell, Document, Paragraph, Table
from govcrawl.extract.imagetable import char_height, find_tables
from govcrawl.extract.pdf import tidy, unreadable_error
from govcrawl.extract.values import OCR_CONFIDENCE, OCR_UNCERTAIN, looks_numeric

UNCERTAIN_BELOW = 0.92  # least-certain character of a figure; measured in bench/ocr.py
MAX_PIXELS = 40_000_000  # one image or rendered page
MAX_OCR_PAGES = 40
MAX_SCAN_PAGES = 200  # pages looked at for a missing text layer (the PDF reader's own cap)
MIN_TEXT_CHARS = 20  # fewer characters than this (a page number) is no text layer
MAX_SECONDS = 300.0
RENDER_DPI = 300

_lock = threading.Lock()
_engine = None


class OcrUnavailable(RuntimeError):
    """No OCR engine installed: the document is archived and recorded as 'needs OCR engine'."""


# --- the recogniser ---------------------------------------------------------------------------

class Recognizer:
    """PP-OCRv4 text-line recogniser with per-character probabilities (greedy CTC)."""

    def __init__(self) -> None:
        try:
            import rapidocr_onnxruntime
            from rapidocr_onnxruntime.utils import OrtInferSession, read_yaml
        except ImportError as exc:  # pragma: no cover - a dependency in pyproject.toml
            raise OcrUnavailable(f"rapidocr-onnxruntime is not installed: {exc}") from exc
        root = Path(rapidocr_onnxruntime.__file__).parent
        config = read_yaml(str(root / "config.yaml"))["Rec"]
        config["model_path"] = str(root / config["model_path"])
        config["intra_op_num_threads"] = 1  # one thread: no spinning pool burning a shared core
        config["inter_op_num_threads"] = 1
        self.session = OrtInferSession(config)
        self.chars = ["blank"] + self.session.get_character_list() + [" "]
        self.height = int(config["rec_img_shape"][1])

    def __call__(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Grey line images -> [(text, confidence of the least certain character)].

        One crop per run: onnxruntime re-plans for every new batch shape, and batches padded to
        their widest member cost more than they save (measured: 7 ms for a one-figure cell).
        """
        import cv2

        out = []
        for crop in crops:
            ratio = crop.shape[1] / max(1, crop.shape[0])
            width = max(8, int(np.ceil(self.height * ratio)))
            img = cv2.resize(crop, (width, self.height)).astype(np.float32) / 127.5 - 1.0
            probs = self.session(img.transpose(2, 0, 1)[None])[0]
            out.append(self._decode(probs[0]))
        return out

    def _decode(self, probs: np.ndarray) -> tuple[str, float]:
        index = probs.argmax(axis=1)
        best = probs.max(axis=1)
        text, confs, prev = [], [], 0
        for t, ci in enumerate(index):
            if ci != 0 and ci != prev and ci < len(self.chars):
                text.append(self.chars[ci])
                confs.append(float(best[t]))
            prev = ci
        return "".join(text), (min(confs) if confs else 0.0)


def engine() -> Recognizer:
    global _engine
    with _lock:
        if _engine is None:
            _engine = Recognizer()
        return _engine


# --- entry points -----------------------------------------------------------------------------

def read_image(data: bytes) -> Document:
    """An image file (PNG, JPEG, …) -> Document."""
    doc = Document(format="image", reader="image-ocr")
    gray = _decode_image(data)
    doc.blocks = page_blocks(gray, "image")
    if not doc.blocks:
        raise unreadable_error()("image: no text found by OCR")
    doc.warnings.append("ocr: cells read by OCR (image-ocr)")
    return doc


def read_pdf_pages(doc: Document, data: bytes) -> None:
    """OCR the pages of a PDF that carry a picture but no text layer.

    A scanned PDF (no text at all) becomes the OCR'd pages; a text PDF with some pages pasted in
    as pictures (tables screenshotted into the Word file) gets those pages' blocks inserted
    before the first table of a later page. Returns the number of pages read by OCR.
    """
    try:
        import pypdfium2 as pdfium
    except ImportError as exc:  # pragma: no cover - installed with pdfplumber
        doc.warnings.append(f"pdf: no text layer and no renderer for OCR: {exc}")
        return 0
    try:
        pdf = pdfium.PdfDocument(data)
    except Exception as exc:  # pdfium's own error type varies by version
        doc.warnings.append(f"pdf: cannot render for OCR: {exc}"[:300])
        return 0
    started = time.monotonic()
    found: list[tuple[int, list]] = []
    ocr_pages = 0
    try:
        for number in range(min(len(pdf), MAX_SCAN_PAGES)):
            page = pdf[number]
            try:
                if not _has_image(page) or (doc.blocks and _text_chars(page) >= MIN_TEXT_CHARS):
                    continue
                if ocr_pages >= MAX_OCR_PAGES or time.monotonic() - started > MAX_SECONDS:
                    doc.warnings.append(f"ocr: stopped before page {number + 1} (cap of {MAX_OCR_PAGES} pages "
                                        f"or {MAX_SECONDS:.0f}s)")
                    break
                ocr_pages += 1
                width, height = page.get_size()
                scale = min(RENDER_DPI / 72, (MAX_PIXELS / max(1.0, width * height)) ** 0.5)
                gray = np.asarray(page.render(scale=scale, grayscale=True).to_pil().convert("L"))
                found.append((number + 1, page_blocks(gray, f"pdf-ocr:p{number + 1}")))
            except OcrUnavailable as exc:
                doc.warnings.append(f"pdf: page images not read; needs OCR engine ({exc})")
                return 0
            except Exception as exc:  # one bad page must not lose the others
                doc.warnings.append(f"ocr: page {number + 1} failed: {type(exc).__name__}: {exc}"[:300])
            finally:
                page.close()
    finally:
        pdf.close()
    if not any(blocks for _n, blocks in found):
        return 0
    if not doc.blocks:
        doc.blocks = [b for _n, blocks in found for b in blocks]
        doc.warnings = [w for w in doc.warnings if "no text layer" not in w]
    else:
        for number, blocks in reversed(found):
            at = next((i for i, b in enumerate(doc.blocks) if isinstance(b, Table) and _page_of(b) > number),
                      len(doc.blocks))
            doc.blocks[at:at] = blocks
    pages = ", ".join(str(n) for n, _b in found)
    doc.warnings.append(f"ocr: page(s) {pages} without a text layer read by OCR (pdf-ocr)")
    return len(found)


def _page_of(table: Table) -> int:
    m = re.search(r"p(\d+)$", table.source or "")
    return int(m.group(1)) if m else 0


def _text_chars(page) -> int:
    try:
        textpage = page.get_textpage()
        try:
            return len(textpage.get_text_range().strip())
        finally:
            textpage.close()
    except Exception:
        return MIN_TEXT_CHARS


def _has_image(page) -> bool:
    import pypdfium2.raw as raw

    try:
        for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2):
            return True
    except Exception:
        return True
    return False


def _decode_image(data: bytes) -> np.ndarray:
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        img = Image.open(io.BytesIO(data))
        if img.width * img.height > MAX_PIXELS:
            raise unreadable_error()(f"image: {img.width}x{img.height} pixels exceeds the {MAX_PIXELS} cap")
        img = ImageOps.exif_transpose(img)
        if img.mode in ("RGBA", "LA", "P"):
            img = img.convert("RGBA")
            white = Image.new("RGBA", img.size, (255, 255, 255, 255))
            img = Image.alpha_composite(white, img)
        return np.asarray(img.convert("L"))
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise unreadable_error()(f"image: cannot decode: {exc}"[:300]) from exc


# --- one page ---------------------------------------------------------------------------------

def page_blocks(gray: np.ndarray, source: str) -> list:
    """A grey page image -> [Paragraph | Table] in reading order."""
    import cv2

    if gray.size == 0:
        return []
    if gray.shape[1] < 1200:  # screenshots at screen resolution: glyphs need a few more pixels
        scale = min(3.0, 1600 / gray.shape[1])
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    gray = deskew(gray)
    raw = ink_mask(gray)
    h = char_height(raw)
    ink = despeckle(raw, h)  # for finding rules and lines; the crops keep every dot (decimal points)
    rec = engine()
    tables = find_tables(ink, h)
    page = _Page(gray, raw, ink, h)
    # rules are not text: blank them out before cutting lines
    rules = np.zeros_like(ink)
    for layout in tables:
        for x0, y0, x1, y1 in layout.rules:
            rules[y0:y1, x0:x1] = raw[y0:y1, x0:x1]
    grow = max(5, int(0.2 * h)) | 1  # a rule's anti-aliased edge and the deskew's residue go too
    rules = cv2.dilate(rules, np.ones((grow, grow), np.uint8))
    page.ink = cv2.bitwise_and(ink, cv2.bitwise_not(rules))
    page.raw = cv2.bitwise_and(raw, cv2.bitwise_not(rules))
    text_ink = page.ink

    jobs: list[tuple[object, np.ndarray]] = []  # (owner, crop): every line image of the page, read in one go
    items: list[tuple[int, object]] = []
    pad = max(3, int(0.15 * h))
    for t, layout in enumerate(tables):
        for key, gc in enumerate(layout.cells):
            x0, y0, x1, y1 = gc.box
            for crop in _line_crops(page, (x0 + pad, y0 + pad, x1 - pad, y1 - pad)):
                jobs.append(((t, key), crop))
    mask = np.zeros_like(text_ink)
    for layout in tables:
        x0, y0, x1, y1 = layout.box
        mask[max(0, y0 - 2):y1 + 3, max(0, x0 - 2):x1 + 3] = 255
    free = cv2.bitwise_and(text_ink, cv2.bitwise_not(mask))
    lines = _text_lines(free, h)
    for n, (x0, y0, x1, y1) in enumerate(lines):
        jobs.append((("line", n), page.crop(x0, y0, x1, y1)))
    readings = rec([_rgb(c) for _, c in jobs]) if jobs else []
    by_owner: dict[object, list[tuple[str, float]]] = {}
    for (owner, _crop), reading in zip(jobs, readings):
        by_owner.setdefault(owner, []).append(reading)
    for t, layout in enumerate(tables):
        rows: list[list[Cell]] = [[] for _ in range(len(layout.ys) - 1)]
        for key, gc in enumerate(layout.cells):  # in (row, column) order: HTML semantics for spans
            parts = by_owner.get((t, key), [])
            glue = "" if gc.box[2] - gc.box[0] < 2.2 * h and len(parts) > 2 else "\n"
            text = glue.join(tidy(t) for t, _ in parts if tidy(t))
            conf = min((c for t, c in parts if tidy(t)), default=None)
            rows[gc.row].append(_cell(text, conf, gc.rowspan, gc.colspan))
        items.append((layout.box[1], Table(rows=rows, source=source)))
    for n, box in enumerate(lines):
        text, conf = (by_owner.get(("line", n)) or [("", 0.0)])[0]
        text = tidy(text)
        if text and conf >= 0.3:
            items.append((box[1], _Line(text, box)))
    items.sort(key=lambda it: it[0])
    return _paragraphs(items, gray.shape[1], h)


_EDGE_MARKS = r"[\s.·:：;；'\"`,，。、…‘’“”_]*"
_FIGURE_IN_NOISE = re.compile(rf"{_EDGE_MARKS}(\d[\d,]*(?:\.\d+)?){_EDGE_MARKS}")


def _cell(text: str, conf: float | None, rowspan: int, colspan: int) -> Cell:
    """The uncertainty rule: a figure read with low confidence, or with stray marks around it (specks
    a scan turns into dots and quotes), is marked uncertain, never passed on as sure."""
    if text and not looks_numeric(text):
        m = _FIGURE_IN_NOISE.fullmatch(text)
        if m:
            text, conf = m.group(1), min(conf or 0.0, UNCERTAIN_BELOW / 2)
    if text and conf is not None and looks_numeric(text):
        if conf < UNCERTAIN_BELOW:
            text = OCR_UNCERTAIN + text
        text += f"{OCR_CONFIDENCE}{conf:.4f}"  # travels with the figure to its template cell
    return Cell(text, rowspan, colspan, confidence=None if conf is None else round(conf, 4))


class _Line:
    def __init__(self, text: str, box):
        self.text, self.box = text, box


_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\))")


def _paragraphs(items, page_width: int, h: float) -> list:
    """Lines -> paragraphs: a new one at a heading, an indent, or after a short line."""
    blocks: list = []
    lefts = [it.box[0] for _, it in items if isinstance(it, _Line)]
    rights = [it.box[2] for _, it in items if isinstance(it, _Line)]
    left = float(np.percentile(lefts, 10)) if lefts else 0.0  # robust to a stray mark in the margin
    right = float(np.percentile(rights, 90)) if rights else float(page_width)
    current: list[str] = []
    prev: _Line | None = None
    for _, it in items:
        if isinstance(it, Table):
            if current:
                blocks.append(Paragraph("".join(current)))
                current = []
            blocks.append(it)
            prev = None
            continue
        starts_new = (prev is None or _HEADING.match(it.text) or it.box[0] > left + 1.5 * h
                      or prev.box[2] < right - 2 * h or it.box[1] - prev.box[3] > 1.2 * h)
        if starts_new and current:
            blocks.append(Paragraph("".join(current)))
            current = []
        current.append(it.text)
        prev = it
    if current:
        blocks.append(Paragraph("".join(current)))
    return blocks


# --- image preparation ------------------------------------------------------------------------

def deskew(gray: np.ndarray) -> np.ndarray:
    """Rotate by the angle (±3°) that makes text rows and rules most horizontal."""
    import cv2

    small_scale = 800 / max(gray.shape)
    small = cv2.resize(gray, None, fx=small_scale, fy=small_scale, interpolation=cv2.INTER_AREA)
    ink = (small < np.percentile(small, 50) - 40).astype(np.float32)
    if ink.sum() < 50:
        return gray
    centre = (small.shape[1] / 2, small.shape[0] / 2)

    def score(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rotated = cv2.warpAffine(ink, m, (small.shape[1], small.shape[0]))
        return float(np.var(rotated.sum(axis=1)))

    best = max(np.arange(-3.0, 3.01, 0.5), key=score)
    best = max(np.arange(best - 0.5, best + 0.51, 0.1), key=score)
    if abs(best) < 0.05:
        return gray
    m = cv2.getRotationMatrix2D((gray.shape[1] / 2, gray.shape[0] / 2), float(best), 1.0)
    return cv2.warpAffine(gray, m, (gray.shape[1], gray.shape[0]), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Dark-on-light ink as 255, tolerant of grey paper and speckle noise."""
    import cv2

    blurred = cv2.GaussianBlur(gray, (3, 3), 0)
    block = max(15, (min(gray.shape) // 40) | 1)
    ink = cv2.adaptiveThreshold(blurred, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 18)
    return ink


def despeckle(ink: np.ndarray, h: float) -> np.ndarray:
    """Drop isolated specks (scanner noise) smaller than a fifth of a glyph in both directions."""
    import cv2

    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    limit = max(3, int(0.2 * h))
    small = (stats[:, cv2.CC_STAT_WIDTH] <= limit) & (stats[:, cv2.CC_STAT_HEIGHT] <= limit)
    small[0] = False
    lut = np.where(small, 0, 255).astype(np.uint8)
    lut[0] = 0  # background
    return lut[labels]


def _rgb(crop: np.ndarray) -> np.ndarray:
    import cv2

    pad = max(4, crop.shape[0] // 6)
    crop = cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
    return cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR)


def _bands(profile: np.ndarray, h: float, min_gap: float) -> list[tuple[int, int]]:
    """Runs of rows with ink, joined across gaps smaller than ``min_gap``."""
    rows = np.flatnonzero(profile)
    if rows.size == 0:
        return []
    bands = []
    start = prev = int(rows[0])
    for r in rows[1:]:
        r = int(r)
        if r - prev > min_gap:
            bands.append((start, prev + 1))
            start = r
        prev = r
    bands.append((start, prev + 1))
    return bands


class _Page:
    """A prepared page: grey image, raw ink, despeckled ink, glyph height."""

    def __init__(self, gray: np.ndarray, raw: np.ndarray, ink: np.ndarray, h: float):
        self.gray, self.raw, self.ink, self.h = gray, raw, ink, h

    def crop(self, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
        """The text in a box on white: glyph ink, plus small marks only *between* glyphs (a decimal
        point survives, scanner specks at the edges of a figure do not)."""
        import cv2

        keep = self.ink[y0:y1, x0:x1].copy()
        inset = max(2, int(0.15 * self.h))
        if x1 - x0 > 2 * inset:
            keep[:, inset:-inset] |= self.raw[y0:y1, x0 + inset:x1 - inset]
        keep = cv2.dilate(keep, np.ones((3, 3), np.uint8))
        return np.where(keep > 0, self.gray[y0:y1, x0:x1], 255).astype(np.uint8)


def _line_crops(page: _Page, box) -> list[np.ndarray]:
    x0, y0, x1, y1 = box
    h = page.h
    if x1 - x0 < 3 or y1 - y0 < 3:
        return []
    region = page.ink[y0:y1, x0:x1]
    crops = []
    bands = _bands(region.sum(axis=1) > 0, h, 0.3 * h)
    if x1 - x0 < 2.2 * h and any(b1 - b0 > 1.6 * h for b0, b1 in bands):
        bands = _glyph_bands(region, h)  # vertical text in a narrow cell: one glyph per crop
    for b0, b1 in bands:
        band = region[b0:b1]
        cols = np.flatnonzero(band.sum(axis=0))
        if cols.size == 0:
            continue
        if (b1 - b0) < 0.2 * h and cols[-1] - cols[0] < 0.2 * h:
            continue  # a speck
        if band.sum() / 255 < 6:
            continue
        c0, c1 = int(cols[0]), int(cols[-1]) + 1
        crops.append(page.crop(x0 + c0, y0 + b0, x0 + c1, y0 + b1))
    return crops


def _glyph_bands(region: np.ndarray, h: float) -> list[tuple[int, int]]:
    """Vertical text: blank-row runs, re-joined while a piece is shorter than one glyph (三, 二)."""
    pieces = _bands(region.sum(axis=1) > 0, h, 0)
    out: list[tuple[int, int]] = []
    for b0, b1 in pieces:
        if out and b1 - out[-1][0] <= 1.1 * h:
            out[-1] = (out[-1][0], b1)
        else:
            out.append((b0, b1))
    return out


def _row_profile(ink: np.ndarray) -> np.ndarray:
    """Rows that hold text: more ink than a few scanner specks would leave."""
    counts = (ink > 0).sum(axis=1)
    return counts > max(2, int(0.004 * ink.shape[1]))


def _split_tall(profile_counts: np.ndarray, b0: int, b1: int, h: float) -> list[tuple[int, int]]:
    """A band taller than a text line (two lines run together): cut at its emptiest row."""
    if b1 - b0 <= 1.7 * h:
        return [(b0, b1)]
    lo, hi = b0 + int(0.6 * h), b1 - int(0.6 * h)
    if hi <= lo:
        return [(b0, b1)]
    cut = lo + int(np.argmin(profile_counts[lo:hi]))
    return _split_tall(profile_counts, b0, cut, h) + _split_tall(profile_counts, cut + 1, b1, h)


def _ink_columns(band: np.ndarray, h: float) -> tuple[int, int] | None:
    """Horizontal extent of a line's text, ignoring specks left or right of it."""
    cols = (band > 0).sum(axis=0)
    runs, start = [], None
    for x, v in enumerate(np.append(cols, 0)):
        if v and start is None:
            start = x
        elif not v and start is not None:
            runs.append((start, x, int(cols[start:x].sum())))
            start = None
    if not runs:
        return None
    keep = [r for r in runs if r[2] >= 0.15 * h * h / 4 or r[1] - r[0] >= 0.3 * h]
    if not keep:
        return None
    return keep[0][0], keep[-1][1]


def _text_lines(ink: np.ndarray, h: float) -> list[tuple[int, int, int, int]]:
    out = []
    counts = (ink > 0).sum(axis=1)
    for band in _bands(_row_profile(ink), h, 0.3 * h):
        for b0, b1 in _split_tall(counts, *band, h):
            if b1 - b0 < 0.25 * h:
                continue
            extent = _ink_columns(ink[b0:b1], h)
            if extent is None or (ink[b0:b1] > 0).sum() < 10:
                continue
            out.append((extent[0], b0, extent[1], b1))
    return out


# --- after mapping ----------------------------------------------------------------------------

def move_confidences(rep) -> None:
    """Each OCR'd figure's confidence, carried in its text through the mapper, becomes the template
    cell's ``confidence``; raw texts and extra tables are left clean."""
    for cell in rep.cells.values():
        raw = cell.get("raw")
        if isinstance(raw, str) and OCR_CONFIDENCE in raw:
            text, _, conf = raw.partition(OCR_CONFIDENCE)
            cell["raw"] = text
            try:
                cell["confidence"] = float(conf)
            except ValueError:
                cell["confidence"] = None
    for table in rep.extra_tables:
        for key in ("header", "rows"):
            table[key] = [[t.split(OCR_CONFIDENCE, 1)[0] if isinstance(t, str) else t for t in row]
                          for row in table.get(key) or []]
    rep.warnings = [re.sub(f"{OCR_CONFIDENCE}[0-9.]+", "", w) for w in rep.warnings]


# --- identities decide ------------------------------------------------------------------------

def settle_uncertain(rep) -> None:
    """Accept an uncertain OCR reading that a template identity confirms; re-check.

    An identity whose other cells are all certain implies the uncertain cell's value: when that
    equals what the engine read, the reading stands (with a warning naming the identity); when
    it does not, the cell stays null. Repeated until nothing changes, so chains resolve.
    """
    from govcrawl import checks, templates

    if rep.template not in templates.VERSIONS:
        return
    pending = {cid for cid, c in rep.cells.items() if c.get("null_reason") == "ocr_uncertain"}
    if not pending:
        return
    parsed = []
    for ident in templates.get(rep.template).identities():
        left, op, right = checks.parse(ident.expr)
        if op == "==" and not any(p for _s, _c, p in left + right):
            parsed.append((ident.id, [(s, c) for s, c, _ in left] + [(-s, c) for s, c, _ in right]))
    changed = True
    while changed and pending:
        changed = False
        for ident_id, terms in parsed:
            unknown = [(s, c) for s, c in terms if rep.cells.get(c, {}).get("value") is None]
            if len(unknown) != 1 or unknown[0][1] not in pending:
                continue
            sign, cid = unknown[0]
            rest = sum((s * rep.cells[c]["value"] for s, c in terms if c != cid), start=0)
            implied = -rest * sign
            cell = rep.cells[cid]
            from govcrawl.extract.values import parse
            reading = parse(cell.get("raw"), "int" if not isinstance(implied, Decimal) else "money", cell.get("unit"))
            if reading.value is not None and reading.value == implied:
                cell.update(value=reading.value, null_reason=None)
                rep.warnings.append(f"{cid}: uncertain OCR reading {cell.get('raw')!r} confirmed by identity {ident_id}")
                pending.discard(cid)
                changed = True
    rep.checks = checks.evaluate(rep.template, rep.values())
