"""数据质量: per table rows, period and last ingest; coverage of active enterprises; what the
checks found."""

from datetime import date

import streamlit as st

from kechuang.access import redact
from kechuang.engine import checks
from kechuang.ingest import manifest
from kechuang.models import data_status
from kechuang.output import tables
from kechuang.ui import access, cache, filters, grids, panels

wh = cache.open_or_stop()
filters.sidebar_filters(wh)
today = date.today()

st.title("数据质量")
st.caption(
    "各数据表的行数、数据期间与最近一次导入；检查发现的问题可逐项查看、下载问题行，修正后重新导入。"
)
panels.freshness(wh)

st.subheader("各表概况")
st.dataframe(
    checks.coverage_display(cache.cached(data_status.coverage, today)),
    hide_index=True,
    height="content",
    placeholder="—",
    column_config={
        "行数": st.column_config.NumberColumn(format="localized"),
        "错误": st.column_config.NumberColumn(format="localized"),
        "提示": st.column_config.NumberColumn(format="localized"),
    },
)

st.subheader("在业存续企业的数据覆盖")
if not wh.available("enterprises"):
    panels.absent(["enterprises"], "覆盖率")
else:
    st.dataframe(
        cache.cached(checks.presence),
        hide_index=True,
        placeholder="—",
        column_config={
            "在业存续企业数": st.column_config.NumberColumn(format="localized"),
            "其中出现在该期数据中": st.column_config.NumberColumn(format="localized"),
        },
    )
    st.caption(
        "覆盖率 = 出现在最近一期税务、统计数据中的在业存续企业 ÷ "
        "全部在业存续企业；统计联网直报主要覆盖规上企业。"
    )

st.subheader("检查结果")
# Findings name firms and values: tax figures are banded for roles without them
# (redact.findings_for).
found = redact.findings_for(
    access.current_user(),
    [f for f in cache.cached(checks.findings, today) if f.check != "table_absent"],
)
if not found:
    st.success("未发现数据问题。")
else:
    n_errors = sum(f.severity == "error" for f in found)
    st.markdown(
        f"共 **{len(found)}** 项：错误 **{n_errors}** 项，提示 **{len(found) - n_errors}** 项。"
        "校验位不符的统一社会信用代码已导入但需核实。"
    )
    st.dataframe(
        checks.findings_display(found),
        hide_index=True,
        column_config={"行数": st.column_config.NumberColumn(format="localized")},
    )
    pick = st.selectbox(
        "查看问题行", found, format_func=checks.finding_title, key="quality_finding"
    )
    rows = cache.cached(checks.finding_rows, pick.check, pick.table or None, today)
    grids.table(
        checks.rule_rows_display(redact.check_rows_for(access.current_user(), rows)),
        tables.file_stem(f"数据质量_{pick.check}", today, pick.table),
        key="quality_rows",
        placeholder="—",
    )

st.subheader("导入记录")
history = manifest.history(wh.data_dir)
if history.height == 0:
    st.info(
        "尚无导入记录：数据通过“数据导入”页面"
        + ("或命令 python -m kechuang ingest " if access.can("view_audit") else "")
        + "导入后，在此列出。"
    )
else:
    st.dataframe(history, hide_index=True, placeholder="—")
