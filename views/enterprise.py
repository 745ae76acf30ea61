"""一企一档: everything the departments' data holds on one enterprise, deep-linkable by ?uscc=."""

import streamlit as st

from kechuang.access import redact
from kechuang.charts import workbench as charts
from kechuang.engine import contract, profile, screening
from kechuang.models import enterprise_view, workbench
from kechuang.output import tables
from kechuang.ui import access, cache, filters, grids, panels, records
from kechuang.zh import fmt

wh = cache.open_or_stop()
as_of, town = filters.sidebar_filters(wh)
thresholds = screening.HnteThresholds()

st.title("一企一档")
if not wh.available("enterprises"):
    panels.absent(["enterprises"], "一企一档")
    st.stop()

text = st.text_input(
    "查找企业", placeholder="企业名称中的几个字，或统一社会信用代码", key="enterprise_search"
).strip()
if text:
    found = cache.cached(profile.search, text)
    if found.height == 0:
        st.info(f"没有名称含“{fmt.md(text)}”或代码以“{fmt.md(text.upper())}”开头的企业。")
    elif found.height == 1:
        st.query_params["uscc"] = found["uscc"][0]
    else:
        many = "，仅列出前50家，可输入更完整的名称缩小范围" if found.height >= 50 else ""
        st.caption(f"找到 {found.height} 家{many}。点选一家查看：")
        shown = found.select(
            "name", "uscc", "town", workbench.division_expr().alias("division"), "status"
        ).rename(
            {
                "name": "企业名称",
                "uscc": "统一社会信用代码",
                "town": "所属镇区",
                "division": "行业",
                "status": "登记状态",
            }
        )
        event = st.dataframe(
            shown,
            hide_index=True,
            key=f"enterprise_found_{text}",
            on_select="rerun",
            selection_mode="single-row",
        )
        if event.selection.rows:
            st.query_params["uscc"] = shown["统一社会信用代码"][event.selection.rows[0]]

param = enterprise_view.check_uscc_param(st.query_params.get("uscc"))
if param.error:
    st.error(fmt.md(param.error))
    st.stop()
if param.code is None:
    st.info(
        "输入企业名称或统一社会信用代码查找企业；也可在精准筛选、瞪羚/独角兽、研发活动清零页面点选企业打开。"
    )
    st.stop()
try:
    whole = cache.cached(profile.enterprise_file, param.code, as_of)
except profile.UnknownEnterprise:
    st.error(
        fmt.md(enterprise_view.unknown_message(param.code, param.warning))
        + (
            ""
            if access.user_scope() is None
            else f"（本账户只能查看{fmt.md(access.scope_name())}的企业。）"
        )
    )
    st.stop()

# Tax figures become bands for roles without them: everything below draws `file`, never `whole`.
file = redact.file_for(access.current_user(), whole)
name = file.registry.get("name") or param.code
access.audit_once("view_enterprise_file", f"{param.code} {name}")
st.header(fmt.md(name))
if param.warning:
    st.warning(fmt.md(param.warning))
facts = enterprise_view.registry_facts(file)
cols = st.columns(3)
for i, (label, value) in enumerate(facts):
    cols[i % 3].markdown(f"**{label}**  \n{fmt.md(value)}")
note = enterprise_view.renewal_note(file, as_of)
if note:
    (st.warning if file.hnte_renewal_due else st.success)(note)
absent, empty = enterprise_view.source_notes(file)
if empty:
    st.info("以下来源没有该企业的记录：" + "、".join(empty))
if absent:
    st.caption("以下数据暂缺（尚未接入），相应内容无法显示：" + "、".join(absent))

st.subheader("跟踪培育记录")
records.flash()
with st.expander("记录走访、培育阶段、责任人", expanded=False):
    records.firm_forms(param.code, None, key="enterprise_records")
records.timeline(param.code)


def stem(part: str) -> str:
    return tables.file_stem(f"一企一档_{name}_{part}", as_of)


def section(key: str) -> None:
    title = redact.section_title(key, access.current_user())
    state = enterprise_view.section_state(file, key)
    if state:
        st.caption(f"{title}：" + ("数据暂缺（尚未接入）" if state == "absent" else "无该企业记录"))
        return
    frame = enterprise_view.section_table(file, key)
    st.markdown(f"**{title}**")
    grids.table(
        frame,
        stem(title),
        key=f"enterprise_{key}",
        column_config=grids.number_formats(frame),
        placeholder="—",
    )


st.subheader("高企认定条件对照")
row = file.screen_row or {}
if row.get("holds_valid_hnte"):
    st.caption("该企业持有有效高企证书，不在精准筛选的参评范围内；以下对照供重新认定时参考。")
elif row and not row.get("is_active"):
    st.caption("该企业登记状态不是存续或在业，不在精准筛选的参评范围内。")
BADGES = {True: ":green-badge[通过]", False: ":red-badge[未通过]", None: ":gray-badge[数据缺失]"}
lines = enterprise_view.checklist_lines(file, thresholds)
if lines:
    st.markdown(
        "\n".join(
            f"- {BADGES[passed]} **{label}**：{fmt.md(text)}" for label, passed, text in lines
        )
    )
    st.caption(
        f"按高企认定标准阈值，营收、研发取最近已汇算年度 {row.get('settled_year') or '—'} "
        "年及之前两年；"
        f"培育评分 {fmt.num(row.get('score'), 1)} 分（满分100分，说明见精准筛选页）。"
    )

st.subheader("营业收入与研发")
annual = redact.annual_for(
    access.current_user(), enterprise_view.annual_figures(whole, thresholds)
)  # ratios come from the exact figures; the amounts are banded for roles without them
if annual is None:
    st.info("企业所得税汇算和统计年报都没有该企业的年度数据，营收与研发无法显示。")
else:
    left, right = st.columns(2)
    if "revenue_wan" in annual.columns:  # amounts as bands have no chart
        left.plotly_chart(
            charts.revenue_chart(annual),
            key="enterprise_revenue",
            config={"displayModeBar": False},
        )
    else:
        left, right = right, left
    right.plotly_chart(
        charts.rd_intensity_chart(annual),
        key="enterprise_intensity",
        config={"displayModeBar": False},
    )
    shown = annual.rename(
        {
            c: enterprise_view.ANNUAL_LABELS.get(c) or contract.column_label(c)
            for c in annual.columns
        }
    )
    grids.table(
        shown,
        stem("年度营收与研发"),
        key="enterprise_annual",
        column_config=grids.number_formats(shown),
        placeholder="—",
    )
monthly = enterprise_view.monthly_sales(file)
if monthly is not None:
    grids.chart_table(
        charts.monthly_sales_chart(monthly),
        monthly.rename(
            {
                "period": "所属期",
                "invoiced_sales_wan": "开票销售额（万元）",
                "tax_paid_wan": "入库税款（万元）",
            }
        ),
        stem("月度开票"),
        key="enterprise_monthly",
    )
else:
    section("tax_monthly")  # absent, empty, or banded for roles that may not see named tax figures
with st.expander("年度原始数据（税务汇算、统计年报）"):
    section("tax_annual")
    section("stats_annual")

tabs = st.tabs(["高企与科小", "知识产权", "技术合同", "产学研", "走访服务", "研发机构", "其他"])
with tabs[0]:
    certs = enterprise_view.certificate_table(file, as_of)
    if certs is not None:
        st.markdown("**高新技术企业证书**")
        grids.table(
            certs,
            stem("高企证书"),
            key="enterprise_certs",
            column_config=grids.number_formats(certs),
            placeholder="—",
        )
    else:
        section("hnte_certificates")
    section("tech_sme_registry")
with tabs[1]:
    by_type = enterprise_view.patents_by_type(file, as_of)
    if by_type is not None:
        st.dataframe(by_type, hide_index=True)
    section("patents")
for tab, keys in zip(
    tabs[2:],
    (
        ["tech_contracts"],
        ["iur_projects"],
        ["service_visits"],
        ["rd_institutions"],
        ["sci_projects", "key_enterprises", "cultivation", "trainings"],
    ),
    strict=True,
):
    with tab:
        for key in keys:
            section(key)
