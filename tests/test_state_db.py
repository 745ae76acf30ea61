"""The state database itself: migrations on SQLite and PostgreSQL, SQLite's settings, the audit
triggers."""

import os
import stat
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.exc import DBAPIError

from kechuang.state import db, schema


def test_engine_migrates_to_head_and_matches_the_metadata(state_url):
    eng = db.engine(state_url)
    assert db.current_revision(eng) == db.head_revision()
    with eng.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), schema.metadata) == []
    assert db.engine(state_url) is eng  # one engine per URL


def test_first_revision_is_0001_initial():
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(db.alembic_config())
    assert scripts.get_base() == "0001_initial"


def test_upgrade_twice_changes_nothing(state_url):
    eng = db.engine(state_url)
    db.upgrade(eng)
    assert db.current_revision(eng) == db.head_revision()


def test_a_database_at_head_is_opened_without_alembic(state_url, monkeypatch):
    """Issue 23: a fresh server's first page spent ≈ 0.5 s in alembic finding nothing to do."""
    assert db.head_revision() == db.HEAD  # the constant follows the newest migration
    fresh = db.create(state_url)
    assert not db.at_head(fresh)  # before the first migration: no alembic_version table
    db.upgrade(fresh, "0001_initial")
    assert not db.at_head(fresh)
    db.upgrade(fresh)
    assert db.at_head(fresh)
    fresh.dispose()
    db.dispose(state_url)

    def no_alembic(*_args, **_kw):
        raise AssertionError("alembic ran on a database already at head")

    monkeypatch.setattr(db, "upgrade", no_alembic)
    assert db.current_revision(db.engine(state_url)) == db.HEAD


def test_timestamps_come_back_aware_and_equal(state_url):
    eng = db.engine(state_url)
    at = datetime(2026, 10, 31, 23, 59, 59, 123456, tzinfo=UTC)
    with eng.begin() as conn:
        conn.execute(
            insert(schema.audit_log).values(
                at=at, user_name="a", role=None, action="login", detail="", scope=["长沙镇"]
            )
        )
    with eng.connect() as conn:
        row = conn.execute(select(schema.audit_log)).one()
    assert row.at == at and row.at.tzinfo is not None
    assert row.scope == ["长沙镇"]


def test_audit_log_refuses_update_and_delete(state_url):
    eng = db.engine(state_url)
    with eng.begin() as conn:
        conn.execute(
            insert(schema.audit_log).values(
                at=datetime.now(UTC), user_name="a", action="login", detail=""
            )
        )
    for statement in (update(schema.audit_log).values(detail="x"), delete(schema.audit_log)):
        with pytest.raises(DBAPIError, match="append only"), eng.begin() as conn:
            conn.execute(statement)
    with eng.connect() as conn:
        assert conn.execute(select(schema.audit_log.c.detail)).scalars().all() == [""]


def test_sqlite_default_is_private_wal_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("KECHUANG_STATE", raising=False)
    monkeypatch.setenv("KECHUANG_USERS", str(tmp_path / "inst" / "users.json"))
    url = db.state_url()
    assert url == f"sqlite:///{tmp_path / 'inst' / 'state.db'}"
    eng = db.engine(url)
    try:
        with eng.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == db.SQLITE_BUSY_MS
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert stat.S_IMODE(os.stat(tmp_path / "inst" / "state.db").st_mode) == 0o600
    finally:
        db.dispose(url)


def test_kechuang_state_names_the_database(monkeypatch):
    monkeypatch.setenv("KECHUANG_STATE", "postgresql+psycopg://u:secret@127.0.0.1/k")
    assert db.state_url() == "postgresql+psycopg://u:secret@127.0.0.1/k"
    assert db.describe(db.state_url()) == "postgresql+psycopg://u:***@127.0.0.1/k"


def test_cli_db_upgrade_migrates_then_says_it_is_current(state_url, capsys):
    from kechuang.cli import main

    assert main(["db", "upgrade", "--url", state_url]) == 0
    assert f"（空） → {db.head_revision()}" in capsys.readouterr().out
    assert main(["db", "upgrade", "--url", state_url]) == 0
    assert f"已是最新结构（{db.head_revision()}）" in capsys.readouterr().out


def test_cli_db_upgrade_names_an_unreachable_database(capsys):
    from kechuang.cli import main

    url = "postgresql+psycopg://u:pw@127.0.0.1:9/k"
    assert main(["db", "upgrade", "--url", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：状态数据库无法升级（postgresql+psycopg://u:***@127.0.0.1:9/k）")
    assert "pw" not in err


def test_a_sqlite_read_does_not_wait_for_the_writer_but_a_write_does(tmp_path):
    """db.read's transaction is a plain BEGIN (WAL: readers never wait), every other one BEGIN
    IMMEDIATE (it waits for the writer, then fails with "database is locked" after the busy
    timeout): the page's per-rerun reads no longer queue behind each other (issue 23)."""
    url = f"sqlite:///{tmp_path / 'state.db'}"
    eng = db.engine(url)
    impatient = db.create(url)  # the same database, waiting 0.2 s for the writer instead of 15

    @event.listens_for(impatient, "connect")
    def _short(dbapi_conn, _record):
        dbapi_conn.execute("PRAGMA busy_timeout=200")

    count = "SELECT count(*) FROM accounts"
    now = datetime(2026, 10, 31, tzinfo=UTC)
    account = {
        "name": "a",
        "role": "analyst",
        "towns": [],
        "password_hash": "x",
        "created_at": now,
        "password_changed_at": now,
    }
    try:
        with eng.begin() as writer:  # holds the write lock until the block ends
            writer.execute(insert(schema.accounts).values(**account))
            with db.read(impatient) as reader:  # sees the last commit, at once
                assert reader.exec_driver_sql(count).scalar() == 0
            with (
                pytest.raises(DBAPIError, match="database is locked"),
                impatient.connect() as other,
            ):
                other.exec_driver_sql(count).scalar()
        with db.read(impatient) as reader:
            assert reader.exec_driver_sql(count).scalar() == 1
    finally:
        impatient.dispose()
        db.dispose(url)
