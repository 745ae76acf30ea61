"""The work records on the pages (跟踪培育台账): the recording forms under each worklist and on
一企一档, and a firm's history as a timeline. Rules, checks and writes are kechuang/worklog's;
this draws.

A stage form remembers the history position (seq) its screen showed: saving it after someone else
changed the stage gives StaleStage's message (who, when), and nothing is lost."""

from __future__ import annotations

from datetime import date

import streamlit as st

from kechuang.access import auth
from kechuang.ui import panels
from kechuang.ui.access import current_user
from kechuang.ui.cache import cached, county_warehouse
from kechuang.ui.date_picker import pick_date
from kechuang.worklog import briefing as worklog_briefing
from kechuang.worklog import lists, reading, rules, store, texts
from kechuang.zh.fmt import md

# Every message below may carry a note, a firm or town name or an account name (typed by a user or
# from data): all of it goes through fmt.md before st.success/toast/error/warning/caption/markdown.
_FLASH = "_worklog_flash"


def engine():
    from kechuang.state import db

    return db.engine()


def _firm(uscc: str) -> rules.Firm:
    return lists.find_firm(county_warehouse(), uscc)


def may_record() -> bool:
    return getattr(current_user(), "role", None) in rules.RECORDING_ROLES


def _generation(key: str) -> str:
    """A form's key for this round: a save starts a new round, so the next form starts empty, while
    a refused save keeps what the user typed (forms do not clear on submit)."""
    return f"{key}_{st.session_state.get(f'{key}_round', 0)}"


def _saved(message: str, key: str) -> None:
    st.session_state[_FLASH] = message
    st.session_state[f"{key}_round"] = st.session_state.get(f"{key}_round", 0) + 1
    # Rerun: the page's figures (key_enterprises_served, the lists' state) now include the entry.
    st.rerun()


def flash() -> None:
    """The confirmation of the last save (shown once, after the rerun the save started)."""
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(md(message))
        st.toast(md(message), icon=":material/check_circle:")  # seen wherever the page is scrolled


def _save(key: str, action, *args, **kwargs) -> None:
    try:
        entry = action(engine(), current_user(), *args, **kwargs)
    except rules.WorklogError as err:
        st.error(md(err))
        return
    _saved(f"已保存（第 {entry['id']} 号）：{texts.entry_line(entry)}", key)


# A fragment, not an st.form: the date pickers list only the days of the chosen month, which needs
# a rerun when the month changes, and a form sends nothing until it is submitted (see
# ui/date_picker.py). A fragment reruns only this form on each change, not the page; a save reruns
# the app (st.rerun), so the page's figures include the entry.
@st.fragment
def contact_form(firm: rules.Firm, list_id: str | None, key: str) -> None:
    """走访 / 宣传 / 辅导: kind, date (not after today), service type, note, next step, due
    date (not before the date)."""
    base, key = key, _generation(f"{key}_contact")
    today = rules.today()
    with st.container(key=key):
        left, right = st.columns(2)
        with left:
            kind = st.radio("类别", rules.KINDS, horizontal=True, key=f"{key}_kind")
        with right:
            on = pick_date(
                "日期", key=f"{key}_on", min_value=earliest_contact(today), max_value=today
            )
        service = st.selectbox("服务类别", ["（不填）", *rules.SERVICE_TYPES], key=f"{key}_service")
        note = st.text_area("备注", max_chars=rules.MAX_NOTE, height=80, key=f"{key}_note")
        left, right = st.columns(2)
        next_step = left.text_input("下一步（可选）", max_chars=rules.MAX_NOTE, key=f"{key}_next")
        with right:
            due = pick_date(
                "期限",
                key=f"{key}_due",
                min_value=on,  # a next step is not due before the contact
                max_value=date(on.year + _DUE_YEARS, 12, 31),
                optional=True,
                suggest=max(today, on),
            )
        if st.button("保存记录", type="primary", key=f"{key}_save"):
            _save(
                f"{base}_contact",
                store.record_contact,
                firm,
                kind=kind,
                on=on,
                service_type=None if service == "（不填）" else service,
                note=note,
                next_step=next_step,
                due_on=due,
                list_id=list_id,
            )


def earliest_contact(today: date) -> date:
    """The earliest contact date the form offers: 1 January of last year (the CLI takes any
    date; a visit older than that is not recorded from a page)."""
    return date(today.year - 1, 1, 1)


_DUE_YEARS = 2  # a next step is due at the latest by the end of the year after next


def stage_form(firm: rules.Firm, list_id: str, key: str) -> None:
    """The firm's stage on a staged list, saved against the history position this screen showed."""
    uscc = firm.uscc
    seen_key = f"{key}_stage_seen_{uscc}_{list_id}"
    shown = st.session_state.get(seen_key)  # the seq the screen the user acted on showed
    history = [
        e for e in reading.entries(engine(), current_user(), uscc=uscc, kinds=("stage",))
        if e["list"] == list_id
    ]  # fmt: skip
    st.session_state[seen_key] = len(history)  # seq runs 1, 2, ... per (firm, list)
    head = history[-1] if history else None
    st.caption(
        f"当前阶段：{md(head['stage'])}（{md(texts.entry_meta(head))}）"
        if head
        else f"当前阶段：{rules.initial_stage(list_id)}（尚无记录）"
    )
    base, key = key, _generation(f"{key}_stage_{list_id}")
    with st.form(key, border=False):
        stage = st.selectbox("新阶段", rules.STAGES[list_id], index=1, key=f"{key}_stage_value")
        reason = st.text_input(
            "原因（暂缓、企业无意愿、更正时必填）", max_chars=rules.MAX_REASON, key=f"{key}_reason"
        )
        correction = st.checkbox("更正上一条阶段记录", key=f"{key}_correction")
        if st.form_submit_button("保存阶段", type="primary"):
            _save(
                f"{base}_stage_{list_id}",
                store.record_stage,
                firm,
                list_id,
                stage,
                reason,
                expected_seq=len(history) if shown is None else shown,
                correction=correction,
            )


def owner_form(firm: rules.Firm, list_id: str, key: str) -> None:
    """The firm's 责任人 on a list: an account that may record for the firm."""
    uscc = firm.uscc
    accounts = [u for u in auth.list_users(auth.users_path()) if _may_own(u, firm)]
    owners = reading.current_owners(engine())
    now = owners.filter((owners["uscc"] == uscc) & (owners["list_id"] == list_id))[
        "owner"
    ].to_list()
    st.caption(f"当前责任人：{md(now[0]) if now else '未指定'}")
    if not accounts:
        st.caption("没有可担任责任人的账户。")
        return
    base, key = key, _generation(f"{key}_owner_{list_id}")
    with st.form(key, border=False):
        chosen = st.selectbox("责任人", accounts, format_func=lambda u: u.label, key=f"{key}_owner")
        if st.form_submit_button("指定责任人", type="primary"):
            _save(f"{base}_owner_{list_id}", store.assign_owner, firm, list_id, chosen)


def _may_own(user, firm: rules.Firm) -> bool:
    try:
        rules.check_owner(user, firm)
    except rules.WorklogError:
        return False
    return True


def firm_forms(uscc: str, list_id: str | None, key: str) -> None:
    """Contact, stage and owner forms for one firm (list_id: the list the page shows, or None)."""
    if not may_record():
        st.caption("本账户只能查看工作记录。")
        return
    try:
        firm = _firm(uscc)
    except rules.WorklogError as err:  # e.g. a project's firm missing from the register
        st.warning(f"{md(err)}，无法为其记录。")
        return
    staged = [list_id] if list_id in rules.STAGES else ([] if list_id else list(rules.STAGES))
    owned = [list_id] if list_id else list(rules.LISTS)
    tabs = st.tabs(["记录走访", *(["培育阶段"] if staged else []), "责任人"])
    with tabs[0]:
        contact_form(firm, list_id, key)
    if staged:
        with tabs[1]:
            chosen = _list_choice(staged, f"{key}_stage_list")
            stage_form(firm, chosen, key)
    with tabs[-1]:
        owner_form(firm, _list_choice(owned, f"{key}_owner_list"), key)


def _list_choice(options: list[str], key: str) -> str:
    if len(options) == 1:
        return options[0]
    return st.selectbox("清单", options, format_func=rules.LISTS.get, key=key)


def record_panel(frame, list_id: str | None, key: str) -> None:
    """Under a worklist (a frame with uscc, name, town): pick one of its firms and record a contact,
    a stage or an owner for it (list_id None: any list, as on 我的待办)."""
    if frame is None or frame.height == 0 or not may_record():
        return
    label = {
        u: f"{n or u}　{t or ''}（{u}）" for u, n, t in frame.select("uscc", "name", "town").rows()
    }
    where = f"{rules.LISTS[list_id]}清单上的企业" if list_id else "这些企业"
    # Closed, the forms and the firm's lookups were ≈ 40% of a warm 精准筛选 (issue 23).
    box = panels.opened(f"跟踪记录：为{where}记录走访、阶段、责任人", f"{key}_open")
    if box is None:
        return
    with box:
        chosen = st.selectbox("企业", list(label), format_func=label.get, key=f"{key}_firm")
        firm_forms(chosen, list_id, key)


def timeline(uscc: str) -> None:
    """The firm's history, newest first: every entry, corrections and the entries they replaced."""
    try:
        entries = reading.entries(engine(), current_user(), uscc=uscc)
    except rules.Refused as err:
        st.caption(md(err))
        return
    if not entries:
        st.caption("尚无走访、阶段或责任人记录。")
        return
    for e in reversed(entries):
        line = md(texts.entry_line(e))
        if e.get("superseded_by"):
            line = f"~~{line}~~"
        st.markdown(f"- {line}  \n  :gray[{md(texts.entry_meta(e))}]")


def untouched_text(as_of) -> str | None:
    """总览's 需关注 words on the towns whose lists nobody worked in the last 30 days (None: none);
    short, as a phone shows them, with the towns named on 跟踪台账."""
    # Cached per work-records version (part of every cached call's key): a rerun of 总览 no longer
    # reads every record from the state database.
    return texts.untouched_short(cached(worklog_briefing.untouched, as_of, rules.today()))
