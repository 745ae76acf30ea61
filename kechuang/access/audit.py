"""Audit log: who did what, when, within which scope — the append-only audit_log table.

    audit.record(user, "export", "简报_20261031.xlsx", scope)  # user: auth.User, or a typed name
    audit.read(since=None) -> polars DataFrame  # admin page and export, oldest first
    audit.jsonl(frame) -> bytes                 # the JSONL export (CSV: tables.csv_bytes)

`scope` is the towns the user worked within (None = whole county); left out, it is the user's own
scope (auth.scope_for). Logins, share links and account changes are recorded by signin, share and
the CLI themselves; the app records exports, downloads and enterprise-file views (ACTIONS).
Where: the state database (kechuang.state) of the instance folder; `path=` names a file in
another instance's folder (default_path(folder) = <folder>/audit.jsonl, the log of before the
database: imported once from there, or from env KECHUANG_AUDIT, and kept as audit.jsonl.imported).
The database refuses UPDATE and DELETE on the table. Times are stored in UTC and read back as
Beijing time.
"""

from __future__ import annotations

import json
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
    "login_busy": "登录被拒（同时登录过多）",
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
    "role_changed": "调整角色",
    "session_ended": "结束会话",
    "worklog_contact": "记录走访服务",
    "worklog_correction": "更正工作记录",
    "worklog_stage": "记录培育阶段",
    "worklog_owner": "指定责任人",
    "worklog_refused": "工作记录被拒",
}
WHOLE_COUNTY = "全县"
MAX_DETAIL = 500


def columns() -> dict:
    """The schema of read()'s frame (polars is imported here, not at the top: the login page
    audits without it)."""
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

    `data` is bytes or a function making them (so a table's CSV/XLSX is not built on every
    rerun); `check()`
    runs first and raises when the session ended meanwhile (no file and no event then)."""

    def fetch() -> bytes:
        if check is not None:
            check()
        record(user, action, detail, scope)
        return data() if callable(data) else data

    return fetch


class AuditError(OSError):
    """The event could not be stored (the state database is unreachable or refused it)."""


def default_path(folder: Path | None = None) -> Path:
    """audit.jsonl in `folder` (default: the instance folder, the users file's): names the
    instance whose database holds the log (and is where the log of before the database is imported
    from, unless env KECHUANG_AUDIT names that file)."""
    return Path(folder or settings.current().instance_dir) / "audit.jsonl"


def _store(path: Path | None):
    """The state database of `path`'s instance folder (default: this instance's). Not through
    auth.store: audit stays below the access modules that record here (signin, share)."""
    from kechuang.state import db, legacy

    current = settings.current()
    folder = Path(path).parent if path else current.instance_dir
    users = current.users
    try:
        return db.instance(
            folder, users_file=users if users.parent == folder else folder / "users.json"
        )
    except legacy.LegacyFileError as err:
        raise AuditError(0, str(err)) from None


def record(
    user,
    action: str,
    detail: str = "",
    scope: Iterable[str] | None = _OWN_SCOPE,
    *,  # type: ignore[assignment]
    path: Path | None = None,
    now: datetime | None = None,
    engine=None,
) -> None:
    """Append one event. `user` is an auth.User or a name (a failed login); `action` one of
    ACTIONS; `engine`: the state database to write to (default: the one of `path`'s folder). Left
    out, `scope` is the user's own (User.scope, i.e. auth.scope_for)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; add it to audit.ACTIONS")
    # Duck-typed: audit sits below the modules that record here (signin, share), auth's users too.
    is_user = user is not None and not isinstance(user, str)
    if scope is _OWN_SCOPE:
        scope = user.scope if is_user else None
    from sqlalchemy.exc import SQLAlchemyError

    from kechuang.state import schema

    now = now or datetime.now(UTC)
    row = {
        "at": now,
        "user_name": user.name if is_user else str(user or "")[:64],
        "role": user.role if is_user else None,
        "action": action,
        "detail": str(detail or "")[:MAX_DETAIL],
        "scope": sorted(scope) if scope is not None else None,
    }
    try:
        with (engine or _store(path)).begin() as conn:
            conn.execute(schema.audit_log.insert().values(**row))
    except SQLAlchemyError as err:
        raise AuditError(0, f"审计日志无法写入：{str(err).splitlines()[0]}") from None


def read(since: datetime | date | None = None, *, path: Path | None = None) -> pl.DataFrame:
    """Every event at or after `since` (a date means from 0:00 Beijing time), oldest first.

    Columns: at (Beijing time, naive), user_name, role, role_label, action, action_label, detail,
    scope ("全县" or towns joined by "、")."""
    from sqlalchemy import select

    from kechuang.state import schema

    t = schema.audit_log
    start = _as_utc(since)
    query = select(t).order_by(t.c.at, t.c.id)
    if start is not None:
        query = query.where(t.c.at >= start)
    with _store(path).connect() as conn:
        rows = [
            {
                "at": r.at.astimezone(BEIJING).replace(tzinfo=None),
                "user_name": r.user_name,
                "role": r.role,
                "role_label": ROLE_LABELS.get(r.role or "", "—"),
                "action": r.action,
                "action_label": ACTIONS.get(r.action, r.action),
                "detail": r.detail or "",
                "scope": WHOLE_COUNTY if r.scope is None else "、".join(r.scope),
            }
            for r in conn.execute(query)
        ]
    import polars as pl

    return pl.DataFrame(rows, schema=columns(), orient="row")


def jsonl(frame: pl.DataFrame) -> bytes:
    """read()'s frame as JSON lines (UTF-8), one event a line, times in Beijing time: the export."""
    lines = (
        json.dumps(
            {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()},
            ensure_ascii=False,
        )
        for row in frame.iter_rows(named=True)
    )
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _as_utc(since: datetime | date | None) -> datetime | None:
    if since is None:
        return None
    if not isinstance(since, datetime):
        since = datetime.combine(since, time(0), BEIJING)
    elif since.tzinfo is None:
        since = since.replace(tzinfo=BEIJING)
    return since.astimezone(UTC)
