"""Our part of the web server (serve.py: `app = st.App("app.py", middleware=server.middleware())`).

Streamlit scripts cannot set cookies, so the page after 登录 has the browser fetch a small route
here in the background (ui/login.py hand_over_cookie; the page is drawn meanwhile):

    GET <base>/auth/session?ticket=T[&next=…]   redeem the single-use ticket (60 s) the login made,
                                  set the session cookie, 303 to `next` (the fetch does not follow)
    GET <base>/auth/end?next=/    end the cookie's session, delete the cookie, 303 to `next`
    GET <base>/media/<id>.<ext>   Streamlit's downloads: only with the cookie of a live session, and
                                  only for the account that made the file (else 403)

The cookie (sessions.COOKIE) holds a 256-bit random token (the database keeps its SHA-256):
HttpOnly, SameSite=Lax, Path = the base path, Secure when KECHUANG_BASE_URL is https, Max-Age = the
absolute session limit. The page reads it with st.context.cookies (ui/access.py).
Without serve.py (`streamlit run app.py`, AppTest) ENABLED stays False and a sign-in lasts as long
as the Streamlit session, as before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from urllib.parse import parse_qs, quote, urlsplit

from kechuang import settings
from kechuang.access import auth, oidc, sessions
from kechuang.ui import collector

ENABLED = False  # set by middleware(): this process serves our routes
_MAX_OWNED = 20_000  # download files remembered (oldest forgotten first)
_owners: OrderedDict[str, set[str]] = OrderedDict()
_owners_lock = threading.Lock()


def middleware() -> list:
    """The middleware list for st.App: our routes and the /media guard, before Streamlit's."""
    from starlette.middleware import Middleware

    global ENABLED
    ENABLED = True
    return [Middleware(SessionGate)]


def base_path() -> str:
    """Streamlit's server.baseUrlPath as "/kechuang" ("" at the root)."""
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def cookie_path() -> str:
    """The cookie's Path: KECHUANG_BASE_URL's path when set, else the base path, else "/"."""
    current = settings.current()
    if current.base_url != settings.DEFAULT_BASE_URL:  # KECHUANG_BASE_URL is set
        return sessions.cookie_settings(current.base_url, auth.SessionPolicy()).path
    return base_path() or "/"


def secure_cookie() -> bool:
    return settings.current().base_url.lower().startswith("https://")


def safe_next(target: str | None) -> str:
    """A local path to go back to (no scheme, host or "//"), else the app's root."""
    target = (target or "").strip()
    parts = urlsplit(target)
    if (
        not target.startswith("/")
        or target.startswith(("//", "/\\"))
        or parts.scheme
        or parts.netloc
        or len(target) > 2000
        or any(ord(c) < 32 for c in target)
    ):
        return (base_path() or "") + "/"
    return target


def ticket_url(ticket: str) -> str:
    """Where the login page sends the browser (next= is added by the browser: its own location)."""
    return f"{base_path()}/auth/session?ticket={quote(ticket)}"


# -- downloads and who made them ---------------------------------------------------------------


def file_id(data: bytes, mimetype: str, file_name: str | None) -> str:
    """The id Streamlit's media storage gives these bytes (its URL is /media/<id>.<ext>)."""
    from streamlit.runtime.memory_media_file_storage import _calculate_file_id

    return _calculate_file_id(data, mimetype, file_name)


def register_download(data, mimetype: str, file_name: str | None, user_name: str) -> None:
    """Remember that `user_name` made this download (called while Streamlit builds the file)."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    key = file_id(raw, mimetype, file_name)
    with _owners_lock:
        _owners.setdefault(key, set()).add(user_name)
        _owners.move_to_end(key)
        while len(_owners) > _MAX_OWNED:
            _owners.popitem(last=False)


def owners(media_id: str) -> set[str] | None:
    """The accounts that made the file `media_id`, or None when it was not one of our downloads."""
    with _owners_lock:
        found = _owners.get(media_id)
        return set(found) if found is not None else None


# -- the ASGI middleware ---------------------------------------------------------------------


def _cookies(scope) -> dict[str, str]:
    """The request's cookies, parsed leniently as browsers send them (Starlette's parser)."""
    from starlette.requests import cookie_parser

    found: dict[str, str] = {}
    for name, value in scope.get("headers") or []:
        if name == b"cookie":
            found.update(cookie_parser(value.decode("latin-1")))
    return found


def _set_cookie(token: str, max_age: int) -> str:
    flags = [
        f"{sessions.COOKIE}={token}",
        f"Path={cookie_path()}",
        f"Max-Age={max_age}",
        "HttpOnly",
        "SameSite=Lax",
    ]
    if secure_cookie():
        flags.append("Secure")
    return "; ".join(flags)


class SessionGate:
    """Pure ASGI middleware (so Streamlit's websocket passes untouched)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        collector.requested()  # a browser is loading: pages computed ahead wait (ui/ahead.py)
        base = base_path()
        path = scope.get("path") or ""
        if path == f"{base}/auth/session":
            return await self._redeem(scope, send)
        if path == f"{base}/auth/end":
            return await self._end(scope, send)
        if path.startswith(f"{base}/media/"):
            allowed = await _run(_media_allowed, _cookies(scope), path.rsplit("/", 1)[-1])
            if not allowed:
                return await _respond(send, 403, "请先登录驾驶舱（下载链接只对生成它的账户有效）")
        return await self.app(scope, receive, send)

    async def _redeem(self, scope, send):
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        ticket = (query.get("ticket") or [""])[0]
        target = safe_next((query.get("next") or [""])[0])
        redeemed = await _run(_redeem_ticket, ticket)
        headers = [(b"location", target.encode("utf-8"))]
        if redeemed is not None:
            token, max_age = redeemed
            headers.append((b"set-cookie", _set_cookie(token, max_age).encode("latin-1")))
        return await _respond(send, 303, "", headers)

    async def _end(self, scope, send):
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        target = safe_next((query.get("next") or [""])[0])
        token = _cookies(scope).get(sessions.COOKIE)
        if token:
            await _run(_end_token, token)
        expired = f"{sessions.COOKIE}=; Path={cookie_path()}; Max-Age=0; HttpOnly; SameSite=Lax"
        headers = [(b"location", target.encode("utf-8")), (b"set-cookie", expired.encode())]
        return await _respond(send, 303, "", headers)


async def _run(fn, *args):
    """A database call off the event loop (the websocket keeps flowing meanwhile)."""
    import anyio

    return await anyio.to_thread.run_sync(fn, *args)


async def _respond(send, status: int, text: str, headers: list | None = None):
    body = text.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"referrer-policy", b"no-referrer"),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _redeem_ticket(ticket: str) -> tuple[str, int] | None:
    redeemed = sessions.redeem(auth.store(), ticket)
    if redeemed is None:
        return None
    policy = auth.SessionPolicy.from_env()
    return redeemed[0], int(policy.absolute.total_seconds())


def _end_token(token: str) -> None:
    eng = auth.store()
    try:
        session = sessions.from_token(eng, token, auth._now(None), auth.SessionPolicy.from_env())
    except auth.SessionExpired:
        return
    sessions.end(eng, session.id)


def owner_key(user_name: str, oidc: bool) -> str:
    """Who made a download: the local account's name, or "oidc:<name>" for the provider's."""
    return f"oidc:{user_name}" if oidc else user_name


def _media_allowed(cookies: dict[str, str], name: str) -> bool:
    """A live local session (our cookie) or a provider sign-in (Streamlit's signed cookie), of
    the account that made the file when it is one of our downloads."""
    who = None
    token = cookies.get(sessions.COOKIE)
    if token:
        try:
            session = sessions.from_token(
                auth.store(), token, auth._now(None), auth.SessionPolicy.from_env()
            )
            who = owner_key(session.user.name, False)
        except auth.SessionExpired:
            who = None
    if who is None:
        oidc = _oidc_user(cookies)
        who = owner_key(oidc.name, True) if oidc is not None else None
    if who is None:
        return False
    made_by = owners(name.split(".", 1)[0])
    return made_by is None or who in made_by


def _oidc_user(cookies: dict[str, str]) -> auth.User | None:
    """The identity provider's user of Streamlit's signed `_streamlit_user` cookie (st.login)."""
    import json

    try:
        from streamlit.web.server.starlette.starlette_server_config import USER_COOKIE_NAME
        from streamlit.web.server.starlette.starlette_websocket import (
            _get_signed_cookie_with_chunks,
        )

        if not any(k.startswith(USER_COOKIE_NAME) for k in cookies):
            return None
        raw = _get_signed_cookie_with_chunks(cookies, USER_COOKIE_NAME)
        claims = json.loads(raw) if raw else {}
    except Exception:  # no provider configured, or a cookie that does not verify
        return None
    return oidc.user_from_claims(claims) if claims.get("is_logged_in") else None
