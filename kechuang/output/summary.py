"""简报文字: the opening paragraphs of a briefing, templated from metrics.progress (so always
exactly right).

For the county: every target with its actual and share of the annual target, the pace share of the
year, then which targets are behind (滞后) or at risk (预警) and by how much. For a town (a scoped
warehouse): the town's contribution to the county targets, without a pace judgement, and the
county-level figures (commissioners, trainings: records that carry no enterprise) marked 全县.
"""

from __future__ import annotations

from datetime import date

from kechuang.engine import contract, metrics, prefetch
from kechuang.engine.metrics import Progress
from kechuang.engine.plan import Plan
from kechuang.engine.warehouse import Warehouse
from kechuang.zh import fmt
from kechuang.zh.labels import STATUS_LABELS

COUNTY = "全县"

# How a briefing says each figure; {} is the amount with its unit. Unknown ids fall back to label +
# amount.
PHRASES = {
    "sci_projects_landed": "高成长型科创项目落地{}",
    "new_hnte": "新增高新技术企业{}",
    "cultivation": "瞪羚、独角兽定制化培育企业{}",
    "rd_coverage": "亿元以上制造业企业研发活动覆盖率{}",
    "iur_projects": "产学研合作项目备案登记{}",
    "tech_contract_amount": "技术合同认定登记额{}",
    "key_enterprises_served": "“一企一策”服务重点企业{}",
    "commissioners": "在岗科创专员{}",
    "sme_trainings": "举办中小企业专项培训{}",
    "sme_training_attendance": "专项培训覆盖企业{}",
    "cadre_trainings": "举办科技创新专题培训（干部）{}",
    "new_rd_partnerships": "校企共建新型研发机构/产业联盟{}",
}


def amount(x: float | int | None, unit: str) -> str:
    """An amount as running text writes it: '33家', '80.11亿元', '88.5%'."""
    return fmt.amount(x, unit).replace(" ", "")


def _phrase(p: Progress) -> str:
    return PHRASES.get(p.id, p.label + "{}").format(amount(p.actual, p.unit))


def _absent(p: Progress) -> str:
    names = contract.table_names(p.missing_tables)
    return f"{p.label}暂无数据（缺少{names}）" if names else f"{p.label}暂无数据"


def pace_gap(p: Progress, as_of: date) -> str:
    """How far an actual is below its expected-by-now, as the pages show it (fmt.gap_text: the
    shown expected, rounded up, minus the shown actual): '9家', '19.89亿元', '11.5个百分点'."""
    expected = p.target if p.unit == "比率" else p.expected
    return fmt.gap_text(p.actual, expected, p.unit).replace(" ", "")


def _clause(
    p: Progress, as_of: date, town_scope: bool, has_plan: bool, pace_said: list[bool]
) -> str:
    """One target's clause of the opening sentence."""
    if p.actual is None:
        return _absent(p)
    wide = town_scope and metrics.county_wide(p.id)
    text = (COUNTY if wide else "") + _phrase(p)
    if p.target is None:
        return text + ("（跟踪指标，无量化目标）" if has_plan else "")
    if p.unit == "比率":
        return text + f"，{COUNTY if town_scope else ''}目标为{amount(p.target, p.unit)}"
    if town_scope and not wide:
        return text + f"，占全县年度目标的{fmt.pct(p.share_of_target)}"
    text += f"，完成年度目标的{fmt.pct(p.share_of_target)}"
    if not pace_said[0] and not town_scope:
        pace_said[0] = True
        text += f"，按序时进度应完成{fmt.pct(metrics.elapsed_share(as_of))}"
    return text


def _shortfall(p: Progress, as_of: date) -> str:
    """'完成年度目标的66.0%，距序时进度差9家' (a ratio is compared with its target, not paced)."""
    if p.unit == "比率":
        return f"{amount(p.actual, p.unit)}，距目标差{pace_gap(p, as_of)}"
    return f"完成年度目标的{fmt.pct(p.share_of_target)}，距序时进度差{pace_gap(p, as_of)}"


def _standing(rows: list[Progress], as_of: date) -> str:
    """The second paragraph: counts by status, and the behind and at-risk targets by name with
    their gaps."""
    judged = [p for p in rows if p.status is not None]
    if not judged:
        return ""
    by = {s: [p for p in judged if p.status == s] for s in metrics.STATUSES}
    if len(by["on_track"]) == len(judged):
        return f"对照序时进度，{len(judged)}项有量化目标的指标均达到序时进度。"
    counts = "，".join(f"{STATUS_LABELS[s]}{len(by[s])}项" for s in metrics.STATUSES)
    text = f"对照序时进度，{counts}。"
    if by["behind"]:
        items = []
        for p in by["behind"]:
            item = f"{p.label}（{_shortfall(p, as_of)}"
            if p.projected is not None and p.actual:
                item += (
                    "，按当前进度全年预计"
                    f"{'' if p.unit == '万元' else '约'}{amount(p.projected, p.unit)}"
                )
            items.append(item + "）")
        text += "滞后：" + "、".join(items) + "。"
    if by["at_risk"]:
        text += (
            "预警："
            + "、".join(f"{p.label}（{_shortfall(p, as_of)}）" for p in by["at_risk"])
            + "。"
        )
    return text


def compose(
    rows: list[Progress],
    as_of: date,
    plan: Plan | None,
    scope_label: str = COUNTY,
    town_scope: bool = False,
) -> str:
    """The briefing text from progress rows already computed (the workbook's cover uses this)."""
    pace_said = [False]
    clauses = [_clause(p, as_of, town_scope, plan is not None, pace_said) for p in rows]
    opening = f"截至{fmt.cn_date(as_of)}，{scope_label}" + "；".join(clauses) + "。"
    if plan is None:
        return opening + f"\n{as_of.year}年尚无计划文件，未设年度目标，以上仅列完成数。"
    if town_scope:
        return (
            opening
            + f"\n{scope_label}数据为其对全县年度目标的贡献，不单独作序时进度判断；标注“全县”的为"
            "全县数据。"
        )
    standing = _standing(rows, as_of)
    return opening + (f"\n{standing}" if standing else "")


def briefing_text(
    wh: Warehouse,
    as_of: date,
    plan: Plan | None,
    scope_label: str = COUNTY,
    today: date | None = None,
) -> str:
    """The briefing's opening text for the warehouse's scope (a town when the warehouse is
    scoped), ending with the month's recorded contacts, the stage funnel and the towns nobody
    worked in the 30 days to `today` (default: today; a page caching the text passes it, so the
    text of yesterday is not shown today)."""
    rows = metrics.progress(wh, as_of, plan, prefetch.Shared())
    text = compose(rows, as_of, plan, scope_label, town_scope=wh.scope is not None)
    return with_follow_up(text, follow_up_paragraph(wh, as_of, today))


def follow_up_paragraph(wh: Warehouse, as_of: date, today: date | None = None) -> str:
    """The text's last paragraph: the work records of the warehouse's scope (worklog.briefing)."""
    from kechuang.worklog import briefing

    return briefing.paragraph(briefing.follow_up(wh, as_of, today=today))


def with_follow_up(text: str, paragraph: str) -> str:
    """compose's text and follow_up_paragraph as briefing_text joins them (总览 composes from the
    progress rows it already shows, so the text is computed once a page, not twice)."""
    return f"{text}\n{paragraph}"
