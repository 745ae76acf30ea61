"""Server-side sessions of local accounts, and the cookie that carries them between page loads.

    session = signin.login(...)                     # creates the row (no browser token yet)
    ticket = sessions.issue_ticket(eng, session)    # single use, valid TICKET_SECONDS
    token, session_id = sessions.redeem(eng, ticket)  # by /auth/session: the cookie's value;
                                                      # None for a spent or expired ticket
    session = sessions.from_token(eng, token, now, policy)  # a page load with the cookie
    session = sessions.check(eng, session, now, policy)     # every rerun (signin.check_session)
    sessions.end(eng, session_id)                   # logout, or an administrator ending it
    sessions.active(eng, now, policy)               # for 账户与审计

The browser's token is 256 random bits; the database keeps only its SHA-256, so a copy of the
database opens no session. Idle time is shared by every tab of a session (last_seen_at).
`eng` is the state database (auth.store(path)).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import or_, select

from kechuang.access import auth
from kechuang.state import db, schema

COOKIE = "kechuang_session"
TICKET_SECONDS = 60
TOUCH_EVERY = timedelta(minutes=1)  # the stored last-seen moves at most this often (check)
S, TICKETS = schema.sessions, schema.session_tickets


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class Active:
    """One open session, as the administrator sees it."""

    id: str
    user: auth.User
    started_at: datetime
    last_seen_at: datetime
    address: str
    user_agent: str


def create(conn, user: auth.User, now: datetime, address: str, user_agent: str) -> auth.Session:
    """A new session row for a successful login (inside the caller's transaction)."""
    session_id = secrets.token_hex(16)
    conn.execute(
        S.insert().values(
            id=session_id,
            token_hash=None,
            user_name=user.name,
            started_at=now,
            last_seen_at=now,
            address=address[:64],
            user_agent=(user_agent or "")[:200],
        )
    )
    return auth.Session(user=user, started_at=now, last_seen_at=now, id=session_id)


def issue_ticket(eng, session: auth.Session, *, now: datetime | None = None) -> str:
    """A single-use ticket that /auth/session turns into this session's cookie within
    TICKET_SECONDS."""
    now = auth._now(now)
    ticket = secrets.token_urlsafe(32)
    with eng.begin() as conn:
        conn.execute(TICKETS.delete().where(TICKETS.c.expires_at <= now))  # spent ones
        conn.execute(
            TICKETS.insert().values(
                ticket_hash=token_hash(ticket),
                session_id=session.id,
                expires_at=now + timedelta(seconds=TICKET_SECONDS),
            )
        )
    return ticket


def redeem(eng, ticket: str, *, now: datetime | None = None) -> tuple[str, str] | None:
    """(cookie token, session id) for a live ticket, which is spent; None for an unknown, spent or
    expired ticket. Each redemption gives the session a new token: an older cookie stops working."""
    now = auth._now(now)
    with eng.begin() as conn:
        row = conn.execute(
            select(TICKETS)
            .where(TICKETS.c.ticket_hash == token_hash(ticket or ""))
            .with_for_update()
        ).first()
        if row is None:
            return None
        conn.execute(TICKETS.delete().where(TICKETS.c.ticket_hash == row.ticket_hash))
        if row.expires_at <= now:
            return None
        token = secrets.token_urlsafe(32)
        done = conn.execute(
            S.update().where(S.c.id == row.session_id).values(token_hash=token_hash(token))
        )
        if done.rowcount != 1:  # the session ended meanwhile
            return None
    return token, row.session_id


def from_token(eng, token: str, now: datetime, policy: auth.SessionPolicy) -> auth.Session:
    """The session a cookie's token names, checked and touched; SessionExpired when there is
    none."""
    if not token:
        raise auth.SessionExpired("请登录")
    with eng.connect() as conn:
        row = conn.execute(select(S).where(S.c.token_hash == token_hash(token))).first()
        account = auth.account_row(conn, row.user_name) if row is not None else None
    if row is None or account is None:
        raise auth.SessionExpired("登录已失效，请重新登录")
    session = auth.Session(auth._user(account), row.started_at, row.last_seen_at, row.id)
    return check(eng, session, now, policy)


def check(eng, session: auth.Session, now: datetime, policy: auth.SessionPolicy) -> auth.Session:
    """The session touched at `now`, or SessionExpired (and its row deleted) when it has ended."""
    with db.read(eng) as conn:
        account = auth.account_row(conn, session.user.name)
        row = conn.execute(select(S).where(S.c.id == session.id)).first() if session.id else None
    last_seen = (
        max(session.last_seen_at, row.last_seen_at) if row is not None else session.last_seen_at
    )
    reason = None
    if now - session.started_at >= policy.absolute:
        reason = f"登录已满 {policy.absolute.total_seconds() / 3600:g} 小时，请重新登录"
    elif now - last_seen >= policy.idle:
        reason = f"已 {policy.idle.total_seconds() / 60:g} 分钟无操作，请重新登录"
    elif account is None:
        reason = "账户已被删除，请联系管理员"
    elif account.password_changed_at > session.started_at:
        reason = "密码已更改，请重新登录"
    elif auth._user(account) != session.user:
        reason = "账户的角色或镇区已更改，请重新登录"
    elif session.id and row is None:
        reason = "已在其他页面退出登录，或登录已被管理员结束，请重新登录"
    if reason:
        if session.id:
            end(eng, session.id)
        err = auth.SessionExpired(reason)
        err.session = session  # who it was, for the audit log
        raise err
    # The stored last-seen moves at most once a minute (a tenth of the idle limit when shorter), not
    # on every rerun of every page: a write each time made thirty sessions queue on SQLite's one
    # writer. Another tab of the session may see it that much older; the idle limit is minutes.
    if session.id and now - row.last_seen_at >= min(TOUCH_EVERY, policy.idle / 10):
        with eng.begin() as conn:
            conn.execute(S.update().where(S.c.id == session.id).values(last_seen_at=now))
    return auth.Session(session.user, session.started_at, now, session.id)


def end(eng, session_id: str) -> bool:
    """End a session everywhere (its cookie stops working); False when it had already ended."""
    with eng.begin() as conn:
        return conn.execute(S.delete().where(S.c.id == session_id)).rowcount == 1


def active(eng, now: datetime, policy: auth.SessionPolicy) -> list[Active]:
    """Open sessions, most recently seen first; ended ones (idle, absolute) are deleted here."""
    with eng.begin() as conn:
        conn.execute(
            S.delete().where(
                or_(S.c.last_seen_at <= now - policy.idle, S.c.started_at <= now - policy.absolute)
            )
        )
        rows = conn.execute(
            select(S, schema.accounts)
            .join(schema.accounts, schema.accounts.c.name == S.c.user_name)
            .order_by(S.c.last_seen_at.desc())
        ).all()
    return [
        Active(r.id, auth._user(r), r.started_at, r.last_seen_at, r.address, r.user_agent)
        for r in rows
    ]


@dataclass(frozen=True)
class CookieSettings:
    path: str
    secure: bool
    max_age: int  # seconds: the absolute limit, so closing the browser keeps the session


def cookie_settings(base_url: str, policy: auth.SessionPolicy) -> CookieSettings:
    """Path = the base URL's path ("/" at the root), Secure when it is https."""
    parts = urlsplit(base_url or "")
    path = (parts.path or "/").rstrip("/") or "/"
    return CookieSettings(path, parts.scheme == "https", int(policy.absolute.total_seconds()))
