"""产学研: the five-stage pipeline as a funnel, the partners, and registered projects still waiting
to start."""

import streamlit as st

from kechuang.charts import programmes as charts
from kechuang.engine import plan
from kechuang.models.programmes import iur
from kechuang.models.programmes.common import display, monthly_labels
from kechuang.output import tables
from kechuang.ui import cache, filters, grids, panels, records
from kechuang.zh import fmt

wh = cache.open_or_stop()
as_of, town = filters.sidebar_filters(wh)
the_plan = plan.load_plan(as_of.year)
target = the_plan.target(iur.METRIC_ID) if the_plan else None
scope = cache.town_scope(town)
view = cache.cached(iur.iur_view, as_of, target, scope=scope)


def stem(part: str) -> str:
    return tables.file_stem(f"产学研_{part}", as_of, town)


st.title("产学研合作")
records.flash()
st.caption(
    f"截至{fmt.cn_date(as_of)} · {fmt.md(town or '全县')} · "
    "需求征集→精准对接→备案登记→落地实施→跟踪服务全流程"
    + ("；按合作企业所属镇区筛选（全县目标不分解到镇区，不显示目标与进度状态）" if town else "")
)
panels.progress_card(
    view.headline,
    f"产学研合作项目备案登记（{as_of.year}年）",
    no_target="镇区无分解目标" if town else "跟踪指标",
)

if view.funnel is None:
    panels.absent(["iur_projects"], "产学研")
else:
    funnel_tab, partner_tab, month_tab = st.tabs(["全流程漏斗", "合作院所与方式", "逐月登记"])
    with funnel_tab:
        grids.chart_table(
            charts.funnel_chart(view.funnel, "产学研项目全流程（已达各阶段项目数）"),
            display(
                view.funnel,
                ["stage", "n_reached", "n_at_stage", "conversion_ratio"],
                table="iur_projects",
            ),
            stem("全流程"),
            key="iur_funnel",
        )
        st.caption(
            f"统计范围：{as_of.year}年1月1日至截至日备案登记的项目，加上截至日尚未备案登记的项目（需求征集、精准对接阶段；"
            "数据未记录项目创建日期，故未备案项目均视为本年在途）；往年已备案的项目不计入。项目到达后一阶段即视为已经过此前各阶段，"
            "“已达该阶段”为处于该阶段及其后各阶段的项目数；截至日之后才备案的项目按“精准对接”计。"
        )
    with partner_tab:
        series = [("n_projects", "项目数"), ("n_registered", "已备案登记")]
        for frame, key, title in (
            (view.by_mode, "mode", "按合作方式"),
            (view.by_region, "region_bucket", "按合作方所在地区"),
            (view.by_partner, "partner", "按合作高校院所"),
        ):
            grids.chart_table(
                charts.bar_chart(
                    frame,
                    key,
                    series,
                    f"产学研项目{title}",
                    "项",
                    top=15 if key == "partner" else None,
                ),
                display(frame, table="iur_projects"),
                stem(title),
                key=f"iur_{key}",
            )
        st.caption("统计范围同全流程漏斗。地区按合作方所在地区的文字归类（与技术合同相同的规则）。")
    with month_tab:
        if view.monthly is not None:
            grids.chart_table(
                charts.cumulative_chart(
                    view.monthly, "产学研项目备案登记：逐月与累计", "项", bar_name="当月备案"
                ),
                display(view.monthly, overrides=monthly_labels("项", "当月备案")),
                stem("逐月"),
                key="iur_monthly",
            )

st.subheader("备案后待落地项目")
days = st.number_input(
    "备案登记后超过多少天仍未落地实施需跟踪（天）",
    min_value=0,
    max_value=3650,
    value=iur.DEFAULT_OVERDUE_DAYS,
    step=15,
    key="iur_overdue_days",
)
overdue = cache.cached(iur.follow_up, as_of, int(days), scope=scope)
if overdue is None:
    panels.absent(["iur_projects"], "待落地项目")
else:
    st.markdown(
        f"截至{fmt.cn_date(as_of)}，阶段仍为“备案登记”且备案已超过 {int(days)} 天的项目共 "
        f"**{fmt.num(overdue.height)}** 项"
        "（含往年备案项目；按最新记录的阶段判断）。"
    )
    shown = display(
        overdue,
        [
            "name",
            "days_since_registered",
            "registered_on",
            "partner",
            "town",
            "mode",
            "field",
            "amount_wan",
            "project_id",
        ],
        table="iur_projects",
        overrides={"name": "企业名称"},
    )
    grids.table(
        shown,
        stem(f"备案超{int(days)}天未落地"),
        key="iur_follow_up",
        column_config=grids.column_formats(shown),
        placeholder="—",
    )
    records.record_panel(overdue, "iur", key="iur_records")
