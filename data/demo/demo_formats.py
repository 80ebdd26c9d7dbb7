"""The format site of the demo mirror: 澜州市统计局 (site dir ``lztj``) posts each year's report differently.

    2019  page says 详见附件  -> Word 97-2003 .doc          (reader "doc")
    2020  page says 详见附件  -> Kingsoft-style .wps         (same compound format; reader "doc")
    2021  page has the text   -> tables in .xls and .xlsx    (reader "xls" / "xlsx")
    2022  page has the text   -> tables as <img> pictures    (reader "image-ocr")
    2023  page says 详见附件  -> scanned PDF, no text layer  (reader "pdf-ocr")

Figures live here (registered into ``demo_data.REPORTS`` on import); ``build_sites.py`` calls
``build_site`` to write the HTML pages, and ``make_formats.py`` writes the binary attachments from
the same figures (it needs LibreOffice; the files it writes are committed).
"""
from __future__ import annotations

import demo_data as D

SD = "lztj"
TJ = "/zwgk/zfxxgknb/"

D.SITES[SD] = dict(
    name="澜州市统计局", short="澜州市统计局", domain="tjj.lanzhou-demo.gov.cn", site_code="3699000047",
    icp="澜ICP备12006631号-7", police="澜公网安备 36990002000478号", host_unit="澜州市统计局",
    charset="utf-8", platform="trs",
)
VOICE = dict(we="我局", office="澜州市统计局办公室", addr="澜州市澜江区人民路56号", zip="369000",
             tel="0799-88214406", place="澜州市")

FORMAT_REPORTS = [
    D.report(id="lztj_2019_doc", site=SD, path=TJ + "202001/t20200121_2433518.html",
             attachment=TJ + "202001/P020200121536204118832.doc", format="doc_attachment",
             agency="澜州市统计局", year=2019, template="2019", style="attach", pubdate="2020-01-21 10:05",
             title="澜州市统计局2019年政府信息公开工作年度报告",
             cells={**D.t2_2019((0, 0, 0), (1, 1, 9), (2, 0, 14), (6, 1, 33), (18, -3, 4), (0, 0, 0), (0, 0),
                                (4, "263500.00元")),
                    **D.build_t3("2019", {"open": [5, 1], "partial": [1], "unable_not_held": [2],
                                          "reject_repeat": [1]}, carry_out=[1]),
                    **D.build_t4((1, 0, 0, 0))},
             extra=dict(info_total=412, web=305, wechat=107),
             notes="the report as a Word 97-2003 .doc attachment; the page says 详见附件"),
    D.report(id="lztj_2020_wps", site=SD, path=TJ + "202101/t20210126_2698471.html",
             attachment=TJ + "202101/P020210126402937715309.wps", format="wps_attachment",
             agency="澜州市统计局", year=2020, template="2019", style="attach", pubdate="2021-01-26 16:40",
             title="澜州市统计局2020年政府信息公开工作年度报告",
             cells={**D.t2_2019((0, 0, 0), (2, 2, 11), (2, 1, 15), (7, 0, 41), (15, 2, 6), (0, 0, 0), (0, 0),
                                (3, "198000.00元")),
                    **D.build_t3("2019", {"open": [7], "partial": [2, 1], "deny_process": [1],
                                          "unable_not_held": [3, 1], "other": [1]}, carry_in=[1]),
                    **D.build_t4()},
             extra=dict(info_total=438, web=318, wechat=120),
             notes="a .wps attachment (Kingsoft writes the Word 97-2003 compound format); the page says 详见附件"),
    D.report(id="lztj_2021_xls", site=SD, path=TJ + "202201/t20220125_2954107.html",
             attachment=TJ + "202201/P020220125611873290457.xls",
             attachments_extra=[TJ + "202201/P020220125611873290458.xlsx"], format="xls_attachment",
             agency="澜州市统计局", year=2021, template="2021", style="attach_tables", pubdate="2022-01-25 09:12",
             title="澜州市统计局2021年政府信息公开工作年度报告",
             cells={**D.t2_2021((0, 0, 0), (2, 1, 12), 16, 5, 0, "3.65"),
                    **D.build_t3("2021", {"open": [9, 2], "partial": [1], "deny_third_party": [1],
                                          "unable_not_held": [2, 0, 1], "other_misc": [1]}),
                    **D.build_t4((0, 1, 0, 0))},
             extra=dict(info_total=455, web=331, wechat=124),
             notes="text on the page; the statistical tables only in .xls and .xlsx attachments (统计表见附件)"),
    D.report(id="lztj_2022_images", site=SD, path=TJ + "202301/t20230130_3175306.html",
             images=[TJ + "202301/W020230130318274650191.png", TJ + "202301/W020230130318274650192.png",
                     TJ + "202301/W020230130318274650193.png"], format="html_table_images",
             agency="澜州市统计局", year=2022, template="2021", style="images", pubdate="2023-01-30 15:26",
             title="澜州市统计局2022年政府信息公开工作年度报告",
             cells={**D.t2_2021((0, 0, 0), (3, 0, 15), 21, 4, 1, "2.18"),
                    **D.build_t3("2021", {"open": [12, 3], "partial": [2], "deny_process": [1],
                                          "unable_not_held": [4, 1], "unable_unclear": [1],
                                          "reject_petition": [1]}, carry_out=[1]),
                    **D.build_t4((2, 0, 1, 0), (1, 0, 0, 0))},
             extra=dict(info_total=476, web=344, wechat=132),
             notes="text typed out on the page; tables 二/三/四 are pictures (<img>), read by OCR"),
    D.report(id="lztj_2023_scan", site=SD, path=TJ + "202401/t20240124_3349712.html",
             attachment=TJ + "202401/P020240124527390164420.pdf", format="scanned_pdf_attachment",
             agency="澜州市统计局", year=2023, template="2021", style="attach", pubdate="2024-01-24 11:48",
             title="澜州市统计局2023年政府信息公开工作年度报告",
             cells={**D.t2_2021((0, 0, 0), (1, 2, 14), 19, 6, 0, "1.07"),
                    **D.build_t3("2021", {"open": [10, 1], "partial": [3], "deny_third_party": [1],
                                          "unable_not_held": [3], "other_no_fee": [1]}, carry_in=[1]),
                    **D.build_t4((1, 0, 0, 1))},
             extra=dict(info_total=497, web=352, wechat=145),
             notes="a scanned PDF attachment (grey paper, noise, 1° skew, JPEG): no text layer, read by OCR"),
]
D.BY_ID.update({r["id"]: r for r in FORMAT_REPORTS})
ORDER = [r["path"] for r in reversed(FORMAT_REPORTS)]


def _esc(t: str) -> str:
    import html
    return html.escape(t)


def page_content(B, r: dict) -> tuple[str, list[tuple[str, str]]]:
    """(content HTML, attachment links) of one report page."""
    base = r["path"].rsplit("/", 1)[0] + "/"
    P = lambda t: f'<p style="text-indent:2em;">{_esc(t)}</p>'  # noqa: E731
    if r["style"] == "attach":
        ext = r["attachment"].rsplit(".", 1)[1]
        parts = [P(f"根据《中华人民共和国政府信息公开条例》要求，现将澜州市统计局{r['year']}年政府信息公开工作年度报告予以公布。"),
                 P("报告全文（含主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况等统计表）详见附件。")]
        return "\n".join(parts), [(B.rel(base, r["attachment"]), f"{r['title']}.{ext}")]
    images = iter(r.get("images") or [])
    out, atts = [], []
    for kind, text in B.report_paragraphs(r):
        if kind in ("T2", "T3", "T4"):
            if r["style"] == "images":
                src = B.rel(base, next(images))
                out.append(f'<p style="text-align:center"><img src="{src}" alt="" width="600" border="0"></p>')
            elif kind == "T2":
                out.append(P("统计表见附件。"))
        elif kind == "h":
            out.append(f'<p style="text-indent:2em;"><strong>{_esc(text)}</strong></p>')
        elif kind == "sign":
            out.append(f'<p style="text-align:right;">{_esc(text)}</p>')
        else:
            out.append(P(text))
    if r["style"] == "attach_tables":
        for path in [r["attachment"], *r.get("attachments_extra", [])]:
            atts.append((B.rel(base, path), f"{r['year']}年政府信息公开工作年度报告统计表.{path.rsplit('.', 1)[1]}"))
    return "\n".join(out), atts


def build_site(B, listings: dict) -> None:
    """Write the lztj pages (listing, home, report pages) with build_sites' page chrome."""
    B.SITE_VOICE[SD] = VOICE
    site = D.SITES[SD]
    col = "政府信息公开年度报告"
    crumbs = [("首页", "/index.html"), ("政务公开", TJ + "index.html")]
    listings[SD] = B.build_trs_site(SD, TJ, col, crumbs, [ORDER])
    for r in FORMAT_REPORTS:
        content, atts = page_content(B, r)
        title = f"{r['title']}_{col}_{site['name']}"
        main = B.article_main(r, content, atts or None, source=r["agency"])
        B.write(SD, r["path"], B.page(site, SD, title, col, crumbs + [(col, TJ + "index.html"), ("正文", "")], main,
                                      art=r, gk_url=TJ + "index.html"))
    B.home(SD, [(col, TJ + "index.html")])
