"""Build the static demo mirror under data/demo/sites/ plus EXPECTED.json and cells/*.json.

    .venv/bin/python data/demo/build_sites.py      # rewrites sites/, cells/, EXPECTED.json
    .venv/bin/python data/demo/make_pdf.py         # rewrites the one PDF attachment

Figures and prose live in demo_data.py. Every page is written here by hand-made templates
modelled on real 政府网站 (TRS WCM pages, a 大汉-style /col/ + /art/ site, an old GBK static site);
nothing is copied from the corpus except the seed report's own text and figures.
"""
from __future__ import annotations

import html
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import demo_data as D  # noqa: E402
import demo_formats as F  # noqa: E402  (registers the format site's reports into demo_data)

SITES_DIR = HERE / "sites"
esc = html.escape


# =============================================================================================
# Table renderers
# =============================================================================================
class Style:
    """How one table cell is marked up. `text` may contain '|' = a line break inside a label."""

    def __init__(self, name: str):
        self.name = name

    def table_open(self) -> str:
        if self.name == "word":
            return ('<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" width="604" '
                    'style="width:453.0pt;border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;'
                    'mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt">\n<tbody>')
        if self.name == "plain":
            return '<table width="96%" border="1" cellspacing="0" cellpadding="3" align="center" bordercolor="#000000">'
        return ('<table style="border-collapse:collapse;border:none;width:100%" cellspacing="0" cellpadding="0" '
                'align="center" border="1">\n<tbody>')

    def table_close(self) -> str:
        return "</table>" if self.name == "plain" else "</tbody>\n</table>"

    def td(self, text, rowspan=1, colspan=1, width=None, head=False) -> str:
        text = "" if text is None else str(text)
        span = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
        if self.name == "word":
            w = width or 60 * colspan
            parts = [esc(p) for p in text.split("|")]
            inner = '<br>\n'.join(parts) if text else '<span lang="EN-US">&nbsp;</span>'
            return (f'<td width="{w}"{span} valign="center" style="width:{w * 0.75:.1f}pt;border:solid windowtext 1.0pt;'
                    f'border-top:none;mso-border-top-alt:solid windowtext .5pt;mso-border-alt:solid windowtext .5pt;'
                    f'padding:0cm 5.4pt 0cm 5.4pt">\n<p class="MsoNormal" align="center" style="text-align:center;'
                    f'line-height:15.0pt;mso-line-height-rule:exactly"><span style="font-size:10.5pt;'
                    f'font-family:仿宋_GB2312;mso-hansi-font-family:宋体;color:black;mso-font-kerning:0pt">'
                    f'{inner}<span lang="EN-US"><o:p></o:p></span></span></p>\n</td>')
        if self.name == "plain":
            inner = "<br>".join(esc(p) for p in text.split("|")) if text else "&nbsp;"
            return f'<td{span} align="center">{inner}</td>'
        # trs / seed: UEditor-style cells, one <p> per label line (like the official template HTML)
        ps = "".join(f'<p style="text-align:center;text-indent:0em;">{esc(p)}</p>' for p in text.split("|")) \
            if text else '<p style="text-align:center;text-indent:0em;"><br/></p>'
        return (f'<td{span} valign="middle" align="center" style="border:1px solid windowtext;'
                f'padding:0px 4px;">{ps}</td>')

    def tr(self, cells: list[str]) -> str:
        if self.name == "word":
            return '<tr style="mso-yfti-irow:0;height:20.0pt">\n' + "\n".join(cells) + "\n</tr>"
        return "<tr>" + "".join(cells) + "</tr>"


def fmt(v) -> str:
    if isinstance(v, int):
        return str(v)
    return str(v)


def render_t2(version: str, c: dict, st: Style, seed_strings=None) -> str:
    seed = iter(seed_strings) if seed_strings else None
    val = (lambda k: next(seed)) if seed else (lambda k: fmt(c[k]))
    rows = []
    if version == "2019":
        def cap(t):
            rows.append(st.tr([st.td(t, colspan=5)]))
        cap("第二十条第（一）项")
        rows.append(st.tr([st.td("信息内容"), st.td("本年新|制作数量"), st.td("本年新|公开数量", colspan=2),
                           st.td("对外公开总数量")]))
        for r, lab in (("rules", "规章"), ("normative", "规范性文件")):
            rows.append(st.tr([st.td(lab), st.td(val(f"t2.a20_1.{r}.made_new")),
                               st.td(val(f"t2.a20_1.{r}.published_new"), colspan=2),
                               st.td(val(f"t2.a20_1.{r}.public_total"))]))
        for blk, items in (("a20_5", (("license", "行政许可"), ("other_service", "其他对外管理服务事项"))),
                           ("a20_6", (("penalty", "行政处罚"), ("coercion", "行政强制")))):
            cap("第二十条第（五）项" if blk == "a20_5" else "第二十条第（六）项")
            rows.append(st.tr([st.td("信息内容"), st.td("上一年项目数量", colspan=2), st.td("本年增/减"),
                               st.td("处理决定数量")]))
            for r, lab in items:
                rows.append(st.tr([st.td(lab), st.td(val(f"t2.{blk}.{r}.prev_items"), colspan=2),
                                   st.td(val(f"t2.{blk}.{r}.delta")), st.td(val(f"t2.{blk}.{r}.decisions"))]))
        cap("第二十条第（八）项")
        rows.append(st.tr([st.td("信息内容"), st.td("上一年项目数量", colspan=2), st.td("本年增/减", colspan=2)]))
        rows.append(st.tr([st.td("行政事业性收费"), st.td(val("t2.a20_8.fees.prev_items"), colspan=2),
                           st.td(val("t2.a20_8.fees.delta"), colspan=2)]))
        cap("第二十条第（九）项")
        rows.append(st.tr([st.td("信息内容"), st.td("采购项目数量", colspan=2), st.td("采购总金额", colspan=2)]))
        rows.append(st.tr([st.td("政府集中采购"), st.td(val("t2.a20_9.central_proc.proc_items"), colspan=2),
                           st.td(val("t2.a20_9.central_proc.proc_amount"), colspan=2)]))
    else:
        def cap(t):
            rows.append(st.tr([st.td(t, colspan=4)]))
        cap("第二十条第（一）项")
        rows.append(st.tr([st.td("信息内容"), st.td("本年制发|件数"), st.td("本年废止|件数"), st.td("现行有效|件数")]))
        for r, lab in (("rules", "规章"), ("normative", "行政规范性文件")):
            rows.append(st.tr([st.td(lab)] + [st.td(val(f"t2.a20_1.{r}.{k}")) for k in ("issued", "repealed", "in_force")]))
        cap("第二十条第（五）项")
        rows.append(st.tr([st.td("信息内容"), st.td("本年处理决定数量", colspan=3)]))
        rows.append(st.tr([st.td("行政许可"), st.td(val("t2.a20_5.license.decisions"), colspan=3)]))
        cap("第二十条第（六）项")
        rows.append(st.tr([st.td("信息内容"), st.td("本年处理决定数量", colspan=3)]))
        rows.append(st.tr([st.td("行政处罚"), st.td(val("t2.a20_6.penalty.decisions"), colspan=3)]))
        rows.append(st.tr([st.td("行政强制"), st.td(val("t2.a20_6.coercion.decisions"), colspan=3)]))
        cap("第二十条第（八）项")
        rows.append(st.tr([st.td("信息内容"), st.td("本年收费金额（单位：万元）", colspan=3)]))
        rows.append(st.tr([st.td("行政事业性收费"), st.td(val("t2.a20_8.fees.fee_amount"), colspan=3)]))
    return st.table_open() + "\n" + "\n".join(rows) + "\n" + st.table_close()


T3_LABELS = {
    "open": "（一）予以公开",
    "partial": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "deny_secret": "1.属于国家秘密", "deny_law": "2.其他法律行政法规禁止公开",
    "deny_security": "3.危及“三安全一稳定”", "deny_third_party": "4.保护第三方合法权益",
    "deny_internal": "5.属于三类内部事务信息", "deny_process": "6.属于四类过程性信息",
    "deny_case_file": "7.属于行政执法案卷", "deny_query": "8.属于行政查询事项",
    "unable_not_held": "1.本机关不掌握相关政府信息", "unable_need_create": "2.没有现成信息需要另行制作",
    "unable_unclear": "3.补正后申请内容仍不明确",
    "reject_petition": "1.信访举报投诉类申请", "reject_repeat": "2.重复申请",
    "reject_publication": "3.要求提供公开出版物", "reject_mass": "4.无正当理由大量反复申请",
    "reject_confirm": "5.要求行政机关确认或重新出具已获取信息",
    "other": "（六）其他处理",
    "other_no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_no_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other_misc": "3.其他",
    "handled_total": "（七）总计",
}
T3_GROUPS = {"deny_secret": ("（三）不予公开", 8), "unable_not_held": ("（四）无法提供", 3),
             "reject_petition": ("（五）不予处理", 5), "other_no_correction": ("（六）其他处理", 3)}
T3_IN_GROUP = {"deny_law", "deny_security", "deny_third_party", "deny_internal", "deny_process",
               "deny_case_file", "deny_query", "unable_need_create", "unable_unclear", "reject_repeat",
               "reject_publication", "reject_mass", "reject_confirm", "other_no_fee", "other_misc"}
T3_CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def t3_header(st: Style) -> list[str]:
    return [
        st.tr([st.td(T3_CORNER, rowspan=3, colspan=3, width=260), st.td("申请人情况", colspan=7)]),
        st.tr([st.td("自然人", rowspan=2), st.td("法人或其他组织", colspan=5), st.td("总计", rowspan=2)]),
        st.tr([st.td("商业|企业"), st.td("科研|机构"), st.td("社会公益|组织"), st.td("法律服务|机构"), st.td("其他")]),
    ]


def render_t3(version: str, c: dict, st: Style, seed_strings=None) -> str:
    rows = t3_header(st)
    seed = dict(zip(D.T3_ROWS[version], seed_strings)) if seed_strings else None

    def vals(r):
        if seed:
            return [st.td(s) for s in seed[r]]
        return [st.td(fmt(c[f"t3.{r}.{col}"])) for col in D.COLS]

    n_results = len(D.T3_LEAVES[version]) + 1
    rows.append(st.tr([st.td("一、本年新收政府信息公开申请数量", colspan=3)] + vals("new")))
    rows.append(st.tr([st.td("二、上年结转政府信息公开申请数量", colspan=3)] + vals("carry_in")))
    for r in D.T3_LEAVES[version] + ["handled_total"]:
        lead = []
        if r == "open":
            lead.append(st.td("三、本年度办理结果", rowspan=n_results))
        if r in T3_GROUPS and (r != "other_no_correction" or version == "2021"):
            g, n = T3_GROUPS[r]
            lead += [st.td(g, rowspan=n), st.td(T3_LABELS[r])]
        elif r in T3_IN_GROUP:
            lead.append(st.td(T3_LABELS[r]))
        else:
            lead.append(st.td(T3_LABELS[r], colspan=2))
        rows.append(st.tr(lead + vals(r)))
    rows.append(st.tr([st.td("四、结转下年度继续办理", colspan=3)] + vals("carry_out")))
    return st.table_open() + "\n" + "\n".join(rows) + "\n" + st.table_close()


def render_t4(c: dict, st: Style, seed_strings=None) -> str:
    five = ["结果|维持", "结果|纠正", "其他|结果", "尚未|审结", "总计"]
    rows = [
        st.tr([st.td("行政复议", colspan=5), st.td("行政诉讼", colspan=10)]),
        st.tr([st.td(x, rowspan=2) for x in five] + [st.td("未经复议直接起诉", colspan=5), st.td("复议后起诉", colspan=5)]),
        st.tr([st.td(x) for x in five * 2]),
    ]
    values = seed_strings or [fmt(c[f"t4.cases.{k}"]) for k in D.T4_COLS]
    rows.append(st.tr([st.td(v) for v in values]))
    return st.table_open() + "\n" + "\n".join(rows) + "\n" + st.table_close()


# =============================================================================================
# Report prose
# =============================================================================================
SITE_VOICE = {
    "yubei": dict(we="我局", office="渝北区民政局办公室", addr="重庆市渝北区双龙大道178号", zip="401120",
                  tel="023-67821365", place="渝北区"),
    "luwan": dict(we="全区", office="鹭湾区人民政府办公室（区政务公开办）", addr="澜州市鹭湾区滨湖大道88号区行政中心3号楼",
                  zip="369020", tel="0799-86213570", place="鹭湾区"),
    "shiling": dict(we="全县", office="石岭县人民政府办公室", addr="石岭县城关镇府前路1号", zip="369250",
                    tel="0799-75321108", place="石岭县"),
    "lzhb": dict(we="我局", office="澜州市生态环境局办公室", addr="澜州市澜江区环城东路216号", zip="369000",
                 tel="0799-88317652", place="澜州市"),
    "lzsw": dict(we="我局", office="澜州市水务局办公室", addr="澜州市澜江区水利路45号", zip="369000",
                 tel="0799-88125410", place="澜州市"),
}


def report_paragraphs(r: dict) -> list[tuple[str, str]]:
    """[(kind, text)] with kind in {'p', 'h', 'sub', 'T2', 'T3', 'T4', 'sign'} for a template report."""
    v = SITE_VOICE[r["site"]]
    y, tpl = r["year"], r["template"]
    n = D.s1_numbers(r)
    x = r.get("extra", {})
    c = D.printed_cells(r)
    we = v["we"]
    doc = ("《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）"
           if tpl == "2021" else
           "《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》（国办公开办函〔2019〕60号）")
    out = [("p", f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和{doc}要求编制，"
                 f"由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、"
                 f"存在的主要问题及改进情况、其他需要报告的事项六个部分组成。本报告所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。"
                 f"如对本报告有疑问，请与{v['office']}联系（地址：{v['addr']}；邮编：{v['zip']}；电话：{v['tel']}）。")]
    out.append(("h", "一、总体情况"))
    out.append(("p", f"{y}年，{v['place'] if we != '我局' else we}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》和上级关于政务公开工作的部署要求，"
                     f"以公开促落实、促规范、促服务，政府信息公开工作质量和实效进一步提升。"))
    if tpl == "2021":
        norm = c["t2.a20_1.normative.issued"]
        doc_sentence = f"全年制发行政规范性文件{norm}件，均在政府网站规范性文件库集中公开，同步发布政策解读。"
    else:
        norm = c["t2.a20_1.normative.made_new"]
        doc_sentence = f"全年新制作规范性文件{norm}件，均按规定在政府网站公开并同步开展政策解读。"
    out.append(("sub", "（一）主动公开"))
    wx = f"，政务新媒体发布{x['wechat']}条" if x.get("wechat") else ""
    out.append(("p", f"{y}年{we}共主动公开政府信息{x.get('info_total', 0)}条，其中政府网站发布{x.get('web', 0)}条{wx}。"
                     f"{doc_sentence}围绕财政预决算、重大建设项目、公共资源配置、社会公益事业等重点领域，持续做好信息发布、政策解读和回应关切工作。"))
    out.append(("sub", "（二）依申请公开"))
    rev_lit = (f"因政府信息公开工作被申请行政复议{n['rev']}件、提起行政诉讼{n['lit']}件。" if n["rev"] or n["lit"]
               else "未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。")
    out.append(("p", f"{y}年{we}共收到政府信息公开申请{n['new']}件，上年结转{n['carry_in']}件；办结{n['handled']}件，其中予以公开{n['open']}件，"
                     f"部分公开{n['partial']}件，不予公开{n['deny']}件，无法提供{n['unable']}件，不予处理{n['reject']}件，其他处理{n['other']}件；"
                     f"结转下年度继续办理{n['carry_out']}件。{rev_lit}所有申请均在法定期限内答复。"))
    out.append(("sub", "（三）政府信息管理"))
    out.append(("p", "严格落实信息发布“三审三校”和保密审查制度，坚持“先审查、后公开”和“谁公开、谁审查、谁负责”原则，动态更新政府信息公开指南和主动公开目录，"
                     "对现行有效规范性文件开展清理并及时公布清理结果。"))
    out.append(("sub", "（四）政府信息公开平台建设" if tpl == "2021" else "（四）平台建设"))
    out.append(("p", "加强政府网站集约化建设和日常监测，优化政府信息公开专栏设置，完善智能搜索和互动交流功能；规范政务新媒体管理，"
                     "做好政府公报、新闻发布会、政务服务大厅等公开渠道的协同联动。"))
    out.append(("sub", "（五）监督保障"))
    out.append(("p", "调整充实政务公开工作领导小组，明确分管领导和专职人员，将政务公开工作纳入年度绩效考核；开展政务公开业务培训2次，"
                     "按季度通报网站和政务新媒体检查情况，督促问题整改落实到位。"))
    out.append(("h", "二、主动公开政府信息情况"))
    out.append(("T2", ""))
    out.append(("h", "三、收到和处理政府信息公开申请情况"))
    out.append(("T3", ""))
    out.append(("h", "四、政府信息公开行政复议、行政诉讼情况"))
    out.append(("T4", ""))
    if "s5" not in r.get("omit_sections", ()):  # a report that leaves out 五 (the audit flags it)
        out.append(("h", "五、存在的主要问题及改进情况"))
        out.append(("p", f"{y}年，{we}政府信息公开工作取得了一定成效，但仍存在一些不足：一是部分单位对政务公开工作重视不够，信息更新不够及时；"
                     "二是政策解读形式较为单一，图解、视频等多样化解读偏少；三是依申请公开答复的规范性有待进一步提高。"))
        out.append(("p", f"下一步，{we}将重点做好以下工作：一是强化日常监督检查，定期通报信息发布情况；二是丰富政策解读形式，提升解读质量；"
                     "三是加强业务培训，规范依申请公开办理流程和答复文书，切实保障公民、法人和其他组织依法获取政府信息。"))
    out.append(("h", "六、其他需要报告的事项"))
    if tpl == "2021":
        out.append(("p", f"{y}年，{we}未收取政府信息公开信息处理费。"))
    else:
        out.append(("p", "无其他需要报告的事项。"))
    sign_date = r["pubdate"][:10]
    yy, mm, dd = sign_date.split("-")
    out.append(("sign", r["agency"]))
    out.append(("sign", f"{yy}年{int(mm)}月{int(dd)}日"))
    return out


def body_html(r: dict, st: Style) -> str:
    c = D.printed_cells(r)
    parts = []
    word = st.name == "word"
    for kind, text in report_paragraphs(r):
        if kind == "T2":
            parts.append(render_t2(r["template"], c, st))
        elif kind == "T3":
            parts.append(render_t3(r["template"], c, st))
        elif kind == "T4":
            parts.append(render_t4(c, st))
        elif word:
            if kind == "h":
                parts.append(f'<p class="MsoNormal" style="text-indent:32.0pt;mso-char-indent-count:2.0;line-height:28.0pt;'
                             f'mso-line-height-rule:exactly"><b><span style="font-size:16.0pt;font-family:黑体;'
                             f'mso-hansi-font-family:宋体">{esc(text)}<span lang="EN-US"><o:p></o:p></span></span></b></p>')
            elif kind == "sign":
                parts.append(f'<p class="MsoNormal" align="right" style="text-align:right;line-height:28.0pt;'
                             f'mso-line-height-rule:exactly"><span style="font-size:16.0pt;font-family:仿宋_GB2312">'
                             f'{esc(text)}<span lang="EN-US"><o:p></o:p></span></span></p>')
            else:
                cls = "楷体_GB2312" if kind == "sub" else "仿宋_GB2312"
                parts.append(f'<p class="MsoNormal" style="text-indent:32.0pt;mso-char-indent-count:2.0;line-height:28.0pt;'
                             f'mso-line-height-rule:exactly"><span style="font-size:16.0pt;font-family:{cls};'
                             f'mso-hansi-font-family:宋体;mso-bidi-font-family:宋体">{esc(text)}</span>'
                             f'<span lang="EN-US" style="font-size:16.0pt"><o:p></o:p></span></p>')
        elif st.name == "plain":
            if kind == "h":
                parts.append(f"<p><b>{esc(text)}</b></p>")
            elif kind == "sign":
                parts.append(f'<p align="right">{esc(text)}</p>')
            else:
                parts.append(f"<p>　　{esc(text)}</p>")
        else:
            if kind == "h":
                parts.append(f'<p style="text-indent:2em;"><strong>{esc(text)}</strong></p>')
            elif kind == "sign":
                parts.append(f'<p style="text-align:right;">{esc(text)}</p>')
            else:
                parts.append(f'<p style="text-indent:2em;">{esc(text)}</p>')
    return "\n".join(parts)


def seed_body() -> str:
    """The seed report as its TRS_Editor content (text and padded values exactly as in the seed)."""
    r = D.BY_ID["yubei_mzj_2020_seed"]
    st = Style("seed")
    T = D.SEED_TEXT
    p = lambda t, s="text-indent:2em;": f'<p style="{s}">{esc(t)}</p>'
    parts = [p(T["title_lines"][0], "text-align:center;"), p("", "text-align:center;").replace("</p>", "<br/></p>", 1),
             p(T["title_lines"][1], "text-align:center;")]
    parts.append('<p style="text-indent:2em;"><strong>一、总体情况</strong></p>')
    parts.append(p(T["s1_intro"]))
    for head, txt in T["s1"]:
        parts.append(f'<p style="text-indent:2em;"><strong>{esc(head)}</strong></p>')
        parts.append(p(txt))
    parts.append('<p style="text-indent:2em;"><strong>二、主动公开政府信息情况</strong></p>')
    parts.append(render_t2("2019", r["cells"], st, seed_strings=D.SEED_T2_STRINGS))
    parts.append('<p style="text-indent:2em;"><strong>三、收到和处理政府信息公开申请情况</strong></p>')
    parts.append(render_t3("2019", r["cells"], st, seed_strings=D.SEED_T3_STRINGS))
    parts.append('<p style="text-indent:2em;"><strong>四、政府信息公开行政复议、行政诉讼情况</strong></p>')
    parts.append(render_t4(r["cells"], st, seed_strings=D.SEED_T4_STRINGS))
    parts.append('<p style="text-indent:2em;"><strong>五、存在的主要问题及改进情况</strong></p>')
    parts += [p(t) for t in T["s5"]]
    parts.append('<p style="text-indent:2em;"><strong>六、其他需要报告的事项</strong></p>')
    parts.append(p(T["s6"]))
    parts += [p(t, "text-align:right;") for t in T["signature"]]
    return "\n".join(parts)


def pre2019_body(r: dict) -> str:
    v = SITE_VOICE[r["site"]]
    y = r["year"]
    st = r["stats"]
    P = lambda t: f'<p style="text-indent:2em;">{esc(t)}</p>'
    H = lambda t: f'<p style="text-indent:2em;"><strong>{esc(t)}</strong></p>'
    parts = [
        P(f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定，现公布{y}年度{v['place']}政府信息公开工作年度报告。"
          f"本报告由概述，主动公开政府信息情况，依申请公开政府信息和不予公开政府信息情况，政府信息公开的收费及减免情况，"
          f"因政府信息公开申请行政复议、提起行政诉讼的情况，存在的主要问题和改进措施，政府信息公开情况统计表等七部分组成。"
          f"本报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。本报告的电子版可在鹭湾区人民政府门户网站下载。"),
        H("一、概述"),
        P(f"{y}年，我区认真贯彻落实国务院办公厅和省、市关于政务公开工作的部署，围绕区委、区政府中心工作，"
          f"全面推进决策、执行、管理、服务、结果公开，加强政策解读和回应关切，政府信息公开工作取得新进展。"),
        H("二、主动公开政府信息情况"),
        P(f"{y}年，全区共主动公开政府信息{st[0][2]}条，其中通过政府网站公开{st[1][2]}条，通过政务微博微信公开{st[2][2]}条。"
          f"重点做好财政预决算、“三公”经费、重大建设项目、保障性住房、食品药品安全等领域信息公开。"),
        H("三、依申请公开政府信息和不予公开政府信息情况"),
        P(f"{y}年，全区共受理政府信息公开申请{st[3][2]}件，其中当面申请{st[4][2]}件，网上申请{st[5][2]}件，信函、传真申请{st[6][2]}件。"
          f"已答复{st[7][2]}件，其中同意公开{st[8][2]}件，同意部分公开{st[9][2]}件，不予公开{st[10][2]}件，其他类型答复{st[11][2]}件。"),
        H("四、政府信息公开的收费及减免情况"),
        P(f"{y}年，我区在政府信息公开工作中未收取任何费用。"),
        H("五、因政府信息公开申请行政复议、提起行政诉讼的情况"),
        P(f"{y}年，全区因政府信息公开申请提起行政复议{st[12][2]}件，提起行政诉讼{st[13][2]}件。"),
        H("六、存在的主要问题和改进措施"),
        P("我区政府信息公开工作虽取得一定成效，但仍存在部分单位信息更新不及时、政策解读质量不高等问题。下一步，我区将进一步健全工作机制，"
          "加强督查考核，不断提升政府信息公开工作水平。"),
        H("七、政府信息公开情况统计表"),
    ]
    rows = ['<tr><td style="border:1px solid #000;text-align:center"><p>指标名称</p></td>'
            '<td style="border:1px solid #000;text-align:center"><p>计量单位</p></td>'
            f'<td style="border:1px solid #000;text-align:center"><p>{y}年度</p></td>'
            '<td style="border:1px solid #000;text-align:center"><p>历年累计</p></td></tr>']
    for name, unit, a, b in st:
        rows.append(f'<tr><td style="border:1px solid #000"><p>{esc(name)}</p></td>'
                    f'<td style="border:1px solid #000;text-align:center"><p>{unit}</p></td>'
                    f'<td style="border:1px solid #000;text-align:center"><p>{a}</p></td>'
                    f'<td style="border:1px solid #000;text-align:center"><p>{b}</p></td></tr>')
    parts.append('<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:90%" align="center">'
                 '<tbody>' + "".join(rows) + "</tbody></table>")
    parts.append('<p style="text-align:right;">澜州市鹭湾区人民政府办公室</p>')
    parts.append('<p style="text-align:right;">2019年3月22日</p>')
    return "\n".join(parts)


def pdf_page_body(r: dict) -> str:
    y = r["year"]
    return "\n".join([
        f'<p style="text-indent:2em;">根据《中华人民共和国政府信息公开条例》和《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》'
        f'（国办公开办函〔2019〕60号）要求，现将鹭湾区{y}年政府信息公开工作年度报告予以公布。</p>',
        '<p style="text-indent:2em;">报告全文（含主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况等统计表）详见附件。</p>',
        '<p style="text-indent:2em;"><br/></p>',
    ])


# =============================================================================================
# Page chrome per site
# =============================================================================================
CSS = """body{margin:0;font:14px/1.8 "Microsoft YaHei",SimSun,sans-serif;color:#333;background:#f4f6f9}
a{color:#1f4e9c;text-decoration:none}.w1200{width:1200px;margin:0 auto}
.header{background:#1f5fa8;color:#fff;padding:18px 0}.header h1{margin:0;font-size:28px}
.nav ul{list-style:none;margin:0;padding:0;background:#17487f}.nav li{display:inline-block}.nav a{color:#fff;padding:0 24px;line-height:44px;display:block}
.position{padding:10px 0;color:#666}.main{background:#fff;padding:20px 30px;min-height:500px}
.list li{border-bottom:1px dashed #ddd;line-height:40px;list-style:none}.list li span{float:right;color:#999}
.TRS_Editor table td{border:1px solid #000}.footer{background:#e9edf3;color:#666;text-align:center;padding:16px 0;font-size:12px}
.page{text-align:center;padding:16px 0}.page a{margin:0 4px}
"""


def metas(site: dict, column: str, art: dict | None = None, http_equiv_charset: str | None = None) -> str:
    m = []
    if http_equiv_charset:
        m.append(f'<meta http-equiv="Content-Type" content="text/html; charset={http_equiv_charset}">')
    else:
        m.append('<meta charset="utf-8">')
    m += ['<meta http-equiv="X-UA-Compatible" content="IE=edge">',
          f'<meta name="SiteName" content="{site["name"]}">',
          f'<meta name="SiteDomain" content="{site["domain"]}">',
          f'<meta name="SiteIDCode" content="{site["site_code"]}">',
          f'<meta name="ColumnName" content="{column}">',
          f'<meta name="ColumnType" content="{column}">']
    if art:
        m += [f'<meta name="ArticleTitle" content="{esc(art["title"])}">',
              f'<meta name="PubDate" content="{art["pubdate"]}">',
              f'<meta name="ContentSource" content="{esc(art.get("source", site["host_unit"]))}">',
              '<meta name="Keywords" content="政府信息公开,年度报告">',
              f'<meta name="Url" content="http://{site["domain"]}{art["path"]}">']
    return "\n".join(m)


def header_nav(site: dict, sd: str, home="/index.html", gk="") -> str:
    return f"""<div class="topbar"><div class="w1200"><span>今天是：<script>document.write(new Date().toLocaleDateString());</script></span>
<span class="fr"><a href="https://www.gov.cn/" target="_blank">中国政府网</a> | <a href="javascript:;">无障碍浏览</a> | <a href="javascript:;">繁体版</a></span></div></div>
<div class="header"><div class="w1200"><h1><a href="{home}" style="color:#fff">{site['name']}</a></h1></div></div>
<div class="nav"><div class="w1200"><ul>
<li><a href="{home}">首页</a></li>
<li><a href="{gk or home}">政务公开</a></li>
<li><a href="javascript:;">政务服务</a></li>
<li><a href="javascript:;">互动交流</a></li>
<li><a href="javascript:;">走进{site['short'].replace('澜州市', '')}</a></li>
</ul></div></div>"""


def footer(site: dict) -> str:
    return f"""<div class="footer"><div class="w1200">
<p><a href="javascript:;">网站地图</a> | <a href="javascript:;">联系我们</a> | <a href="javascript:;">网站声明</a> | <a href="javascript:;">隐私保护</a></p>
<p>主办单位：{site['host_unit']}　　承办单位：{site['host_unit']}信息中心</p>
<p>网站标识码：{site['site_code']}　　<a href="https://beian.miit.gov.cn" target="_blank">{site['icp']}</a>　　{site['police']}</p>
<p><span id="_ideConac" class="conac">党政机关</span>　<span id="_span_jiucuo">政府网站找错</span></p>
</div></div>"""


def page(site: dict, sd: str, title: str, column: str, crumbs: list[tuple[str, str]], main: str,
         art: dict | None = None, gk_url: str = "", charset_meta: str | None = None) -> str:
    crumb = " &gt; ".join(f'<a href="{u}">{esc(t)}</a>' if u else esc(t) for t, u in crumbs)
    return f"""<!DOCTYPE html>
<html>
<head>
{metas(site, column, art, charset_meta)}
<title>{esc(title)}</title>
<link rel="stylesheet" type="text/css" href="/images/common.css">
</head>
<body>
{header_nav(site, sd, gk=gk_url)}
<div class="w1200">
<div class="position"><span>当前位置：</span>{crumb}</div>
<div class="main">
{main}
</div>
</div>
{footer(site)}
</body>
</html>
"""


def article_main(r: dict, content: str, attachments: list[tuple[str, str]] | None = None, source="") -> str:
    att = ""
    if attachments:
        lis = "\n".join(f'<li><a href="{href}" target="_blank" title="{esc(name)}">{esc(name)}</a></li>'
                        for href, name in attachments)
        att = f"""<div class="article_attachment" id="file_xmb"><div class="title_base">附件：</div>
<ul id="file_ul_fj">
{lis}
</ul></div>"""
    return f"""<div class="article">
<h1 class="article_title" style="text-align:center;font-size:24px">{esc(r['title'])}</h1>
<div class="article_info" style="text-align:center;color:#888">
<span>发布时间：{r['pubdate'][:16]}</span>　<span>来源：{esc(source or r['agency'])}</span>　<span>字号：[<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a>]</span>
</div>
<div class="article_content">
<div class="TRS_Editor">
{content}
</div>
</div>
{att}
<div class="article_btn"><a href="javascript:window.print();">打印本页</a> | <a href="javascript:window.close();">关闭窗口</a></div>
</div>"""


# =============================================================================================
# Non-report items (must NOT be taken as reports)
# =============================================================================================
NON_REPORTS = [
    dict(site="yubei", path="/zwgk/zfxxgknb/202103/t20210326_9012477.html", pubdate="2021-03-26 10:15",
         title="重庆市渝北区民政局2021年政务公开工作要点", kind="work_plan",
         body=["为深入贯彻落实《中华人民共和国政府信息公开条例》和区政府办公室关于政务公开工作的安排部署，结合我局工作实际，制定本工作要点。",
               "一、加强民生领域信息公开。重点做好养老服务、社会救助、社会福利、殡葬管理等领域政策文件和办事指南的公开。",
               "二、做好政府信息公开年度报告编制发布。按照规定时限编制并发布我局2020年政府信息公开工作年度报告。",
               "三、强化组织保障。明确专人负责政务公开工作，定期开展检查通报。"]),
    dict(site="luwan", path="/zwgk/zfxxgk/zfxxgknb/202304/t20230412_3209114.htm", pubdate="2023-04-12 16:20",
         title="鹭湾区人民政府办公室关于印发《鹭湾区2023年政务公开工作要点》的通知", kind="work_plan",
         body=["各街道办事处，区政府各部门，各直属单位：",
               "《鹭湾区2023年政务公开工作要点》已经区政府同意，现印发给你们，请认真贯彻执行。",
               "一、围绕稳经济促发展加强政策发布解读。二、围绕保障和改善民生做好信息公开。三、持续提升政务公开标准化规范化水平。"
               "四、按时编制发布政府信息公开工作年度报告，确保内容规范、数据准确。",
               "澜州市鹭湾区人民政府办公室", "2023年4月10日"]),
    dict(site="luwan", path="/zwgk/zfxxgk/zfxxgknb/202201/t20220105_2987730.htm", pubdate="2022-01-05 09:00",
         title="关于做好2021年度政府信息公开工作年度报告编制和发布工作的通知", kind="annual_report_notice",
         body=["各街道办事处，区政府各部门：",
               "根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）要求，"
               "现就做好2021年度政府信息公开工作年度报告编制和发布工作通知如下：",
               "一、各单位须于2022年1月31日前在区政府门户网站本单位信息公开专栏发布本单位2021年度政府信息公开工作年度报告。",
               "二、年度报告须严格按照格式模板编制，表格数据应当符合勾稽关系，文字描述与统计数据保持一致。",
               "三、各单位报告发布后，请将链接报送区政务公开办。",
               "鹭湾区人民政府办公室", "2022年1月4日"]),
    dict(site="luwan", path="/zwgk/zfxxgk/zfxxgknb/202012/t20201218_2745512.htm", pubdate="2020-12-18 15:45",
         title="关于2020年政府信息公开工作要点落实情况的函", kind="letter",
         body=["市政府办公室：",
               "按照《澜州市2020年政务公开工作要点》分工，现将我区落实情况函告如下：",
               "一、围绕“六稳”“六保”加大政策公开力度，全年集中发布惠企政策文件36件。二、推进基层政务公开标准化规范化，完成26个领域目录编制。"
               "三、做好政府信息公开工作年度报告发布工作，按期发布区政府及各部门2019年度报告。",
               "特此函告。", "澜州市鹭湾区人民政府办公室", "2020年12月16日"]),
    dict(site="shiling", path="/html/2022/zfxxgknb_0110/41255.html", pubdate="2022-01-10 11:30",
         title="石岭县人民政府办公室关于报送2021年度政府信息公开工作年度报告的通知", kind="annual_report_notice",
         body=["各乡镇人民政府，县政府各部门：",
               "根据《中华人民共和国政府信息公开条例》规定，请各单位于2022年1月25日前将本单位2021年度政府信息公开工作年度报告报县政府办公室审核，"
               "审核通过后于1月31日前在县政府门户网站发布。",
               "联系人：县政府办公室政务公开股，电话：0799-75321108。",
               "石岭县人民政府办公室", "2022年1月7日"]),
    dict(site="lzhb", path="/art/2022/3/15/art_2101_88840.html", pubdate="2022-03-15 10:40",
         title="澜州市生态环境局2022年政务公开工作要点", kind="work_plan",
         body=["为做好2022年全市生态环境系统政务公开工作，结合工作实际，制定本要点。",
               "一、做好环境质量信息公开，按月发布空气质量和水环境质量状况。",
               "二、做好建设项目环评审批、排污许可、行政处罚等执法信息公开。",
               "三、规范依申请公开办理，按时发布政府信息公开工作年度报告。"]),
]
BROKEN = [dict(site="luwan", path="/zwgk/zfxxgk/zfxxgknb/201803/t20180327_2057391.htm",
               title="鹭湾区2017年政府信息公开工作年度报告", pubdate="2018-03-27", status=404)]


# =============================================================================================
# Writers
# =============================================================================================
def write(sd: str, path: str, text: str | bytes, encoding: str = "utf-8"):
    f = SITES_DIR / sd / path.lstrip("/")
    f.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode(encoding)  # strict: a GB2312 site must stay GB2312-encodable
    f.write_bytes(text)


def rel(from_dir: str, to_path: str) -> str:
    """TRS-style './YYYYMM/tYYYYMMDD_N.htm' link when to_path is under from_dir."""
    assert to_path.startswith(from_dir), (from_dir, to_path)
    return "./" + to_path[len(from_dir):]


def listing_entries(sd: str, paths: list[str]) -> list[dict]:
    idx = {r["path"]: ("report", r) for r in D.REPORTS if r["site"] == sd}
    idx.update({n["path"]: ("non", n) for n in NON_REPORTS if n["site"] == sd})
    idx.update({b["path"]: ("broken", b) for b in BROKEN if b["site"] == sd})
    return [idx[p][1] for p in paths]


def detail_page(sd: str, r: dict, column: str, crumbs, gk_url: str) -> None:
    site = D.SITES[sd]
    charset_meta = "gb2312" if sd == "shiling" else None
    style = r.get("style")
    atts = None
    if style == "seed":
        content = seed_body()
    elif style == "pre2019":
        content = pre2019_body(r)
    elif style == "pdf":
        content = pdf_page_body(r)
        atts = [(rel(r["path"].rsplit("/", 1)[0] + "/", r["attachment"]), f"{r['title']}.pdf")]
    elif style is None:  # non-report
        content = "\n".join(f'<p style="text-indent:2em;">{esc(t)}</p>' for t in r["body"])
    else:
        content = body_html(r, Style(style))
        if style == "word":
            content = ('<style type="text/css">\n.TRS_Editor P{margin-top:0;margin-bottom:0;line-height:1.5;font-family:宋体;font-size:12pt;}'
                       '.TRS_Editor TD{font-size:12pt;}\n</style>\n<div class="WordSection1" style="layout-grid:15.6pt">\n'
                       + content + "\n</div>")
    title = f"{r['title']}_{column}_{site['name']}"
    main = article_main(r, content, atts, source=r.get("agency", site["host_unit"]))
    write(sd, r["path"], page(site, sd, title, column, crumbs + [("正文", "")], main, art=r, gk_url=gk_url,
                              charset_meta=charset_meta), site["charset"] if sd == "shiling" else "utf-8")


def trs_list_html(entries, base_dir):
    lis = []
    for e in entries:
        lis.append(f'<li><a href="{rel(base_dir, e["path"])}" target="_blank" title="{esc(e["title"])}">{esc(e["title"])}</a>'
                   f'<span>{e["pubdate"][:10]}</span></li>')
    return '<ul class="list">\n' + "\n".join(lis) + "\n</ul>"


def trs_pager(n_pages: int, cur: int) -> str:
    """TRS WCM pager: createPageHTML(count, index, name, ext) plus static links for non-JS clients."""
    links = []
    if n_pages > 1:
        first = "index.html"
        links.append(f'<a href="{first}">首页</a>')
        if cur > 0:
            prev = "index.html" if cur == 1 else f"index_{cur - 1}.html"
            links.append(f'<a href="{prev}">上一页</a>')
        if cur < n_pages - 1:
            links.append(f'<a href="index_{cur + 1}.html">下一页</a>')
        links.append(f'<a href="index_{n_pages - 1}.html">尾页</a>')
    return f"""<div class="page">
<script type="text/javascript">
var currentPage = {cur};//所在页从0开始
var prevPage = currentPage-1//上一页
var nextPage = currentPage+1//下一页
var countPage = {n_pages}//共多少页
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){{
  if(_nPageCount == null || _nPageCount<=1){{ return; }}
  var nCurrIndex = _nCurrIndex || 0;
  if(nCurrIndex == 0) document.write("<span>首页</span> ");
  else document.write("<a href=\\""+_sPageName+"."+_sPageExt+"\\">首页</a> ");
  if(nCurrIndex > 0) document.write("<a href=\\""+_sPageName+(nCurrIndex-1>0?"_"+(nCurrIndex-1):"")+"."+_sPageExt+"\\">上一页</a> ");
  if(nCurrIndex+1 < _nPageCount) document.write("<a href=\\""+_sPageName+"_"+(nCurrIndex+1)+"."+_sPageExt+"\\">下一页</a> ");
  document.write("<a href=\\""+_sPageName+"_"+(_nPageCount-1)+"."+_sPageExt+"\\">尾页</a>");
}}
createPageHTML({n_pages}, {cur}, "index", "html");
</script>
<noscript>{' '.join(links)}</noscript>
<span class="page_info">共{n_pages}页</span>
</div>"""


def build_trs_site(sd: str, list_dir: str, column: str, crumbs, pages: list[list[str]], intro: str = ""):
    site = D.SITES[sd]
    for i, paths in enumerate(pages):
        entries = listing_entries(sd, paths)
        main = (f'<div class="column_title"><h2>{column}</h2></div>\n{intro}\n' + trs_list_html(entries, list_dir)
                + "\n" + trs_pager(len(pages), i))
        name = "index.html" if i == 0 else f"index_{i}.html"
        write(sd, list_dir + name, page(site, sd, f"{column}_{site['name']}", column, crumbs + [(column, "")], main,
                                         gk_url=list_dir + "index.html"))
    return [list_dir + ("index.html" if i == 0 else f"index_{i}.html") for i in range(len(pages))]


def home(sd: str, links: list[tuple[str, str]]):
    site = D.SITES[sd]
    charset_meta = "gb2312" if sd == "shiling" else None
    lis = "\n".join(f'<li><a href="{u}">{esc(t)}</a></li>' for t, u in links)
    main = f"""<div class="home_news"><h3>政务公开</h3><ul class="list">
{lis}
</ul></div>
<div class="home_zt"><h3>专题专栏</h3><p><a href="https://www.gov.cn/" target="_blank">学习贯彻党的二十大精神</a></p></div>"""
    write(sd, "/index.html", page(site, sd, site["name"], "首页", [("首页", "/index.html")], main,
                                  gk_url=links[0][1], charset_meta=charset_meta),
          site["charset"] if sd == "shiling" else "utf-8")
    write(sd, "/images/common.css", CSS)


def build():
    if SITES_DIR.exists():  # binary attachments come from make_pdf.py / make_formats.py: keep them
        keep_pdf = {p: p.read_bytes() for p in SITES_DIR.rglob("*")
                    if p.suffix.lower() in (".pdf", ".doc", ".wps", ".xls", ".xlsx", ".et", ".png", ".jpg")}
        shutil.rmtree(SITES_DIR)
    else:
        keep_pdf = {}
    listings: dict[str, list[str]] = {}

    # ---------------- yubei (渝北区政府门户, 区民政局 column; TRS, one page) ----------------
    sd = "yubei"
    col = "区民政局政府信息公开年报"
    crumbs = [("首页", "/index.html"), ("政务公开", "/zwgk/zfxxgknb/index.html"), ("部门信息公开", "/zwgk/zfxxgknb/index.html")]
    order = ["/zwgk/zfxxgknb/202201/t20220120_10387712.html", "/zwgk/zfxxgknb/202103/t20210326_9012477.html",
             "/zwgk/zfxxgknb/202101/t20210113_8845120.html", "/zwgk/zfxxgknb/202001/t20200117_6614203.html"]
    listings[sd] = build_trs_site(sd, "/zwgk/zfxxgknb/", col, crumbs, [order])
    for e in listing_entries(sd, order):
        detail_page(sd, e, col, crumbs + [(col, "/zwgk/zfxxgknb/index.html")], "/zwgk/zfxxgknb/index.html")
    home(sd, [("区民政局政府信息公开年报", "/zwgk/zfxxgknb/index.html")])

    # ---------------- luwan (TRS, two listing pages, createPageHTML) ----------------
    sd = "luwan"
    col = "政府信息公开年报"
    LD = "/zwgk/zfxxgk/zfxxgknb/"
    crumbs = [("首页", "/index.html"), ("政务公开", "/zwgk/zfxxgk/zfxxgknb/index.html"), ("政府信息公开", "/zwgk/zfxxgk/zfxxgknb/index.html")]
    p1 = [LD + "202401/t20240126_3352817.htm", LD + "202304/t20230412_3209114.htm", LD + "202302/t20230215_3187706.htm",
          LD + "202202/t20220218_3011245.htm", LD + "202201/t20220105_2987730.htm", LD + "202102/t20210208_2790341.htm"]
    p2 = [LD + "202012/t20201218_2745512.htm", LD + "202002/t20200214_2561870.htm", LD + "201903/t20190322_2310458.htm",
          LD + "201803/t20180327_2057391.htm"]
    listings[sd] = build_trs_site(sd, LD, col, crumbs, [p1, p2])
    for e in listing_entries(sd, p1 + p2):
        if e in BROKEN:
            continue
        detail_page(sd, e, col, crumbs + [(col, LD + "index.html")], LD + "index.html")
    home(sd, [("政府信息公开年报", LD + "index.html")])
    write(sd, "/robots.txt", "User-agent: *\nDisallow: /search/\nDisallow: /uc/\n\nSitemap: /sitemap.xml\n")

    # ---------------- shiling (GB2312/GBK static site, 下一页 links, charset only in <meta>) ----------------
    sd = "shiling"
    site = D.SITES[sd]
    col = "政府信息公开年报"
    crumbs = [("首页", "/index.html"), ("信息公开", "/xxgk/zfxxgknb/index.htm"), ("政府信息公开年报", "/xxgk/zfxxgknb/index.htm")]
    s1 = ["/html/2022/zfxxgknb_0128/41827.html", "/html/2022/zfxxgknb_0110/41255.html", "/html/2021/zfxxgknb_0126/39042.html"]
    s2 = ["/html/2020/zfxxgknb_0121/36518.html"]
    pages_sl = [("/xxgk/zfxxgknb/index.htm", s1), ("/xxgk/zfxxgknb/list_2.htm", s2)]
    listings[sd] = [p for p, _ in pages_sl]
    for i, (lp, paths) in enumerate(pages_sl):
        rows = "\n".join(f'<tr><td width="80%"><a href="{e["path"]}" target="_blank">{esc(e["title"])}</a></td>'
                         f'<td width="20%" align="center">{e["pubdate"][:10]}</td></tr>' for e in listing_entries(sd, paths))
        nav = (f'共{len(pages_sl)}页 当前第{i + 1}页 ' + ('<a href="index.htm">首页</a> ' if i else '首页 ')
               + (f'<a href="{pages_sl[i - 1][0].rsplit("/", 1)[1]}">上一页</a> ' if i else '上一页 ')
               + (f'<a href="{pages_sl[i + 1][0].rsplit("/", 1)[1]}">下一页</a> ' if i + 1 < len(pages_sl) else '下一页 ')
               + (f'<a href="{pages_sl[-1][0].rsplit("/", 1)[1]}">尾页</a>' if i + 1 < len(pages_sl) else '尾页'))
        main = (f'<table width="100%" border="0" cellspacing="0" cellpadding="0" class="list_table">\n{rows}\n</table>\n'
                f'<div class="page">{nav}</div>')
        write(sd, lp, page(site, sd, f"{col}-{site['name']}", col, crumbs, main, gk_url="/xxgk/zfxxgknb/index.htm",
                           charset_meta="gb2312"), "gb2312")
    for e in listing_entries(sd, s1 + s2):
        detail_page(sd, e, col, crumbs, "/xxgk/zfxxgknb/index.htm")
    home(sd, [("政府信息公开年报", "/xxgk/zfxxgknb/index.htm")])

    # ---------------- lzhb (大汉-style: /col/colNNNN/index.html?uid=..&pageNum=N ; /art/… ; robots) ----------------
    sd = "lzhb"
    site = D.SITES[sd]
    col = "政府信息公开年报"
    crumbs = [("首页", "/index.html"), ("政府信息公开", "/col/col2101/index.html")]
    h1 = ["/art/2023/1/30/art_2101_90512.html", "/art/2022/3/15/art_2101_88840.html", "/art/2022/1/27/art_2101_88231.html"]
    h2 = ["/art/2021/1/29/art_2101_83105.html", "/ztzl/zwgkzl/art_2101_79334.html"]
    pages_hb = [("/col/col2101/index.html", h1), ("/col/col2101/index.html?uid=4471&pageNum=2", h2)]
    listings[sd] = [p for p, _ in pages_hb]
    for i, (lp, paths) in enumerate(pages_hb):
        recs = "\n".join(f'<record><![CDATA[<li><a href="{e["path"]}" title="{esc(e["title"])}" target="_blank">{esc(e["title"])}</a>'
                         f'<span>{e["pubdate"][:10]}</span></li>]]></record>' for e in listing_entries(sd, paths))
        main = f"""<div class="column_title"><h2>{col}</h2></div>
<div id="4471">
<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=7&path=/&columnid=2101&unitid=4471&webname=%E6%BE%9C%E5%B7%9E%E5%B8%82%E7%94%9F%E6%80%81%E7%8E%AF%E5%A2%83%E5%B1%80&permissiontype=0"></a>]]></nextgroup>
<recordset>
{recs}
</recordset></datastore></script>
</div>
<script type="text/javascript" src="/module/jslib/jquery/jpage/jquery.page.min.js"></script>
<script type="text/javascript">
$(document).ready(function() {{
  $('#4471').jpage({{ dataStore: $('#4471 datastore'), perPage: 3, totalRecord: {len(h1) + len(h2)},
    proxyUrl: '/module/web/jpage/dataproxy.jsp', groupSize: 1, barPosition: 'bottom',
    dataBefore: '<ul class="list">', dataAfter: '</ul>', ajaxParam: {{ webid: 7, columnid: 2101, unitid: 4471 }} }});
}});
</script>"""
        write(sd, lp, page(site, sd, f"{col} {site['name']}", col, crumbs, main, gk_url="/col/col2101/index.html"))
    for e in listing_entries(sd, h1 + h2):
        detail_page(sd, e, col, crumbs + [(col, "/col/col2101/index.html")], "/col/col2101/index.html")
    home(sd, [("政府信息公开年报", "/col/col2101/index.html")])
    write(sd, "/robots.txt", "# robots.txt for sthjj.lanzhou-demo.gov.cn\nUser-agent: *\nDisallow: /ztzl/\n"
                             "Disallow: /module/\nDisallow: /jrobot/\n")

    # ---------------- lzsw (small TRS department site, single page) ----------------
    sd = "lzsw"
    col = "政府信息公开年度报告"
    crumbs = [("首页", "/index.html"), ("政务公开", "/zwgk/zfxxgknb/index.html")]
    w1 = ["/zwgk/zfxxgknb/202402/t20240227_3350021.html", "/zwgk/zfxxgknb/202301/t20230129_3171920.html"]
    listings[sd] = build_trs_site(sd, "/zwgk/zfxxgknb/", col, crumbs, [w1])
    for e in listing_entries(sd, w1):
        detail_page(sd, e, col, crumbs + [(col, "/zwgk/zfxxgknb/index.html")], "/zwgk/zfxxgknb/index.html")
    home(sd, [("政府信息公开年度报告", "/zwgk/zfxxgknb/index.html")])

    F.build_site(sys.modules[__name__], listings)  # lztj: one report per attachment format (demo_formats.py)

    for p, b in keep_pdf.items():  # the PDF is made by make_pdf.py; keep it across rebuilds
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b)

    write_expected(listings)


def write_expected(listings):
    cells_dir = HERE / "cells"
    if cells_dir.exists():
        shutil.rmtree(cells_dir)
    cells_dir.mkdir()
    reports = []
    for r in D.REPORTS:
        c = D.printed_cells(r)
        cj = D.cells_json(r)
        if cj is not None:
            (cells_dir / f"{r['id']}.json").write_text(json.dumps(cj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        reports.append(dict(
            id=r["id"], site_dir=r["site"], path=r["path"], title=r["title"], agency=r["agency"], year=r["year"],
            template=r["template"], format=r.get("format") or {"pdf": "pdf_attachment", "word": "html_word", "pre2019": "html_free_text"}.get(
                r["style"], "html"),
            attachment=r.get("attachment"), pubdate=r["pubdate"], crawlable=r["crawlable"],
            figures={} if c is None else {k: c[k] for k in ("t3.new.total", "t3.handled_total.total", "t4.cases.rev_total")},
            failing_checks=sorted(r.get("expect_fail", [])),
            audit_failing=sorted(r.get("expect_audit_fail", [])),
            cells=None if cj is None else f"cells/{r['id']}.json",
            notes=r["notes"],
        ))
    exp = {
        "about": "Ground truth for the demo mirror (data/demo/sites). Generated by build_sites.py from demo_data.py. "
                 "figures are the PRINTED values ({} for a pre-2019 report without template tables); failing_checks lists "
                 "the templates.json identity ids (TEMPLATES.md §6, all kinds, cross-year ones evaluated against the "
                 "same agency's previous-year report) that the printed tables violate; audit_failing lists the "
                 "`govcrawl audit` rules the report fails on purpose; crawlable=false means "
                 "robots.txt forbids it. non_reports / broken_links are URL paths (unique across sites); the "
                 "*_items lists give site_dir and title. "
                 "cells/<id>.json holds every template cell (money in 万元 as a decimal string).",
        "sites": {sd: dict(name=s["name"], platform=s["platform"], charset=s["charset"],
                           charset_in_header=(sd != "shiling"), listing_pages=listings[sd])
                  for sd, s in D.SITES.items()},
        "counts": dict(reports=len(reports), crawlable_reports=sum(r["crawlable"] for r in reports),
                       reports_with_tables=sum(bool(r["figures"]) for r in reports),
                       crawlable_with_failing_checks=sum(bool(r["failing_checks"]) and r["crawlable"] for r in reports),
                       non_reports=len(NON_REPORTS), broken_links=len(BROKEN)),
        "reports": reports,
        "non_reports": [n["path"] for n in NON_REPORTS],
        "broken_links": [b["path"] for b in BROKEN],
        "non_report_items": [dict(site_dir=n["site"], path=n["path"], title=n["title"], kind=n["kind"]) for n in NON_REPORTS],
        "broken_link_items": [dict(site_dir=b["site"], path=b["path"], title=b["title"], status=b["status"]) for b in BROKEN],
        "fail_once": [dict(site_dir="luwan", path="/zwgk/zfxxgk/zfxxgknb/202401/t20240126_3352817.htm")],
        "robots_disallowed": [dict(site_dir="lzhb", path="/ztzl/zwgkzl/art_2101_79334.html", rule="Disallow: /ztzl/")],
    }
    (HERE / "EXPECTED.json").write_text(json.dumps(exp, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    build()
    import build_state2  # the mirror's second state is an overlay on this one: rebuild it too
    build_state2.build()
    n = sum(1 for _ in SITES_DIR.rglob("*") if _.is_file())
    print(f"wrote {n} files under {SITES_DIR}")
