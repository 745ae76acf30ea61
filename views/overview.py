"""总览: the leadership cockpit — what needs attention, every target's card, charts, towns, tasks,
link."""

import streamlit as st

from kechuang.engine import metrics, plan
from kechuang.engine.metrics import METRIC_BY_ID
from kechuang.models import links, tasks, timeline, towns
from kechuang.models import overview as cockpit
from kechuang.output import summary, tables
from kechuang.ui import access, cache, filters, grids, panels, records
from kechuang.worklog import rules
from kechuang.zh import fmt

wh = cache.open_or_stop()
as_of, town = filters.sidebar_filters(wh)
the_plan = plan.load_plan(as_of.year)
scope = cache.town_scope(town)
where = town or "全县"

st.title("如东科创驾驶舱")
plan_text = the_plan.title if the_plan else f"{as_of.year}年尚无计划文件，未设目标"
st.caption(
    f"截至{fmt.cn_date(as_of)} · {fmt.md(where)} · {plan_text} · 全年时间进度 "
    f"{fmt.pct(float(metrics.elapsed_share(as_of)))}"
)
link_box = st.container()  # filled at the end, once every URL parameter of the view is set
panels.freshness(wh)


def badge(status: str | None, words: str) -> str:
    return panels.status_badge(status) if status else f":gray-badge[{words}]"


# One computation for the page: warning list (the county's targets, whatever the town), county
# progress, cards, town table. A town officer's session holds only their towns' rows: the
# county's pace, the towns' fair shares and the task breakdown cannot be computed for them, so
# those sections are left out rather than shown wrong.
# For the county view the computation is the county's whatever the town (one cache entry for every
# town chosen): the chosen town only words the warning list (alerts_for) and brings its own cards.
county_view = access.user_scope() is None
view = cache.cached(cockpit.overview, as_of, the_plan, None if county_view else town, county_view)
alerts, county_rows = view.alerts_for(town), view.county_rows
if town:  # a town's own cards and rows (the rows are 目标进度's, one cache entry)
    cards = cache.cached(cockpit.cards, as_of, the_plan, scope=scope)
    rows = cache.cached(metrics.progress, as_of, the_plan, scope=scope)
else:
    cards, rows = view.cards, county_rows

# -- 目标一览: every target in one compact row (a phone shows them on one or two screens) ----------
st.subheader("目标一览" if not town else f"目标一览 · {fmt.md(town)}")
if county_view and not town:
    st.markdown("**全县" + cockpit.standing_text(county_rows) + "**")
elif town:
    st.caption(
        f"{fmt.md(town)}的数据为其对全县年度目标的贡献，不单独作序时判断；科创专员与培训场次为全县数据。"
    )
panels.target_list(cockpit.target_rows(rows, town is not None, the_plan is not None, cards))

# -- 需关注: the lagging targets and the towns dragging them ------------------------------------
if county_view and alerts:
    with st.container(border=True):
        st.markdown("**需关注**")
        untouched = records.untouched_text(as_of)  # towns whose lists nobody worked for 30 days
        st.caption(
            (
                f"下列各项附{fmt.md(town)}的完成情况（按企业数占比折算序时应完成）"
                if town
                else "拖后镇区：按在册企业数占比折算的序时应完成，差距最大的镇区"
            )
            + (f"。{untouched}" if untouched else "")
        )
        for a in alerts:
            st.markdown(f"{panels.status_badge(a.status)} **{a.label}**：{fmt.md(a.towns)}")
elif county_view:
    if any(p.status for p in county_rows):
        st.success("有量化目标的指标均达到序时进度。")
    if untouched := records.untouched_text(as_of):
        st.caption(untouched)
if town:  # the town against the other towns, in sentences rather than one-bar charts
    standings = cache.town_standing(as_of, town)
    if standings:
        with st.container(border=True):
            st.markdown(f"**{fmt.md(town)}在全县**")
            st.markdown("\n".join(f"- {towns.town_standing_text(x)}" for x in standings if x.value))
            if zero := towns.zero_text(standings):
                st.caption(zero)
if not county_view:
    st.caption(
        f"本账户只能查看{fmt.md(access.scope_name())}的数据；全县进度、任务分解请向科技局索取或查看领导分享的链接。"
    )

# The sections below the fold are drawn when opened (opening reruns the page): closed, they cost
# every rerun their elements and the phone their weight (issue 23).
if cards_box := panels.opened(
    "逐项卡片（完成、上年同期、月度走势）", "overview_cards_section_open"
):
    with cards_box:
        for start in range(0, len(cards), 3):
            for column, c in zip(st.columns(3), cards[start : start + 3], strict=False):
                with column.container(border=True):
                    st.markdown(f"**{c.label}**  \n{badge(c.status, c.badge)}")
                    flat = c.delta == "持平"
                    st.metric(
                        "完成",
                        c.value,
                        delta=c.delta,
                        delta_description=c.delta_basis if c.delta else None,
                        delta_color="off" if flat else "normal",
                        delta_arrow="off" if flat else "auto",
                        chart_data=list(c.trend) if c.trend else None,
                        chart_type="area",
                    )
                    if c.share is not None:
                        st.progress(min(max(c.share, 0.0), 1.0), text=c.share_text)
                    st.caption(
                        " · ".join(
                            [*c.lines, *([c.trend_note] if c.trend_note else []), c.year_ago]
                        )
                    )

# -- cumulative chart and town split of one target ----------------------------------------
from kechuang.charts import overview as charts  # noqa: E402  (here: the target list above reaches the browser before Plotly has loaded)

st.markdown("**累计进度与镇区分布**")
ids = [m.id for m in metrics.METRICS]
chosen = filters.url_choice(
    "选择指标",
    ids,
    key="metric",
    param="metric",
    format_func=lambda i: METRIC_BY_ID[i].label,
    default=cockpit.chart_metric(alerts),
)
m = METRIC_BY_ID[chosen]
card = next(c for c in cards if c.id == chosen)
cum = cache.cached(timeline.cumulative, chosen, as_of, the_plan, scope=scope)
if cum is not None and cum.series["actual"].max() == 0 and town:
    # A flat zero line says nothing: say it.
    st.info(f"{fmt.md(where)}本年尚无{m.label}。")
elif cum is not None:
    st.plotly_chart(
        charts.cumulative_chart(
            cum.series, f"{m.label}：{where}累计完成", m.unit, cum.last_year, target_line=True
        ),
        config={"displayModeBar": False},
        key="cumulative",
    )
else:
    st.info(f"{m.label}：{card.trend_note or '数据暂缺'}，无累计曲线。")
town_frame = view.town_table  # all towns: a chosen town is highlighted, not filtered out
values = towns.town_values(town_frame, chosen) if county_view else None  # not a one-bar chart
if values is not None:
    title, unit = towns.town_chart_spec(chosen)
    # Towns at zero are named in a sentence, not drawn as empty bars (a phone keeps its height).
    drawn = values.filter((values["value"] != 0) | (values["town"] == (town or "")))
    zero = values.filter((values["value"] == 0) & (values["town"] != (town or "")))["town"]
    if drawn.height:
        st.plotly_chart(
            charts.town_chart(drawn, title, unit, highlight=town),
            config={"displayModeBar": False},
            key="towns_chart",
        )
    if zero.len():
        st.caption(f"{title}为 0 的镇区：" + "、".join(fmt.md(t) for t in zero.to_list()))
elif county_view:
    st.info(
        f"{m.label}："
        + ("全县统筹指标，不分镇区。" if metrics.county_wide(chosen) else "数据暂缺，无镇区分布。")
    )

# -- by town ---------------------------------------------------------------------------------
town_label = "分镇区贡献表（全部指标，可下载）" if county_view else "本镇区贡献表"
if town_box := panels.opened(town_label, "overview_towns_table_open"):
    with town_box:
        st.caption(
            "各镇区对可分解到镇区的目标的贡献（点击列名排序，左右滑动查看各列）；科创专员、培训场次为全县数据，不分镇区。"
            + (f"{fmt.md(town)}在上图中以深色突出显示。" if town and county_view else "")
        )
        shown = towns.town_table_display(town_frame)
        grids.table(
            shown,
            tables.file_stem("总览_分镇区贡献", as_of),
            key="town_table",
            column_config={
                "镇区": st.column_config.TextColumn(pinned=True),
                **{c: st.column_config.NumberColumn(format="localized") for c in shown.columns[1:]},
            },
            placeholder="—",
        )

# -- 任务分解表 ------------------------------------------------------------------------------
task_rows = tasks.task_breakdown(county_rows, the_plan) if county_view else []
if county_view and not task_rows:
    st.info(f"{as_of.year}年尚无计划文件，无任务分解。")
elif county_view:
    with st.expander(f"任务分解表：{the_plan.document} 共 {len(task_rows)} 项任务"):
        st.caption("状态为全县口径（任务由全县承担）；一项任务对应多个指标时取最落后者。")
        for t in task_rows:
            st.markdown(
                f"{badge(t.status, t.status_text)} **{t.action}**：{t.task}  \n"
                f"责任部门：{t.departments}  \n对应指标：{t.metrics}"
                + (f"  \n进展：{t.detail}" if t.detail else "")
            )

# -- briefing text, sources, link -----------------------------------------------------------
if text_box := panels.opened("简报文字（可复制）", "overview_text_section_open"):
    with text_box:
        st.code(
            # summary.briefing_text from the rows shown above; today: the 30-day line moves with the
            # day, so the cache key does too
            summary.with_follow_up(
                summary.compose(rows, as_of, the_plan, where, town_scope=town is not None),
                cache.cached(summary.follow_up_paragraph, as_of, scope=scope, today=rules.today()),
            ),
            language=None,
            wrap_lines=True,
        )
with st.expander("数据来源与更新时间"):
    st.markdown(
        "\n".join(
            f"- {r['数据']}："
            + ("暂缺" if r["数据截至"] == "暂缺" else f"数据截至{r['数据截至']}，{r['行数']} 行")
            for r in panels.freshness_table(wh)
        )
    )  # a list, not a table: readable at 390 px
if access.share_view() is None:
    with link_box.expander("分享本视图的链接"):
        st.code(
            links.share_url(links.OVERVIEW_URL_PATH, st.query_params.to_dict()),
            language=None,
            wrap_lines=True,
        )
        st.caption("点右上角按钮复制；有账户的同志登录后即见本页的截至日期、镇区和所选指标。")
        access.share_link_box("overview", as_of, town)
