"""Sign-in throttling in the state database: attempts per account name and per client address.

signin.login calls, each in its own short transaction (never while a password is being hashed):

    held = throttle.reserve(conn, name, address, now, policy)  # count this attempt, or refuse it
    throttle.succeeded(conn, name, address)                    # the password was right
    detail = throttle.failed(conn, name, address, held, now, policy)  # it was wrong: maybe lock

An attempt is counted when it starts, so however many arrive at once, at most `max_failures`
passwords are checked for one name per window; the attempt that reaches the limit, if it fails,
locks the name for `policy.lock` (and `max_per_address` likewise locks an address). An attempt
finding the limit taken by attempts still running is refused as `busy`, not locked: auth.login
waits and asks again, so thirty people signing in on one account at once all get in. A window
starts at its first attempt and lasts `policy.window`. Rows with neither a running lock nor an
attempt within the window are deleted as attempts come in, so the table stays small.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite

from kechuang.state import schema

T = schema.login_throttle
NAME, ADDRESS = "name", "addr"


@dataclass(frozen=True)
class Held:
    """The outcome of reserve(): allowed, or refused with a message; the attempts' ordinals."""

    allowed: bool
    message: str = ""
    detail: str = ""  # for the audit log
    ordinals: dict[str, int] = field(default_factory=dict)  # kind -> this attempt's number
    busy: bool = False  # refused only because attempts still being checked hold the limit


def _minutes(seconds: float) -> int:
    return max(1, -(-int(seconds) // 60))


def _row(conn, kind: str, key: str, now: datetime):
    """The row of (kind, key), created if absent, locked for this transaction (FOR UPDATE)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    while True:
        conn.execute(
            dialect.insert(T)
            .values(kind=kind, key=key, attempts=0, window_start=now, updated_at=now)
            .on_conflict_do_nothing(index_elements=["kind", "key"])
        )
        row = conn.execute(
            select(T).where(T.c.kind == kind, T.c.key == key).with_for_update()
        ).one_or_none()
        if row is not None:
            return row
        # PostgreSQL: the row our insert found was deleted by a concurrent success since: again.


def _keys(name: str, address: str | None) -> list[tuple[str, str]]:
    return [(NAME, name)] + ([(ADDRESS, address)] if address else [])


def reserve(conn, name: str, address: str | None, now: datetime, policy) -> Held:
    """Count one attempt for the name and the address, or refuse it (locked, or the limit is
    already taken by attempts still running)."""
    limits = {NAME: policy.max_failures, ADDRESS: policy.max_per_address}
    rows = {kind: _row(conn, kind, key, now) for kind, key in _keys(name, address)}
    fresh = {}
    for kind, row in rows.items():
        if row.locked_until is not None and row.locked_until > now:
            return _refused(kind, address, (row.locked_until - now).total_seconds())
        if row.locked_until is not None or row.window_start <= now - policy.window:
            fresh[kind] = 0  # the lock ran out or the window passed: count anew
        else:
            fresh[kind] = row.attempts
        if fresh[kind] >= limits[kind]:  # the limit is taken by attempts still being checked
            return _busy(kind)
    ordinals = {}
    for kind, key in _keys(name, address):
        values = {"attempts": fresh[kind] + 1, "updated_at": now, "locked_until": None}
        if fresh[kind] == 0:
            values["window_start"] = now
        conn.execute(T.update().where(T.c.kind == kind, T.c.key == key).values(**values))
        ordinals[kind] = fresh[kind] + 1
    return Held(True, ordinals=ordinals)


def _refused(kind: str, address: str | None, seconds: float) -> Held:
    minutes = _minutes(seconds)
    if kind == NAME:
        message = f"登录失败次数过多，该账户已暂时锁定，请 {minutes} 分钟后再试"
        detail = f"锁定中，剩余约 {minutes} 分钟"
    else:
        message = f"本机地址登录失败次数过多，已暂时限制，请 {minutes} 分钟后再试"
        detail = f"地址 {address} 锁定中，剩余约 {minutes} 分钟"
    return Held(False, message, detail)


def _busy(kind: str) -> Held:
    """Not a lock: as many attempts as the limit are being checked right now (a meeting signing in
    on one account, or from behind one address). auth.login waits for them and asks again."""
    who = "该账户" if kind == NAME else "本机地址"
    return Held(False, f"{who}正有多人同时登录，请稍候再试", f"{who}同时登录过多", busy=True)


def succeeded(conn, name: str, address: str | None) -> None:
    """A right password: the name's count is cleared; the address gives this attempt back."""
    conn.execute(T.delete().where(T.c.kind == NAME, T.c.key == name))
    if address:
        conn.execute(
            T.update()
            .where(T.c.kind == ADDRESS, T.c.key == address, T.c.attempts > 0)
            .values(attempts=T.c.attempts - 1)
        )


def failed(conn, name: str, address: str | None, held: Held, now: datetime, policy) -> str:
    """A wrong password: lock what reached its limit; returns the audit detail
    ("第 5 次失败，锁定 15 分钟")."""
    limits = {NAME: policy.max_failures, ADDRESS: policy.max_per_address}
    minutes = int(policy.lock.total_seconds() // 60)
    notes = [f"第 {held.ordinals.get(NAME, 1)} 次失败"]
    for kind, key in _keys(name, address):
        if held.ordinals.get(kind, 0) >= limits[kind]:
            conn.execute(
                T.update()
                .where(T.c.kind == kind, T.c.key == key)
                .values(locked_until=now + policy.lock, updated_at=now)
            )
            notes.append(
                f"锁定 {minutes} 分钟" if kind == NAME else f"地址 {key} 锁定 {minutes} 分钟"
            )
    _prune(conn, now, policy)
    return "，".join(notes)


def _prune(conn, now: datetime, policy) -> None:
    conn.execute(
        T.delete().where(
            T.c.updated_at <= now - policy.window,
            or_(T.c.locked_until.is_(None), T.c.locked_until <= now),
        )
    )


def state(conn) -> dict[tuple[str, str], tuple[int, datetime | None]]:
    """(kind, key) -> (attempts, locked_until): what is held now (tests, the admin page)."""
    rows = conn.execute(select(T.c.kind, T.c.key, T.c.attempts, T.c.locked_until))
    return {(r.kind, r.key): (r.attempts, r.locked_until) for r in rows}
