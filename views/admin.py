"""账户与审计 (管理员): accounts, signed-in sessions, the audit log with its export, share links."""

from datetime import UTC, date, datetime, timedelta

import streamlit as st

from kechuang.access import audit, auth, sessions, share
from kechuang.engine import contract
from kechuang.output import tables
from kechuang.state import db
from kechuang.ui import access, cache, filters, grids
from kechuang.ui.date_picker import pick_date
from kechuang.zh import fmt

wh = cache.open_or_stop()
as_of, _ = filters.sidebar_filters(wh)
me = access.current_user()
path = auth.users_path()

st.title("账户与审计")
done = st.session_state.pop(
    "_admin_done", None
)  # the message of the change just made, shown after the rerun
if done:
    st.success(fmt.md(done))


def changed(message: str) -> None:
    st.session_state["_admin_done"] = message
    st.rerun()  # redraw the lists with the change


st.caption(f"状态数据库：{fmt.md(db.describe(db.state_url(path.parent)))}")
accounts, signed_in, log, links = st.tabs(["账户", "登录会话", "审计日志", "分享链接"])

with accounts:
    users = auth.list_users(path)
    st.dataframe(
        [
            {
                "用户名": u.name,
                "显示名称": u.display_name,
                "角色": auth.ROLES[u.role],
                "范围": u.towns_label,
            }
            for u in users
        ],
        hide_index=True,
    )
    with st.form("add_user", clear_on_submit=True):
        st.markdown("**新增账户**")
        left, right = st.columns(2)
        name = left.text_input("用户名（小写字母开头）")
        display = right.text_input("显示名称")
        role = left.selectbox("角色", list(auth.ROLES), format_func=auth.ROLES.get)
        towns = right.multiselect("镇区（仅镇区账户）", cache.towns())
        password = st.text_input(f"初始密码（至少 {auth.MIN_PASSWORD} 位）", type="password")
        if st.form_submit_button("新增"):
            try:
                user = auth.add_user(path, name, password, role, towns, display)
            except auth.AccountError as err:
                st.error(fmt.md(err))
            else:
                audit.record(me, "user_added", user.account_text, None)
                changed(f"已新增账户 {user.label}")
    others = [
        u.name for u in users if u.name != me.name
    ]  # an administrator cannot lock themself out here
    with st.form("change_user"):
        st.markdown("**重设密码、调整角色或删除账户**（其已登录的会话随即结束）")
        who = st.selectbox("账户", others, index=None, placeholder="选择账户")
        new_password = st.text_input("新密码（重设时填写）", type="password")
        left, right = st.columns(2)
        new_role = left.selectbox(
            "新角色（调整时选择）", list(auth.ROLES), index=None, format_func=auth.ROLES.get
        )
        new_towns = right.multiselect("新镇区（仅镇区账户）", cache.towns())
        reset, regrade, remove = st.columns(3)
        do_reset = reset.form_submit_button("重设密码")
        do_regrade = regrade.form_submit_button("调整角色")
        do_remove = remove.form_submit_button("删除账户")
    try:
        if who and do_reset:
            auth.set_password(path, who, new_password)
            audit.record(me, "password_changed", who, None)
            changed(f"已重设 {who} 的密码；其已登录的会话随即结束")
        elif who and do_regrade and new_role:
            user = auth.set_role(path, who, new_role, new_towns)
            audit.record(me, "role_changed", user.account_text, None)
            changed(f"已将 {who} 调整为 {user.label}；其已登录的会话随即结束")
        elif who and do_remove:
            auth.remove_user(path, who)
            audit.record(me, "user_removed", who, None)
            changed(f"已删除账户 {who}")
    except auth.AccountError as err:
        st.error(fmt.md(err))

with signed_in:
    policy = auth.SessionPolicy.from_env()
    active = sessions.active(auth.store(path), datetime.now(UTC), policy)
    mine = access.session_id()
    st.caption(
        f"共 {len(active)} 个有效会话；无操作 {policy.idle.total_seconds() / 60:g} 分钟或登录满 "
        f"{policy.absolute.total_seconds() / 3600:g} 小时自动结束。"
    )
    shown = [
        {
            "会话": s.id[:8],
            "账户": s.user.label,
            "登录时间": s.started_at.astimezone(audit.BEIJING).replace(tzinfo=None),
            "最近活动": s.last_seen_at.astimezone(audit.BEIJING).replace(tzinfo=None),
            "地址": s.address or "本机",
            "浏览器": s.user_agent,
            "本会话": "是" if s.id == mine else "",
        }
        for s in active
    ]
    if shown:
        when = st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss")
        st.dataframe(shown, hide_index=True, column_config={"登录时间": when, "最近活动": when})
    else:
        st.info("当前没有账户登录。")
    others_active = {s.id: s for s in active if s.id != mine}
    with st.form("end_session"):
        chosen = st.selectbox(
            "结束会话",
            list(others_active),
            index=None,
            format_func=lambda i: f"{i[:8]} · {others_active[i].user.label}",
            placeholder="选择会话（本会话请用“退出登录”）",
        )
        if st.form_submit_button("结束会话") and chosen:
            ended = others_active[chosen]
            sessions.end(auth.store(path), chosen)
            audit.record(me, "session_ended", f"{chosen[:8]} {ended.user.account_text}", None)
            changed(f"已结束 {ended.user.label} 的会话 {chosen[:8]}，其各标签页随即要求重新登录")

with log:
    today = date.today()
    since = pick_date(  # not st.date_input: its calendar speaks English
        "起始日期",
        key="audit_since",
        min_value=date(today.year - 5, 1, 1),  # the log is never pruned; five years back is ample
        max_value=today,
        value=today - timedelta(days=30),
    )
    events = audit.read(since).sort("at", descending=True)
    st.caption(f"共 {events.height} 条记录（最新在前）。")
    shown = contract.for_display(
        events, ["at", "user_name", "role_label", "action_label", "detail", "scope"]
    )
    grids.table(
        shown,
        tables.file_stem("审计日志", since),
        key="audit_log",
        column_config={"时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss")},
        placeholder="—",
    )
    if events.height:
        access.audited_download(
            "下载 JSONL",
            lambda: audit.jsonl(events.sort("at")),
            f"{tables.file_stem('审计日志', since)}.jsonl",
            "application/jsonl",
            key="audit_log_jsonl",
        )

with links:
    listed = share.list_links()
    shown = contract.for_display(
        listed,
        [
            "token_id",
            "page_label",
            "as_of",
            "town",
            "created_by",
            "created_at",
            "expires_at",
            "status_label",
            "revoked_by",
        ],
    )
    grids.table(
        shown,
        tables.file_stem("分享链接", date.today()),
        key="share_links",
        column_config=grids.column_formats(shown),
        placeholder="—",
    )
    active = listed.filter(listed["status"] == "active")["token_id"].to_list()
    with st.form("revoke"):
        token_id = st.selectbox("撤销链接", active, index=None, placeholder="选择有效的链接")
        if st.form_submit_button("撤销") and token_id:
            share.revoke(token_id, by=me)
            changed(f"已撤销链接 {token_id}，它立即失效")
