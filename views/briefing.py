"""简报导出: the briefing text to copy, and the briefing workbook (the same file as `python -m kechuang export`)."""

from datetime import datetime

import streamlit as st

from kechuang import ui
from kechuang.engine import plan
from kechuang.output import summary, tables
from kechuang.output import workbook as export
from kechuang.zh import fmt

wh = ui.open_or_stop()
as_of, town = ui.sidebar_filters(wh)
the_plan = plan.load_plan(as_of.year)
scope_label = town or summary.COUNTY

st.title("简报导出")
st.caption(
    f"截至{fmt.cn_date(as_of)} · {scope_label} · {the_plan.title if the_plan else f'{as_of.year}年尚无计划文件'}"
)
ui.freshness(wh)

st.subheader("简报文字")
text = ui.cached(summary.briefing_text, as_of, the_plan, scope_label, scope=ui.town_scope(town))
st.code(text, language=None, wrap_lines=True)
st.caption(
    "点击文字框右上角的复制按钮，即可粘贴到简报材料中。文字由目标进度的同一组数字生成，随截至日期和镇区变化。"
)

st.subheader("简报工作簿（Excel）")
st.markdown(
    "- **封面**：截至日期、范围、各数据来源的行数与数据截至日期、生成时间、简报文字\n"
    "- **目标进度**：每项目标的完成、年度目标、完成比例、序时进度、预计全年、状态，附图表\n"
    "- **各项行动**：按实施方案的重点行动分表，逐月累计完成与序时进度，附图表\n"
    "- **高企候选**、**差一项企业**、**研发清零分镇区**、**研发清零清单**、**重点企业未走访**"
)
st.caption(
    "图表为 Excel 原生图表，可在 Excel 或 WPS 中直接编辑。"
    + ("镇区简报只含该镇区企业的数据；科创专员与培训为全县数据。" if town else "")
)

wanted = (as_of, town, wh.version)
if st.button("生成简报", type="primary", key="make_briefing"):
    generated_at = datetime.now()
    with st.spinner("正在生成简报……"):
        data = export.briefing_workbook(
            ui.warehouse(ui.town_scope(town)), as_of, town, generated_at=generated_at
        )
    st.session_state["briefing"] = (wanted, data, generated_at)
made = st.session_state.get("briefing")
if made and made[0] == wanted:
    _, data, generated_at = made
    ui.audited_download(
        "下载简报",
        data,
        tables.file_stem("科创简报", as_of, town) + ".xlsx",
        tables.XLSX_MIME,
        key="briefing_xlsx",
        action="export",
        type="primary",
        icon=":material/download:",
    )
    st.caption(f"已生成：{fmt.cn_date(generated_at.date())} {generated_at:%H:%M}")

command = f"python -m kechuang export --out 简报.xlsx --as-of {as_of.isoformat()}" + (
    f" --town {town}" if town else ""
)
if ui.can("view_audit"):  # commands are for administrators, who run the server
    st.caption("命令行生成同一份简报（内容相同，仅生成时间不同）：")
    st.code(command, language="bash", wrap_lines=True)
