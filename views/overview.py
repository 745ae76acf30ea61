"""总览: the leadership cockpit — what needs attention, every target's card, charts, towns, tasks,
link."""

import streamlit as st

from kechuang import ui
from kechuang.engine import metrics, plan
from kechuang.engine.metrics import METRIC_BY_ID
from kechuang.models import links, tasks, timeline
from kechuang.models import overview as cockpit
from kechuang.output import summary, tables
from kechuang.zh import fmt

wh = ui.open_or_stop()
as_of, town = ui.sidebar_filters(wh)
the_plan = plan.load_plan(as_of.year)
scope = ui.town_scope(town)
where = town or "全县"

st.title("如东科创驾驶舱")
plan_text = the_plan.title if the_plan else f"{as_of.year}年尚无计划文件，未设目标"
st.caption(
    f"截至{fmt.cn_date(as_of)} · {where} · {plan_text} · 全年时间进度 "
    f"{fmt.pct(float(metrics.elapsed_share(as_of)))}"
)
link_box = st.container()  # filled at the end, once every URL parameter of the view is set
ui.freshness(wh)


def badge(status: str | None, words: str) -> str:
    return ui.status_badge(status) if status else f":gray-badge[{words}]"


# -- 需关注: what needs attention, before any chart ---------------------------------------- A town
# officer's session holds only their towns' rows: the county's pace, the towns' fair shares and the
# task breakdown cannot be computed for them, so those sections are left out rather than shown
# wrong.
county_view = ui.user_scope() is None
# One computation for the page: warning list (the county's targets, whatever the town), county
# progress, cards, town table.
view = ui.cached(cockpit.overview, as_of, the_plan, town, county_view)
alerts, county_rows = view.alerts, view.county_rows
if county_view:
    with st.container(border=True):
        st.subheader("需关注")
        st.caption(
            "全县"
            + cockpit.standing_text(county_rows)
            + (f"；下列各项附{town}的完成情况（按企业数占比折算序时应完成）" if town else "")
        )
        for a in alerts:
            st.markdown(f"{ui.status_badge(a.status)} **{a.label}**：{a.summary}  \n{a.towns}")
        if not alerts and any(p.status for p in county_rows):
            st.success("有量化目标的指标均达到序时进度。")
else:
    st.info(
        f"本账户只能查看{ui.scope_name()}的数据：下列各项为本镇区对全县年度目标的贡献，不作序时判断；"
        "全县进度、各镇区对比与任务分解请向科技局索取或查看领导分享的链接。"
    )

# -- one card per target -------------------------------------------------------------------
cards = (
    view.cards if view.cards is not None else ui.cached(cockpit.cards, as_of, the_plan, scope=scope)
)  # a town's own cards
st.subheader("目标一览" if not town else f"目标一览 · {town}")
if town:
    st.caption(
        f"{town}的数据为其对全县年度目标的贡献，不单独作序时判断；科创专员与培训场次为全县数据，不随镇区筛选。"
    )
for start in range(0, len(cards), 3):
    for column, c in zip(st.columns(3), cards[start : start + 3], strict=False):
        with column.container(border=True):
            st.markdown(f"**{c.label}**  \n{badge(c.status, c.badge)}")
            flat = c.delta == "持平"
            st.metric(
                "完成",
                c.value,
                delta=c.delta,
                delta_description="较上年同期" if c.delta else None,
                delta_color="off" if flat else "normal",
                delta_arrow="off" if flat else "auto",
                chart_data=list(c.trend) if c.trend else None,
                chart_type="area",
            )
            if c.share is not None:
                st.progress(min(max(c.share, 0.0), 1.0), text=c.share_text)
            st.caption(
                " · ".join([*c.lines, *([c.trend_note] if c.trend_note else []), c.year_ago])
            )

# -- cumulative chart and town split of one target ----------------------------------------
from kechuang.charts import overview as charts  # noqa: E402  (here: the cards above reach the browser before Plotly has loaded)

st.subheader("累计进度与镇区分布")
ids = [m.id for m in metrics.METRICS]
chosen = ui.url_choice(
    "选择指标",
    ids,
    key="metric",
    param="metric",
    format_func=lambda i: METRIC_BY_ID[i].label,
    default=alerts[0].id if alerts else ids[0],
)
m = METRIC_BY_ID[chosen]
card = next(c for c in cards if c.id == chosen)
cum = ui.cached(timeline.cumulative, chosen, as_of, the_plan, scope=scope)
if cum is not None:
    st.plotly_chart(
        charts.cumulative_chart(cum.series, f"{m.label}：{where}累计完成", m.unit, cum.last_year),
        config={"displayModeBar": False},
        key="cumulative",
    )
else:
    st.info(f"{m.label}：{card.trend_note or '数据暂缺'}，无累计曲线。")
town_frame = view.town_table  # all towns: a chosen town is highlighted, not filtered out
values = cockpit.town_values(town_frame, chosen)
if values is not None:
    title, unit = cockpit.town_chart_spec(chosen)
    st.plotly_chart(
        charts.town_chart(values, title, unit, highlight=town),
        config={"displayModeBar": False},
        key="towns_chart",
    )
else:
    st.info(
        f"{m.label}："
        + ("全县统筹指标，不分镇区。" if metrics.county_wide(chosen) else "数据暂缺，无镇区分布。")
    )

# -- by town ---------------------------------------------------------------------------------
st.subheader("分镇区贡献")
st.caption(
    "各镇区对可分解到镇区的目标的贡献（点击列名排序）；科创专员、中小企业专项培训场次、干部专题培训场次为全县数据，不分镇区。"
    + (f"本表为全县各镇区对比，{town}在上图中以红色突出显示。" if town else "")
)
shown = cockpit.town_table_display(town_frame)
ui.table(
    shown,
    tables.file_stem("总览_分镇区贡献", as_of),
    key="town_table",
    column_config={c: st.column_config.NumberColumn(format="localized") for c in shown.columns[1:]},
    placeholder="—",
)

# -- 任务分解表 ------------------------------------------------------------------------------
st.subheader("任务分解表")
task_rows = tasks.task_breakdown(county_rows, the_plan) if county_view else []
if not county_view:
    st.caption("任务分解为全县口径，不在本账户范围内。")
elif not task_rows:
    st.info(f"{as_of.year}年尚无计划文件，无任务分解。")
else:
    st.caption("状态为全县口径（任务由全县承担）；一项任务对应多个指标时取最落后者。")
    with st.expander(
        f"{the_plan.document} 共 {len(task_rows)} 项任务：责任部门与当前状态", expanded=not town
    ):
        for t in task_rows:
            st.markdown(
                f"{badge(t.status, t.status_text)} **{t.action}**：{t.task}  \n"
                f"责任部门：{t.departments}  \n对应指标：{t.metrics}"
                + (f"  \n进展：{t.detail}" if t.detail else "")
            )

# -- briefing text, sources, link -----------------------------------------------------------
with st.expander("简报文字（可复制）"):
    st.code(
        ui.cached(summary.briefing_text, as_of, the_plan, where, scope=scope),
        language=None,
        wrap_lines=True,
    )
with st.expander("数据来源与更新时间"):
    st.markdown(
        "\n".join(
            f"- {r['数据']}："
            + ("暂缺" if r["数据截至"] == "暂缺" else f"数据截至{r['数据截至']}，{r['行数']} 行")
            for r in ui.freshness_table(wh)
        )
    )  # a list, not a table: readable at 390 px
if ui.share_view() is None:
    with link_box.expander("分享本视图的链接"):
        st.code(
            links.share_url(links.OVERVIEW_URL_PATH, st.query_params.to_dict()),
            language=None,
            wrap_lines=True,
        )
        st.caption("点右上角按钮复制；有账户的同志登录后即见本页的截至日期、镇区和所选指标。")
        ui.share_link_box("overview", as_of, town)
