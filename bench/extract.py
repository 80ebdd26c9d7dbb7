"""Benchmark: full extraction vs BeautifulSoup(html, "lxml") vs lxml.html.fromstring, per document.

Usage: python bench/extract.py [CORPUS_DIR] [--repeat N]
Runs over every HTML document of the corpus (default ../shared/corpus), measures each of the three in
the same run (median of N repeats per document), and prints documents/second and the two ratios
(extraction / BeautifulSoup, extraction / lxml). Target: extraction within 1x the BeautifulSoup parse.

It also reports what label matching by meaning costs (the vocabulary's word rules, unit suffixes
and paraphrase gists: ``labels.norm``/``gist`` timed over every label the extraction compares, as a
share of extraction time), and how often the BeautifulSoup second look triggers on the corpus and
on the demo mirror (``data/demo/sites``).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import lxml.html
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from govcrawl.extract import extract  # noqa: E402
from govcrawl.extract import labels as L  # noqa: E402
from govcrawl.extract.analyse import SECOND_LOOK  # noqa: E402


def _median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args(argv)
    files = sorted(p for p in Path(args.corpus).rglob("*") if p.suffix.lower() in (".html", ".htm", ".shtml"))
    if not files:
        print(f"no HTML documents under {args.corpus}", file=sys.stderr)
        return 1
    rows = []
    for p in files:
        data = p.read_bytes()
        t_ext = _median_time(lambda: extract(data), args.repeat)
        t_bs4 = _median_time(lambda: BeautifulSoup(data, "lxml"), args.repeat)
        t_lxml = _median_time(lambda: lxml.html.fromstring(data), args.repeat)
        rows.append((p.relative_to(args.corpus).as_posix(), len(data), t_ext, t_bs4, t_lxml))
    print(f"{'document':42} {'bytes':>8} {'extract ms':>10} {'bs4 ms':>8} {'lxml ms':>8} {'ext/bs4':>7} {'ext/lxml':>8}")
    for name, n, te, tb, tl in rows:
        print(f"{name:42} {n:8d} {te * 1e3:10.2f} {tb * 1e3:8.2f} {tl * 1e3:8.2f} {te / tb:7.2f} {te / tl:8.2f}")
    med = [statistics.median(r[i] for r in rows) for i in (2, 3, 4)]
    print(f"\nmedian per document: extract {med[0] * 1e3:.2f} ms, BeautifulSoup {med[1] * 1e3:.2f} ms, "
          f"lxml {med[2] * 1e3:.2f} ms")
    print(f"documents/second: extract {1 / med[0]:.1f}, BeautifulSoup {1 / med[1]:.1f}, lxml {1 / med[2]:.1f}")
    print(f"ratio extract/BeautifulSoup: {med[0] / med[1]:.2f} (target <= 1.0)")
    print(f"ratio extract/lxml:          {med[0] / med[2]:.2f}")
    _variant_cost(files, med[0], args.repeat)
    _second_looks(files + sorted((ROOT / "data" / "demo" / "sites").rglob("*.html")))
    return 0 if med[0] / med[1] <= 1.0 else 3


def _variant_cost(files, t_extract: float, repeat: int) -> None:
    """Time the vocabulary rules alone, uncached, over every label text of one document's tables
    (what the matcher compares): the official-spelling key vs the key with the vocabulary's word
    rules and unit suffixes, plus the paraphrase gist. In extraction the results are cached, so
    this is an upper bound for a page whose labels were never seen before."""
    from govcrawl.extract import read_document
    from govcrawl.extract.document import Table
    from govcrawl.extract.values import looks_numeric

    doc = read_document(files[len(files) // 2].read_bytes())
    texts = [c.text for b in doc.blocks if isinstance(b, Table) for r in b.rows for c in r
             if c.text and c.text.strip() and not looks_numeric(c.text)]
    norm, gist = L.norm.__wrapped__, L.gist.__wrapped__

    def official():
        for t in texts:
            L._PUNCT.sub("", L.squash(t))

    def with_vocabulary():
        for t in texts:
            L._PUNCT.sub("", norm(t))
    t_rules = max(0.0, _median_time(with_vocabulary, repeat) - _median_time(official, repeat))
    t_gist = _median_time(lambda: [gist(t) for t in texts], repeat)
    print(f"variant matching: {len(texts)} label cells; vocabulary rules add {t_rules * 1e3:.2f} ms uncached "
          f"(+{t_rules / t_extract:.1%} of extraction), paraphrase gists {t_gist * 1e3:.2f} ms if every label "
          f"needed one")


def _second_looks(files) -> None:
    looked = kept = 0
    for p in files:
        try:
            rep = extract(p.read_bytes())
        except Exception:
            continue
        w = [x for x in rep.warnings if x.startswith(SECOND_LOOK)]
        looked += bool(w)
        kept += any("kept the BeautifulSoup" in x for x in w)
    print(f"BeautifulSoup second look: triggered on {looked} of {len(files)} HTML documents "
          f"(corpus + demo), its reading kept on {kept}")


if __name__ == "__main__":
    raise SystemExit(main())
