"""科创专员: commissioners serving against 100, by role and field, and how the roster grew (no
names shown)."""

import streamlit as st

from kechuang.charts import programmes as charts
from kechuang.engine import plan
from kechuang.models.programmes import commissioners
from kechuang.models.programmes.common import display, monthly_labels
from kechuang.output import tables
from kechuang.ui import cache, filters, grids, panels
from kechuang.zh import fmt

wh = cache.open_or_stop()
as_of, town = filters.sidebar_filters(wh)
the_plan = plan.load_plan(as_of.year)
target = the_plan.target(commissioners.METRIC_ID) if the_plan else None
view = cache.cached(
    commissioners.commissioners_view, as_of, target
)  # county-level: never scoped to a town


def stem(part: str) -> str:
    return tables.file_stem(f"科创专员_{part}", as_of)


st.title("科创专员")
st.caption(f"截至{fmt.cn_date(as_of)} · 全县 · 截至日在任（已聘任且未离任）的科创专员")
if town:
    st.info(f"科创专员为全县统计，不分镇区：本页数字均为全县口径，不随“{fmt.md(town)}”筛选变化。")
panels.progress_card(view.headline, "科创专员（在任）")

if view.by_role is None:
    panels.absent(["commissioners"], "科创专员")
else:
    role_tab, month_tab, roster_tab = st.tabs(["类别与领域", "逐月在任人数", "专员名册"])
    with role_tab:
        for frame, key, title in (
            (view.by_role, "role", "按专员类别"),
            (view.by_field, "field", "按专业领域"),
        ):
            grids.chart_table(
                charts.bar_chart(
                    frame, key, [("n_serving", "在任人数")], f"在任科创专员{title}", "名"
                ),
                display(frame, table="commissioners"),
                stem(title),
                key=f"commissioners_{key}",
            )
    with month_tab:
        if view.monthly is not None:
            grids.chart_table(
                charts.cumulative_chart(
                    view.monthly,
                    "在任科创专员人数（各月末）",
                    "名",
                    bars=False,
                    line_name="在任人数",
                ),
                display(
                    view.monthly,
                    overrides={
                        **monthly_labels("名", "净增"),
                        "actual": "在任人数（名）",
                        "n_joined": "当月聘任（名）",
                        "n_left": "当月离任（名）",
                    },
                ),
                stem("逐月"),
                key="commissioners_monthly",
            )
    with roster_tab:
        st.caption(f"截至日在任及{as_of.year}年内离任的专员。姓名属个人信息，本页不显示。")
        shown = display(view.roster, table="commissioners")
        grids.table(
            shown,
            stem("名册"),
            key="commissioners_roster",
            column_config=grids.column_formats(shown),
            placeholder="—",
        )
