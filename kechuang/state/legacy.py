"""The JSON files of before the state database, imported once into it and then kept, renamed.

    legacy.import_folder(engine, folder, users_file)  # -> {kind: rows imported}; {} the second time

users.json (accounts), users.attempts.json (running sign-in locks), share_links.json (links and
revocations) and audit.jsonl (env KECHUANG_AUDIT, else in the folder) are read, inserted in one
transaction together with a legacy_imports row per kind, and renamed `<name>.imported` after the
commit. A kind already recorded in legacy_imports is never imported again, even if its file comes
back; rows already present (same account name, same link id) are left as the database has them.
A file that cannot be read stops the import with a message naming it, and nothing is written.
"""

from __future__ import annotations

import contextlib
import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine, func, insert, select, text

from kechuang import settings
from kechuang.state import schema

SUFFIX = ".imported"
_IMPORT_LOCK = 7_220_021  # PostgreSQL advisory lock key while importing
_BATCH = 1000


class LegacyFileError(ValueError):
    """A legacy file that cannot be read; the message (Chinese) names it."""


def files(folder: Path, users_file: Path | None = None) -> dict[str, Path]:
    """kind -> the legacy file it would be imported from (present or not)."""
    folder = Path(folder)
    users = Path(users_file) if users_file else folder / "users.json"
    return {
        "users": users,
        "attempts": users.with_name(f"{users.stem}.attempts.json"),
        "share_links": folder / "share_links.json",
        "audit": settings.current().audit or folder / "audit.jsonl",
    }


def import_folder(eng: Engine, folder: Path, users_file: Path | None = None) -> dict[str, int]:
    """Import every legacy file not imported before; {kind: rows} of what was imported now."""
    found = {kind: p for kind, p in files(folder, users_file).items() if p.is_file()}
    if not found:
        return {}
    readers = {"users": _users, "attempts": _attempts, "share_links": _links, "audit": _audit}
    done: dict[str, int] = {}
    now = datetime.now(UTC)
    with eng.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _IMPORT_LOCK})
        recorded = set(conn.execute(select(schema.legacy_imports.c.name)).scalars())
        for kind, path in found.items():
            if kind in recorded:
                continue
            table, rows = readers[kind](path)
            rows = _new_rows(conn, table, rows)
            for start in range(0, len(rows), _BATCH):
                conn.execute(insert(table), rows[start : start + _BATCH])
            conn.execute(
                insert(schema.legacy_imports).values(
                    name=kind, source=str(path), rows=len(rows), imported_at=now
                )
            )
            done[kind] = len(rows)
    for kind in done:
        _rename(found[kind])
    return done


def _new_rows(conn, table, rows: list[dict]) -> list[dict]:
    """Rows whose primary key is not in the table yet (the audit log's ids are new anyway)."""
    if table is schema.accounts:
        have = set(conn.execute(select(table.c.name)).scalars())
        return [r for r in rows if r["name"] not in have]
    if table is schema.share_links:
        have = set(conn.execute(select(table.c.token_id)).scalars())
        return [r for r in rows if r["token_id"] not in have]
    if table is schema.login_throttle:
        have = set(conn.execute(select(table.c.key).where(table.c.kind == "name")).scalars())
        return [r for r in rows if r["key"] not in have]
    return rows


def _rename(path: Path) -> None:
    target = path.with_name(path.name + SUFFIX)
    if target.exists():
        target = path.with_name(f"{path.name}{SUFFIX}-{datetime.now(UTC):%Y%m%d%H%M%S}")
    with contextlib.suppress(FileNotFoundError):  # another process renamed it first
        os.replace(path, target)


def _json(path: Path, what: str):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise LegacyFileError(f"{what}无法导入（不是有效的 JSON）：{path}：{err}") from None


def _when(text_value, path: Path, what: str) -> datetime:
    try:
        value = datetime.fromisoformat(str(text_value))
    except ValueError:
        raise LegacyFileError(f"{what}中的时间无法识别：{text_value!r}（{path}）") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _users(path: Path):
    doc = _json(path, "用户文件")
    if not isinstance(doc, dict) or not isinstance(doc.get("users"), dict):
        raise LegacyFileError(f"用户文件格式有误（缺少 users 对象），无法导入：{path}")
    rows = []
    for name, rec in sorted(doc["users"].items()):
        try:
            rows.append(
                {
                    "name": name,
                    "role": rec["role"],
                    "towns": sorted(rec.get("towns") or []),
                    "display_name": rec.get("display_name") or "",
                    "password_hash": rec["password_hash"],
                    "created_at": _when(rec["created_at"], path, "用户文件"),
                    "password_changed_at": _when(rec["password_changed_at"], path, "用户文件"),
                }
            )
        except (KeyError, TypeError, AttributeError):
            raise LegacyFileError(f"用户文件中账户 {name} 的记录不完整，无法导入：{path}") from None
    return schema.accounts, rows


def _attempts(path: Path):
    """Only what still matters: names locked now or with failures in the last 15 minutes."""
    doc = _json(path, "登录失败记录")
    now = datetime.now(UTC).timestamp()
    rows = []
    for key, entry in (doc if isinstance(doc, dict) else {}).items():
        if not isinstance(entry, dict):
            continue
        locked = float(entry.get("locked_until") or 0)
        failures = [float(f) for f in entry.get("failures", []) if float(f) > now - 15 * 60]
        if locked <= now and not failures:
            continue
        start = min(failures) if failures else now
        rows.append(
            {
                "kind": "name",
                "key": str(key)[:64],
                "attempts": len(failures),
                "window_start": datetime.fromtimestamp(start, UTC),
                "locked_until": datetime.fromtimestamp(locked, UTC) if locked > now else None,
                "updated_at": datetime.fromtimestamp(max(failures or [now]), UTC),
            }
        )
    return schema.login_throttle, rows


def _links(path: Path):
    doc = _json(path, "分享链接记录")
    links = doc.get("links", {}) if isinstance(doc, dict) else {}
    rows = []
    for token_id, rec in links.items():
        try:
            rows.append(
                {
                    "token_id": token_id,
                    "page": rec["page"],
                    "as_of": date.fromisoformat(rec["as_of"]),
                    "town": rec.get("town") or None,
                    "created_by": rec.get("created_by") or "",
                    "created_at": _when(rec["created_at"], path, "分享链接记录"),
                    "expires_at": _when(rec["expires_at"], path, "分享链接记录"),
                    "revoked_at": _when(rec["revoked_at"], path, "分享链接记录")
                    if rec.get("revoked_at")
                    else None,
                    "revoked_by": rec.get("revoked_by"),
                }
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise LegacyFileError(f"分享链接 {token_id} 的记录不完整，无法导入：{path}") from None
    return schema.share_links, rows


def _audit(path: Path):
    """Every readable line, oldest first as written; lines that are not events stay in the kept
    file."""
    rows = []
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as err:
        raise LegacyFileError(f"审计日志无法导入：{path}：{err}") from None
    for line in lines:
        try:
            doc = json.loads(line)
            at = _when(doc["at"], path, "审计日志")
            scope = doc.get("scope")
            rows.append(
                {
                    "at": at,
                    "user_name": str(doc.get("user") or "")[:64],
                    "role": doc.get("role"),
                    "action": str(doc["action"])[:32],
                    "detail": str(doc.get("detail") or ""),
                    "scope": sorted(scope) if isinstance(scope, list) else None,
                }
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
    return schema.audit_log, rows


def imported(eng: Engine) -> dict[str, int]:
    """kind -> rows of every import done so far (for the admin page and tests)."""
    with eng.connect() as conn:
        rows = conn.execute(select(schema.legacy_imports.c.name, schema.legacy_imports.c.rows))
        return dict(rows.all())


def count(eng: Engine, table) -> int:
    with eng.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()
