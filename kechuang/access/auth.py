"""Accounts and roles: who may open the dashboard and what each role may see.

No Streamlit here; the app wires it. The whole API:

    path = auth.users_path()                    # env KECHUANG_USERS, else instance/users.json:
                                                #    names the instance, whose state database
                                                #    holds the accounts
    auth.ensure_demo_users(path)                # demo data only: one account per role
    auth.can(session.user, "view_named_tax")    # a permission of PERMISSIONS
    auth.scope_for(session.user)                # frozenset of towns, or None = whole county:
                                                #    Warehouse(dir, scope=auth.scope_for(user))

Signing in and checking a session on every rerun: signin.py (login, check_session); the session
rows: sessions.py; OIDC claims -> role (README: 统一身份认证): oidc.py.
Accounts (python -m kechuang users ...): add_user, remove_user, set_password, set_role, list_users.
Storage: the state database of the users file's folder (kechuang.state; env KECHUANG_STATE names
another): accounts, sign-in throttling (throttle.py), sessions (sessions.py). A users.json of
before the database is imported once and kept as users.json.imported. `instance_dir()` — the users
file's folder — also holds the signing secret and, by default, the SQLite state database.
Times are timezone-aware datetimes; every function taking `now` uses it instead of the clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher

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

# Demo accounts, created only for the demo data (ensure_demo_users): name, role, password,
# display name, towns.
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("admin", "admin", "demo-admin", "演示管理员", ()),
    ("analyst", "analyst", "demo-analyst", "演示分析员", ()),
    ("leader", "leader", "demo-leader", "演示领导", ()),
    ("changsha", "town", "demo-town", "长沙镇演示账户", ("长沙镇",)),
)

# argon2id with OWASP's first recommended configuration (Password Storage Cheat Sheet: m = 19 MiB,
# t = 2, p = 1), not argon2-cffi's default RFC 9106 low-memory profile (m = 64 MiB, t = 3, p = 4):
# measured here 0.02 s of one core per check against 0.2–0.3 s of every core, so thirty cadres
# signing in together at a meeting cost ≈ 1 s of CPU, not ≈ 10 (issue 23). Hashes made with the old
# parameters still verify and are rehashed at the next sign-in (signin._rehash_if_needed).
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class AccountError(Exception):
    """A bad account operation (unknown user, bad role, weak password, unreadable file); message
    in Chinese."""


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


def _now(now: datetime | None) -> datetime:
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now


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
