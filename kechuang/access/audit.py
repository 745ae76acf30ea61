"""Audit log: who did what, when, within which scope — append-only JSONL, one line per event.

    audit.record(user, "export", "简报_20261031.xlsx", scope)  # user: auth.User, or the typed name
    audit.read(since=None) -> polars DataFrame  # admin page and export, oldest first

`scope` is the towns the user worked within (None = whole county); left out, it is the user's own
scope (auth.scope_for). Logins, share links and account changes are recorded by auth, share and
the CLI themselves; the app records exports, downloads and enterprise-file views (ACTIONS).
Path: env KECHUANG_AUDIT, else audit.jsonl in auth.instance_dir() (instance/audit.jsonl).
Each event is one os.write on a descriptor opened with O_APPEND, so concurrent sessions never
interleave or overwrite lines. Times are stored in UTC and read back as Beijing time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from kechuang import settings
from kechuang.zh.labels import ROLE_LABELS

if TYPE_CHECKING:
    import polars as pl

BEIJING = timezone(timedelta(hours=8), "CST")  # China has one fixed-offset zone, no daylight saving

ACTIONS: dict[str, str] = {
    "login": "登录",
    "login_failed": "登录失败",
    "login_locked": "登录被拒（已锁定）",
    "logout": "退出登录",
    "session_expired": "登录超时",
    "export": "导出简报",
    "download": "下载清单",
    "view_enterprise_file": "查看一企一档",
    "ingest": "数据导入",
    "share_created": "创建分享链接",
    "share_opened": "打开分享链接",
    "share_rejected": "分享链接被拒",
    "share_revoked": "撤销分享链接",
    "user_added": "新增账户",
    "user_removed": "删除账户",
    "password_changed": "修改密码",
}
WHOLE_COUNTY = "全县"
MAX_DETAIL = 500


def columns() -> dict:
    """The schema of read()'s frame (polars is imported here, not at the top: the login page audits
    without it)."""
    import polars as pl

    return {
        "at": pl.Datetime("us"),
        "user_name": pl.String,
        "role": pl.String,
        "role_label": pl.String,
        "action": pl.String,
        "action_label": pl.String,
        "detail": pl.String,
        "scope": pl.String,
    }


_OWN_SCOPE = object()


def on_fetch(data, user, action: str, detail: str, scope: Iterable[str] | None, *, check=None):
    """A download's file built when it is fetched, recorded then: what
    `st.download_button(data=...)` calls on a click.

    `data` is bytes or a function making them (so a table's CSV/XLSX is not built on every rerun);
    `check()` runs first and raises when the session ended meanwhile (no file and no event then)."""

    def fetch() -> bytes:
        if check is not None:
            check()
        record(user, action, detail, scope)
        return data() if callable(data) else data

    return fetch


def default_path(folder: Path | None = None) -> Path:
    """env KECHUANG_AUDIT, else audit.jsonl in `folder` (default: auth.instance_dir(), the users
    file's folder)."""
    current = settings.current()
    return current.audit or Path(folder or current.instance_dir) / "audit.jsonl"


def record(
    user,
    action: str,
    detail: str = "",
    scope: Iterable[str] | None = _OWN_SCOPE,
    *,  # type: ignore[assignment]
    path: Path | None = None,
    now: datetime | None = None,
) -> None:
    """Append one event. `user` is an auth.User or a name (a failed login); `action` one of
    ACTIONS. Left out, `scope` is the user's own (User.scope, i.e. auth.scope_for)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; add it to audit.ACTIONS")
    # Duck-typed: audit sits below auth (auth records its logins here), so it does not import it.
    is_user = user is not None and not isinstance(user, str)
    if scope is _OWN_SCOPE:
        scope = user.scope if is_user else None
    now = now or datetime.now(UTC)
    line = {
        "at": now.astimezone(UTC).isoformat(),
        "user": user.name if is_user else str(user or "")[:64],
        "role": user.role if is_user else None,
        "action": action,
        "detail": str(detail or "")[:MAX_DETAIL],
        "scope": sorted(scope) if scope is not None else None,
    }
    data = (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8")
    target = Path(path or default_path())
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, data)  # one write per line: appends from concurrent writers stay whole
    finally:
        os.close(fd)


def read(since: datetime | date | None = None, *, path: Path | None = None) -> pl.DataFrame:
    """Every event at or after `since` (a date means from 0:00 Beijing time), oldest first.

    Columns: at (Beijing time, naive), user_name, role, role_label, action, action_label, detail,
    scope ("全县" or towns joined by "、"). Lines that are not valid JSON are skipped."""
    start = _as_utc(since)
    rows = []
    try:
        with open(path or default_path(), encoding="utf-8") as f:
            for text in f:
                try:
                    doc = json.loads(text)
                    at = datetime.fromisoformat(doc["at"])
                except (ValueError, KeyError, TypeError):
                    continue
                if start is not None and at < start:
                    continue
                scope = doc.get("scope")
                rows.append(
                    {
                        "at": at.astimezone(BEIJING).replace(tzinfo=None),
                        "user_name": doc.get("user"),
                        "role": doc.get("role"),
                        "role_label": ROLE_LABELS.get(doc.get("role") or "", "—"),
                        "action": doc.get("action"),
                        "action_label": ACTIONS.get(doc.get("action"), doc.get("action")),
                        "detail": doc.get("detail") or "",
                        "scope": WHOLE_COUNTY if scope is None else "、".join(scope),
                    }
                )
    except FileNotFoundError:
        pass
    import polars as pl

    return pl.DataFrame(rows, schema=columns(), orient="row")


def _as_utc(since: datetime | date | None) -> datetime | None:
    if since is None:
        return None
    if not isinstance(since, datetime):
        since = datetime.combine(since, time(0), BEIJING)
    elif since.tzinfo is None:
        since = since.replace(tzinfo=BEIJING)
    return since.astimezone(UTC)
