"""研发活动清零: manufacturers with revenue of 1 亿元 or more and no R&D activity, by town — the
worklist each town works down to zero."""

import streamlit as st

from kechuang.charts import workbench as charts
from kechuang.engine import metrics, plan
from kechuang.models import rd_zero
from kechuang.output import tables
from kechuang.ui import cache, filters, grids, panels, records
from kechuang.zh import fmt

wh = cache.open_or_stop()
as_of, town = filters.sidebar_filters(wh)
scope = cache.town_scope(town)
the_plan = plan.load_plan(as_of.year)
target = the_plan.target("rd_coverage") if the_plan else None

st.title("亿元以上制造业企业研发活动清零")
records.flash()
coverage = cache.cached(metrics.rd_coverage, as_of, scope=scope)
year = coverage.reference_year
st.caption(
    f"截至{fmt.cn_date(as_of)} · {fmt.md(town or '全县')} · "
    "对象：存续或在业的制造业企业（行业大类13–43），"
    f"{year or '—'}年统计年报营业收入1亿元及以上；有研发活动：当年统计研发经费或税务加计扣除研发费"
    "用大于0。"
)

missing = wh.missing(*metrics.METRIC_BY_ID["rd_coverage"].tables)
if missing:
    panels.absent(missing, "研发活动覆盖率与清零清单")
    st.stop()

a, b, c, d = st.columns(4)
a.metric(
    "研发活动覆盖率",
    fmt.pct(coverage.coverage),
    help=f"目标 {fmt.pct(target)}" if target is not None else None,
)
b.metric("亿元以上制造业企业", f"{fmt.num(coverage.n_population)} 家")
c.metric("有研发活动", f"{fmt.num(coverage.n_active)} 家")
d.metric("待清零", f"{fmt.num(coverage.worklist.height)} 家")
if coverage.n_population == 0:
    st.info(f"{fmt.md(town or '全县')}没有符合条件的亿元以上制造业企业。")
    st.stop()

by_town = coverage.by_town()
grids.chart_table(
    charts.coverage_by_town_chart(by_town),
    rd_zero.rd_town_table(by_town),
    tables.file_stem("研发活动清零_分镇区", as_of, town),
    key="rd_zero_towns",
)

st.subheader("清零清单")
worklist = rd_zero.rd_zero_table(coverage.worklist)
if worklist.height == 0:
    st.success(f"{fmt.md(town or '全县')}亿元以上制造业企业已全部开展研发活动，清单已清零。")
else:
    st.caption(
        "按镇区、营业收入排列，可点列名重新排序；点选一行即可打开该企业的一企一档。"
        "“最近走访”为截至日前最近一次“科小二”走访服务记录。"
    )
    grids.firm_table(
        worklist,
        tables.file_stem("研发活动清零_清单", as_of, town),
        key="rd_zero_worklist",
        as_of=as_of,
    )
    records.record_panel(coverage.worklist, "rd_zero", key="rd_zero_records")
