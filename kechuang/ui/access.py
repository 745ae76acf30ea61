"""Who is looking: sessions, share-link visitors, the user's towns and rights, audited actions.

The rules (roles, permissions, scope, sessions, links) live in auth.py, sessions.py, share.py and
audit.py; this keeps their state in st.session_state (the login form and the account box are
ui/login.py). A sign-in is a server-side session; served through serve.py (ui/server.py) the
browser also gets its cookie, so a reload, a new tab, a deep link or a server restart finds the
session again (st.context.cookies). Light: the login page imports it, so it loads neither polars
nor DuckDB."""

from __future__ import annotations

from datetime import date

import streamlit as st

from kechuang import settings
from kechuang.access import audit, auth, oidc, sessions, share, signin
from kechuang.zh import fmt

ALL_TOWNS = "全县"
_FILTERS = "_filters"  # (as-of date, town or None) that app.py drew for this run


# -- who is looking (the rules live in auth.py; this keeps the session) -------------------------

_SESSION = "_kechuang_session"  # auth.Session of a signed-in account
_SHARE = "_kechuang_share"  # (token, share.ShareView) of a share-link visitor
# Events already audited in this session (one enterprise-file view per firm).
_SEEN = "_kechuang_audited"
# auth.User of someone signed in through the county's identity provider (st.login).
_OIDC = "_kechuang_oidc_user"


def demo_mode() -> bool:
    """The bundled demo data is served (KECHUANG_DATA unset): demo accounts exist and the login
    page lists them."""
    return settings.current().demo


def share_view() -> share.ShareView | None:
    held = st.session_state.get(_SHARE)
    return held[1] if held else None


def current_user() -> auth.User | None:
    """The signed-in account, the share-link visitor, or None before login."""
    view = share_view()
    if view is not None:
        return view.user()
    if st.session_state.get(_OIDC) is not None:
        return st.session_state[_OIDC]
    session = st.session_state.get(_SESSION)
    return session.user if session else None


def oidc_enabled() -> bool:
    """Whether an identity provider is configured ([auth] in .streamlit/secrets.toml): st.login is
    then offered."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises rather than answering "no"
        return False


def _oidc_user() -> auth.User | None:
    """The provider's user with the role its `roles` claim grants; stops with a message when it
    grants none."""
    claims = st.user.to_dict()
    user = oidc.user_from_claims(claims)
    if user is None:
        account = claims.get("preferred_username") or claims.get("email") or claims.get("sub")
        st.error(
            f"统一身份认证账户 {fmt.md(account)} "
            "未被授予驾驶舱角色（roles 声明中应有 kechuang-admin、kechuang-analyst、"
            "kechuang-leader 或 kechuang-town）。"
        )
        st.button("退出统一身份认证", on_click=st.logout)
        st.stop()
    if st.session_state.get(_OIDC) != user:
        audit.record(user, "login", "统一身份认证")
    st.session_state[_OIDC] = user
    return user


def session_id() -> str:
    """The server-side session of this signed-in account ("" for share visitors and OIDC)."""
    session = st.session_state.get(_SESSION)
    return session.id if session is not None else ""


def user_scope() -> frozenset[str] | None:
    """The towns this session may see (None = whole county; nobody signed in = nothing)."""
    return auth.scope_for(current_user())


def scope_name() -> str:
    """'全县', or the user's towns when the session is bounded to them (what "all" means for this
    user)."""
    allowed = user_scope()
    return ALL_TOWNS if allowed is None else "、".join(sorted(allowed))


def can(permission: str) -> bool:
    return auth.can(current_user(), permission)


def requested_page() -> str | None:
    """The url path of the page this run was asked for ('upload' for /upload), when Streamlit tells
    it.

    Streamlit quietly shows the default page for a page the navigation lacks; app.py asks this
    (before st.navigation) to say why. A link names the page; a rerun names the previous run's page
    by its hash."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    pages = getattr(get_script_run_ctx(), "pages_manager", None)
    if pages is None:
        return None
    if pages.intended_page_name:
        return pages.intended_page_name
    known = pages.get_pages().get(pages.intended_page_script_hash or "")
    return (known or {}).get("url_pathname") or None


def signed_in() -> auth.User | None:
    """Who this run is for: a share-link visitor (?share=), a signed-in account, or None (draws the
    login page).

    A share token in the URL always wins and is re-checked on every run, so revoking it or its
    expiry takes effect at once; an account's session is re-checked too (expiry, removal, new
    password)."""
    token = st.query_params.get("share")
    if token:
        return _share_visitor(token)
    st.session_state.pop(_SHARE, None)
    if oidc_enabled() and st.user.is_logged_in:
        return _oidc_user()
    st.session_state.pop(_OIDC, None)
    session = st.session_state.get(_SESSION)
    if session is None:
        session = _session_from_cookie()
        if session is None:
            return None
    else:
        try:
            session = signin.check_session(auth.users_path(), session)
        except auth.SessionExpired as err:
            _expired(session, err)
            return None
    st.session_state[_SESSION] = session
    return session.user


def _expired(session: auth.Session, err: auth.SessionExpired) -> None:
    audit.record(session.user, "session_expired", str(err))
    st.session_state.pop(_SESSION, None)
    st.session_state["_login_message"] = str(err)


def _session_from_cookie() -> auth.Session | None:
    """The session the browser's cookie names (a reload, a new tab, after a restart), checked."""
    token = _text(st.context.cookies.get(sessions.COOKIE))
    if not token:
        return None
    try:
        return sessions.from_token(
            auth.store(), token, auth._now(None), auth.SessionPolicy.from_env()
        )
    except auth.SessionExpired as err:
        ended = getattr(err, "session", None)
        if ended is not None:  # it ends now (idle, time limit, account changed): say why
            _expired(ended, err)
        return None  # ended before (logout, another tab saw it end): just the login form


def _share_visitor(token: str) -> auth.User | None:
    held = st.session_state.get(_SHARE)
    first = held is None or held[0] != token  # audit the arrival, not every rerun
    try:
        view = share.open_link(token, record=first)
    except share.ShareLinkError as err:
        st.session_state.pop(_SHARE, None)
        st.title("如东科创驾驶舱")
        st.error(f"分享链接无法打开：{fmt.md(err)}。请向发送链接的同志索取新的链接。")
        st.stop()
    st.session_state[_SHARE] = (token, view)
    return view.user()


def _text(value) -> str | None:
    """A request detail as text (AppTest answers st.context with mocks)."""
    return value if isinstance(value, str) else None


def audit_once(action: str, detail: str) -> None:
    """Audit an event once per session (e.g. opening one enterprise's file, not every rerun of
    it)."""
    seen = st.session_state.setdefault(_SEEN, set())
    if (action, detail) not in seen:
        seen.add((action, detail))
        audit_event(action, detail)


def audit_event(action: str, detail: str) -> None:
    """Audit something this session's user did (who, role, their scope)."""
    audit.record(current_user(), action, detail, user_scope())


def audited_download(
    label: str, data, file_name: str, mime: str, *, key: str, action: str = "download", **kwargs
) -> None:
    """st.download_button whose file is audited (who, which file, scope) when fetched; absent for
    roles without downloads.

    `data` may be a function: the file is then built on the click, not on every rerun. The click
    does not rerun the page (on_click="ignore"): a rerun would revoke the deferred file before the
    browser fetched it."""
    if not can("download_firm_lists"):
        return
    session = st.session_state.get(_SESSION)
    check = (
        (lambda: signin.check_session(auth.users_path(), session)) if session is not None else None
    )
    from kechuang.ui import server

    user = current_user()
    fetch = audit.on_fetch(data, user, action, file_name, user_scope(), check=check)
    # decided now: the file is built later, outside this script run (no session state there)
    maker = server.owner_key(user.name, st.session_state.get(_OIDC) is not None)

    def fetch_for_its_maker():  # /media serves the file only to the account that made it
        built = fetch()
        server.register_download(built, mime, file_name, maker)
        return built

    st.download_button(
        label, fetch_for_its_maker, file_name, mime, key=key, on_click="ignore", **kwargs
    )


def share_link_box(page: str, as_of: date, town: str | None) -> None:
    """For roles that may: make a read-only link to this view that opens without an account
    (signed, expiring)."""
    if not can("create_share_link"):
        return
    from kechuang.models import links

    with st.form(f"share_{page}", border=False):
        days = st.number_input(
            "有效天数", min_value=1, max_value=share.MAX_DAYS, value=share.DEFAULT_DAYS, step=1
        )
        made = st.form_submit_button("生成免登录只读链接")
    if made:
        url, _ = share.create_link(links.base_url(), page, as_of, town, current_user(), int(days))
        st.code(url, language=None, wrap_lines=True)
        st.caption(
            f"领导打开即见本视图（{fmt.md(town or '全县')}，截至{fmt.cn_date(as_of)}）的汇总数字，"
            "不含企业"
            "名单和纳税明细；"
            f"{int(days)}天后失效，管理员可随时撤销。"
        )
