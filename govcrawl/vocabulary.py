"""How real reports word the template: the one list of label variants, next to ``templates.py``.

``templates.py`` holds the official wording; this module holds what publishers actually print
instead (VARIANTS.md §3, issue 9): other characters for one word (其它/其他, 合计/总计), unit
suffixes inside labels (（件）, （单位：件）, (万元)), paraphrased row labels (本年新收到…申请数),
other shapes of the group headers (法人或者其他组织). The extractor (``govcrawl.extract.labels``)
applies these rules to both sides before comparing, so a variant is one line here, not a code
change. Research code (codebook, Datasette metadata) can read the same lists to document them.
"""
from __future__ import annotations

import re

# Words that mean the same in a table label; applied after whitespace and width are normalised.
SAME_WORDS: tuple[tuple[str, str], ...] = (
    ("其它", "其他"),
    ("合计", "总计"),
    ("總計", "总计"),
    ("合計", "总计"),
    ("法人或者其他组织", "法人或其他组织"),
    ("法人和其他组织", "法人或其他组织"),
    ("法人及其他组织", "法人或其他组织"),
    ("法人或其他社会组织", "法人或其他组织"),
    ("本年度", "本年"),
    ("上一年度", "上年"),
    ("上年度", "上年"),
    ("下一年度", "下年度"),
    ("下一年", "下年度"),
    ("结转下年继续办理", "结转下年度继续办理"),
)

# Units printed inside labels: 自然人（件）, 总计（单位：件）, 本年收费金额(万元), 数量单位：件.
UNITS = ("件", "条", "项", "个", "宗", "次", "人次", "万元", "元", "亿元")
_UNIT_ALT = "|".join(sorted(UNITS, key=len, reverse=True))
UNIT_SUFFIX = re.compile(rf"(?:\((?:单位[:：]?)?(?:{_UNIT_ALT})\)|单位[:：]?(?:{_UNIT_ALT}))$")
UNIT_PREFIX = re.compile(rf"^\((?:单位[:：]?)?(?:{_UNIT_ALT})\)")

# Table 三 row labels as real reports paraphrase them (beyond numbering, spacing and units).
T3_ROW_VARIANTS: dict[str, tuple[str, ...]] = {
    "new": ("本年新收到政府信息公开申请数", "本年度新收政府信息公开申请", "本年新收申请数量", "新收政府信息公开申请数量",
            "本年新收政府信息公开申请"),
    "carry_in": ("上年结转申请数", "上年度结转政府信息公开申请数", "上年结转政府信息公开申请"),
    "open": ("予以公开数", "同意公开"),
    "partial": ("部分公开",),
    "handled_total": ("办理结果总计", "总计"),
    "carry_out": ("结转下年度继续办理申请数", "结转下一年度继续办理", "结转下年度办理"),
}

# Filler words a paraphrase adds or drops; removed (after SAME_WORDS) before comparing gists.
GIST_DROP: tuple[str, ...] = ("政府信息公开", "的")
GIST_REPLACE: tuple[tuple[str, str], ...] = (("收到", "收"),)
GIST_TRAILING = re.compile(r"(?:数量|件数|总数|情况|数)$")

# Table 四 labels in other words.
T4_LEAF_VARIANTS: dict[str, tuple[str, ...]] = {
    "maintain": ("维持", "结果维持数"),
    "correct": ("纠正", "结果纠正数"),
    "other": ("其他结果数",),
    "pending": ("未审结", "尚未审理终结", "尚未审结数"),
    "total": ("总数",),
}
T4_GROUP_VARIANTS: dict[str, tuple[str, ...]] = {
    "rev": ("行政复议情况", "行政复议案件", "被申请行政复议"),
    "lit_direct": ("直接起诉", "未经复议直接提起诉讼", "未经复议起诉"),
    "lit_after_review": ("经复议后起诉", "复议后提起诉讼", "复议后诉讼"),
}

# Header group labels of table 三 (no cells of their own).
T3_HEADER_GROUPS: tuple[str, ...] = ("申请人情况", "法人或其他组织", "申请人类型")


def variants() -> dict[str, list[str]]:
    """{what: [variant wordings]} for documentation (codebook, Datasette metadata): one place to read
    which spellings of a label the extractor accepts besides the official one."""
    out: dict[str, list[str]] = {}
    for a, b in SAME_WORDS:
        out.setdefault(b, []).append(a)
    out["units in labels"] = [f"（{u}）" for u in UNITS] + ["（单位：件）"]
    for rid, xs in T3_ROW_VARIANTS.items():
        out[f"t3.{rid}"] = list(xs)
    for lid, xs in T4_LEAF_VARIANTS.items():
        out[f"t4 {lid}"] = list(xs)
    for gid, xs in T4_GROUP_VARIANTS.items():
        out[f"t4 {gid}"] = list(xs)
    return out
