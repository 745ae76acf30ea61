"""数据导入: departments' files as they come; good rows land as a new version, the rest come back
with reasons."""

from datetime import date

import streamlit as st

from kechuang import ingest
from kechuang.engine import contract
from kechuang.ingest import manifest
from kechuang.output import tables
from kechuang.ui import access, cache, grids
from kechuang.zh import fmt

wh = cache.open_or_stop()

st.title("数据导入")
st.caption(
    "上传部门报送的文件（CSV、Excel .xlsx、Parquet）。系统按表头识别数据表，换算单位、核对格式；"
    "合格的行写入新版本，不合格的行连同行号和原因返回，修正后可重新上传。同一文件重复上传不会重复写入。"
)

files = st.file_uploader(
    "选择文件（可多选）",
    type=["csv", "xlsx", "parquet"],
    accept_multiple_files=True,
    key="upload_files",
)
st.caption(
    "点击“选择文件”或把文件拖入框内；表头可用数据规范中的中文列名，金额列名注明（元）的自动换算为万元。"
)
left, right = st.columns(2)
table = left.selectbox(
    "数据表",
    [None, *contract.TABLES],
    key="upload_table",
    format_func=lambda t: (
        "自动识别（按表头）" if t is None else f"{contract.TABLE_LABELS[t]}（{t}）"
    ),
)
mode = right.selectbox(
    "导入方式",
    [None, *ingest.MODES],
    key="upload_mode",
    format_func=lambda m: "默认" if m is None else ingest.MODE_LABELS[m],
    help="默认：增值税开票按所属期替换（文件中出现的月份以文件为准，其他月份保留），其余数据表整表替换。"
    "追加：只加入新记录，已有的记录不覆盖。",
)
user = (
    access.current_user().label
)  # the signed-in account is the 经办人 in the ingest record and the audit log
st.caption(f"经办人：{fmt.md(user)}")
check_col, go_col, _ = st.columns([1, 1, 2])
dry = check_col.button("只检查，不写入", disabled=not files, key="upload_check")
go = go_col.button("导入", type="primary", disabled=not files, key="upload_go")


def run_ingest(dry_run: bool, force: bool = False) -> None:
    """The chosen files through the one ingest path; the outcome is kept for the next run."""
    st.session_state.pop("upload_shrink", None)
    sources = [ingest.Source(f.name, data=f.getvalue()) for f in files]
    try:
        with st.spinner("正在读取和核对…"):
            results = ingest.ingest(
                cache.data_dir(),
                sources,
                table=table,
                mode=mode,
                user=user,
                dry_run=dry_run,
                force=force,
            )
        if not dry_run:
            access.audit_event(
                "ingest",
                "、".join(
                    f"{r.table} 导入 {r.rows_accepted} 行、未导入 {r.rows_rejected} 行"
                    for r in results
                )
                or "无",
            )
        st.session_state.upload_outcome = (results, dry_run, None)
    except ingest.ShrinkRefused as err:  # asks for a confirmation below
        st.session_state.upload_outcome = ([], dry_run, None)
        st.session_state.upload_shrink = (err.what, err.dropped)
    except ingest.IngestError as err:
        st.session_state.upload_outcome = ([], dry_run, str(err))


if dry or go:
    run_ingest(dry)

if shrink := st.session_state.get("upload_shrink"):
    what, dropped = shrink
    st.warning(f"{what}，超过一半，尚未导入。请确认文件完整、确实要替换。")
    if st.button(f"确认替换（删去 {dropped:,} 行）", key="upload_force", disabled=not files):
        run_ingest(False, force=True)
        st.rerun()

if "upload_outcome" in st.session_state:
    results, was_dry, error = st.session_state.upload_outcome
    if error:
        st.error(f"未导入：{fmt.md(error)}")
    elif results:
        st.subheader("检查结果（未写入）" if was_dry else "导入结果")
        st.dataframe(ingest.summary_frame(results), hide_index=True, placeholder="—")
        for r in results:
            if r.notes:
                st.info(
                    f"**{contract.TABLE_LABELS[r.table]}**\n\n"
                    + "\n".join(f"- {fmt.md(n)}" for n in r.notes)
                )
            if r.flags.height:
                st.markdown(
                    f"**{contract.TABLE_LABELS[r.table]}：保留但需核实的行（{r.flags.height} 行）**"
                )
                grids.table(
                    r.flags,
                    tables.file_stem(f"{r.table}_需核实", date.today()),
                    key=f"flags_{r.table}",
                )
            for i, (stem, frame) in enumerate(r.rejects):
                st.markdown(
                    f"**未导入的行：{fmt.md(stem.removesuffix('_未导入'))}"
                    f"（{frame.height} 行）** —— "
                    "下载后按“未导入原因”修正，再上传"
                    + ("（用“追加”方式，以免替换整期数据）" if r.mode == "replace-periods" else "")
                )
                grids.table(frame, stem, key=f"rejects_{r.table}_{i}", placeholder="")

with st.expander("回退：恢复某张表导入前的上一版本"):
    candidates = ingest.rollback_candidates(cache.data_dir())
    if not candidates:
        st.caption("目前没有由导入生成的数据版本。")
    else:
        back = st.selectbox(
            "数据表",
            candidates,
            key="rollback_table",
            format_func=lambda t: f"{contract.TABLE_LABELS[t]}（{t}）",
        )
        if st.button("恢复上一版本", key="rollback_go"):
            try:
                entry = ingest.rollback(cache.data_dir(), back, user=user)
                access.audit_event("ingest", f"回退 {back}")
                st.success(
                    f"已恢复 {contract.TABLE_LABELS[back]} 的上一版本"
                    + ("" if entry["version"] else "（导入前没有这张表，现已移除）")
                )
            except ingest.IngestError as err:
                st.error(fmt.md(err))

st.subheader("导入记录")
history = manifest.history(cache.data_dir())
if history.height == 0:
    st.caption("尚无导入记录。")
else:
    st.dataframe(history, hide_index=True, placeholder="—")
