"""The login form (with the demo accounts on the demo data) and the sidebar's account box with its
logout. Light, like ui/access.py: the login page of a fresh server loads neither polars nor
DuckDB."""

from __future__ import annotations

import json

import streamlit as st

from kechuang.access import audit, auth, sessions, signin
from kechuang.ui.access import (
    _FILTERS,
    _OIDC,
    _SEEN,
    _SESSION,
    _text,
    demo_mode,
    oidc_enabled,
    scope_name,
    share_view,
    user_scope,
)
from kechuang.ui.style import house_style
from kechuang.zh import fmt


def local_client() -> bool:
    """The browser runs on the server machine (http.is_local_client on this connection)."""
    from kechuang.access import http

    try:
        ip, headers = st.context.ip_address, dict(st.context.headers)
    except Exception:  # no connection to ask (a test harness): the session is this process's own
        return True
    # A str, or None for localhost; anything else is a test harness's stand-in for a connection.
    return http.is_local_client(ip if isinstance(ip, str) else None, headers)


DEMO_NAMES = frozenset(name for name, *_ in auth.DEMO_ACCOUNTS)
DEMO_REMOTE = "演示账户只能在服务器本机登录（演示数据不对网络开放）。"


def login_page() -> None:
    """The login form (and, on the demo data, the demo accounts); signs the session in and
    reruns. The demo accounts' passwords are public: they are listed, and accepted, only for a
    browser on the server machine itself."""
    ensure_accounts()
    local = local_client()
    # The house style here too: its st.html has the browser load the HTML element's code while the
    # user types, so the first page's target list (st.html) is drawn as soon as it arrives rather
    # than after that code — which, when Plotly's large chart code was loading at the same moment,
    # took the first page from ≈ 2 s to ≈ 3 s (bench/first_page.py, issue 23).
    house_style()
    _, middle, _ = st.columns([1, 2, 1])  # a narrow form on a desktop; the columns stack on a phone
    with middle:
        st.title("如东科创驾驶舱")
        message = st.session_state.pop("_login_message", None)
        if message:
            st.warning(fmt.md(message))
        if oidc_enabled():
            if st.button("统一身份认证登录", type="primary", key="oidc_login"):
                st.login()
            st.caption("或使用驾驶舱本地账户：")
        with st.form("login"):
            st.subheader("登录")
            name = st.text_input("用户名", autocomplete="username")
            password = st.text_input("密码", type="password", autocomplete="current-password")
            submitted = st.form_submit_button("登录", type="primary")
        if submitted and demo_mode() and not local and auth.normal_name(name) in DEMO_NAMES:
            audit.record(auth.normal_name(name), "login_failed", DEMO_REMOTE, None)
            st.error(DEMO_REMOTE)
        elif submitted:
            try:
                session = signin.login(
                    auth.users_path(),
                    name,
                    password,
                    address=_text(st.context.ip_address),
                    user_agent=_text(st.context.headers.get("User-Agent")) or "",
                )
            except signin.LoginError as err:
                st.error(fmt.md(err))
            except auth.AccountError as err:
                st.error(f"账户数据无法读取，请联系管理员：{fmt.md(err)}")
            else:
                st.session_state[_SESSION] = session
                if _cookie_served():  # the next run has the browser fetch its cookie
                    st.session_state[_TICKET] = sessions.issue_ticket(auth.store(), session)
                st.rerun()
        if demo_mode() and not local:
            st.info("演示数据：演示账户只能在服务器本机登录。")
        elif demo_mode():
            rows = "\n".join(
                f"| {n} | {pw} | {auth.ROLES[role]} | {'、'.join(towns) or '全县'} |"
                for n, role, pw, _, towns in auth.DEMO_ACCOUNTS
            )
            st.info(
                "演示数据的演示账户（正式部署没有这些账户）：\n\n| 用户名 | 密码 | 角色 | 范围 "
                "|\n|---|---|---|---|\n" + rows
            )
        elif not auth.list_users(auth.users_path()):
            st.info(
                "尚无账户。请管理员在服务器上新增第一个管理员账户：`python -m kechuang users add "
                "admin --role admin`"
            )


def _cookie_served() -> bool:
    """Whether this server sets the session cookie (served by serve.py, not AppTest)."""
    from kechuang.ui import server

    return server.ENABLED


def _go(url: str, with_next: bool, caption: str) -> None:
    """Send the browser to `url` (plus &next=<its own path and query>), then stop this run."""
    target = json.dumps(url)
    script = (
        f"const u = {target}"
        + (
            " + '&next=' + encodeURIComponent(location.pathname + location.search)"
            if with_next
            else ""
        )
        + "; window.location.replace(u);"
    )
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)
    st.caption(caption)
    st.stop()


_TICKET = "_kechuang_cookie_ticket"


def hand_over_cookie() -> None:
    """On the first run after 登录 (app.py calls it on every signed-in run): the browser fetches
    /auth/session?ticket=… in the background, and that answer sets the session cookie (HttpOnly:
    no script can), so a reload, a new tab, a deep link or a restart finds the session. The page
    is drawn meanwhile in this same websocket session: no second load of the whole app, which
    going to that address and back was (≈ 0.5 s of the first page after login, issue 23)."""
    ticket = st.session_state.pop(_TICKET, None)
    if ticket is None:
        return
    from kechuang.ui import server

    url = json.dumps(server.ticket_url(ticket))
    # In the sidebar: an element in the main area, even a script, takes a row of the phone's page.
    st.sidebar.html(
        f"<script>fetch({url}, {{credentials: 'same-origin', redirect: 'manual', "
        "cache: 'no-store'});</script>",
        unsafe_allow_javascript=True,
    )


def ensure_accounts() -> None:
    """On the demo data, the demo accounts (created once, when no users file exists); a real
    deployment starts with none."""
    if demo_mode():
        auth.ensure_demo_users(auth.users_path())


def account_box(user: auth.User) -> None:
    """The sidebar's who-am-I line, with logout for accounts and the link's terms for share
    visitors."""
    view = share_view()
    if (
        view is not None
    ):  # in the main area: a phone collapses the sidebar, and there is nothing else in it
        st.caption(
            ":material/visibility: 只读分享视图 · "
            f"有效至{fmt.cn_date(view.expires_at.astimezone(audit.BEIJING).date())}"
        )
        return
    with st.sidebar:
        st.caption(
            f"当前用户：{fmt.md(user.label)}"
            + (f" · 范围：{fmt.md(scope_name())}" if user_scope() is not None else "")
        )
        if st.button("退出登录", key="logout"):
            audit.record(user, "logout")
            oidc = st.session_state.get(_OIDC) is not None
            session = st.session_state.get(_SESSION)
            if session is not None and session.id:  # ends it in every tab and for its cookie
                sessions.end(auth.store(), session.id)
            for key in (_SESSION, _OIDC, _SEEN, _FILTERS, "as_of", "town"):
                st.session_state.pop(key, None)
            if oidc:
                st.logout()
            elif _cookie_served():
                from kechuang.ui import server

                _go(
                    f"{server.base_path()}/auth/end?next={server.base_path()}/", False, "已退出登录"
                )
            else:
                st.rerun()
