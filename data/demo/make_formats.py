"""Write the binary attachments of the format site (lztj) from the demo's own figures.

    .venv/bin/python data/demo/make_formats.py        # needs LibreOffice (soffice) and a CJK font

Each report of ``demo_formats.py`` is rendered as plain HTML by ``build_sites`` (the same
paragraphs and tables as every other demo page) and converted by LibreOffice headless, the way an
agency's office software would save it:

- .doc / .wps: the full report through Writer's "MS Word 97" filter (WPS writes the same format);
- .xls / .xlsx: the three tables with their captions through Calc;
- table pictures (.png): each table alone through Writer's PDF export, rendered at 150 dpi with
  pypdfium2 and cropped, like a screenshot pasted into the CMS;
- scanned PDF: the full report exported to PDF, each page rendered at 200 dpi, degraded like an
  office scan (bench/ocr.py ``degrade``: grey paper, noise, 1° skew, JPEG) and saved image-only.

The outputs are committed (small, built only from demo data), so a fresh clone needs none of this.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "bench"))
import build_sites as B  # noqa: E402
import demo_formats as F  # noqa: E402

SITE_DIR = B.SITES_DIR / F.SD


def _html(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{B.esc(title)}</title>'
            '<style>body{font-family:"Noto Serif CJK SC","Noto Sans CJK SC",serif;font-size:12pt}'
            'td{font-size:10.5pt;border:1px solid #000}table{border-collapse:collapse}</style></head>'
            f"<body>{body}</body></html>")


def full_report(r: dict) -> str:
    title = f'<p align="center" style="font-size:18pt"><b>{B.esc(r["title"])}</b></p>'
    return _html(r["title"], title + B.body_html(r, B.Style("plain")))


def tables_only(r: dict, which=("T2", "T3", "T4")) -> str:
    c = B.D.printed_cells(r)
    caps = {"T2": "二、主动公开政府信息情况", "T3": "三、收到和处理政府信息公开申请情况",
            "T4": "四、政府信息公开行政复议、行政诉讼情况"}
    render = {"T2": lambda: B.render_t2(r["template"], c, B.Style("plain")),
              "T3": lambda: B.render_t3(r["template"], c, B.Style("plain")),
              "T4": lambda: B.render_t4(c, B.Style("plain"))}
    parts = []
    if len(which) > 1:
        parts.append(f"<p><b>{B.esc(r['title'])}统计表</b></p>")
    for k in which:
        if len(which) > 1:
            parts.append(f"<p>{caps[k]}</p>")
        parts.append(render[k]())
    return _html(r["title"], "\n".join(parts))


def soffice(html: str, target: str, infilter: str, workdir: Path, name: str) -> bytes:
    src = workdir / f"{name}.html"
    src.write_text(html, encoding="utf-8")
    subprocess.run(["soffice", "--headless", f"--infilter={infilter}", "--convert-to", target, "--outdir",
                    str(workdir), str(src)], check=True, capture_output=True, timeout=180)
    ext = target.split(":", 1)[0]
    return (workdir / f"{name}.{ext}").read_bytes()


def render_pages(pdf: bytes, dpi: int):
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    pages = [doc[i].render(scale=dpi / 72).to_pil().convert("L") for i in range(len(doc))]
    doc.close()
    return pages


def crop(img, margin: int = 12):
    import numpy as np

    a = np.asarray(img)
    ys, xs = np.nonzero(a < 200)
    return img.crop((max(0, xs.min() - margin), max(0, ys.min() - margin),
                     min(img.width, xs.max() + margin), min(img.height, ys.max() + margin)))


def write(path: str, data: bytes) -> None:
    f = SITE_DIR / path.lstrip("/")
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_bytes(data)
    print(f"wrote {f.relative_to(HERE)} ({len(data)} bytes)")


def main() -> int:
    if not shutil.which("soffice"):
        print("make_formats.py needs LibreOffice: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui "
              "fonts-noto-cjk")
        return 1
    from ocr import degrade, image_pdf

    B.SITE_VOICE[F.SD] = F.VOICE
    by_id = {r["id"]: r for r in F.FORMAT_REPORTS}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for rid in ("lztj_2019_doc", "lztj_2020_wps"):
            r = by_id[rid]
            write(r["attachment"], soffice(full_report(r), 'doc:MS Word 97', "HTML (StarWriter)", work, rid))
        r = by_id["lztj_2021_xls"]
        write(r["attachment"], soffice(tables_only(r), "xls:MS Excel 97", "HTML (StarCalc)", work, r["id"]))
        write(r["attachments_extra"][0], soffice(tables_only(r), "xlsx:Calc MS Excel 2007 XML", "HTML (StarCalc)",
                                                 work, r["id"] + "x"))
        r = by_id["lztj_2022_images"]
        for kind, path in zip(("T2", "T3", "T4"), r["images"]):
            pdf = soffice(tables_only(r, (kind,)), "pdf:writer_pdf_Export", "HTML (StarWriter)", work, kind)
            img = crop(render_pages(pdf, 150)[0])
            buf = io.BytesIO()
            img.save(buf, "PNG", optimize=True)
            write(path, buf.getvalue())
        r = by_id["lztj_2023_scan"]
        pdf = soffice(full_report(r), "pdf:writer_pdf_Export", "HTML (StarWriter)", work, r["id"])
        scans = [degrade(p, seed=i) for i, p in enumerate(render_pages(pdf, 200))]
        write(r["attachment"], image_pdf(scans, 200))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
