"""数据概况: which sources are loaded, how current each is, and what the checks found."""

import streamlit as st

from kechuang import checks, ui

wh = ui.open_or_stop()
ui.sidebar_filters(wh)

st.title("数据概况")
ui.freshness(wh)
st.dataframe(ui.freshness_table(wh), hide_index=True)

st.subheader("数据质量检查")
found = ui.cached(checks.findings)
if not found:
    st.success("未发现数据问题。")
else:
    st.dataframe(
        [{"数据表": f.table, "检查项": f.check, "级别": "错误" if f.severity == "error" else "提示", "行数": f.rows, "示例": f.example}
         for f in found],
        hide_index=True,
    )
