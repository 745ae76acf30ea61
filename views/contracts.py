"""技术合同: registered amount against 100 亿元, where it comes from, and the firms to bring in
next."""

import streamlit as st

from kechuang.charts import programmes as charts
from kechuang.engine import contract, plan
from kechuang.models.programmes import contracts
from kechuang.models.programmes.common import display, monthly_labels
from kechuang.output import tables
from kechuang.ui import cache, filters, grids, panels
from kechuang.zh import fmt

wh = cache.open_or_stop()
as_of, town = filters.sidebar_filters(wh)
the_plan = plan.load_plan(as_of.year)
target = the_plan.target(contracts.METRIC_ID) if the_plan else None
view = cache.cached(contracts.contracts_view, as_of, target, scope=cache.town_scope(town))


def stem(part: str) -> str:
    return tables.file_stem(f"技术合同_{part}", as_of, town)


st.title("技术合同认定登记")
st.caption(
    f"截至{fmt.cn_date(as_of)} · {fmt.md(town or '全县')} · "
    f"{as_of.year}年内认定登记的合同，每份合同计一次"
    "（不论本地主体为卖方或买方）"
    + ("；按本地主体所属镇区筛选（全县目标不分解到镇区，不显示目标与进度状态）" if town else "")
)
panels.progress_card(
    view.headline, "技术合同认定登记额", no_target="镇区无分解目标" if town else "跟踪指标"
)

if view.n_contracts is None:
    panels.absent(["tech_contracts"], "技术合同")
else:
    left, right = st.columns(2)
    left.metric(
        "技术交易额",
        fmt.amount(view.tech_amount_wan, "万元"),
        help="技术交易额不含合同中设备、材料等非技术部分",
    )
    right.metric("登记合同", f"{fmt.num(view.n_contracts)} 项")

    progress_tab, where_tab, firms_tab = st.tabs(["逐月进度", "构成与分布", "登记企业"])
    with progress_tab:
        if view.monthly is not None:
            grids.chart_table(
                charts.cumulative_chart(
                    view.monthly,
                    "技术合同登记额：逐月与累计",
                    "亿元",
                    scale=10_000,
                    bar_name="当月登记额",
                    decimals=2,
                ),
                display(
                    view.monthly,
                    overrides={
                        **monthly_labels("万元", "当月登记额"),
                        "tech_in_month": "当月技术交易额（万元）",
                        "n_contracts": "当月登记合同（项）",
                    },
                ),
                stem("逐月"),
                key="contracts_monthly",
            )
    with where_tab:
        amounts = [("amount_wan", "合同成交额"), ("tech_amount_wan", "技术交易额")]
        for frame, key, title in (
            (view.by_type, "contract_type", "按合同类别"),
            (view.by_direction, "direction", "按技术流向（卖方 = 输出，买方 = 吸纳）"),
            (view.by_region, "region_bucket", "按对方所在地区"),
            (view.by_town, "town", "按本地主体所属镇区"),
        ):
            grids.chart_table(
                charts.bar_chart(frame, key, amounts, f"技术合同{title}", "万元"),
                display(frame, table="tech_contracts"),
                stem(title.split("（")[0]),
                key=f"contracts_{key}",
            )
            if key == "region_bucket":
                st.caption(
                    "地区按对方所在地区的文字归类：上海；苏南（南京、苏州、无锡、常州、镇江）；长三角其他（浙江、安徽及苏中苏北）；"
                    "珠三角（广东珠三角城市、粤港澳）；本地（如东及南通各县市区）；其余为其他地区。"
                )
    with firms_tab:
        grids.chart_table(
            charts.bar_chart(
                view.firms,
                "name",
                amounts,
                f"登记额前 {contracts.TOP_FIRMS} 位企业",
                "万元",
                top=contracts.TOP_FIRMS,
            ),
            display(
                view.firms,
                [
                    "rank",
                    "name",
                    "town",
                    "n_contracts",
                    "amount_wan",
                    "tech_amount_wan",
                    "output_amount_wan",
                    "absorbed_amount_wan",
                    "uscc",
                ],
                table="tech_contracts",
                overrides={"amount_wan": "合同成交额（万元）"},
            ),
            stem("登记企业"),
            key="contracts_firms",
        )

st.subheader("重点企业动态清单")
st.caption(
    f"有望登记技术合同、但{as_of.year}年尚未登记的存续企业：截至日持有有效高企证书，或有产学研项目（上年以来备案登记或尚未备案），"
    "或上一已汇算年度有研发投入。按列入原因多少、研发投入排序，供走访、宣传、辅导时逐一对接。"
)
prospects = cache.cached(contracts.prospects, as_of, scope=cache.town_scope(town))
if prospects is None:
    panels.absent(wh.missing("tech_contracts", "enterprises"), "重点企业动态清单")
else:
    missing = wh.missing(*contracts.PROSPECT_SOURCES)
    if missing:
        st.caption("以下数据暂缺，相应原因无法判断：" + contract.table_names(missing))
    st.markdown(f"共 **{fmt.num(prospects.height)}** 家")
    shown = display(
        prospects,
        [
            "name",
            "town",
            "reasons",
            "hnte_valid_until",
            "n_iur_projects",
            "rd_year",
            "rd_expense_wan",
            "last_registered_on",
            "uscc",
        ],
        overrides={"rd_expense_wan": "研发投入（万元）"},
    )
    grids.table(
        shown,
        stem("重点企业动态清单"),
        key="contracts_prospects",
        column_config=grids.column_formats(shown),
        placeholder="—",
    )
