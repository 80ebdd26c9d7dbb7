"""Per-format cost and correctness on the demo mirror's format site (data/demo/sites/lztj).

    .venv/bin/python bench/formats.py [--repeat 5] [--libreoffice]

For each attachment format: CPU time of ``extract()`` and whether its cells equal the figures the
file was generated from (data/demo/cells/*.json). With ``--libreoffice`` (needs the Debian
package) the Word binary is also converted by LibreOffice headless (.doc -> .docx, then the DOCX
reader), the alternative the pure-Python reader was chosen over: its time per file and cells.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "data" / "demo"))
DEMO = ROOT / "data" / "demo"


def exact(rep: dict, want: dict) -> tuple[int, int]:
    ok = 0
    for k, v in want.items():
        got = rep["cells"].get(k, {}).get("value")
        ok += got is not None and v is not None and Decimal(str(got)) == Decimal(str(v)) or got is None and v is None
    return ok, len(want)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--libreoffice", action="store_true")
    args = ap.parse_args(argv)
    import demo_formats as F

    from govcrawl.extract import extract

    site = DEMO / "sites" / F.SD
    print(f"{'format':<22} {'file':<34} {'reader':<10} {'cells exact':>12} {'cpu ms':>8}")
    for r in F.FORMAT_REPORTS:
        want = json.loads((DEMO / "cells" / f"{r['id']}.json").read_text(encoding="utf-8"))
        if r.get("images"):
            page = (site / r["path"].lstrip("/")).read_bytes()
            base = "http://127.0.0.1"
            res = {base + p: (site / p.lstrip("/")).read_bytes() for p in r["images"]}
            runs = [("html + 3 table pictures", r["path"].rsplit("/", 1)[1],
                     lambda: extract(page, url=base + r["path"], resources=res))]
        else:
            runs = []
            for p in [r["attachment"], *r.get("attachments_extra", [])]:
                data = (site / p.lstrip("/")).read_bytes()
                runs.append((r["format"] if p == r["attachment"] else "xlsx_attachment", p.rsplit("/", 1)[1],
                             lambda d=data: extract(d)))
        for name, fname, fn in runs:
            times = []
            for _ in range(args.repeat if "pic" not in name and "scan" not in r["format"] else 1):
                t0 = time.process_time()
                rep = fn().to_dict()
                times.append(time.process_time() - t0)
            ok, n = exact(rep, want)
            print(f"{name:<22} {fname:<34} {rep['reader']:<10} {ok:>5}/{n:<6} {1000 * min(times):>8.0f}")
    if args.libreoffice:
        _libreoffice(site / F.FORMAT_REPORTS[0]["attachment"].lstrip("/"),
                     json.loads((DEMO / "cells" / f"{F.FORMAT_REPORTS[0]['id']}.json").read_text(encoding="utf-8")))
    return 0


def _libreoffice(doc: Path, want: dict) -> None:
    from govcrawl.extract import extract

    if not shutil.which("soffice"):
        print("LibreOffice: not installed; skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        t0, c0 = time.monotonic(), time.process_time()
        subprocess.run(["soffice", "--headless", "--convert-to", "docx", "--outdir", tmp, str(doc)],
                       check=True, capture_output=True, timeout=300)
        wall = time.monotonic() - t0
        docx = next(Path(tmp).glob("*.docx")).read_bytes()
        rep = extract(docx).to_dict()
        ok, n = exact(rep, want)
        print(f"{'doc via LibreOffice':<22} {doc.name:<34} {'docx':<10} {ok:>5}/{n:<6} {1000 * wall:>8.0f} "
              f"(wall ms of one soffice run incl. start-up; a kept-running process still converts via a file round trip)")


if __name__ == "__main__":
    raise SystemExit(main())
