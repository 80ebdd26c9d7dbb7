"""OCR accuracy and cost on the jiangsu corpus PDFs, rendered as pictures (nothing is committed).

    .venv/bin/python bench/ocr.py [--dpi 300 150] [--engines rapidocr tesseract] [--pages N]

For each ../shared/corpus/jiangsu/*.pdf the text-layer reading is the reference (its key figures
are checked against GROUND_TRUTH.tsv first). Every page is rendered at each dpi; a degraded copy
("scan": grey paper, noise, 1° skew, JPEG at quality 60) is made from the 300 dpi render. Each
variant is wrapped in an image-only PDF and extracted through the normal ``extract()`` path, so
the figures measure what a crawl would store:

- exact: template cells whose value equals the reference's;
- uncertain: cells left null with reason ``ocr_uncertain``;
- null: cells left null for another reason (a header misread: ``missing``, with a warning);
- wrong: cells with a different value; "caught" when an identity involving them fails;
- silent wrong: wrong and not caught (the target is zero);
- CPU seconds per page (process time of the extraction, OCR included).

``--engines rapidocr tesseract`` also runs tesseract chi_sim (Debian ``tesseract-ocr-chi-sim``, not a
dependency) as the recogniser behind the same grid and crops, for the comparison the choice of
engine rests on (its CPU includes the tesseract child processes).
"""
from __future__ import annotations

import argparse
import csv
import io
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus"


def degrade(img, seed: int = 7):
    """A plausible office scan: grey paper, speckle noise, 1° skew, JPEG artefacts."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    a = np.asarray(img.convert("L")).astype(np.float32)
    a = 40 + a * (200 / 255)  # grey background (~240), ink no darker than 40
    a += rng.normal(0, 12, a.shape)  # sensor noise
    speck = rng.random(a.shape) < 0.002
    a[speck] = rng.uniform(0, 120, speck.sum())
    out = Image.fromarray(np.clip(a, 0, 255).astype("uint8")).rotate(1.0, resample=Image.BICUBIC,
                                                                     expand=False, fillcolor=235)
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=60)
    return Image.open(io.BytesIO(buf.getvalue()))


def image_pdf(images, dpi: int) -> bytes:
    """An image-only PDF (what a scanner writes): one picture per page, no text layer."""
    buf = io.BytesIO()
    first, *rest = [im.convert("RGB") for im in images]
    first.save(buf, "PDF", save_all=True, append_images=rest, resolution=dpi)
    return buf.getvalue()


def render(pdf_bytes: bytes, dpi: int, pages: int | None = None):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(pdf_bytes)
    out = []
    for i in range(len(pdf) if pages is None else min(pages, len(pdf))):
        out.append(pdf[i].render(scale=dpi / 72).to_pil().convert("L"))
    pdf.close()
    return out


def compare(ref: dict, got: dict) -> dict:
    from govcrawl import checks

    failed = [c for c in got["checks"] if c["status"] == "fail"]
    ids_in_failed = set()
    for c in failed:
        left, _op, right = checks.parse(c["expr"])
        ids_in_failed |= {cid for _s, cid, _p in left + right}
    out = {"cells": 0, "exact": 0, "uncertain": 0, "null": 0, "wrong": 0, "caught": 0, "silent": []}
    for cid, rc in ref["cells"].items():
        if rc["null_reason"] == "missing":
            continue
        out["cells"] += 1
        gc = got["cells"].get(cid, {})
        if gc.get("value") == rc["value"] and gc.get("null_reason") == rc["null_reason"]:
            out["exact"] += 1
        elif gc.get("null_reason") == "ocr_uncertain":
            out["uncertain"] += 1
        elif gc.get("value") is None and rc["value"] is not None:
            out["null"] += 1  # missing / unparsed, with a warning: a hole, not a wrong figure
        else:
            out["wrong"] += 1
            if cid in ids_in_failed:
                out["caught"] += 1
            else:
                out["silent"].append((cid, rc["value"], gc.get("value"), gc.get("raw")))
    return out


def _children_cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dpi", type=int, nargs="+", default=[300, 150])
    ap.add_argument("--no-scan", action="store_true", help="skip the degraded copies")
    ap.add_argument("--pages", type=int, default=None, help="only the first N pages of each PDF")
    ap.add_argument("--engines", nargs="+", default=["rapidocr"], choices=["rapidocr", "tesseract"])
    args = ap.parse_args(argv)
    from govcrawl.extract import extract

    pdfs = sorted((CORPUS / "jiangsu").glob("*.pdf"))
    if not pdfs:
        print(f"no corpus at {CORPUS / 'jiangsu'}; nothing to measure")
        return 0
    truth = {r["file"]: r for r in csv.DictReader((CORPUS / "GROUND_TRUTH.tsv").open(encoding="utf-8"), delimiter="\t")}
    rows = []
    for path in pdfs:
        data = path.read_bytes()
        ref = extract(data).to_dict()
        t = truth.get(f"jiangsu/{path.name}", {})
        key = {"new_requests": "t3.new.total", "total_handled": "t3.handled_total.total",
               "granted": "t3.open.total", "partly_granted": "t3.partial.total"}
        bad = [f"{k}={t[k]} vs {ref['cells'][c]['value']}" for k, c in key.items()
               if t.get(k, "?") not in ("?", "") and str(ref["cells"][c]["value"]) != t[k]]
        print(f"{path.name}: text-layer reference, {sum(1 for c in ref['cells'].values() if c['null_reason'] != 'missing')}"
              f" cells; ground-truth figures {'OK' if not bad else 'DIFFER: ' + '; '.join(bad)}")
        variants = [(f"{dpi}dpi", dpi, lambda d=dpi: render(data, d, args.pages)) for dpi in args.dpi]
        if not args.no_scan:
            variants.append(("scan300", 300, lambda: [degrade(im, i) for i, im in enumerate(render(data, 300, args.pages))]))
        from govcrawl.extract import ocr

        for (name, dpi, make), engine in ((v, e) for v in variants for e in args.engines):
            if engine == "tesseract" and not shutil.which("tesseract"):
                print("  tesseract: not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim); skipped")
                continue
            images = make()
            pdf = image_pdf(images, dpi)
            ocr._engine = TesseractRecognizer() if engine == "tesseract" else None
            ocr.engine()  # load outside the timing
            t0, c0 = time.process_time(), _children_cpu()
            w0 = time.monotonic()
            got = extract(pdf).to_dict()
            cpu, wall = time.process_time() - t0 + _children_cpu() - c0, time.monotonic() - w0
            name = f"{name}/{engine}"
            cmp = compare(ref, got)
            rows.append((path.name, name, len(images), cmp, cpu, wall, got["reader"]))
            ocr._engine = None
            pct = 100 * cmp["exact"] / max(1, cmp["cells"])
            print(f"  {name:18} reader={got['reader']:8} cells={cmp['cells']} exact={cmp['exact']} ({pct:.2f}%) "
                  f"uncertain={cmp['uncertain']} null={cmp['null']} wrong={cmp['wrong']} caught={cmp['caught']} "
                  f"silent={len(cmp['silent'])} cpu/page={cpu / len(images):.2f}s wall/page={wall / len(images):.2f}s")
            for s in cmp["silent"][:10]:
                print(f"      silent wrong {s}")
    print()
    for name in sorted({r[1] for r in rows}):
        sel = [r for r in rows if r[1] == name]
        cells = sum(r[3]["cells"] for r in sel)
        exact = sum(r[3]["exact"] for r in sel)
        pages = sum(r[2] for r in sel)
        print(f"TOTAL {name:18} exact {exact}/{cells} = {100 * exact / max(1, cells):.2f}%  "
              f"uncertain {sum(r[3]['uncertain'] for r in sel)}  null {sum(r[3]['null'] for r in sel)}  wrong {sum(r[3]['wrong'] for r in sel)} "
              f"(silent {sum(len(r[3]['silent']) for r in sel)})  cpu/page {sum(r[4] for r in sel) / pages:.2f}s")
    return 0


class TesseractRecognizer:
    """tesseract chi_sim behind the same interface as ``ocr.Recognizer``: one crop, one line
    (``--psm 7``), confidence = the least confident word. Same crops, same grid, same mapper."""

    def __call__(self, crops):
        import subprocess

        from PIL import Image

        out = []
        for crop in crops:
            buf = io.BytesIO()
            Image.fromarray(crop).save(buf, "PNG")
            r = subprocess.run(["tesseract", "stdin", "stdout", "-l", "chi_sim", "--psm", "7", "tsv"],
                               input=buf.getvalue(), capture_output=True, timeout=60)
            words, confs = [], []
            for line in r.stdout.decode("utf-8", "replace").splitlines()[1:]:
                cols = line.split("\t")
                if len(cols) == 12 and cols[11].strip() and float(cols[10]) >= 0:
                    words.append(cols[11].strip())
                    confs.append(float(cols[10]) / 100)
            out.append(("".join(words), min(confs) if confs else 0.0))
        return out


if __name__ == "__main__":
    raise SystemExit(main())
