"""Accounts, roles, login and sessions: who may open the dashboard and what each role may see.

No Streamlit here; the app wires it. The whole API:

    path = auth.users_path()                    # env KECHUANG_USERS, else instance/users.json
    auth.ensure_demo_users(path)                # demo data only: one account per role
    session = auth.login(path, name, password)  # -> Session; raises LoginError (same message for
                                                #    unknown user and wrong password) or
                                                #    LoginLocked; audited
    session = auth.check_session(path, session) # every rerun: -> Session touched now, with the
                                                #    user's current role/towns; raises
                                                #    SessionExpired (idle 30 min, absolute 12 h,
                                                #    account removed, password changed)
    auth.can(session.user, "view_named_tax")    # a permission of PERMISSIONS
    auth.scope_for(session.user)                # frozenset of towns, or None = whole county:
                                                #    Warehouse(dir, scope=auth.scope_for(user))
    auth.role_from_claims(st.user)              # OIDC claims -> role or None (README: 统一身份认证)

Accounts (python -m kechuang users ...): add_user, remove_user, set_password, list_users.
Files: the users file (JSON, mode 0600, written atomically) and `<stem>.attempts.json` beside it
(failed logins, so the lock holds across sessions and restarts). `instance_dir()` — the users
file's folder — also holds share links, the signing secret and the audit log.
Times are timezone-aware datetimes; every function taking `now` uses it instead of the clock.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kechuang import settings
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
MIN_PASSWORD = 8
FAILED = "用户名或密码错误"

# Demo accounts, created only for the demo data (ensure_demo_users): name, role, password, display
# name, towns.
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("admin", "admin", "demo-admin", "演示管理员", ()),
    ("analyst", "analyst", "demo-analyst", "演示分析员", ()),
    ("leader", "leader", "demo-leader", "演示领导", ()),
    ("changsha", "town", "demo-town", "长沙镇演示账户", ("长沙镇",)),
)

HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (t=3, m=64 MiB, p=4)


class AccountError(Exception):
    """A bad account operation (unknown user, bad role, weak password, unreadable file); message in
    Chinese."""


class LoginError(Exception):
    """Login refused. The message never says whether the user exists."""


class LoginLocked(LoginError):
    """Too many failed logins for this name; retry after the lock ends."""


class SessionExpired(Exception):
    """The session ended (idle, absolute limit, account removed or password changed); log in
    again."""


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
    max_failures: int = 5  # this many failures within `window` lock the name
    window: timedelta = timedelta(minutes=15)
    lock: timedelta = timedelta(minutes=15)


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
    be the Chinese label (分析员). When several roles are granted, the most privileged wins."""
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


# -- files ----------------------------------------------------------------------------------


def users_path() -> Path:
    """The users file: env KECHUANG_USERS, else instance/users.json under the repository root."""
    return settings.current().users


def instance_dir() -> Path:
    """The folder of the users file: share links, the signing secret and the audit log live there
    too."""
    return settings.current().instance_dir


def write_private_json(path: Path, obj) -> None:
    """Write JSON atomically (temp file in the same folder, then os.replace), mode 0600."""
    path = Path(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )  # mkstemp: mode 0600
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


@contextlib.contextmanager
def locked(path: Path):
    """An exclusive lock on `<path>.lock` for read-modify-write of a small file (no-op without
    fcntl)."""
    path = Path(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            import fcntl
        except ImportError:  # not POSIX: single-process use only
            fcntl = None
        if fcntl:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


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


def _records(path: Path) -> dict[str, dict]:
    doc = read_json(path, {"users": {}}, "用户文件")
    if not isinstance(doc, dict) or not isinstance(doc.get("users"), dict):
        raise AccountError(f"用户文件格式有误（缺少 users 对象）：{path}")
    return doc["users"]


def _save(path: Path, records: dict[str, dict]) -> None:
    write_private_json(path, {"version": 1, "users": records})


def _user(name: str, rec: dict) -> User:
    return User(
        name=name,
        role=rec["role"],
        towns=frozenset(rec.get("towns") or ()),
        display_name=rec.get("display_name") or "",
    )


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


# -- accounts -------------------------------------------------------------------------------


def _check_password(name: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符")
    if password.strip().lower() == name:
        raise AccountError("密码不能与用户名相同")


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
    name = normal_name(name)
    if not NAME_PATTERN.fullmatch(name):
        raise AccountError(
            f"用户名 {name!r} 无效：2–32 个字符，小写字母开头，只含小写字母、数字、_ . -"
        )
    towns = _check_role(role, towns)
    _check_password(name, password)
    stamp = _iso(_now(now))
    with locked(path):
        records = _records(path)
        if name in records:
            raise AccountError(f"用户 {name} 已存在（改密码用 users passwd {name}）")
        records[name] = {
            "role": role,
            "towns": list(towns),
            "display_name": display_name.strip(),
            "password_hash": HASHER.hash(password),
            "created_at": stamp,
            "password_changed_at": stamp,
        }
        _save(path, records)
    return _user(name, records[name])


def remove_user(path: Path, name: str) -> None:
    """Delete an account (its open sessions end at their next check); AccountError when unknown."""
    name = normal_name(name)
    with locked(path):
        records = _records(path)
        if name not in records:
            raise AccountError(f"用户 {name} 不存在")
        del records[name]
        _save(path, records)


def set_password(path: Path, name: str, password: str, *, now: datetime | None = None) -> None:
    """Replace an account's password; its open sessions end at their next check."""
    name = normal_name(name)
    _check_password(name, password)
    with locked(path):
        records = _records(path)
        if name not in records:
            raise AccountError(f"用户 {name} 不存在")
        records[name]["password_hash"] = HASHER.hash(password)
        records[name]["password_changed_at"] = _iso(_now(now))
        _save(path, records)


def list_users(path: Path) -> list[User]:
    """Every account, by name."""
    return [_user(name, rec) for name, rec in sorted(_records(path).items())]


def ensure_demo_users(path: Path) -> bool:
    """Create DEMO_ACCOUNTS when the users file is absent (demo data only); True when created."""
    path = Path(path)
    with locked(path):
        if path.exists():
            return False
        stamp = _iso(_now(None))
        records = {
            name: {
                "role": role,
                "towns": list(towns),
                "display_name": display,
                "password_hash": HASHER.hash(password),
                "created_at": stamp,
                "password_changed_at": stamp,
            }
            for name, role, password, display, towns in DEMO_ACCOUNTS
        }
        _save(path, records)
    return True


# -- login and sessions ---------------------------------------------------------------------


def attempts_path(path: Path) -> Path:
    """The failed-login state beside the users file."""
    path = Path(path)
    return path.with_name(f"{path.stem}.attempts.json")


_DUMMY_HASH: list[str] = []


def _verify(stored: str | None, password: str) -> bool:
    """argon2 verification (constant-time compare inside); unknown users verify against a dummy
    hash, same cost."""
    if stored is None:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(HASHER.hash("kechuang-no-such-user"))
        stored = _DUMMY_HASH[0]
    try:
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
) -> Session:
    """A new Session, or LoginError (FAILED for unknown user and wrong password alike) /
    LoginLocked.

    Audited to `audit_path` (default: env KECHUANG_AUDIT, else audit.jsonl beside the users file).
    A corrupt users file raises AccountError (an operator problem, not a failed login).

    `lockout.max_failures` failures within `lockout.window` lock the name for `lockout.lock`,
    whether or not the account exists (so the lock says nothing about existence); a success clears
    the count."""
    from kechuang.access import audit

    now = _now(now)
    audit_path = audit_path or audit.default_path(Path(path).parent)
    key = normal_name(name)[:64]
    t = now.timestamp()
    state_file = attempts_path(path)
    with locked(state_file):
        state = read_json(state_file, {}, "登录失败记录")
        entry = state.get(key) or {}
        if entry.get("locked_until", 0) > t:
            minutes = max(1, -(-int(entry["locked_until"] - t) // 60))
            audit.record(
                key,
                "login_locked",
                f"锁定中，剩余约 {minutes} 分钟",
                None,
                path=audit_path,
                now=now,
            )
            raise LoginLocked(f"登录失败次数过多，该账户已暂时锁定，请 {minutes} 分钟后再试")
        rec = _records(path).get(key)
        if _verify(rec["password_hash"] if rec else None, password) and rec is not None:
            state.pop(key, None)
            write_private_json(state_file, _pruned(state, t, lockout))
            user = _user(key, rec)
            audit.record(user, "login", "", scope_for(user), path=audit_path, now=now)
            _rehash_if_needed(path, key, rec["password_hash"], password)
            return Session(user=user, started_at=now, last_seen_at=now)
        failures = [
            f for f in entry.get("failures", []) if f > t - lockout.window.total_seconds()
        ] + [t]
        entry = {"failures": failures}
        detail = f"第 {len(failures)} 次失败"
        if len(failures) >= lockout.max_failures:
            entry = {"failures": [], "locked_until": t + lockout.lock.total_seconds()}
            detail += f"，锁定 {int(lockout.lock.total_seconds() // 60)} 分钟"
        state[key] = entry
        write_private_json(state_file, _pruned(state, t, lockout))
        audit.record(key, "login_failed", detail, None, path=audit_path, now=now)
        raise LoginError(FAILED)


def _pruned(state: dict, t: float, lockout: LockoutPolicy) -> dict:
    """Drop names with neither a recent failure nor a running lock, so the file stays small."""
    horizon = t - lockout.window.total_seconds()
    return {
        k: v
        for k, v in state.items()
        if v.get("locked_until", 0) > t or any(f > horizon for f in v.get("failures", []))
    }


def _rehash_if_needed(path: Path, name: str, stored: str, password: str) -> None:
    if not HASHER.check_needs_rehash(stored):
        return
    with locked(path):
        records = _records(path)
        if name in records and records[name]["password_hash"] == stored:
            records[name]["password_hash"] = HASHER.hash(password)
            _save(path, records)


def check_session(
    path: Path,
    session: Session,
    *,
    now: datetime | None = None,
    policy: SessionPolicy | None = None,
) -> Session:
    """The session touched at `now`, with the account's current role and towns; SessionExpired when
    it has ended.

    Ends at `policy.idle` without activity or `policy.absolute` after login (both inclusive), when
    the account was removed, or when its password changed after login. Default policy:
    SessionPolicy.from_env()."""
    now = _now(now)
    policy = policy or SessionPolicy.from_env()
    if now - session.started_at >= policy.absolute:
        raise SessionExpired(
            f"登录已满 {policy.absolute.total_seconds() / 3600:g} 小时，请重新登录"
        )
    if now - session.last_seen_at >= policy.idle:
        raise SessionExpired(f"已 {policy.idle.total_seconds() / 60:g} 分钟无操作，请重新登录")
    rec = _records(path).get(session.user.name)
    if rec is None:
        raise SessionExpired("账户已被删除，请联系管理员")
    if datetime.fromisoformat(rec["password_changed_at"]) > session.started_at:
        raise SessionExpired("密码已更改，请重新登录")
    return Session(
        user=_user(session.user.name, rec), started_at=session.started_at, last_seen_at=now
    )
