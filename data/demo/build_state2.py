"""Build the demo mirror's second state: the same sites some weeks later, silently edited.

    .venv/bin/python data/demo/build_sites.py      # builds state 1, then calls this
    .venv/bin/python data/demo/build_state2.py     # rebuilds state 2 only (state 1 must exist)

State 2 is an overlay on state 1 (``sites/``): the files under ``state2/sites/`` replace or add
pages, and ``state2/state.json`` lists the state-1 files that are gone (they answer 404).
``govcrawl demo --state 2`` and ``govcrawl.demo.states`` serve it. What changes, and what a crawl of
state 1 then state 2 must find (EXPECTED.json ``state2``):

- **corrected**: 鹭湾区 2022 — the agency fixes the printed 本年新收 总计 (2 too high in state 1);
  its two failing checks pass, and the figure quoted in 一、总体情况 changes with it.
- **removed**: 渝北区民政局 2019 — unlinked from the listing, the page answers 404.
- **moved**: 澜州市水务局 2022 — a CMS migration gives the same page a new article id (new URL);
  the old URL answers 404.
- **re-templated** (markup only): 澜州市生态环境局 2021 — the site's new page template around the
  very same report (new header, metadata table, share bar, re-indented paragraphs): a new capture,
  not a content change.

Listings are derived from the built state-1 files (one ``<li>`` removed, one link rewritten), so
pages other people add to state 1 stay in state 2 unchanged.
"""
from __future__ import annotations

import copy
import json
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import build_sites as B  # noqa: E402
import demo_data as D  # noqa: E402

STATE_DIR = HERE / "state2"
CORRECTED = "luwan_2022_bad"
REMOVED = "yubei_mzj_2019"
MOVED = "lzsw_2022"
MOVED_TO = "/zwgk/zfxxgknb/202301/t20230129_5518264.html"
RETEMPLATED = "lzhb_2021"
LISTINGS = {"yubei": "/zwgk/zfxxgknb/index.html", "lzsw": "/zwgk/zfxxgknb/index.html"}


def _state1(sd: str, path: str) -> Path:
    return B.SITES_DIR / sd / path.lstrip("/")


OVERLAY: dict[str, bytes] = {}  # "<site_dir>/<path>" -> bytes, filled by the builders below


def _write(sd: str, path: str, data: bytes) -> None:
    OVERLAY[f"{sd}/{path.lstrip('/')}"] = data


def _href(listing_path: str, target: str) -> str:
    base = listing_path.rsplit("/", 1)[0] + "/"
    return B.rel(base, target)


def corrected_page() -> None:
    """The corrected report: its state-1 page with the figure (and the text quoting it) fixed."""
    r = D.BY_ID[CORRECTED]
    fixed = copy.deepcopy(r)
    fixed["corrupt"] = {}  # the printed 本年新收 总计 now equals the sum of its columns
    page = _state1(r["site"], r["path"]).read_text(encoding="utf-8")
    old_body, new_body = B.body_html(r, B.Style("trs")), B.body_html(fixed, B.Style("trs"))
    assert page.count(old_body) == 1, f"{r['site']}{r['path']} is not rendered by body_html"
    _write(r["site"], r["path"], page.replace(old_body, new_body).encode("utf-8"))


def removed_listing() -> None:
    r = D.BY_ID[REMOVED]
    lp = LISTINGS[r["site"]]
    html = _state1(r["site"], lp).read_text(encoding="utf-8")
    line = re.compile(r'^<li><a href="' + re.escape(_href(lp, r["path"])) + r'".*\n', re.M)
    new, n = line.subn("", html)
    assert n == 1, f"{r['site']}{lp} does not link {r['path']} once"
    _write(r["site"], lp, new.encode("utf-8"))


def moved_page() -> None:
    r = D.BY_ID[MOVED]
    sd, lp = r["site"], LISTINGS[r["site"]]
    html = _state1(sd, lp).read_text(encoding="utf-8")
    old_href, new_href = _href(lp, r["path"]), _href(lp, MOVED_TO)
    assert html.count(f'href="{old_href}"') == 1, f"{sd}{lp} does not link {r['path']} once"
    _write(sd, lp, html.replace(f'href="{old_href}"', f'href="{new_href}"').encode("utf-8"))
    page = _state1(sd, r["path"]).read_text(encoding="utf-8")
    _write(sd, MOVED_TO, page.replace(r["path"], MOVED_TO).encode("utf-8"))


def retemplated_page() -> None:
    """The same report in the site's new page template, its paragraphs re-indented."""
    r = D.BY_ID[RETEMPLATED]
    site = D.SITES[r["site"]]
    content = B.body_html(r, B.Style("trs"))
    content = content.replace('<p style="text-indent:2em;">', '\n    <p class="indent2">\u3000\u3000')
    content = content.replace("<tr>", "\n      <tr>").replace("</td><td", "</td>\n        <td")
    esc = B.esc
    html = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="SiteName" content="{site['name']}">
  <meta name="SiteDomain" content="{site['domain']}">
  <meta name="SiteIDCode" content="{site['site_code']}">
  <meta name="ColumnName" content="政府信息公开年报">
  <meta name="ArticleTitle" content="{esc(r['title'])}">
  <meta name="PubDate" content="{r['pubdate']}">
  <meta name="ContentSource" content="{esc(r['agency'])}">
  <meta name="Url" content="http://{site['domain']}{r['path']}">
  <title>{esc(r['title'])} - {site['name']}</title>
  <link rel="stylesheet" href="/static/v2/css/base.css">
  <link rel="stylesheet" href="/static/v2/css/detail.css">
</head>
<body class="page-detail">
  <header class="g-header">
    <div class="g-container">
      <a class="g-logo" href="/index.html"><img src="/static/v2/img/logo.png" alt="{site['name']}"></a>
      <form class="g-search" action="/jsearchfront/search.do" method="get"><input name="q" placeholder="请输入关键字"><button>搜索</button></form>
    </div>
    <nav class="g-nav"><a href="/index.html">首页</a><a href="/col/col2101/index.html">政府信息公开</a><a href="javascript:;">政务服务</a><a href="javascript:;">政民互动</a></nav>
  </header>
  <div class="g-container g-crumb">您当前的位置：<a href="/index.html">首页</a> &gt; <a href="/col/col2101/index.html">政府信息公开年报</a></div>
  <main class="g-container detail">
    <h1 class="detail-title">{esc(r['title'])}</h1>
    <div class="detail-info"><span>发布日期：{r['pubdate'][:10]}</span><span>信息来源：{esc(r['agency'])}</span><span class="font-size">字体：<a href="javascript:;">大</a><a href="javascript:;">中</a><a href="javascript:;">小</a></span></div>
    <div class="detail-body" id="zoom">
      <div class="TRS_Editor">{content}
      </div>
    </div>
    <div class="detail-tools"><a href="javascript:window.print();">【打印】</a><a href="javascript:window.close();">【关闭】</a></div>
  </main>
  <footer class="g-footer">
    <div class="g-container">
      <p>主办：{site['host_unit']}　　网站标识码：{site['site_code']}</p>
      <p><a href="https://beian.miit.gov.cn" target="_blank">{site['icp']}</a>　　{site['police']}</p>
    </div>
  </footer>
  <script src="/static/v2/js/detail.js"></script>
</body>
</html>
"""
    _write(r["site"], r["path"], html.encode("utf-8"))


def expected() -> dict:
    """What a crawl of state 1 followed by one of state 2 must record (EXPECTED.json ``state2``)."""
    bad = D.BY_ID[CORRECTED]
    printed, fixed = D.printed_cells(bad), bad["cells"]
    return {
        "about": "The mirror's second state (data/demo/state2, an overlay on sites/; built by build_state2.py). "
                 "Serve it with `govcrawl demo --state 2` after a `govcrawl demo`: the changes below are what "
                 "`govcrawl changes` must list (markup-only ones are recognised and not counted as content changes).",
        "command": "govcrawl demo --state 2",
        "gone": [f"{D.BY_ID[i]['site']}{D.BY_ID[i]['path']}" for i in (REMOVED, MOVED)],
        "changes": [
            {"kind": "changed", "report": CORRECTED, "site_dir": bad["site"], "path": bad["path"],
             "cells": {k: [printed[k], fixed[k]] for k in sorted(bad["corrupt"])},
             "checks_flipped": {c: ["fail", "pass"] for c in sorted(bad.get("expect_fail", []))}},
            {"kind": "removed", "report": REMOVED, "site_dir": D.BY_ID[REMOVED]["site"],
             "path": D.BY_ID[REMOVED]["path"]},
            {"kind": "moved", "report": MOVED, "site_dir": D.BY_ID[MOVED]["site"],
             "from": D.BY_ID[MOVED]["path"], "path": MOVED_TO},
            {"kind": "markup-only", "report": RETEMPLATED, "site_dir": D.BY_ID[RETEMPLATED]["site"],
             "path": D.BY_ID[RETEMPLATED]["path"]},
        ],
    }


def overlay() -> dict[str, bytes]:
    """{"<site_dir>/<path>": bytes} of state 2, derived from the built state 1 (nothing written)."""
    OVERLAY.clear()
    corrected_page()
    removed_listing()
    moved_page()
    retemplated_page()
    return dict(OVERLAY)


def build() -> None:
    files = overlay()
    if STATE_DIR.exists():
        shutil.rmtree(STATE_DIR)
    for rel_path, data in files.items():
        f = STATE_DIR / "sites" / rel_path
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(data)
    exp = expected()
    (STATE_DIR / "state.json").write_text(json.dumps(
        {"about": "Overlay on data/demo/sites: files under sites/ replace or add pages; `gone` "
                  "are <site_dir>/<path> of state-1 files that no longer exist (404).",
         "gone": exp["gone"]}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    path = HERE / "EXPECTED.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["state2"] = exp
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    build()
    n = sum(1 for p in (STATE_DIR / "sites").rglob("*") if p.is_file())
    print(f"wrote {n} overlay files under {STATE_DIR / 'sites'} and EXPECTED.json state2")
