"""精准筛选: HNTE candidates under adjustable thresholds, the funnel, near misses and their gaps."""

import streamlit as st

from kechuang.charts import workbench as charts
from kechuang.engine import contract, screening
from kechuang.models import threshold_inputs, workbench
from kechuang.output import tables
from kechuang.ui import cache, filters, grids, panels, records
from kechuang.zh import fmt

wh = cache.open_or_stop()
as_of, town = filters.sidebar_filters(wh)
scope = cache.town_scope(town)
SOURCES = ("enterprises", "tax_annual", "stats_annual", "patents", "hnte_certificates")

st.title("高新技术企业精准筛选")
records.flash()
st.caption(
    f"截至{fmt.cn_date(as_of)} · {fmt.md(town or '全县')} · "
    "参评企业：存续或在业、截至日没有有效高企证书的企业"
)

with st.expander("筛选阈值（可调整；默认值为高企认定标准）"):
    cols, values = st.columns(2), {}
    for i, spec in enumerate(threshold_inputs.HNTE_INPUTS):
        whole = spec.kind in ("years", "count")
        values[spec.field] = cols[i % 2].number_input(
            spec.label,
            min_value=0 if whole else 0.0,
            max_value=int(spec.max_value) if whole else float(spec.max_value),
            value=threshold_inputs.widget_value(spec, screening.HnteThresholds()),
            step=int(spec.step) if whole else float(spec.step),
            format=None if whole else ("%.1f" if spec.kind == "percent" else "%.0f"),
            key=f"hnte_{spec.field}",
            help=spec.help or None,
        )
thresholds = threshold_inputs.hnte_thresholds(values)
changed = threshold_inputs.changed_thresholds(thresholds)
if changed:
    st.info("已调整阈值：" + "；".join(changed))

if not wh.available("enterprises"):
    panels.absent(["enterprises"], "精准筛选")
    st.stop()
missing = wh.missing(*SOURCES)
if missing:
    st.warning("以下数据暂缺，相关条件记为“数据缺失”（不算通过）：" + contract.table_names(missing))

screen = cache.cached(workbench.screen_page, as_of, thresholds, scope=scope)
st.caption(
    f"营收、研发数据取最近已汇算年度 {screen.settled_year or '—'} "
    "年及之前两年（税务数据优先，缺失时用统计数据）。"
)

left, mid, right = st.columns(3)
division = left.multiselect(
    "行业（国民经济行业大类）",
    workbench.divisions(screen.counts),
    key="screen_division",
    placeholder="全部行业",
)
size = mid.multiselect(
    "营收规模（上年）",
    workbench.size_bands(thresholds),
    placeholder="全部规模",
    key=f"screen_size_{thresholds.tier1_max_wan}_{thresholds.tier2_max_wan}",
)
rd_status = right.multiselect(
    "研发状态（近三年）", workbench.RD_STATUSES, key="screen_rd", placeholder="全部"
)
counts = workbench.filtered(screen.counts, division, size, rd_status)
candidates = workbench.filtered(screen.candidates, division, size, rd_status)
near = workbench.filtered(screen.near_misses, division, size, rd_status)
tag = workbench.filter_tag(division, size, rd_status, thresholds)

a, b, c = st.columns(3)
a.metric("参评企业", f"{fmt.num(int(counts['n_firms'].sum()))} 家")
b.metric("候选企业（六项全过）", f"{fmt.num(candidates.height)} 家")
c.metric("差一项", f"{fmt.num(near.height)} 家")
funnel = workbench.funnel(counts, thresholds)
grids.chart_table(
    charts.funnel_chart(funnel),
    funnel.select("label", "n_firms", "n_cumulative").rename(
        {"label": "步骤", "n_firms": "单项通过（家）", "n_cumulative": "逐项累计通过（家）"}
    ),
    tables.file_stem("精准筛选_漏斗", as_of, town, tag),
    key="screen_funnel",
)


cand_tab, near_tab, about_tab = st.tabs(["候选企业", "差一项企业", "评分与说明"])
with cand_tab:
    st.caption("六项条件全部通过的企业，按培育评分从高到低排列。点选一行即可打开该企业的一企一档。")
    grids.firm_table(
        workbench.candidate_table(candidates, thresholds),
        tables.file_stem("精准筛选_候选企业", as_of, town, tag),
        key="screen_candidates",
        as_of=as_of,
    )
    records.record_panel(candidates, "candidates", key="screen_candidates_records")
with near_tab:
    st.caption(
        "只差一项条件（未通过或数据缺失）的企业：差哪一项、差多少。点选一行即可打开该企业的一企一档。"
    )
    st.dataframe(workbench.near_miss_counts(near, thresholds), hide_index=True)
    grids.firm_table(
        workbench.near_miss_table(near, thresholds),
        tables.file_stem("精准筛选_差一项企业", as_of, town, tag),
        key="screen_near",
        as_of=as_of,
        column_config={"差距": st.column_config.TextColumn(width="large")},
    )
    records.record_panel(near, "candidates", key="screen_near_records")
with about_tab:
    st.markdown("**六项条件（当前阈值）**")
    st.markdown("\n".join(f"- {rule}" for rule in workbench.criteria_rules(thresholds)))
    st.markdown(
        "每项条件有三种结论：**通过**、**未通过**、**数据缺失**（所需数据没有，不算通过）。"
    )
    st.markdown("**培育评分（满分100分）**")
    st.markdown(workbench.SCORE_NOTE)
    st.markdown("\n".join(f"- {line}" for line in workbench.score_parts()))
    st.markdown("**本筛选无法核查的认定条件**（需企业自查或申报辅导时核实）")
    st.markdown("\n".join(f"- {item}" for item in screening.NOT_CHECKED))
