"""The audit log: one row per event in the state database, appended safely, read back in Beijing
time."""

from __future__ import annotations

import json
import stat
import threading
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from kechuang.access import audit, auth
from kechuang.state import schema

T0 = datetime(2026, 10, 31, 1, 30, tzinfo=UTC)  # 9:30 Beijing time
TOWN = auth.User("changsha", "town", frozenset({"长沙镇", "洋口镇"}), "张三")
ANALYST = auth.User("analyst", "analyst")


@pytest.fixture(autouse=True)
def paths(monkeypatch, tmp_path):
    monkeypatch.setenv("KECHUANG_USERS", str(tmp_path / "instance" / "users.json"))
    monkeypatch.delenv("KECHUANG_AUDIT", raising=False)


def test_records_are_appended_and_read_back(tmp_path):
    audit.record(TOWN, "view_enterprise_file", "91320623MA0000001X 如东测试1号", now=T0)
    audit.record(
        ANALYST,
        "export",
        "简报_20261031.xlsx",
        frozenset({"长沙镇"}),
        now=T0 + timedelta(minutes=5),
    )
    audit.record("mallory", "login_failed", "第 1 次失败", None, now=T0 + timedelta(hours=15))
    frame = audit.read()
    assert frame.schema == pl.Schema(audit.columns())
    assert frame.rows() == [
        (
            datetime(2026, 10, 31, 9, 30),
            "changsha",
            "town",
            "镇区",
            "view_enterprise_file",
            "查看一企一档",
            "91320623MA0000001X 如东测试1号",
            "洋口镇、长沙镇",
        ),  # left out, the scope is the user's own
        (
            datetime(2026, 10, 31, 9, 35),
            "analyst",
            "analyst",
            "分析员",
            "export",
            "导出简报",
            "简报_20261031.xlsx",
            "长沙镇",
        ),
        (
            datetime(2026, 11, 1, 0, 30),
            "mallory",
            None,
            "—",
            "login_failed",
            "登录失败",
            "第 1 次失败",
            "全县",
        ),
    ]
    with auth.store().connect() as conn:
        first = conn.execute(schema.audit_log.select().order_by(schema.audit_log.c.id)).first()
    assert first._asdict() == {
        "id": 1,
        "at": T0,
        "user_name": "changsha",
        "role": "town",
        "action": "view_enterprise_file",
        "detail": "91320623MA0000001X 如东测试1号",
        "scope": ["洋口镇", "长沙镇"],
    }
    assert stat.S_IMODE((tmp_path / "instance" / "state.db").stat().st_mode) == 0o600
    exported = [json.loads(line) for line in audit.jsonl(frame).decode("utf-8").splitlines()]
    assert exported[2] == {
        "at": "2026-11-01T00:30:00",
        "user_name": "mallory",
        "role": None,
        "role_label": "—",
        "action": "login_failed",
        "action_label": "登录失败",
        "detail": "第 1 次失败",
        "scope": "全县",
    }


def test_read_since_a_date_or_a_time(tmp_path):
    for minutes in (0, 60, 24 * 60):
        audit.record(ANALYST, "download", str(minutes), now=T0 + timedelta(minutes=minutes))
    assert audit.read(since=datetime(2026, 10, 31, 10, 30))["detail"].to_list() == [
        "60",
        "1440",
    ]  # naive = Beijing time
    assert audit.read(since=datetime(2026, 10, 31, 2, 31, tzinfo=UTC))["detail"].to_list() == [
        "1440"
    ]
    assert audit.read(since=date(2026, 11, 1))["detail"].to_list() == [
        "1440"
    ]  # from 0:00 Beijing time
    assert audit.read(since=date(2026, 10, 31)).height == 3


def test_an_empty_log_reads_as_an_empty_frame_and_equal_times_keep_their_order(tmp_path):
    empty = audit.read()
    assert empty.height == 0 and empty.schema == pl.Schema(audit.columns())
    audit.record(ANALYST, "logout", now=T0)
    audit.record(ANALYST, "login", now=T0)
    assert audit.read()["action"].to_list() == ["logout", "login"]


def test_unknown_actions_are_refused_and_long_details_cut():
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(ANALYST, "looked_around")
    audit.record(ANALYST, "export", "x" * 2000, now=T0)
    assert len(audit.read()["detail"][0]) == audit.MAX_DETAIL


def test_the_log_is_the_instance_folders_database_and_path_names_another(tmp_path):
    assert audit.default_path() == tmp_path / "instance" / "audit.jsonl"
    assert audit.default_path(tmp_path / "etc") == tmp_path / "etc" / "audit.jsonl"
    audit.record(ANALYST, "login", now=T0)
    audit.record(ANALYST, "logout", now=T0, path=tmp_path / "etc" / "audit.jsonl")
    assert audit.read()["action"].to_list() == ["login"]
    assert audit.read(path=tmp_path / "etc" / "audit.jsonl")["action"].to_list() == ["logout"]
    assert (tmp_path / "etc" / "state.db").is_file()
    assert not (tmp_path / "instance" / "audit.jsonl").exists()


def test_the_database_refuses_to_change_or_delete_events():
    from sqlalchemy.exc import DBAPIError

    audit.record(ANALYST, "login", now=T0)
    with pytest.raises(DBAPIError, match="append only"), auth.store().begin() as conn:
        conn.execute(schema.audit_log.delete())
    assert audit.read().height == 1


def test_an_unreachable_database_is_an_oserror_the_cli_reports(monkeypatch):
    monkeypatch.setenv("KECHUANG_STATE", "postgresql+psycopg://u@127.0.0.1:9/none")
    with pytest.raises(OSError, match="审计日志无法写入"):
        audit.record(ANALYST, "login", now=T0)


def test_concurrent_appends_keep_every_line_whole(tmp_path):
    detail = "长" * 400  # ~1.2 kB per line, so interleaving would show

    def writer(n: int) -> None:
        for i in range(100):
            audit.record(auth.User(f"user{n}", "analyst"), "download", f"{i} {detail}", now=T0)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    frame = audit.read()
    assert set(frame["detail"]) == {f"{i} {detail}" for i in range(100)}  # every event whole
    assert frame.height == 800
    assert frame.group_by("user_name").len().sort("user_name")["len"].to_list() == [100] * 8


def test_a_download_is_built_and_recorded_only_when_fetched():
    built = []

    def build():
        built.append(1)
        return b"csv"

    fetch = audit.on_fetch(build, TOWN, "download", "清单.csv", frozenset({"长沙镇"}))
    assert built == [] and audit.read().height == 0  # drawing the button builds and records nothing
    assert fetch() == b"csv" and fetch() == b"csv"  # each fetch is a download, and is recorded
    assert built == [1, 1]
    assert (
        audit.read().select("user_name", "action", "detail", "scope").rows()
        == [("changsha", "download", "清单.csv", "长沙镇")] * 2
    )
    assert (
        audit.on_fetch(b"xlsx", ANALYST, "export", "简报.xlsx", None)() == b"xlsx"
    )  # bytes pass through
    assert audit.read()["scope"].to_list()[-1] == "全县"


def test_a_download_after_the_session_ended_yields_no_file_and_no_record():
    def ended():
        raise auth.SessionExpired("已 30 分钟无操作，请重新登录")

    fetch = audit.on_fetch(
        lambda: pytest.fail("built after the session ended"),
        ANALYST,
        "download",
        "x.csv",
        None,
        check=ended,
    )
    with pytest.raises(auth.SessionExpired, match="30 分钟"):
        fetch()
    assert audit.read().height == 0
