"""科小二服务: key enterprises (一企一策) visited this year, the ones still to visit, and what the
teams did."""

import streamlit as st

from kechuang.charts import programmes as charts
from kechuang.engine import plan
from kechuang.models.programmes import services
from kechuang.models.programmes.common import display, monthly_labels
from kechuang.output import tables
from kechuang.ui import cache, filters, grids, panels, records
from kechuang.zh import fmt

wh = cache.open_or_stop()
as_of, town = filters.sidebar_filters(wh)
the_plan = plan.load_plan(as_of.year)
target = the_plan.target(services.METRIC_ID) if the_plan else None
view = cache.cached(services.services_view, as_of, target, scope=cache.town_scope(town))


def stem(part: str) -> str:
    return tables.file_stem(f"科小二服务_{part}", as_of, town)


st.title("“科小二”服务")
records.flash()
st.caption(
    f"截至{fmt.cn_date(as_of)} · {fmt.md(town or '全县')} · "
    f"{as_of.year}年重点企业“一企一策”清单中，本年已"
    "走访（任一服务团队）的企业"
    + ("；按企业所属镇区筛选（全县目标不分解到镇区，不显示目标与进度状态）" if town else "")
)
panels.progress_card(
    view.headline, "重点企业“一企一策”服务", no_target="镇区无分解目标" if town else "跟踪指标"
)

st.subheader("尚未走访的重点企业")
if view.unvisited is None:
    panels.absent(wh.missing("key_enterprises", "service_visits"), "未走访清单")
else:
    st.markdown(
        f"{as_of.year}年清单内重点企业 **{fmt.num(view.n_key)}** 家，本年尚未走访 "
        f"**{fmt.num(view.unvisited.height)}** 家："
    )
    shown = display(
        view.unvisited,
        ["name", "town", "team", "focus", "last_visited_on", "uscc"],
        table="key_enterprises",
        overrides={"last_visited_on": "往年最近走访日期"},
    )
    grids.table(
        shown,
        stem("未走访重点企业"),
        key="services_unvisited",
        column_config=grids.column_formats(shown),
        placeholder="—",
    )
    records.record_panel(view.unvisited, "key_enterprises", key="services_records")

town_tab, type_tab, month_tab = st.tabs(["各镇区覆盖", "服务类别与团队", "逐月走访"])
with town_tab:
    if view.by_town is None:
        panels.absent(wh.missing("key_enterprises", "service_visits"), "各镇区覆盖")
    else:
        grids.chart_table(
            charts.bar_chart(
                view.by_town,
                "town",
                [("n_served", "已走访"), ("n_unvisited", "未走访")],
                "各镇区重点企业走访覆盖",
                "家",
                stacked=True,
            ),
            display(view.by_town, ["town", "n_key", "n_served", "n_unvisited", "coverage_ratio"]),
            stem("各镇区覆盖"),
            key="services_town",
        )
with type_tab:
    if view.by_service_type is None:
        panels.absent(["service_visits"], "走访统计")
    else:
        st.caption(f"{as_of.year}年内全部走访记录（不限重点企业）。")
        for frame, key, title in (
            (view.by_service_type, "service_type", "按服务类别"),
            (view.by_team, "team", "按服务团队"),
        ):
            grids.chart_table(
                charts.bar_chart(frame, key, [("n_visits", "走访次数")], f"走访{title}", "次"),
                display(
                    frame,
                    table="service_visits",
                    overrides={"n_key": "负责重点企业数", "n_served": "其中已走访"}
                    if key == "team"
                    else None,
                ),
                stem(title),
                key=f"services_{key}",
            )
with month_tab:
    if view.monthly is not None:
        grids.chart_table(
            charts.cumulative_chart(
                view.monthly, "重点企业走访覆盖：逐月与累计", "家", bar_name="当月新覆盖"
            ),
            display(view.monthly, overrides=monthly_labels("家", "当月新覆盖")),
            stem("逐月"),
            key="services_monthly",
        )
    else:
        panels.absent(wh.missing("key_enterprises", "service_visits"), "逐月走访")
