"""The JSON files of before the state database: imported once, kept renamed, nothing lost."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from kechuang.access import audit, auth, share, signin
from kechuang.state import db, legacy, schema

HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
CREATED = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def old_instance(state_url, tmp_path, monkeypatch):
    """An instance folder as the JSON-file version left it."""
    now = datetime.now(UTC).replace(microsecond=0)  # the import keeps locks running at its time
    monkeypatch.setenv("KECHUANG_STATE", state_url)
    monkeypatch.setenv("KECHUANG_SECRET", "k" * 40)
    folder = tmp_path / "instance"
    folder.mkdir()
    monkeypatch.setenv("KECHUANG_USERS", str(folder / "users.json"))
    users = {
        "analyst": {
            "role": "analyst",
            "towns": [],
            "display_name": "王分析",
            "password_hash": HASHER.hash("old-password-1"),
            "created_at": CREATED.isoformat(),
            "password_changed_at": CREATED.isoformat(),
        },
        "changsha": {
            "role": "town",
            "towns": ["长沙镇"],
            "display_name": "",
            "password_hash": HASHER.hash("old-password-2"),
            "created_at": CREATED.isoformat(),
            "password_changed_at": CREATED.isoformat(),
        },
    }
    (folder / "users.json").write_text(json.dumps({"version": 1, "users": users}), "utf-8")
    attempts = {
        "changsha": {"failures": [], "locked_until": (now + timedelta(minutes=10)).timestamp()},
        "stale": {"failures": [(now - timedelta(hours=2)).timestamp()]},
    }
    (folder / "users.attempts.json").write_text(json.dumps(attempts), "utf-8")
    expires = (now + timedelta(days=3)).replace(microsecond=0)
    payload = {"i": "abc123", "p": "progress", "d": "2026-10-31", "t": "长沙镇"}
    token = share._serializer(folder).dumps({**payload, "e": int(expires.timestamp())})
    links = {
        "abc123": {
            "page": "progress",
            "as_of": "2026-10-31",
            "town": "长沙镇",
            "created_by": "analyst",
            "created_at": CREATED.isoformat(),
            "expires_at": expires.isoformat(),
            "revoked_at": None,
            "revoked_by": None,
        },
        "gone01": {
            "page": "overview",
            "as_of": "2026-09-30",
            "town": None,
            "created_by": "admin",
            "created_at": CREATED.isoformat(),
            "expires_at": expires.isoformat(),
            "revoked_at": CREATED.isoformat(),
            "revoked_by": "admin",
        },
    }
    (folder / "share_links.json").write_text(json.dumps({"version": 1, "links": links}), "utf-8")
    lines = [
        {"at": "2026-10-31T01:30:00+00:00", "user": "analyst", "role": "analyst",
         "action": "login", "detail": "", "scope": None},
        {"at": "2026-10-31T01:31:00+00:00", "user": "changsha", "role": "town",
         "action": "download", "detail": "清单.csv", "scope": ["长沙镇"]},
    ]  # fmt: skip
    text = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines)
    (folder / "audit.jsonl").write_text(text + "\n" + '{"at": "2026-10-3\n', "utf-8")
    return folder, token


def test_the_first_start_imports_everything_and_keeps_the_files(old_instance):
    folder, token = old_instance
    originals = {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix != ".key"}
    assert [
        (u.name, u.role, u.towns, u.display_name) for u in auth.list_users(auth.users_path())
    ] == [
        ("analyst", "analyst", frozenset(), "王分析"),
        ("changsha", "town", frozenset({"长沙镇"}), ""),
    ]
    eng = db.instance(folder)
    assert legacy.imported(eng) == {"users": 2, "attempts": 1, "share_links": 2, "audit": 2}
    for name, content in originals.items():  # kept, renamed, byte for byte
        assert not (folder / name).exists()
        assert (folder / f"{name}.imported").read_bytes() == content
    # the old password hash still signs in; the running lock still holds
    assert signin.login(folder / "users.json", "analyst", "old-password-1").user.name == "analyst"
    with pytest.raises(signin.LoginLocked, match="请 10 分钟后再试"):
        signin.login(folder / "users.json", "changsha", "old-password-2")
    # the link still opens, the revoked one stays revoked
    view = share.open_link(token, record=False)
    assert (view.token_id, view.town, view.as_of) == ("abc123", "长沙镇", date(2026, 10, 31))
    assert share.list_links().select("token_id", "status").sort("token_id").rows() == [
        ("abc123", "active"),
        ("gone01", "revoked"),
    ]
    events = audit.read().head(2)
    assert events.select("at", "user_name", "action", "detail", "scope").rows() == [
        (datetime(2026, 10, 31, 9, 30), "analyst", "login", "", "全县"),
        (datetime(2026, 10, 31, 9, 31), "changsha", "download", "清单.csv", "长沙镇"),
    ]


def test_a_second_start_imports_nothing(old_instance):
    folder, _ = old_instance
    auth.list_users(auth.users_path())
    eng = db.instance(folder)
    counts = {t.name: legacy.count(eng, t) for t in (schema.accounts, schema.audit_log)}
    db.dispose()  # a restart
    # even a users file put back (a restored backup) is not imported over the database
    (folder / "users.json").write_bytes((folder / "users.json.imported").read_bytes())
    auth.remove_user(folder / "users.json", "changsha")
    eng = db.instance(folder)
    assert legacy.imported(eng) == {"users": 2, "attempts": 1, "share_links": 2, "audit": 2}
    assert [u.name for u in auth.list_users(auth.users_path())] == ["analyst"]
    assert legacy.count(eng, schema.audit_log) == counts["audit_log"]
    assert (folder / "users.json").exists()  # left alone, not renamed again


def test_an_unreadable_file_stops_the_import_and_writes_nothing(old_instance):
    folder, _ = old_instance
    (folder / "share_links.json").write_text("{broken", "utf-8")
    with pytest.raises(auth.AccountError, match="分享链接记录无法导入.*share_links.json"):
        auth.list_users(auth.users_path())
    db.dispose()
    eng = db.engine(db.state_url(folder))
    assert legacy.imported(eng) == {} and legacy.count(eng, schema.accounts) == 0
    assert (folder / "users.json").exists() and (folder / "audit.jsonl").exists()


def test_the_audit_log_named_by_kechuang_audit_is_imported(old_instance, tmp_path, monkeypatch):
    folder, _ = old_instance
    elsewhere = tmp_path / "var" / "log.jsonl"
    elsewhere.parent.mkdir()
    (folder / "audit.jsonl").rename(elsewhere)
    monkeypatch.setenv("KECHUANG_AUDIT", str(elsewhere))
    assert audit.read()["action"].to_list() == ["login", "download"]
    assert (tmp_path / "var" / "log.jsonl.imported").exists()
