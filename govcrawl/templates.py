"""The two official annual-report templates (2019 试行, 2021), written out as our own data.

Everything else (cell ids, identities, label matching) is *derived* from the structures below, so a
label variant or a template change is one edit here. Ids follow the shared spec:
``t2.<block>.<row>.<col>``, ``t3.<row>.<col>``, ``t4.cases.<col>``. Labels are the official
wording; ``aliases`` are variants seen in real reports (VARIANTS.md §3). Matching normalises both
sides (see ``govcrawl.extract.labels``), so aliases only need to cover real wording differences.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

VERSIONS = ("2019", "2021")


@dataclass(frozen=True)
class Column:
    id: str
    label: str
    unit: str | None = "件"
    type: str = "int"  # int | signed_int | money (Decimal, normalised to 万元)
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    id: str
    label: str
    aliases: tuple[str, ...] = ()
    parent: str | None = None  # id of the group row (table 三) the row sits under


@dataclass(frozen=True)
class Block:
    """One 第二十条第（X）项 block of table 二."""

    id: str
    caption: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Section:
    id: str
    no: str
    label: str
    keywords: tuple[str, ...]  # keyword cores for fuzzy heading matching (VARIANTS.md §2)
    long_label: str | None = None  # the name used in the format text: （二）行政机关主动公开…


@dataclass(frozen=True)
class Identity:
    id: str
    kind: str  # printed | structural | soft | cross_year
    table: str
    expr: str
    text: str


@dataclass(frozen=True)
class Template:
    version: str
    table2: tuple[Block, ...]
    t3_rows: tuple[Row, ...]  # data rows only, in order; groups are named by Row.parent
    t3_groups: dict = field(default_factory=dict)  # group id -> (label, aliases)
    t3_columns: tuple[Column, ...] = ()
    t4_columns: tuple[Column, ...] = ()
    sections: tuple[Section, ...] = ()

    # -- derived --------------------------------------------------------------------------
    def cell_ids(self) -> list[str]:
        return [c for c, _meta in self.cells()]

    def cells(self) -> list[tuple[str, dict]]:
        """Every numeric cell in template order, with the metadata the extractor needs."""
        out: list[tuple[str, dict]] = []
        for b in self.table2:
            for r in b.rows:
                for c in b.columns:
                    out.append((f"t2.{b.id}.{r.id}.{c.id}", {"table": "t2", "block": b, "row": r, "col": c}))
        for r in self.t3_rows:
            for c in self.t3_columns:
                out.append((f"t3.{r.id}.{c.id}", {"table": "t3", "row": r, "col": c}))
        for c in self.t4_columns:
            out.append((f"t4.cases.{c.id}", {"table": "t4", "row": None, "col": c}))
        return out

    def identities(self) -> list[Identity]:
        return _identities(self)


# --- shared pieces ----------------------------------------------------------------------------

_SECTIONS = (
    Section("s1", "一", "一、总体情况", ("总体情况", "概述", "基本情况"), "（一）总体情况"),
    Section("s2", "二", "二、主动公开政府信息情况", ("主动公开",), "（二）行政机关主动公开政府信息情况"),
    Section("s3", "三", "三、收到和处理政府信息公开申请情况", ("收到和处理", "依申请公开", "申请情况"),
            "（三）行政机关收到和处理政府信息公开申请情况"),
    Section("s4", "四", "四、政府信息公开行政复议、行政诉讼情况", ("行政复议", "行政诉讼"),
            "（四）因政府信息公开工作被申请行政复议、提起行政诉讼情况"),
    Section("s5", "五", "五、存在的主要问题及改进情况", ("问题", "改进"),
            "（五）政府信息公开工作存在的主要问题及改进情况"),
    Section("s6", "六", "六、其他需要报告的事项", ("其他需要报告", "其他事项", "其他需报告"), "（六）其他需要报告的事项"),
)

_T3_COLUMNS = (
    Column("person", "自然人"),
    Column("org_business", "商业企业"),
    Column("org_research", "科研机构"),
    Column("org_nonprofit", "社会公益组织"),
    Column("org_legal", "法律服务机构"),
    Column("org_other", "其他"),
    Column("total", "总计"),
)

_T3_GROUPS = {
    "g_results": ("三、本年度办理结果", ()),
    "g_deny": ("（三）不予公开", ()),
    "g_unable": ("（四）无法提供", ()),
    "g_reject": ("（五）不予处理", ()),
    "g_other": ("（六）其他处理", ()),
}


def _t3_rows(version: str) -> tuple[Row, ...]:
    R = "g_results"
    rows = [
        Row("new", "一、本年新收政府信息公开申请数量"),
        Row("carry_in", "二、上年结转政府信息公开申请数量"),
        Row("open", "（一）予以公开", parent=R),
        Row("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", ("（二）部分公开",), parent=R),
        Row("deny_secret", "1.属于国家秘密", parent="g_deny"),
        Row("deny_law", "2.其他法律行政法规禁止公开", parent="g_deny"),
        Row("deny_security", "3.危及“三安全一稳定”", ('3.危及"三安全一稳定"', "3.危及'三安全一稳定'"), parent="g_deny"),
        Row("deny_third_party", "4.保护第三方合法权益", parent="g_deny"),
        Row("deny_internal", "5.属于三类内部事务信息", parent="g_deny"),
        Row("deny_process", "6.属于四类过程性信息", parent="g_deny"),
        Row("deny_case_file", "7.属于行政执法案卷", parent="g_deny"),
        Row("deny_query", "8.属于行政查询事项", parent="g_deny"),
        Row("unable_not_held", "1.本机关不掌握相关政府信息", parent="g_unable"),
        Row("unable_need_create", "2.没有现成信息需要另行制作", parent="g_unable"),
        Row("unable_unclear", "3.补正后申请内容仍不明确", parent="g_unable"),
        Row("reject_petition", "1.信访举报投诉类申请", parent="g_reject"),
        Row("reject_repeat", "2.重复申请", parent="g_reject"),
        Row("reject_publication", "3.要求提供公开出版物", parent="g_reject"),
        Row("reject_mass", "4.无正当理由大量反复申请", parent="g_reject"),
        Row("reject_confirm", "5.要求行政机关确认或重新出具已获取信息", parent="g_reject"),
    ]
    if version == "2019":
        rows.append(Row("other", "（六）其他处理", parent=R))
    else:
        rows += [
            Row("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", parent="g_other"),
            Row("other_no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", parent="g_other"),
            Row("other_misc", "3.其他", parent="g_other"),
        ]
    rows += [
        Row("handled_total", "（七）总计", parent=R),
        Row("carry_out", "四、结转下年度继续办理"),
    ]
    return tuple(rows)


def _t4_columns() -> tuple[Column, ...]:
    leaves = (("maintain", "结果维持"), ("correct", "结果纠正"), ("other", "其他结果"),
              ("pending", "尚未审结"), ("total", "总计"))
    cols = []
    for prefix, group in (("rev", "行政复议"), ("lit_direct", "未经复议直接起诉"), ("lit_after_review", "复议后起诉")):
        for leaf, label in leaves:
            cols.append(Column(f"{prefix}_{leaf}", label, aliases=(group,)))  # alias[0] = the group label
    return tuple(cols)


T4_GROUPS = ("行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉")

_COUNT = dict(unit="件", type="int")


def _table2(version: str) -> tuple[Block, ...]:
    if version == "2019":
        items = lambda: (  # noqa: E731 - the three columns shared by blocks （五）（六）
            Column("prev_items", "上一年项目数量", unit="项"),
            Column("delta", "本年增/减", unit="项", type="signed_int", aliases=("本年增减", "本年增（减）")),
            Column("decisions", "处理决定数量", unit="件"),
        )
        return (
            Block("a20_1", "第二十条第（一）项", (
                Column("made_new", "本年新制作数量", **_COUNT),
                Column("published_new", "本年新公开数量", **_COUNT),
                Column("public_total", "对外公开总数量", **_COUNT),
            ), (Row("rules", "规章"), Row("normative", "规范性文件", ("行政规范性文件",)))),
            Block("a20_5", "第二十条第（五）项", items(),
                  (Row("license", "行政许可"), Row("other_service", "其他对外管理服务事项"))),
            Block("a20_6", "第二十条第（六）项", items(), (Row("penalty", "行政处罚"), Row("coercion", "行政强制"))),
            Block("a20_8", "第二十条第（八）项", items()[:2], (Row("fees", "行政事业性收费"),)),
            Block("a20_9", "第二十条第（九）项", (
                Column("proc_items", "采购项目数量", unit="个"),
                Column("proc_amount", "采购总金额", unit="万元", type="money"),
            ), (Row("central_proc", "政府集中采购"),)),
        )
    decisions = Column("decisions", "本年处理决定数量", aliases=("处理决定数量",))
    return (
        Block("a20_1", "第二十条第（一）项", (
            Column("issued", "本年制发件数", **_COUNT),
            Column("repealed", "本年废止件数", **_COUNT),
            Column("in_force", "现行有效件数", **_COUNT),
        ), (Row("rules", "规章"), Row("normative", "行政规范性文件", ("规范性文件",)))),
        Block("a20_5", "第二十条第（五）项", (decisions,), (Row("license", "行政许可"),)),
        Block("a20_6", "第二十条第（六）项", (decisions,), (Row("penalty", "行政处罚"), Row("coercion", "行政强制"))),
        Block("a20_8", "第二十条第（八）项", (
            Column("fee_amount", "本年收费金额（单位：万元）", unit="万元", type="money",
                   aliases=("本年收费金额（万元）", "本年收费金额")),
        ), (Row("fees", "行政事业性收费"),)),
    )


# Header labels that tell the two table-二 versions apart (VARIANTS.md §1).
T2_VERSION_MARKERS = {
    "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "采购项目数量", "采购总金额"),
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额"),
}


@cache
def get(version: str) -> Template:
    if version not in VERSIONS:
        raise KeyError(version)
    return Template(
        version=version,
        table2=_table2(version),
        t3_rows=_t3_rows(version),
        t3_groups=dict(_T3_GROUPS),
        t3_columns=_T3_COLUMNS,
        t4_columns=_t4_columns(),
        sections=_SECTIONS,
    )


SECTIONS = _SECTIONS


# --- identities, derived from the structure ----------------------------------------------------

_RESULTS_TEXT = "（七）总计 = sum of all leaf rows （一）..（六） (per column)"
_ROWSUM_TEXT = "总计 = 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他 (per row)"


def _identities(t: Template) -> list[Identity]:
    out: list[Identity] = []
    cols = [c.id for c in t.t3_columns]
    parts = [c for c in cols if c != "total"]
    leaves = [r.id for r in t.t3_rows if r.parent in ("g_results", "g_deny", "g_unable", "g_reject", "g_other")
              and r.id != "handled_total"]
    for c in cols:
        out.append(Identity(f"t3_balance_{c}", "printed", "table3",
                            f"t3.new.{c} + t3.carry_in.{c} == t3.handled_total.{c} + t3.carry_out.{c}",
                            "一 + 二 = 三（七）总计 + 四 (per column)"))
    for c in cols:
        out.append(Identity(f"t3_results_sum_{c}", "structural", "table3",
                            f"t3.handled_total.{c} == " + " + ".join(f"t3.{r}.{c}" for r in leaves),
                            _RESULTS_TEXT))
    for r in t.t3_rows:
        out.append(Identity(f"t3_rowsum_{r.id}", "structural", "table3",
                            f"t3.{r.id}.total == " + " + ".join(f"t3.{r.id}.{c}" for c in parts), _ROWSUM_TEXT))
    for prefix, label in (("rev", "行政复议总计"), ("lit_direct", "未经复议直接起诉总计"),
                          ("lit_after_review", "复议后起诉总计")):
        out.append(Identity(f"t4_{prefix}_total", "structural", "table4",
                            f"t4.cases.{prefix}_total == " + " + ".join(
                                f"t4.cases.{prefix}_{x}" for x in ("maintain", "correct", "other", "pending")),
                            f"{label} = 结果维持 + 结果纠正 + 其他结果 + 尚未审结"))
    out.append(Identity("t3_carry_chain", "cross_year", "table3", "prev(t3.carry_out.total) == t3.carry_in.total",
                        "四、结转下年度继续办理 of year Y-1 should equal 二、上年结转 of year Y (same agency)"))
    if t.version == "2019":
        for b in t.table2:
            if any(c.id == "delta" for c in b.columns):
                for r in b.rows:
                    k = f"t2.{b.id}.{r.id}"
                    out.append(Identity(f"t2_{b.id}_{r.id}_items_chain", "cross_year", "table2",
                                        f"prev({k}.prev_items) + prev({k}.delta) == {k}.prev_items",
                                        "上一年项目数量 + 本年增/减 = next year's 上一年项目数量"))
        for r in t.table2[0].rows:
            k = f"t2.a20_1.{r.id}"
            out.append(Identity(f"t2_a20_1_{r.id}_le", "soft", "table2",
                                f"{k}.published_new <= {k}.public_total", "本年新公开数量 <= 对外公开总数量 (soft)"))
    else:
        for r in t.table2[0].rows:
            k = f"t2.a20_1.{r.id}"
            out.append(Identity(f"t2_a20_1_{r.id}_stock", "cross_year", "table2",
                                f"prev({k}.in_force) + {k}.issued - {k}.repealed == {k}.in_force",
                                "现行有效件数(Y-1) + 本年制发 - 本年废止 ≈ 现行有效件数(Y) (soft)"))
    return out


def template_for_year(year: int | None) -> str:
    """The template a report year should use when its tables give no evidence (TEMPLATES.md §1)."""
    if year is None:
        return "unknown"
    if year <= 2018:
        return "pre2019"
    return "2019" if year <= 2020 else "2021"
