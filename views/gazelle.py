"""瞪羚/独角兽: places filled on the plan year's cultivation list, each listed firm's revenue
trajectory, and the candidates for the remaining places under adjustable thresholds."""

import streamlit as st

from kechuang.engine import plan, screening
from kechuang.models import gazelle, threshold_inputs
from kechuang.output import tables
from kechuang.ui import access, cache, filters, grids, panels, records
from kechuang.zh import fmt

wh = cache.open_or_stop()
as_of, town = filters.sidebar_filters(wh)
scope = cache.town_scope(town)
the_plan = plan.load_plan(as_of.year)
target = the_plan.target("cultivation") if the_plan else None


st.title("瞪羚、独角兽企业定制化培育")
records.flash()
st.caption(f"截至{fmt.cn_date(as_of)} · {fmt.md(town or '全县')} · 培育名额为全县数，不随镇区筛选")

places = cache.cached(gazelle.places, as_of, target)
a, b, c = st.columns(3)
a.metric(f"{as_of.year}年培育名额", fmt.amount(target, "家"))
county_view = (
    access.user_scope() is None
)  # a town officer sees their towns' firms only: the county's remaining places are unknown
if county_view:
    b.metric("已入选", fmt.amount(places.filled, "家"))
    c.metric("尚余名额", fmt.amount(places.remaining, "家"))
else:
    b.metric(f"{fmt.md(access.scope_name())}已入选", fmt.amount(places.filled, "家"))
if places.share is not None and county_view:
    st.progress(
        min(places.share, 1.0),
        text=f"已入选 {places.filled} 家 / 名额 {fmt.num(target)} 家（{fmt.pct(places.share)}）",
    )
elif target is None:
    st.caption(f"{as_of.year}年计划文件中没有培育名额目标。")

st.subheader(f"{as_of.year}年培育名单")
if not wh.available("cultivation"):
    panels.absent(["cultivation"], "培育名单")
else:
    listed = cache.cached(gazelle.cultivation_list, as_of, scope=scope)
    table = gazelle.cultivation_table(listed)
    trend = next(col for col in table.columns if col.startswith("营业收入走势"))
    st.caption(
        "营业收入取税务汇算数据，缺失时用统计年报数据；走势为近五个已汇算年度。点选一行即可打开该企业的一企一档。"
    )
    grids.firm_table(
        table,
        tables.file_stem("瞪羚独角兽_培育名单", as_of, town),
        key="gazelle_list",
        as_of=as_of,
        column_config={
            trend: st.column_config.LineChartColumn(trend, y_min=0),
            "企业名称": st.column_config.TextColumn(width="medium"),
        },
    )

st.subheader("培育候选企业")
spans = cache.cached(gazelle.gazelle_spans, as_of)
if st.session_state.get("gazelle_span") not in spans:
    st.session_state.pop(
        "gazelle_span", None
    )  # a span the data (or a new as-of date) no longer supports
with st.expander("候选条件（可调整）", expanded=False):
    cols, values = st.columns(3), {}
    for col, spec in zip(cols, threshold_inputs.GAZELLE_INPUTS, strict=True):
        whole = spec.kind == "years"
        values[spec.field] = col.number_input(
            spec.label,
            min_value=1 if whole else 0.0,
            max_value=int(spec.max_value) if whole else float(spec.max_value),
            value=threshold_inputs.widget_value(spec, screening.GazelleThresholds()),
            step=int(spec.step) if whole else float(spec.step),
            format=None if whole else ("%.1f" if spec.kind == "percent" else "%.0f"),
            key=f"gazelle_{spec.field}",
            help=spec.help or None,
        )
    span = st.radio(
        "增长口径",
        spans,
        format_func=threshold_inputs.SPAN_LABELS.get,
        key="gazelle_span",
        horizontal=True,
    )
    if 4 not in spans:
        st.caption("营业收入数据不足五个年度，暂不提供江苏四年口径。")
thresholds = threshold_inputs.gazelle_thresholds(values, span)
changed = threshold_inputs.changed_thresholds(thresholds)
rule = (
    f"截至日持有有效高企证书、成立不超过{thresholds.max_age_years}年的存续企业，"
    f"{'上年' if span == 2 else '基期（前四年）'}营业收入不低于"
    f"{fmt.num(thresholds.min_revenue_wan)}万元，"
    f"{span}年年均复合增长不低于{fmt.pct_plain(thresholds.growth_min)}；按增长率排序，已入选名单的企业一并列出并标注。"
)
st.caption(rule + ("（已调整：" + "；".join(changed) + "）" if changed else ""))
if wh.missing("tax_annual", "hnte_certificates"):
    panels.absent(wh.missing("tax_annual", "hnte_certificates"), "培育候选")
else:
    candidates = cache.cached(screening.gazelle_candidates, as_of, thresholds, scope=scope)
    table = gazelle.gazelle_table(candidates, span)
    n_new = candidates.filter(~candidates["in_cultivation"]).height
    st.markdown(
        f"共 **{fmt.num(candidates.height)}** 家，其中未入选 **{fmt.num(n_new)}** "
        "家。点选一行即可打开该企业的一企一档。"
    )
    grids.firm_table(
        table,
        tables.file_stem("瞪羚独角兽_培育候选", as_of, town, f"{span}年口径"),
        key="gazelle_candidates",
        as_of=as_of,
    )
    records.record_panel(candidates, "gazelle", key="gazelle_records")
