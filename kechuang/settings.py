"""Every KECHUANG_* environment variable, read in this one place: typed, defaulted, checked.

    from kechuang import settings
    s = settings.current()      # a Settings; SettingsError (one Chinese line) on a bad value
    s.data_dir, s.users, s.instance_dir, s.audit, s.secret, s.base_url, s.idle, s.session, s.state,
    s.allowed_hosts

`current()` reads the environment on every call, so a test's monkeypatch.setenv or an operator's
restart takes effect without a cache to clear; it parses only when a value changed (a page run
asks a dozen times: parsing each time was ≈ 4% of a page switch's CPU, issue 23). The app and the
CLI call it once at start, so a bad value stops them with one clear line before anything runs;
every other module asks for the one value it needs. The table in README.md ("Settings") lists the
same variables; tests/test_settings.py checks that the two agree.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository
DEMO_DATA = ROOT / "data" / "demo"  # the bundled demo data (`make demo`), served when DATA is unset
DEFAULT_USERS = ROOT / "instance" / "users.json"
DEFAULT_BASE_URL = "http://localhost:8501"
MIN_SECRET = 32  # characters of KECHUANG_SECRET (an HMAC key: shorter ones are guessable)

# Every variable read below; README.md's "Settings" table documents each (a test keeps them equal).
VARIABLES = (
    "KECHUANG_DATA",
    "KECHUANG_USERS",
    "KECHUANG_AUDIT",
    "KECHUANG_SECRET",
    "KECHUANG_BASE_URL",
    "KECHUANG_IDLE_MINUTES",
    "KECHUANG_SESSION_HOURS",
    "KECHUANG_STATE",
    "KECHUANG_ALLOWED_HOSTS",
)


class SettingsError(ValueError):
    """A KECHUANG_* variable holds a value that cannot be used; str(err) is one Chinese line."""


@dataclass(frozen=True)
class Settings:
    data: Path | None  # KECHUANG_DATA; None: the bundled demo data
    users: Path
    audit: Path | None  # None: audit.jsonl in the folder the caller names (the instance folder)
    secret: str | None  # None: secret.key in the instance folder
    base_url: str  # without a trailing slash
    idle: timedelta
    session: timedelta
    state: str  # an SQLAlchemy URL
    allowed_hosts: tuple[str, ...] = ()  # Host names the server answers; empty: localhost only

    @property
    def demo(self) -> bool:
        """The bundled demo data is served (KECHUANG_DATA unset)."""
        return self.data is None

    @property
    def data_dir(self) -> Path:
        return self.data if self.data is not None else DEMO_DATA

    @property
    def instance_dir(self) -> Path:
        """The users file's folder: share links, the signing secret, the audit log, the state."""
        return self.users.parent


def _text(env: Mapping[str, str], name: str) -> str:
    return env.get(name, "").strip()


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    text = _text(env, name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = 0
    if not value > 0 or value == float("inf"):
        raise SettingsError(f"环境变量 {name} 应为正数，现为 {text!r}")
    return value


def _secret(env: Mapping[str, str]) -> str | None:
    # Not stripped: a key is used as given.
    text = env.get("KECHUANG_SECRET", "")
    if not text:
        return None
    if len(text) < MIN_SECRET:
        raise SettingsError(
            f"环境变量 KECHUANG_SECRET 太短：至少 {MIN_SECRET} 个字符"
            "（可用 python -c 'import secrets; print(secrets.token_urlsafe(48))' 生成）"
        )
    return text


def _base_url(env: Mapping[str, str]) -> str:
    text = _text(env, "KECHUANG_BASE_URL") or DEFAULT_BASE_URL
    if not re.match(r"^https?://[^/\s]+", text):
        raise SettingsError(
            f"环境变量 KECHUANG_BASE_URL 应为 http:// 或 https:// 开头的网址，现为 {text!r}"
        )
    return text.rstrip("/")


def default_state(instance_dir: Path) -> str:
    """The state database without KECHUANG_STATE: SQLite state.db in the instance folder."""
    return f"sqlite:///{Path(instance_dir).resolve() / 'state.db'}"


def _state(env: Mapping[str, str], instance_dir: Path) -> str:
    text = _text(env, "KECHUANG_STATE")
    if not text:
        return default_state(instance_dir)
    from sqlalchemy.engine import make_url  # only when set: the login page need not import it
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(text)
    except (ArgumentError, ValueError):
        raise SettingsError(
            "环境变量 KECHUANG_STATE 应为 SQLAlchemy 数据库地址"
            f"（如 sqlite:///state.db 或 postgresql+psycopg://用户@主机/库名），现为 {text!r}"
        ) from None
    return text


def load(env: Mapping[str, str]) -> Settings:
    """The settings an environment gives; SettingsError on the first bad value."""
    data = _text(env, "KECHUANG_DATA")
    users = Path(_text(env, "KECHUANG_USERS") or DEFAULT_USERS)
    audit = _text(env, "KECHUANG_AUDIT")
    return Settings(
        data=Path(data) if data else None,
        users=users,
        audit=Path(audit) if audit else None,
        secret=_secret(env),
        base_url=_base_url(env),
        idle=timedelta(minutes=_positive(env, "KECHUANG_IDLE_MINUTES", 30)),
        session=timedelta(hours=_positive(env, "KECHUANG_SESSION_HOURS", 12)),
        state=_state(env, users.parent),
        allowed_hosts=tuple(
            h.strip() for h in env.get("KECHUANG_ALLOWED_HOSTS", "").split(",") if h.strip()
        ),
    )


def current() -> Settings:
    """The settings of this process's environment, read now."""
    return _parsed(tuple(os.environ.get(name) for name in VARIABLES))


@lru_cache(maxsize=8)
def _parsed(values: tuple[str | None, ...]) -> Settings:
    return load({name: v for name, v in zip(VARIABLES, values, strict=True) if v is not None})
