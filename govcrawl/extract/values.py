"""Cell values: numbers, units, null tokens, signed deltas, money normalised to 万元.

Money stays a ``Decimal`` end to end (never a float) and is normalised to 万元 with the unit written
in the cell recorded separately ('75394432.52元' -> Decimal('7539.443252'), source unit '元').
A blank cell and a '/' cell are both null but for different reasons; neither becomes 0. A figure an
OCR reader marked uncertain (``OCR_UNCERTAIN`` prefix) is null with reason ``ocr_uncertain``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

OCR_UNCERTAIN = "\u2047"  # prefix OCR readers put on a figure the engine is unsure of (see extract/ocr.py)
OCR_CONFIDENCE = "\u2063"  # OCR readers append it and the confidence to a figure; extract() moves it to the cell
NULL_TOKENS = {"/", "-", "--", "—", "——", "─", "－", "N/A", "NA", "n/a", "无", "\\", "／", "×", "x", "X"}
_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_NUM = re.compile(r"^([+-]?)\s*((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)\s*(万元|亿元|元|件|条|项|个|次|人次|人|宗|家)?$")
_UNIT_TO_WAN = {"元": Decimal("0.0001"), "万元": Decimal(1), "亿元": Decimal(10000)}


@dataclass
class Value:
    value: int | Decimal | None
    raw: str
    unit: str | None
    null_reason: str | None = None  # blank | not_applicable | unparsed | ocr_uncertain
    source_unit: str | None = None  # the unit written in the cell, if any
    warning: str | None = None


def fmt_decimal(d: Decimal) -> str:
    """Exact, plain notation, no trailing zeros: Decimal('7539.44325200') -> '7539.443252'."""
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s or "0"


def parse(raw: str | None, kind: str = "int", unit: str | None = "件") -> Value:
    """Parse one cell for a column of ``kind`` (int | signed_int | money)."""
    raw = raw if raw is not None else ""
    if raw.startswith(OCR_UNCERTAIN):  # null rather than a possibly wrong number; the reading is kept
        reading = raw[len(OCR_UNCERTAIN):]
        shown = reading.split(OCR_CONFIDENCE, 1)[0].strip()
        return Value(None, reading, unit, "ocr_uncertain", warning=f"OCR unsure of {shown!r}")
    text = _WS.sub("", unicodedata.normalize("NFKC", raw.split(OCR_CONFIDENCE, 1)[0]))
    if text == "":
        return Value(None, raw, unit, "blank")
    if text in NULL_TOKENS or text.strip("-—－/") == "":
        return Value(None, raw, unit, "not_applicable")
    m = _NUM.match(text)
    if not m:
        return Value(None, raw, unit, "unparsed", warning=f"unparsed value {raw.strip()!r}")
    sign, digits, written_unit = m.group(1), m.group(2).replace(",", ""), m.group(3)
    try:
        number = Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the regex only admits valid decimals
        return Value(None, raw, unit, "unparsed", warning=f"unparsed value {raw.strip()!r}")
    if sign == "-":
        number = -number
    if kind == "money":
        factor = _UNIT_TO_WAN.get(written_unit or "", Decimal(1))
        warning = None
        if written_unit and written_unit not in _UNIT_TO_WAN:
            warning = f"unexpected unit {written_unit!r} in a money cell"
        return Value(Decimal(fmt_decimal(number * factor)), raw, "万元", source_unit=written_unit, warning=warning)
    warning = None
    if number != number.to_integral_value():
        return Value(None, raw, unit, "unparsed", warning=f"non-integer count {raw.strip()!r}")
    if sign == "+" and kind != "signed_int":
        warning = f"signed value {raw.strip()!r} in a count column"
    if number < 0 and kind != "signed_int":
        warning = f"negative count {raw.strip()!r}"
    return Value(int(number), raw, unit, source_unit=written_unit, warning=warning)


def looks_numeric(text: str | None) -> bool:
    if not text:
        return False
    t = _WS.sub("", unicodedata.normalize("NFKC", text.lstrip(OCR_UNCERTAIN).split(OCR_CONFIDENCE, 1)[0]))
    return bool(_NUM.match(t))
