"""Accounts, roles, login and sessions: who may open the dashboard and what each role may see.

No Streamlit here; the app wires it. The whole API:

    path = auth.users_path()                    # env KECHUANG_USERS, else instance/users.json:
                                                #    names the instance, whose state database
                                                #    holds the accounts
    auth.ensure_demo_users(path)                # demo data only: one account per role
    session = auth.login(path, name, password, address=ip)
                                                # -> Session (a server-side session row); raises
                                                #    LoginError (same message for unknown user and
                                                #    wrong password) or LoginLocked (per name and
                                                #    per client address); audited
    session = auth.check_session(path, session) # every rerun: -> Session touched now; raises
                                                #    SessionExpired (idle 30 min, absolute 12 h,
                                                #    logged out, account removed, password or role
                                                #    changed)
    auth.can(session.user, "view_named_tax")    # a permission of PERMISSIONS
    auth.scope_for(session.user)                # frozenset of towns, or None = whole county:
                                                #    Warehouse(dir, scope=auth.scope_for(user))
    auth.role_from_claims(st.user)              # OIDC claims -> role or None (README: 统一身份认证)

Accounts (python -m kechuang users ...): add_user, remove_user, set_password, set_role, list_users.
Storage: the state database of the users file's folder (kechuang.state; env KECHUANG_STATE names
another): accounts, sign-in throttling (throttle.py), sessions (sessions.py). A users.json of
before the database is imported once and kept as users.json.imported. `instance_dir()` — the users
file's folder — also holds the signing secret and, by default, the SQLite state database.
Times are timezone-aware datetimes; every function taking `now` uses it instead of the clock.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kechuang import settings
from kechuang.access import passwords
from kechuang.zh.labels import ROLE_LABELS

SHARE_ROLE = "share"  # a share-link visitor; never an account
# The accounts' roles with their labels (the one label table, zh.labels, holds them).
ROLES: dict[str, str] = {r: ROLE_LABELS[r] for r in ("admin", "analyst", "leader", "town")}

_ACCOUNTS = {"admin", "analyst", "leader", "town"}
PERMISSIONS: dict[str, frozenset[str]] = {
    "view_named_tax": frozenset(
        {"admin", "analyst"}
    ),  # an enterprise's own tax paid and invoiced sales
    "ingest": frozenset({"admin", "analyst"}),
    "manage_users": frozenset({"admin"}),
    "view_audit": frozenset({"admin"}),
    "create_share_link": frozenset({"admin", "analyst"}),
    "view_enterprise_files": frozenset(_ACCOUNTS),  # 一企一档
    "view_firm_lists": frozenset(_ACCOUNTS),  # tables naming enterprises (worklists, screens)
    "download_firm_lists": frozenset(_ACCOUNTS),
}

NAME_PATTERN = re.compile(r"[a-z][a-z0-9_.-]{1,31}")
MIN_PASSWORD = passwords.MIN_LENGTH  # for labels (the policy is passwords.check_password)
FAILED = "用户名或密码错误"

# Demo accounts, created only for the demo data (ensure_demo_users): name, role, password,
# display name, towns.
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("admin", "admin", "demo-admin", "演示管理员", ()),
    ("analyst", "analyst", "demo-analyst", "演示分析员", ()),
    ("leader", "leader", "demo-leader", "演示领导", ()),
    ("changsha", "town", "demo-town", "长沙镇演示账户", ("长沙镇",)),
)

# How long a sign-in waits while as many attempts as the lockout limit are being checked (thirty
# people at a meeting on one account: five argon2 checks at a time, each ≈ 0.1 s on one core).
BUSY_WAIT_S = 20.0
# Password checks at once in this process: each takes 64 MiB and every core (4 lanes), so more at
# once only queue for the CPU while holding their memory (a meeting signing in together).
_CHECKING = threading.BoundedSemaphore(2)
HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (t=3, m=64 MiB, p=4)


class AccountError(Exception):
    """A bad account operation (unknown user, bad role, weak password, unreadable file); message
    in Chinese."""


class LoginError(Exception):
    """Login refused. The message never says whether the user exists."""


class LoginLocked(LoginError):
    """Too many failed logins for this name; retry after the lock ends."""


class SessionExpired(Exception):
    """The session ended (idle, absolute limit, logged out, account removed, password or role
    changed); log in again."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    towns: frozenset[str] = frozenset()
    display_name: str = ""

    @property
    def scope(self) -> frozenset[str] | None:
        """The towns this user may see: scope_for(self)."""
        return scope_for(self)

    @property
    def label(self) -> str:
        """'演示分析员（分析员）' — what the sidebar shows."""
        return f"{self.display_name or self.name}（{ROLE_LABELS.get(self.role, self.role)}）"

    @property
    def towns_label(self) -> str:
        """'长沙镇、掘港街道', or '全县' for roles that see the whole county."""
        return "、".join(sorted(self.towns)) or "全县"

    @property
    def account_text(self) -> str:
        """'changsha（镇区）长沙镇' — an account in the audit log."""
        return f"{self.name}（{ROLES.get(self.role, self.role)}）{'、'.join(sorted(self.towns))}"


@dataclass(frozen=True)
class Session:
    user: User
    started_at: datetime
    last_seen_at: datetime
    id: str = ""  # the server-side session's row (sessions.py); "" = held in memory only (tests)


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)

    @classmethod
    def from_env(cls) -> SessionPolicy:
        """KECHUANG_IDLE_MINUTES and KECHUANG_SESSION_HOURS (settings), else the defaults."""
        current = settings.current()
        return cls(idle=current.idle, absolute=current.session)


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5  # this many failed attempts within `window` lock the name
    window: timedelta = timedelta(minutes=15)
    lock: timedelta = timedelta(minutes=15)
    # ... and this many the client address, whatever names it tries (an office shares one address)
    max_per_address: int = 30


# -- roles --------------------------------------------------------------------------------------


def can(user: User | None, permission: str) -> bool:
    """Whether the user's role holds the permission (no user: nothing). Unknown permissions raise
    KeyError."""
    allowed = PERMISSIONS[permission]
    return user is not None and user.role in allowed


def scope_for(user: User | None) -> frozenset[str] | None:
    """The towns the user may see (for Warehouse(dir, scope=...)); None = the whole county.

    Town officers see their towns; a share-link visitor the link's town, if any. No user, or a
    town officer without towns, gets the empty scope: nothing."""
    if user is None:
        return frozenset()
    if user.role == "town":
        return frozenset(user.towns)
    if user.role == SHARE_ROLE:
        return frozenset(user.towns) if user.towns else None
    return None


_RANK = ("admin", "analyst", "leader", "town")  # most privileged first


def role_from_claims(
    claims: Mapping | None, claim: str = "roles", prefix: str = "kechuang-"
) -> str | None:
    """The role named in an OIDC claim, e.g. {"roles": ["kechuang-analyst"]} -> "analyst"; None
    when none matches.

    The claim may be a list or a space/comma-separated string; values may carry `prefix` or not, or
    be
    the Chinese label (分析员). When several roles are granted, the most privileged wins."""
    if not claims:
        return None
    raw = claims.get(claim)
    values = re.split(r"[\s,]+", raw) if isinstance(raw, str) else list(raw or [])
    by_label = {label: role for role, label in ROLES.items()}
    found = set()
    for value in values:
        text = str(value).strip()
        text = text[len(prefix) :] if prefix and text.lower().startswith(prefix.lower()) else text
        role = by_label.get(text) or text.lower()
        if role in ROLES:
            found.add(role)
    return next((r for r in _RANK if r in found), None)


def user_from_claims(
    claims: Mapping | None, claim: str = "roles", towns_claim: str = "towns"
) -> User | None:
    """A User from OIDC claims (name from preferred_username, email or sub); None without a known
    role."""
    role = role_from_claims(claims, claim)
    if role is None:
        return None
    raw = claims.get(towns_claim) or []
    towns = frozenset(
        t.strip()
        for t in (re.split(r"[\s,，、]+", raw) if isinstance(raw, str) else raw)
        if t and t.strip()
    )
    name = str(claims.get("preferred_username") or claims.get("email") or claims.get("sub") or "")
    return User(
        name=name,
        role=role,
        towns=towns if role == "town" else frozenset(),
        display_name=str(claims.get("name") or ""),
    )


# -- where the state lives -----------------------------------------------------------------------


def users_path() -> Path:
    """The users file: env KECHUANG_USERS (settings), else instance/users.json under the
    repository root.

    Since the state database it names the instance (its folder) and is read only once, to import
    it."""
    return settings.current().users


def instance_dir() -> Path:
    """The folder of the users file: the signing secret and the SQLite state database live there."""
    return settings.current().instance_dir


def store(path: Path | None = None):
    """The state database (sqlalchemy Engine) of the instance the users file `path` names."""
    from kechuang.state import db, legacy

    path = Path(path or users_path())
    try:
        return db.instance(path.parent, users_file=path)
    except legacy.LegacyFileError as err:
        raise AccountError(str(err)) from None


def write_private_json(path: Path, obj) -> None:
    """Write JSON atomically (temp file in the same folder, then os.replace), mode 0600."""
    path = Path(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(obj, f, ensure_ascii=False, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_json(path: Path, default, what: str):
    """A small JSON file, or `default` when absent; AccountError naming the file when unreadable."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return default
    try:
        return json.loads(text)
    except ValueError as err:
        raise AccountError(f"{what}无法读取（不是有效的 JSON）：{path}：{err}") from None


def _now(now: datetime | None) -> datetime:
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat()


def normal_name(name: str) -> str:
    """Account names are case-insensitive: stripped and lower-cased."""
    return (name or "").strip().lower()


def _user(row) -> User:
    return User(
        name=row.name,
        role=row.role,
        towns=frozenset(row.towns or ()),
        display_name=row.display_name or "",
    )


def account_row(conn, name: str):
    """The accounts row of `name` (normalised), or None."""
    from kechuang.state import schema

    t = schema.accounts
    return conn.execute(t.select().where(t.c.name == name)).first()


# -- accounts -------------------------------------------------------------------------------


def _check_password(name: str, password: str, display_name: str = "") -> None:
    """The password policy (passwords.check_password) for this account."""
    problem = passwords.check_password(
        password, user_inputs=tuple(x for x in (name, display_name) if x)
    )
    if problem:
        raise AccountError(problem)


def _check_role(role: str, towns: Iterable[str]) -> tuple[str, ...]:
    if role not in ROLES:
        raise AccountError(
            f"未知角色：{role!r}，可选："
            + "、".join(f"{r}（{label}）" for r, label in ROLES.items())
        )
    towns = tuple(sorted({t.strip() for t in towns if t and t.strip()}))
    if role == "town" and not towns:
        raise AccountError("镇区账户须用 --town 指定至少一个镇区")
    if role != "town" and towns:
        raise AccountError(f"只有镇区账户（town）才指定镇区；{ROLES[role]}可见全县")
    return towns


def add_user(
    path: Path,
    name: str,
    password: str,
    role: str,
    towns: Iterable[str] = (),
    display_name: str = "",
    *,
    now: datetime | None = None,
) -> User:
    """Create an account; AccountError when the name is taken or invalid, the role unknown or the
    password weak."""
    from sqlalchemy.exc import IntegrityError

    from kechuang.state import schema

    name = normal_name(name)
    if not NAME_PATTERN.fullmatch(name):
        raise AccountError(
            f"用户名 {name!r} 无效：2–32 个字符，小写字母开头，只含小写字母、数字、_ . -"
        )
    towns = _check_role(role, towns)
    _check_password(name, password, display_name.strip())
    stamp = _now(now)
    row = {
        "name": name,
        "role": role,
        "towns": list(towns),
        "display_name": display_name.strip(),
        "password_hash": HASHER.hash(password),  # before the transaction: hashing is slow
        "created_at": stamp,
        "password_changed_at": stamp,
    }
    try:
        with store(path).begin() as conn:
            if account_row(conn, name) is not None:
                raise AccountError(f"用户 {name} 已存在（改密码用 users passwd {name}）")
            conn.execute(schema.accounts.insert().values(**row))
    except IntegrityError:  # created by someone else between our check and insert
        raise AccountError(f"用户 {name} 已存在（改密码用 users passwd {name}）") from None
    return User(name, role, frozenset(towns), row["display_name"])


def remove_user(path: Path, name: str) -> None:
    """Delete an account; its sessions end at once (every tab's next rerun asks to log in)."""
    from kechuang.state import schema

    name = normal_name(name)
    with store(path).begin() as conn:
        if account_row(conn, name) is None:
            raise AccountError(f"用户 {name} 不存在")
        conn.execute(schema.sessions.delete().where(schema.sessions.c.user_name == name))
        conn.execute(schema.accounts.delete().where(schema.accounts.c.name == name))


def set_password(path: Path, name: str, password: str, *, now: datetime | None = None) -> None:
    """Replace an account's password; its sessions end at once."""
    from kechuang.state import schema

    name = normal_name(name)
    with store(path).connect() as conn:
        row = account_row(conn, name)
    if row is None:
        raise AccountError(f"用户 {name} 不存在")
    _check_password(name, password, row.display_name)
    hashed = HASHER.hash(password)
    with store(path).begin() as conn:
        done = conn.execute(
            schema.accounts.update()
            .where(schema.accounts.c.name == name)
            .values(password_hash=hashed, password_changed_at=_now(now))
        )
        if done.rowcount != 1:
            raise AccountError(f"用户 {name} 不存在")
        conn.execute(schema.sessions.delete().where(schema.sessions.c.user_name == name))


def set_role(path: Path, name: str, role: str, towns: Iterable[str] = ()) -> User:
    """Change an account's role and towns; its sessions end at once (the next sign-in gets the new
    role)."""
    from kechuang.state import schema

    name = normal_name(name)
    towns = _check_role(role, towns)
    with store(path).begin() as conn:
        row = account_row(conn, name)
        if row is None:
            raise AccountError(f"用户 {name} 不存在")
        conn.execute(
            schema.accounts.update()
            .where(schema.accounts.c.name == name)
            .values(role=role, towns=list(towns))
        )
        conn.execute(schema.sessions.delete().where(schema.sessions.c.user_name == name))
    return User(name, role, frozenset(towns), row.display_name or "")


def list_users(path: Path) -> list[User]:
    """Every account, by name."""
    from kechuang.state import schema

    t = schema.accounts
    with store(path).connect() as conn:
        return [_user(r) for r in conn.execute(t.select().order_by(t.c.name))]


def ensure_demo_users(path: Path) -> bool:
    """Create DEMO_ACCOUNTS when there is no account at all (demo data only); True when created."""
    from sqlalchemy import func, select

    from kechuang.state import schema

    def empty(conn) -> bool:
        return conn.execute(select(func.count()).select_from(schema.accounts)).scalar_one() == 0

    with store(path).connect() as conn:
        if not empty(conn):
            return False
    stamp = _now(None)
    rows = [
        {
            "name": name,
            "role": role,
            "towns": list(towns),
            "display_name": display,
            "password_hash": HASHER.hash(password),
            "created_at": stamp,
            "password_changed_at": stamp,
        }
        for name, role, password, display, towns in DEMO_ACCOUNTS
    ]
    with store(path).begin() as conn:
        if not empty(conn):  # another process created them meanwhile
            return False
        conn.execute(schema.accounts.insert(), rows)
    return True


# -- login and sessions ---------------------------------------------------------------------


_DUMMY_HASH: list[str] = []


def _verify(stored: str | None, password: str) -> bool:
    """argon2 verification (constant-time compare inside); unknown users verify against a dummy
    hash, same cost."""
    if stored is None:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(HASHER.hash("kechuang-no-such-user"))
        stored = _DUMMY_HASH[0]
    try:
        with _CHECKING:
            return HASHER.verify(stored, password)
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
) -> Session:
    """A new server-side Session, or LoginError (FAILED for unknown user and wrong password alike) /
    LoginLocked. Audited (to the state database of `audit_path`'s folder, default the instance's).

    Each attempt is counted before the password is checked, per name and per client `address`:
    `lockout.max_failures` unsuccessful attempts within `lockout.window` lock the name (whether or
    not the account exists, so the lock says nothing about existence), `lockout.max_per_address`
    lock the address, each for `lockout.lock`; a success clears the name's count. No lock or
    transaction is held while the password is hashed, so slow checks never queue other logins."""
    from kechuang.access import audit, sessions, throttle

    now = _now(now)
    path = Path(path)
    audit_path = audit_path or audit.default_path(path.parent)
    key = normal_name(name)[:64]
    address = (address or "").strip()[:64] or None
    eng = store(path)
    waited_until = time.monotonic() + BUSY_WAIT_S
    while True:
        with eng.begin() as conn:  # short: count the attempt, read the account
            held = throttle.reserve(conn, key, address, now, lockout)
            row = account_row(conn, key) if held.allowed else None
        if not held.busy or time.monotonic() >= waited_until:
            break
        time.sleep(0.05)  # other attempts on this name or address are being checked: wait for them
    if not held.allowed:
        action = "login_busy" if held.busy else "login_locked"
        audit.record(key, action, held.detail, None, path=audit_path, now=now)
        raise LoginLocked(held.message)
    stored = row.password_hash if row is not None else None
    if row is not None and _verify(stored, password):
        user = _user(row)
        with eng.begin() as conn:
            throttle.succeeded(conn, key, address)
            session = sessions.create(conn, user, now, address or "", user_agent)
        audit.record(user, "login", "", scope_for(user), path=audit_path, now=now)
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

    if not HASHER.check_needs_rehash(stored):
        return
    fresh = HASHER.hash(password)
    t = schema.accounts
    with eng.begin() as conn:  # only if nobody changed the password meanwhile
        conn.execute(
            t.update()
            .where(t.c.name == name, t.c.password_hash == stored)
            .values(password_hash=fresh)
        )


def check_session(
    path: Path,
    session: Session,
    *,
    now: datetime | None = None,
    policy: SessionPolicy | None = None,
) -> Session:
    """The session touched at `now`; SessionExpired when it has ended.

    Ends at `policy.idle` without activity (in any tab) or `policy.absolute` after login (both
    inclusive), at logout or when an administrator ended it, when the account was removed, or when
    its password, role or towns changed. Default policy: SessionPolicy.from_env()."""
    from kechuang.access import sessions

    return sessions.check(store(path), session, _now(now), policy or SessionPolicy.from_env())
