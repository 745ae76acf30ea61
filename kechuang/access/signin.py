"""Signing in with a local account, and checking the session on every rerun.

    session = signin.login(path, name, password, address=ip)
                                                # -> auth.Session (a server-side session row);
                                                #    raises LoginError (same message for unknown
                                                #    user and wrong password) or LoginLocked (per
                                                #    name and per client address); audited
    session = signin.check_session(path, session)
                                                # every rerun: -> Session touched now; raises
                                                #    auth.SessionExpired (idle 30 min, absolute
                                                #    12 h, logged out, account removed, password or
                                                #    role changed)

`path` is the users file (auth.users_path()), which names the instance. The attempts are counted
in throttle.py, the session rows are sessions.py's, the accounts and their hashes auth.py's.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from argon2.exceptions import InvalidHashError, VerificationError

from kechuang.access import audit, auth, sessions, throttle

FAILED = "用户名或密码错误"


class LoginError(Exception):
    """Login refused. The message never says whether the user exists."""


class LoginLocked(LoginError):
    """Too many failed logins for this name; retry after the lock ends."""


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5  # this many failed attempts within `window` lock the name
    window: timedelta = timedelta(minutes=15)
    lock: timedelta = timedelta(minutes=15)
    # ... and this many the client address, whatever names it tries (an office shares one address)
    max_per_address: int = 30


_DUMMY_HASH: list[str] = []
# How long a sign-in waits while as many attempts as the lockout limit are being checked (thirty
# people at a meeting on one account: five argon2 checks at a time, each ≈ 0.02 s on one core).
BUSY_WAIT_S = 20.0
# Password checks at once in this process: each takes 19 MiB and a core, so more at once than
# cores only queue for the CPU while holding their memory (a meeting signing in together).
_CHECKING = threading.BoundedSemaphore(2)


def _verify(stored: str | None, password: str) -> bool:
    """argon2 verification (constant-time compare inside); unknown users verify against a dummy
    hash, same cost."""
    if stored is None:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(auth.HASHER.hash("kechuang-no-such-user"))
        stored = _DUMMY_HASH[0]
    try:
        with _CHECKING:
            return auth.HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def login(
    path: Path,
    name: str,
    password: str,
    *,
    now: datetime | None = None,
    lockout: LockoutPolicy = LockoutPolicy(),
    audit_path: Path | None = None,
    address: str | None = None,
    user_agent: str = "",
) -> auth.Session:
    """A new server-side Session, or LoginError (FAILED for unknown user and wrong password alike) /
    LoginLocked. Audited (to the state database of `audit_path`'s folder, default the instance's).

    Each attempt is counted before the password is checked, per name and per client `address`:
    `lockout.max_failures` unsuccessful attempts within `lockout.window` lock the name (whether or
    not the account exists, so the lock says nothing about existence), `lockout.max_per_address`
    lock the address, each for `lockout.lock`; a success clears the name's count. No lock or
    transaction is held while the password is hashed, so slow checks never queue other logins."""
    now = auth._now(now)
    path = Path(path)
    audit_path = audit_path or audit.default_path(path.parent)
    key = auth.normal_name(name)[:64]
    address = (address or "").strip()[:64] or None
    eng = auth.store(path)
    waited_until = time.monotonic() + BUSY_WAIT_S
    while True:
        with eng.begin() as conn:  # short: count the attempt, read the account
            held = throttle.reserve(conn, key, address, now, lockout)
            row = auth.account_row(conn, key) if held.allowed else None
        if not held.busy or time.monotonic() >= waited_until:
            break
        time.sleep(0.05)  # other attempts on this name or address are being checked: wait for them
    if not held.allowed:
        action = "login_busy" if held.busy else "login_locked"
        audit.record(key, action, held.detail, None, path=audit_path, now=now)
        raise LoginLocked(held.message)
    stored = row.password_hash if row is not None else None
    if row is not None and _verify(stored, password):
        user = auth._user(row)
        with eng.begin() as conn:
            throttle.succeeded(conn, key, address)
            session = sessions.create(conn, user, now, address or "", user_agent)
        audit.record(user, "login", "", auth.scope_for(user), path=audit_path, now=now)
        _rehash_if_needed(eng, key, stored, password)
        return session
    if row is None:
        _verify(None, password)  # the same work for unknown names
    with eng.begin() as conn:
        detail = throttle.failed(conn, key, address, held, now, lockout)
    audit.record(key, "login_failed", detail, None, path=audit_path, now=now)
    raise LoginError(FAILED)


def _rehash_if_needed(eng, name: str, stored: str, password: str) -> None:
    from kechuang.state import schema

    if not auth.HASHER.check_needs_rehash(stored):
        return
    fresh = auth.HASHER.hash(password)
    t = schema.accounts
    with eng.begin() as conn:  # only if nobody changed the password meanwhile
        conn.execute(
            t.update()
            .where(t.c.name == name, t.c.password_hash == stored)
            .values(password_hash=fresh)
        )


def check_session(
    path: Path,
    session: auth.Session,
    *,
    now: datetime | None = None,
    policy: auth.SessionPolicy | None = None,
) -> auth.Session:
    """The session touched at `now`; SessionExpired when it has ended.

    Ends at `policy.idle` without activity (in any tab) or `policy.absolute` after login (both
    inclusive), at logout or when an administrator ended it, when the account was removed, or when
    its password, role or towns changed. Default policy: SessionPolicy.from_env()."""
    return sessions.check(
        auth.store(path), session, auth._now(now), policy or auth.SessionPolicy.from_env()
    )
