"""Figures and prose of every report in the demo mirror (single source of truth).

Imported by ``build_sites.py`` (HTML pages, EXPECTED.json, cells/*.json) and ``make_pdf.py`` (the
PDF attachment). All places except 重庆市渝北区 are fictional: 澜州市 (division prefix 3699, not
a real prefecture code) with 鹭湾区 and 石岭县. The 渝北区民政局 2020 report is the project's seed
report; its figures and padded cell strings are reproduced exactly from the seed text.

Table-三 figures are built from leaf rows so that every TEMPLATES.md §6 identity holds; a report
may then list ``corrupt`` cells whose PRINTED value deliberately disagrees with its parts.
"""
from __future__ import annotations

COLS = ["person", "org_business", "org_research", "org_nonprofit", "org_legal", "org_other", "total"]

T3_LEAVES_COMMON = [
    "open", "partial",
    "deny_secret", "deny_law", "deny_security", "deny_third_party",
    "deny_internal", "deny_process", "deny_case_file", "deny_query",
    "unable_not_held", "unable_need_create", "unable_unclear",
    "reject_petition", "reject_repeat", "reject_publication", "reject_mass", "reject_confirm",
]
T3_LEAVES = {
    "2019": T3_LEAVES_COMMON + ["other"],
    "2021": T3_LEAVES_COMMON + ["other_no_correction", "other_no_fee", "other_misc"],
}
T3_ROWS = {v: ["new", "carry_in"] + T3_LEAVES[v] + ["handled_total", "carry_out"] for v in T3_LEAVES}
T4_COLS = [f"{g}_{c}" for g in ("rev", "lit_direct", "lit_after_review")
           for c in ("maintain", "correct", "other", "pending", "total")]

T2_CELLS = {
    "2019": [
        ("a20_1", "rules", ["made_new", "published_new", "public_total"]),
        ("a20_1", "normative", ["made_new", "published_new", "public_total"]),
        ("a20_5", "license", ["prev_items", "delta", "decisions"]),
        ("a20_5", "other_service", ["prev_items", "delta", "decisions"]),
        ("a20_6", "penalty", ["prev_items", "delta", "decisions"]),
        ("a20_6", "coercion", ["prev_items", "delta", "decisions"]),
        ("a20_8", "fees", ["prev_items", "delta"]),
        ("a20_9", "central_proc", ["proc_items", "proc_amount"]),
    ],
    "2021": [
        ("a20_1", "rules", ["issued", "repealed", "in_force"]),
        ("a20_1", "normative", ["issued", "repealed", "in_force"]),
        ("a20_5", "license", ["decisions"]),
        ("a20_6", "penalty", ["decisions"]),
        ("a20_6", "coercion", ["decisions"]),
        ("a20_8", "fees", ["fee_amount"]),
    ],
}


def _vec(v):
    v = list(v) + [0] * (6 - len(v))
    return v[:6]


def build_t3(version: str, leaves: dict, carry_in=(), carry_out=()) -> dict:
    """Cells of table 三 from leaf rows given as [person, business, research, nonprofit, legal, other]."""
    rows = {r: _vec(leaves.get(r, ())) for r in T3_LEAVES[version]}
    unknown = set(leaves) - set(rows)
    assert not unknown, unknown
    rows["carry_in"] = _vec(carry_in)
    rows["carry_out"] = _vec(carry_out)
    rows["handled_total"] = [sum(rows[r][i] for r in T3_LEAVES[version]) for i in range(6)]
    rows["new"] = [rows["handled_total"][i] + rows["carry_out"][i] - rows["carry_in"][i] for i in range(6)]
    assert all(x >= 0 for x in rows["new"]), rows["new"]
    cells = {}
    for r in T3_ROWS[version]:
        vals = rows[r] + [sum(rows[r])]
        for c, x in zip(COLS, vals):
            cells[f"t3.{r}.{c}"] = x
    return cells


def build_t4(rev=(0, 0, 0, 0), direct=(0, 0, 0, 0), after=(0, 0, 0, 0)) -> dict:
    cells = {}
    for g, v in (("rev", rev), ("lit_direct", direct), ("lit_after_review", after)):
        for c, x in zip(("maintain", "correct", "other", "pending", "total"), list(v) + [sum(v)]):
            cells[f"t4.cases.{g}_{c}"] = x
    return cells


def t2_2019(rules, normative, license, other_service, penalty, coercion, fees, proc) -> dict:
    d = {}
    for (blk, row, cols), vals in zip(T2_CELLS["2019"], (rules, normative, license, other_service,
                                                           penalty, coercion, fees, proc)):
        for c, x in zip(cols, vals):
            d[f"t2.{blk}.{row}.{c}"] = x
    return d


def t2_2021(rules, normative, license, penalty, coercion, fee) -> dict:
    d = {}
    for (blk, row, cols), vals in zip(T2_CELLS["2021"], (rules, normative, (license,), (penalty,),
                                                           (coercion,), (fee,))):
        for c, x in zip(cols, vals):
            d[f"t2.{blk}.{row}.{c}"] = x
    return d


def money_wan(s: str) -> str:
    """'35682417.50元' -> '3568.241750' ; '139.8万元' -> '139.8' (cells json keeps 万元 decimal strings)."""
    from decimal import Decimal
    if s.endswith("万元"):
        return s[:-2]
    if s.endswith("元"):
        return str((Decimal(s[:-1]) / Decimal(10000)).normalize())
    return s


# --------------------------------------------------------------------------------------------
# Sites
# --------------------------------------------------------------------------------------------
SITES = {
    "yubei": dict(
        name="重庆市渝北区人民政府", short="渝北区", domain="www.ybq.gov.cn", site_code="5001120001",
        icp="渝ICP备05003300号-1", police="渝公网安备 50011202500123号",
        host_unit="重庆市渝北区人民政府办公室", charset="utf-8", platform="trs",
    ),
    "luwan": dict(
        name="澜州市鹭湾区人民政府", short="鹭湾区", domain="www.luwan.gov.cn", site_code="3699020001",
        icp="澜ICP备10021876号", police="澜公网安备 36990202000118号",
        host_unit="澜州市鹭湾区人民政府办公室", charset="utf-8", platform="trs",
    ),
    "shiling": dict(
        name="石岭县人民政府", short="石岭县", domain="www.shiling.gov.cn", site_code="3699250001",
        icp="澜ICP备08004512号", police="澜公网安备 36992502000027号",
        host_unit="石岭县人民政府办公室", charset="gb2312", platform="generic",
    ),
    "lzhb": dict(
        name="澜州市生态环境局", short="澜州市生态环境局", domain="sthjj.lanzhou-demo.gov.cn",
        site_code="3699000021", icp="澜ICP备12006631号-2", police="澜公网安备 36990002000233号",
        host_unit="澜州市生态环境局", charset="utf-8", platform="generic",
    ),
    "lzsw": dict(
        name="澜州市水务局", short="澜州市水务局", domain="slj.lanzhou-demo.gov.cn",
        site_code="3699000034", icp="澜ICP备12006631号-5", police="澜公网安备 36990002000341号",
        host_unit="澜州市水务局", charset="utf-8", platform="trs",
    ),
}

# --------------------------------------------------------------------------------------------
# The seed report (重庆市渝北区民政局 2020, 2019 template): exact cell strings with padding.
# --------------------------------------------------------------------------------------------
SEED_T2_STRINGS = ['0\u3000\u3000', '\xa00', '0\u3000', '3\u3000\u3000', '3', '11', '15\u3000', '0\u3000',
                   '110\u3000', '64', '0\u3000', '7910\u3000', '58\u3000', '0\u3000', '4\u3000', '2\u3000', '0',
                   '0\u3000', '0', '\xa00', '2\u3000', '139.8万元']
_Z = ['0\xa0', '0\xa0', '\xa00', '0\xa0', '0\xa0', '\xa00', '0\xa0']
_Z2 = ['\xa00', '0\xa0', '\xa00', '0\xa0', '0\xa0', '\xa00', '0\xa0']
SEED_T3_STRINGS = [
    ['1\xa0', '0\xa0', '\xa00', '0\xa0', '0\xa0', '\xa00', '\xa01'],  # new
    _Z2,  # carry_in
    ['1', '0\xa0', '\xa00', '0\xa0', '0\xa0', '\xa00', '1\xa0'],  # open
    _Z, _Z, _Z, _Z2, _Z2, _Z2, _Z, _Z, _Z,  # partial, deny 1-8
    _Z2, _Z, _Z,  # unable 1-3
    _Z, _Z2, _Z, _Z2, _Z2,  # reject 1-5
    _Z2,  # other
    ['\xa01', '0\xa0', '\xa00', '0\xa0', '0\xa0', '\xa00', '1'],  # handled_total
    _Z2,  # carry_out
]
SEED_T4_STRINGS = ['0\xa0', '\xa00', '\xa00', '0\xa0', '0\xa0', '0\xa0', '0\xa0', '\xa00', '0\xa0', '\xa00',
                   '\xa00', '\xa00', '\xa00', '\xa00', '0']

SEED_CELLS = {}
SEED_CELLS.update(t2_2019((0, 0, 0), (3, 3, 11), (15, 0, 110), (64, 0, 7910), (58, 0, 4), (2, 0, 0), (0, 0),
                          (2, "139.8万元")))
SEED_CELLS.update(build_t3("2019", {"open": [1]}))
SEED_CELLS.update(build_t4())

SEED_TEXT = {
    "title_lines": ["重庆市渝北区民政局", "2020年政府信息公开工作年度报告"],
    "s1_intro": "根据《中华人民共和国政府信息公开条例》和上级有关文件要求，现将渝北区民政局2020年政府信息公开工作年度报告如下：",
    "s1": [
        ("主动公开方面", "    我局紧紧围绕区委、区政府决策部署和市民政局的指导下，及时将各项工作落实措施及执行情况向社会公开。重点加强对民政民生领域的信息公开，以养老、社会福利、社区建设、社会救助、社会事务等与人民群众切身利益密切相关的政策信息作为公开重点，主要通过区政府网站进行主动公开。把公开透明的要求贯穿于政务服务各个环节，以公开促进政务服务水平的提高，创造条件保障人民群众更好地了解和监督民政工作。2020年我局主动发布各类信息420条，其中政府网站公开政府信息136条，政务微信公开政府信息284条。全年制发规范性文件3件，均按规定对规范性文件进行了政策解读并及时在网站上公开；办理人大代表建议9件、政协委员提案6件，均按规定将办理结果及时进行公开。"),
        ("依申请公开方面", "进一步推进规范依申请公开工作，提高依申请公开办理质效，进一步强化依申请办理程序化、规范化、标准化。做好依申请公开接收、登记、办理、调查、答复等各个环节工作。在答复申请时，严格依法有据，严格按照《中华人民共和国政府信息公开条例》规定出具告知书，规范格式和内容，确保用词准确、严谨、规范，依法保障公民、法人和其他组织获取政府信息的权利，维护政府部门的形象。2020年，我局共收到信息公开申请1件，并按规定予以公开。2020年，我局未收到因信息公开引起的行政复议和行政诉讼。"),
        ("政府信息管理方面", "健全我局政府信息发布审查机制，完善政府信息主动公开目录，并根据机构改革后的职责变化及时进行动态更新调整，及时、准确、规范地公开各栏目政府信息。"),
        ("平台建设方面", "进一步加强门户网站的管理，强化门户网站信息日常管理。2020年，根据《关于做好政府网站集约化试点有关工作的通知》要求，逐步完成门户网站内容的建设。同时，建立健全政务公开制度，实行政务公开源头认定机制，依托办公平台严格实行“三审三校”制度，促进政务公开工作走上制度化、规范化轨道。"),
        ("（五）监督保障方面", "建立监督机制，政务公开工作领导小组办公室定期对我局政务公开信息发布情况进行统计通报，对公开不及时、公开不准确的问题进行及时纠正，保证了政务公开的严肃性。严格按照网上监测通报整改完善。做到及时公开，积极主动公开可以公开的政府信息，接受社会监督，保障政府信息公开的渠道畅通，切实保障公众的知情权和监督权。"),
    ],
    "s5": [
        "（一）存在问题。一是公开的渠道比较单一，由于自2020年起关停了“渝北民政”微信公众号，只保留了政府网站，政府信息公开的渠道相对较为单一、途径较少，一定程度上阻碍了政府信息公开工作的开展。二是专业领域学习仍需加强。随着权力事项的不断调整，政府信息公开工作形势愈加复杂，相关工作人员的工作能力需进一步提升。",
        "（二）改进情况。针对以上存在的问题，我局及时对相关工作进行调整改进。一是充分利用政府网站平台，进一步明确政府信息公开工作职责任务，完善工作机制，为政府信息公开工作提供组织保障。二是开展了政府信息公开及规范性文件政策解读等相关工作的专题培训，对机关科室及下属单位负责人和经办人员进行了业务工作培训，有力提升了相关工作人员的政务公开意识和素养。",
    ],
    "s6": "我局暂无其他需要报告的事项。",
    "signature": ["重庆市渝北区民政局", "2021年1月13日"],
}

# --------------------------------------------------------------------------------------------
# All reports. path = URL path on the site. style: how tables are marked up.
#   trs   = CMS rich-text editor tables (<td><p>…</p></td>)
#   word  = Word-pasted (MsoNormal, spans, <o:p>, <br> inside labels)
#   plain = old hand-written HTML (bare text in <td>)
#   seed  = the seed page (trs-like, values padded with NBSP / U+3000)
#   pdf   = tables only in the PDF attachment (page says 详见附件)
#   pre2019 = free text + local statistics table, no template tables
# --------------------------------------------------------------------------------------------
REPORTS: list[dict] = []


def report(**kw):
    kw.setdefault("corrupt", {})
    kw.setdefault("crawlable", True)
    kw.setdefault("notes", "")
    REPORTS.append(kw)
    return kw


# ---- yubei: 渝北区民政局 (department column on the district portal) ----
YB = "/zwgk/zfxxgknb/"
report(id="yubei_mzj_2019", site="yubei", path=YB + "202001/t20200117_6614203.html",
       agency="重庆市渝北区民政局", year=2019, template="2019", style="trs", pubdate="2020-01-17 10:26",
       title="重庆市渝北区民政局2019年政府信息公开工作年度报告",
       cells={**t2_2019((0, 0, 0), (2, 2, 8), (15, 0, 98), (64, 0, 7321), (58, 0, 6), (2, 0, 1), (0, 0),
                        (3, "86.5万元")),
              **build_t3("2019", {"open": [1], "unable_not_held": [1]}),
              **build_t4()},
       extra=dict(info_total=386, web=129, wechat=257))
report(id="yubei_mzj_2020_seed", site="yubei", path=YB + "202101/t20210113_8845120.html",
       agency="重庆市渝北区民政局", year=2020, template="2019", style="seed", pubdate="2021-01-13 16:08",
       title="重庆市渝北区民政局2020年政府信息公开工作年度报告", cells=SEED_CELLS,
       notes="the project's seed report (corpus 000_559a03cdbb29f6b3), figures and cell padding exactly as in the seed")
report(id="yubei_mzj_2021", site="yubei", path=YB + "202201/t20220120_10387712.html",
       agency="重庆市渝北区民政局", year=2021, template="2021", style="trs", pubdate="2022-01-20 09:41",
       title="重庆市渝北区民政局2021年政府信息公开工作年度报告",
       cells={**t2_2021((0, 0, 0), (2, 1, 12), 126, 3, 0, "0"),
              **build_t3("2021", {"open": [2], "unable_not_held": [0, 1]}),
              **build_t4()},
       extra=dict(info_total=402, web=151, wechat=0))

# ---- luwan: 鹭湾区 (TRS, two listing pages) ----
LW = "/zwgk/zfxxgk/zfxxgknb/"
report(id="luwan_2019", site="luwan", path=LW + "202002/t20200214_2561870.htm",
       agency="澜州市鹭湾区人民政府", year=2019, template="2019", style="trs", pubdate="2020-02-14 17:20",
       title="鹭湾区2019年政府信息公开工作年度报告",
       cells={**t2_2019((0, 0, 0), (14, 14, 162), (412, -23, 18650), (305, 12, 9820), (1288, -41, 2315),
                        (47, 0, 36), (18, -2), (46, "35682417.50元")),
              **build_t3("2019", {"open": [23, 2, 0, 0, 1], "partial": [3], "deny_third_party": [1],
                                  "deny_process": [2], "unable_not_held": [9, 1], "unable_unclear": [2],
                                  "reject_repeat": [1], "other": [1]}, carry_out=[2]),
              **build_t4((2, 0, 1, 0), (1, 0, 0, 1))},
       extra=dict(info_total=9536, web=6211, wechat=3325))
report(id="luwan_2020_pdf", site="luwan", path=LW + "202102/t20210208_2790341.htm",
       attachment=LW + "202102/P020210208563412871234.pdf",
       agency="澜州市鹭湾区人民政府", year=2020, template="2019", style="pdf", pubdate="2021-02-08 15:02",
       title="鹭湾区2020年政府信息公开工作年度报告",
       cells={**t2_2019((0, 0, 0), (11, 11, 173), (389, 6, 20117), (317, -5, 10432), (1247, 15, 2608),
                        (47, 3, 41), (16, 0), (52, "41270385.20元")),
              **build_t3("2019", {"open": [31, 4, 0, 0, 0, 1], "partial": [5, 1], "deny_law": [1],
                                  "deny_third_party": [2], "deny_internal": [1], "deny_process": [3],
                                  "unable_not_held": [12, 2, 0, 0, 1], "unable_need_create": [2],
                                  "unable_unclear": [3], "reject_petition": [2], "reject_repeat": [1],
                                  "other": [2]}, carry_in=[2], carry_out=[3, 1]),
              **build_t4((3, 1, 0, 1), (2, 0, 1, 0), (1, 0, 0, 0))},
       extra=dict(info_total=10288, web=6874, wechat=3414),
       notes="tables only in the PDF attachment; the HTML page says 详见附件")
report(id="luwan_2021_word", site="luwan", path=LW + "202202/t20220218_3011245.htm",
       agency="澜州市鹭湾区人民政府", year=2021, template="2021", style="word", pubdate="2022-02-18 11:35",
       title="鹭湾区2021年度政府信息公开工作年度报告",
       cells={**t2_2021((0, 0, 0), (9, 21, 161), 21436, 2877, 52, "1864.3725"),
              **build_t3("2021", {"open": [38, 5, 0, 1], "partial": [6], "deny_law": [1],
                                  "deny_third_party": [3], "deny_process": [2], "deny_query": [1],
                                  "unable_not_held": [15, 2, 0, 0, 0, 1], "unable_need_create": [3],
                                  "unable_unclear": [2], "reject_petition": [3], "reject_repeat": [2],
                                  "reject_confirm": [1], "other_no_correction": [2], "other_misc": [1]},
                          carry_in=[3, 1], carry_out=[4]),
              **build_t4((4, 1, 1, 0), (2, 1, 0, 1), (1, 0, 0, 1))},
       extra=dict(info_total=11025, web=7310, wechat=3715),
       notes="Word-pasted HTML: MsoNormal paragraphs, spans, <o:p>, <br> inside header labels")
report(id="luwan_2022_bad", site="luwan", path=LW + "202302/t20230215_3187706.htm",
       agency="澜州市鹭湾区人民政府", year=2022, template="2021", style="trs", pubdate="2023-02-15 16:47",
       title="鹭湾区2022年政府信息公开工作年度报告",
       cells={**t2_2021((0, 0, 0), (7, 4, 164), 22910, 3105, 47, "1702.1186"),
              **build_t3("2021", {"open": [27, 3, 0, 0, 1], "partial": [4, 1], "deny_third_party": [2],
                                  "deny_process": [1], "unable_not_held": [11, 1], "unable_unclear": [1],
                                  "reject_petition": [2], "reject_repeat": [1], "other_no_correction": [1],
                                  "other_misc": [1]}, carry_in=[4], carry_out=[2]),
              **build_t4((2, 0, 1, 1), (3, 0, 0, 0))},
       corrupt={"t3.new.total": +2},
       expect_fail=["t3_balance_total", "t3_rowsum_new"], expect_audit_fail=["identities"],
       extra=dict(info_total=10876, web=7544, wechat=3332),
       notes="deliberately inconsistent: printed 一、本年新收 总计 is 2 more than the sum of its columns")
report(id="luwan_2023", site="luwan", path=LW + "202401/t20240126_3352817.htm",
       agency="澜州市鹭湾区人民政府", year=2023, template="2021", style="trs", pubdate="2024-01-26 10:12",
       title="鹭湾区2023年政府信息公开工作年度报告",
       cells={**t2_2021((0, 0, 0), (11, 6, 169), 24588, 3390, 61, "1598.9043"),
              **build_t3("2021", {"open": [35, 4, 1], "partial": [5], "deny_secret": [1],
                                  "deny_third_party": [2, 1], "deny_process": [2], "deny_case_file": [1],
                                  "unable_not_held": [14, 2, 0, 0, 1], "unable_need_create": [2],
                                  "unable_unclear": [3], "reject_petition": [4], "reject_repeat": [1],
                                  "reject_publication": [1], "other_no_correction": [3], "other_no_fee": [1],
                                  "other_misc": [1]}, carry_in=[2], carry_out=[3, 1]),
              **build_t4((3, 1, 0, 2), (2, 0, 1, 2), (1, 1, 0, 0))},
       extra=dict(info_total=12417, web=8236, wechat=4181),
       notes="served with HTTP 500 on the first request (quirks fail_once)")
report(id="luwan_2018_pre2019", site="luwan", path=LW + "201903/t20190322_2310458.htm",
       agency="澜州市鹭湾区人民政府", year=2018, template="pre2019", style="pre2019", pubdate="2019-03-22 09:30",
       title="鹭湾区2018年政府信息公开工作年度报告", cells=None,
       stats=[("主动公开文件数", "条", 8125, 51377), ("其中：1.政府网站公开数", "条", 5306, 33610),
              ("2.政务微博微信公开数", "条", 2819, 17767), ("受理依申请公开信息总数", "条", 41, 263),
              ("其中：1.当面申请数", "条", 9, 88), ("2.网上申请数", "条", 27, 141), ("3.信函、传真申请数", "条", 5, 34),
              ("对申请的答复总数", "条", 41, 263), ("其中：1.同意公开答复数", "条", 22, 151),
              ("2.同意部分公开答复数", "条", 4, 27), ("3.不予公开答复数", "条", 3, 19), ("4.其他类型答复数", "条", 12, 66),
              ("行政复议数", "件", 2, 9), ("行政诉讼数", "件", 1, 4)],
       notes="pre-2019: free text and a local statistics table (指标名称|计量单位|本年度|历年累计)")

# ---- shiling: 石岭县 (GBK, charset only in <meta>) ----
SL = "/html/"
report(id="shiling_2019", site="shiling", path=SL + "2020/zfxxgknb_0121/36518.html",
       agency="石岭县人民政府", year=2019, template="2019", style="plain", pubdate="2020-01-21 08:55",
       title="石岭县2019年政府信息公开工作年度报告",
       cells={**t2_2019((0, 0, 0), (5, 5, 37), (186, 4, 5120), (95, 0, 2210), (433, -12, 688), (21, 0, 9),
                        (7, -1), (18, "1263.45万元")),
              **build_t3("2019", {"open": [6], "partial": [1], "unable_not_held": [3, 1],
                                  "reject_repeat": [1]}, carry_out=[1]),
              **build_t4((1, 0, 0, 0))},
       extra=dict(info_total=3288, web=2140, wechat=1148))
report(id="shiling_2020", site="shiling", path=SL + "2021/zfxxgknb_0126/39042.html",
       agency="石岭县人民政府", year=2020, template="2019", style="plain", pubdate="2021-01-26 15:16",
       title="石岭县2020年政府信息公开工作年度报告",
       cells={**t2_2019((0, 0, 0), (4, 4, 41), (190, 2, 5487), (95, 3, 2390), (421, 0, 702), (21, 0, 11),
                        (6, 0), (21, "1508.6万元")),
              **build_t3("2019", {"open": [8, 1], "partial": [1], "deny_third_party": [1],
                                  "unable_not_held": [4], "unable_unclear": [1], "other": [1]}, carry_in=[1]),
              **build_t4((1, 1, 0, 0), (0, 0, 0, 1))},
       extra=dict(info_total=3517, web=2306, wechat=1211), omit_sections=["s5"], expect_audit_fail=["sections"],
       notes="section 五、存在的主要问题及改进情况 left out on purpose (the audit must flag it)")
report(id="shiling_2021", site="shiling", path=SL + "2022/zfxxgknb_0128/41827.html",
       agency="石岭县人民政府", year=2021, template="2021", style="plain", pubdate="2022-01-28 10:03",
       title="石岭县2021年政府信息公开工作年度报告",
       cells={**t2_2021((0, 0, 0), (6, 3, 44), 5932, 745, 13, "326.5"),
              **build_t3("2021", {"open": [10, 2], "partial": [2], "unable_not_held": [5, 1],
                                  "unable_need_create": [1], "reject_petition": [1],
                                  "other_no_correction": [1]}, carry_out=[1]),
              **build_t4((2, 0, 0, 0), (1, 0, 0, 0))},
       extra=dict(info_total=3902, web=2577, wechat=1325))

# ---- lzhb: 澜州市生态环境局 (another platform: /col/ listings with ?uid=&pageNum=, /art/ pages) ----
report(id="lzhb_2019_robots", site="lzhb", path="/ztzl/zwgkzl/art_2101_79334.html",
       agency="澜州市生态环境局", year=2019, template="2019", style="trs", pubdate="2020-01-22 14:40",
       title="澜州市生态环境局2019年政府信息公开工作年度报告", crawlable=False,
       cells={**t2_2019((0, 0, 0), (3, 3, 19), (27, 2, 1866), (14, 0, 392), (136, 5, 214), (6, 0, 17), (2, -1),
                        (9, "2368.7万元")),
              **build_t3("2019", {"open": [12, 3, 0, 1], "partial": [2, 1], "deny_third_party": [1, 1],
                                  "unable_not_held": [4], "reject_repeat": [1]}, carry_out=[1]),
              **build_t4((1, 0, 1, 0), (1, 0, 0, 0))},
       extra=dict(info_total=1422, web=977, wechat=445),
       notes="linked from the listing but under /ztzl/, which robots.txt disallows: a polite crawl must not fetch it")
report(id="lzhb_2020", site="lzhb", path="/art/2021/1/29/art_2101_83105.html",
       agency="澜州市生态环境局", year=2020, template="2019", style="trs", pubdate="2021-01-29 09:18",
       title="澜州市生态环境局2020年政府信息公开工作年度报告",
       cells={**t2_2019((0, 0, 0), (2, 2, 21), (29, 0, 2045), (14, 1, 451), (141, -3, 187), (6, 0, 12), (1, 0),
                        (11, "2790.35万元")),
              **build_t3("2019", {"open": [15, 6, 0, 0, 0, 1], "partial": [3, 1], "deny_process": [1],
                                  "unable_not_held": [5, 1], "unable_unclear": [1], "reject_petition": [1]},
                          carry_in=[1]),
              **build_t4((2, 1, 0, 0), (1, 0, 0, 1), (1, 0, 0, 0))},
       extra=dict(info_total=1610, web=1093, wechat=517))
report(id="lzhb_2021", site="lzhb", path="/art/2022/1/27/art_2101_88231.html",
       agency="澜州市生态环境局", year=2021, template="2021", style="trs", pubdate="2022-01-27 16:30",
       title="澜州市生态环境局2021年政府信息公开工作年度报告",
       cells={**t2_2021((0, 0, 0), (3, 2, 22), 2318, 203, 15, "0"),
              **build_t3("2021", {"open": [18, 7, 1, 0, 1], "partial": [2, 2], "deny_law": [1],
                                  "deny_third_party": [1, 1], "unable_not_held": [6, 1], "unable_unclear": [2],
                                  "reject_petition": [2], "reject_repeat": [1], "other_no_correction": [1],
                                  "other_misc": [0, 1]}, carry_out=[2, 1]),
              **build_t4((3, 0, 1, 1), (2, 0, 0, 1), (1, 0, 0, 1))},
       extra=dict(info_total=1755, web=1206, wechat=549))
report(id="lzhb_2022", site="lzhb", path="/art/2023/1/30/art_2101_90512.html",
       agency="澜州市生态环境局", year=2022, template="2021", style="trs", pubdate="2023-01-30 11:05",
       title="澜州市生态环境局2022年政府信息公开工作年度报告",
       cells={**t2_2021((0, 0, 0), (4, 1, 25), 2566, 228, 19, "0"),
              **build_t3("2021", {"open": [20, 5, 0, 0, 2], "partial": [3, 1], "deny_third_party": [2],
                                  "unable_not_held": [7, 2], "unable_need_create": [1], "unable_unclear": [1],
                                  "reject_petition": [3], "reject_repeat": [1], "other_no_fee": [1],
                                  "other_misc": [1]}, carry_in=[2, 1], carry_out=[1]),
              **build_t4((3, 1, 0, 0), (1, 1, 0, 1), (2, 0, 0, 0))},
       extra=dict(info_total=1893, web=1321, wechat=572))

# ---- lzsw: 澜州市水务局 (small TRS department site, one listing page) ----
SW = "/zwgk/zfxxgknb/"
report(id="lzsw_2022", site="lzsw", path=SW + "202301/t20230129_3171920.html",
       agency="澜州市水务局", year=2022, template="2021", style="trs", pubdate="2023-01-29 15:51",
       title="澜州市水务局2022年政府信息公开工作年度报告",
       cells={**t2_2021((0, 0, 0), (2, 0, 15), 3120, 96, 4, "852.36"),
              **build_t3("2021", {"open": [9, 3], "partial": [1], "unable_not_held": [3, 1],
                                  "reject_petition": [1]}, carry_out=[0, 1]),
              **build_t4((1, 0, 0, 0))},
       extra=dict(info_total=864, web=602, wechat=262))
report(id="lzsw_2023", site="lzsw", path=SW + "202402/t20240227_3350021.html",
       agency="澜州市水务局", year=2023, template="2021", style="trs", pubdate="2024-02-27 09:47",
       title="澜州市水务局2023年政府信息公开工作年度报告",
       cells={**t2_2021((0, 0, 0), (3, 1, 17), 3347, 104, 3, "901.24"),
              **build_t3("2021", {"open": [11, 2], "partial": [2], "deny_third_party": [1],
                                  "unable_not_held": [4], "unable_unclear": [1], "other_misc": [1]},
                          carry_in=[0, 1]),
              **build_t4((1, 1, 0, 0), (0, 0, 1, 0))},
       extra=dict(info_total=931, web=655, wechat=276), expect_audit_fail=["on_time"],
       notes="published late on purpose: a department's report is due 01-31 (条例 第49条), this one is dated 02-27")

BY_ID = {r["id"]: r for r in REPORTS}


def printed_cells(r: dict) -> dict | None:
    """The cell values as printed on the page (after deliberate corruption)."""
    if r["cells"] is None:
        return None
    c = dict(r["cells"])
    for k, delta in r["corrupt"].items():
        c[k] = c[k] + delta
    return c


def cells_json(r: dict) -> dict | None:
    """{cell_id: value} in the corpus cells/ convention: money as a 万元 decimal string."""
    c = printed_cells(r)
    if c is None:
        return None
    out = {}
    for k, v in sorted(c.items()):
        if k.endswith(".proc_amount"):
            v = money_wan(v)
        out[k] = v
    return out


def s1_numbers(r: dict) -> dict:
    """Figures quoted in 一、总体情况 (taken from the printed tables, so text and tables agree)."""
    c = printed_cells(r)
    g = lambda row: c[f"t3.{row}.total"]
    deny = sum(g(x) for x in T3_LEAVES_COMMON if x.startswith("deny_"))
    unable = sum(g(x) for x in T3_LEAVES_COMMON if x.startswith("unable_"))
    reject = sum(g(x) for x in T3_LEAVES_COMMON if x.startswith("reject_"))
    other = sum(g(x) for x in T3_LEAVES[r["template"]] if x.startswith("other"))
    return dict(new=g("new"), carry_in=g("carry_in"), handled=g("handled_total"), open=g("open"),
                partial=g("partial"), deny=deny, unable=unable, reject=reject, other=other,
                carry_out=g("carry_out"), rev=c["t4.cases.rev_total"],
                lit=c["t4.cases.lit_direct_total"] + c["t4.cases.lit_after_review_total"])
