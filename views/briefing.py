"""简报导出: the briefing text to copy; the briefing workbook, Word and PDF (`kechuang export`)."""

from datetime import datetime

import streamlit as st

from kechuang.engine import plan
from kechuang.output import figures, pdf, summary, tables
from kechuang.output import workbook as export
from kechuang.ui import access, cache, filters, panels
from kechuang.zh import fmt

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

wh = cache.open_or_stop()
as_of, town = filters.sidebar_filters(wh)
the_plan = plan.load_plan(as_of.year)
scope_label = town or summary.COUNTY

st.title("简报导出")
st.caption(
    f"截至{fmt.cn_date(as_of)} · {fmt.md(scope_label)} · "
    f"{the_plan.title if the_plan else f'{as_of.year}年尚无计划文件'}"
)
panels.freshness(wh)

st.subheader("简报文字")
text = cache.cached(
    summary.briefing_text, as_of, the_plan, scope_label, scope=cache.town_scope(town)
)
st.code(text, language=None, wrap_lines=True)
st.caption(
    "点击文字框右上角的复制按钮，即可粘贴到简报材料中。文字由目标进度的同一组数字生成，随截至日期和镇区变化。"
)

st.subheader("简报文件")
st.markdown(
    "**工作进展简报（Word、PDF）**：公文格式（A4 竖版），按实施方案六大行动分节，含简报文字、"
    "目标完成情况表（滞后、预警标色）、需关注事项与拖后镇区、累计进度与镇区排名图、"
    "高企培育候选与研发清零清单附表；PDF 由同一份 Word 文档转换。\n\n"
    "**简报工作簿（Excel）**：\n"
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
DOCUMENTS = {  # format -> button, download button, session key, suffix, MIME type
    "xlsx": ("生成简报", "下载简报", "briefing", ".xlsx", tables.XLSX_MIME),
    "docx": ("生成 Word 简报", "下载 Word 简报", "briefing_docx_file", ".docx", DOCX_MIME),
    "pdf": ("生成 PDF 简报", "下载 PDF 简报", "briefing_pdf_file", ".pdf", "application/pdf"),
}
may_download = access.can("download_firm_lists")  # the same permission audited_download checks
no_pdf = pdf.soffice() is None
clicked = None
for column, (kind, (label, *_)) in zip(st.columns(3), DOCUMENTS.items(), strict=True):
    if kind != "xlsx" and not may_download:
        continue
    key = "make_briefing" if kind == "xlsx" else f"make_briefing_{kind}"
    primary = "primary" if kind == "xlsx" else "secondary"
    if column.button(label, type=primary, key=key, disabled=kind == "pdf" and no_pdf):
        clicked = kind
if no_pdf and may_download:
    st.caption(pdf.INSTALL)
if clicked is not None:
    generated_at = datetime.now()
    try:
        with st.spinner("正在生成简报……" if clicked == "xlsx" else "正在绘制图表、排版简报……"):
            if clicked == "xlsx":
                scoped = cache.warehouse(cache.town_scope(town))
                data = export.briefing_workbook(
                    scoped, as_of, town, generated_at=generated_at, viewer=access.current_user()
                )
            else:  # the user's whole scope: 需关注 and the town ranking compare its towns
                from kechuang.models import briefing  # plotly and kaleido: only when asked

                make = briefing.briefing_docx if clicked == "docx" else briefing.briefing_pdf
                data = make(
                    cache.warehouse(),
                    as_of,
                    town,
                    generated_at=generated_at,
                    viewer=access.current_user(),
                )
        st.session_state[DOCUMENTS[clicked][2]] = (wanted, data, generated_at)
    except (figures.Unavailable, figures.Failed, pdf.Unavailable, pdf.ConversionFailed) as err:
        st.error(fmt.md(err))  # our messages, but they may quote a path or a program's words
for kind, (_, label, state, suffix, mime) in DOCUMENTS.items():
    made = st.session_state.get(state)
    if made and made[0] == wanted:
        _, data, generated_at = made
        access.audited_download(
            label,
            data,
            tables.file_stem("科创简报", as_of, town) + suffix,
            mime,
            key=f"briefing_{kind}",
            action="export",
            type="primary",
            icon=":material/download:",
        )
        st.caption(f"已生成：{fmt.cn_date(generated_at.date())} {generated_at:%H:%M}")

command = f"python -m kechuang export --out 简报.xlsx --as-of {as_of.isoformat()}" + (
    f" --town {town}" if town else ""
)
if access.can("view_audit"):  # commands are for administrators, who run the server
    st.caption(
        "命令行生成同一份简报（内容相同，仅生成时间不同；Word、PDF 把 .xlsx 换成 .docx、.pdf）："
    )
    st.code(command, language="bash", wrap_lines=True)
