"""培训: SME trainings against 3 and the firms they reached against 300, cadre trainings, and the
year's list."""

import streamlit as st

from kechuang.charts import programmes as charts
from kechuang.engine import plan
from kechuang.models.programmes import trainings
from kechuang.models.programmes.common import display
from kechuang.output import tables
from kechuang.ui import cache, filters, grids, panels
from kechuang.zh import fmt

wh = cache.open_or_stop()
as_of, town = filters.sidebar_filters(wh)
the_plan = plan.load_plan(as_of.year)
view = cache.cached(trainings.trainings_view, as_of, the_plan, scope=cache.town_scope(town))


def stem(part: str) -> str:
    return tables.file_stem(f"培训_{part}", as_of, town)


st.title("培训")
st.caption(f"截至{fmt.cn_date(as_of)} · {fmt.md(town or '全县')} · {as_of.year}年内举办的培训")
if town:
    st.info(
        f"培训场次为全县统计，不随镇区筛选变化；“覆盖企业（家次）”及参训企业数只计{fmt.md(town)}的企业。"
    )
panels.progress_card(view.sme_trainings, "中小企业专项培训（场次，全县）")
panels.progress_card(
    view.sme_attendance,
    "专项培训覆盖企业（家次）" + (f"：{fmt.md(town)}" if town else ""),
    no_target="镇区无分解目标" if town else "跟踪指标",
)
panels.progress_card(view.cadre_trainings, "科技创新专题培训（干部，全县）")

if view.trainings is None:
    panels.absent(["trainings"], "培训列表")
else:
    sme = trainings.sme_attendance(view.trainings)
    if sme.height and sme["n_firms"].null_count() < sme.height:
        grids.chart_table(
            charts.bar_chart(sme, "label", [("n_firms", "参训企业")], "各场专项培训参训企业", "家"),
            display(
                sme,
                ["training_id", "title", "held_on", "n_firms"],
                table="trainings",
                overrides={"n_firms": "参训企业（家）"},
            ),
            stem("专项培训参训"),
            key="trainings_sme",
        )
    elif not wh.available("training_attendance"):
        panels.absent(["training_attendance"], "参训企业")
    st.subheader(f"{as_of.year}年培训一览")
    shown = display(
        view.trainings,
        ["held_on", "kind", "training_status", "n_firms", "title"],
        table="trainings",
        overrides={"n_firms": "参训企业（家）"},
    )
    grids.table(
        shown,
        stem("培训一览"),
        key="trainings_list",
        column_config=grids.column_formats(shown),
        placeholder="—",
    )
    st.caption("“计划中”为截至日之后安排在本年举办的培训，不计入完成数。")
