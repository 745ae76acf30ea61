"""科创项目招引: high-growth projects landed against 50, where they come from and land, and the
pipeline."""

import streamlit as st

from kechuang.charts import programmes as charts
from kechuang.engine import plan
from kechuang.models.programmes import projects
from kechuang.models.programmes.common import display, monthly_labels
from kechuang.output import tables
from kechuang.ui import cache, filters, grids, panels
from kechuang.zh import fmt

wh = cache.open_or_stop()
as_of, town = filters.sidebar_filters(wh)
the_plan = plan.load_plan(as_of.year)
target = the_plan.target(projects.METRIC_ID) if the_plan else None
view = cache.cached(projects.projects_view, as_of, target, scope=cache.town_scope(town))


def stem(part: str) -> str:
    return tables.file_stem(f"科创项目招引_{part}", as_of, town)


st.title("科创项目招引")
st.caption(
    f"截至{fmt.cn_date(as_of)} · {fmt.md(town or '全县')} · 高成长型科创项目{as_of.year}年内落地数"
    + ("；按项目落地镇区筛选（全县目标不分解到镇区，不显示目标与进度状态）" if town else "")
)
panels.progress_card(
    view.headline, "高成长型科创项目落地", no_target="镇区无分解目标" if town else "跟踪指标"
)

if view.pipeline is None:
    panels.absent(["sci_projects"], "科创项目招引")
else:
    pipe_tab, where_tab, month_tab = st.tabs(["在谈→签约→落地", "落地项目分布", "逐月落地"])
    with pipe_tab:
        grids.chart_table(
            charts.bar_chart(
                view.pipeline,
                "stage",
                [("n_projects", "项目数"), ("n_high_growth", "其中高成长型")],
                "招引项目所处阶段",
                "个",
            ),
            display(view.pipeline, table="sci_projects"),
            stem("各阶段"),
            key="projects_pipeline",
        )
        st.caption(
            f"在谈、签约为截至日所处阶段（截至日之后落地的项目按签约计）；落地为{as_of.year}年内落地的项目（含非高成长型）。"
        )
        st.markdown("**在谈、签约项目**（推动落地的下一步对象，签约在前、按计划投资额排序）")
        shown = display(
            view.in_progress,
            [
                "project_id",
                "name",
                "stage",
                "high_growth",
                "field",
                "source_region",
                "town",
                "investment_wan",
            ],
            table="sci_projects",
        )
        grids.table(
            shown,
            stem("在谈签约项目"),
            key="projects_in_progress",
            column_config=grids.column_formats(shown),
            placeholder="—",
        )
    with where_tab:
        series = [("n_projects", "落地项目")]
        for frame, key, title in (
            (view.by_field, "field", "按产业方向"),
            (view.by_region, "region_bucket", "按项目来源地"),
            (view.by_town, "town", "按落地镇区"),
        ):
            grids.chart_table(
                charts.bar_chart(frame, key, series, f"高成长型项目落地{title}", "个"),
                display(frame, table="sci_projects"),
                stem(title),
                key=f"projects_{key}",
            )
        st.caption("来源地按项目来源地的文字归类（与技术合同相同的规则）。")
        st.markdown(f"**{as_of.year}年落地的高成长型项目**")
        shown = display(
            view.landed,
            ["project_id", "name", "landed_on", "field", "source_region", "town", "investment_wan"],
            table="sci_projects",
        )
        grids.table(
            shown,
            stem("落地项目"),
            key="projects_landed",
            column_config=grids.column_formats(shown),
            placeholder="—",
        )
    with month_tab:
        if view.monthly is not None:
            grids.chart_table(
                charts.cumulative_chart(
                    view.monthly, "高成长型项目落地：逐月与累计", "个", bar_name="当月落地"
                ),
                display(view.monthly, overrides=monthly_labels("个", "当月落地")),
                stem("逐月"),
                key="projects_monthly",
            )
