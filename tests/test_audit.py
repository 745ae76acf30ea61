"""The audit log: one JSON line per event, appended safely, read back as a frame in Beijing time."""

from __future__ import annotations

import json
import stat
import threading
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from kechuang.access import audit, auth

T0 = datetime(2026, 10, 31, 1, 30, tzinfo=UTC)  # 9:30 Beijing time
TOWN = auth.User("changsha", "town", frozenset({"长沙镇", "洋口镇"}), "张三")
ANALYST = auth.User("analyst", "analyst")


@pytest.fixture(autouse=True)
def paths(monkeypatch, tmp_path):
    monkeypatch.setenv("KECHUANG_USERS", str(tmp_path / "instance" / "users.json"))
    monkeypatch.delenv("KECHUANG_AUDIT", raising=False)


def test_records_are_appended_and_read_back(tmp_path):
    log = tmp_path / "instance" / "audit.jsonl"
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
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    assert json.loads(lines[0]) == {
        "at": "2026-10-31T01:30:00+00:00",
        "user": "changsha",
        "role": "town",
        "action": "view_enterprise_file",
        "detail": "91320623MA0000001X 如东测试1号",
        "scope": ["洋口镇", "长沙镇"],
    }
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


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


def test_an_absent_log_reads_as_an_empty_frame_and_bad_lines_are_skipped(tmp_path):
    empty = audit.read()
    assert empty.height == 0 and empty.schema == pl.Schema(audit.columns())
    log = tmp_path / "instance" / "audit.jsonl"
    audit.record(ANALYST, "logout", now=T0)
    with open(log, "a", encoding="utf-8") as f:
        f.write('{"at": "2026-10-31T0\n')
    audit.record(ANALYST, "login", now=T0)
    assert audit.read()["action"].to_list() == ["logout", "login"]


def test_unknown_actions_are_refused_and_long_details_cut():
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(ANALYST, "looked_around")
    audit.record(ANALYST, "export", "x" * 2000, now=T0)
    assert len(audit.read()["detail"][0]) == audit.MAX_DETAIL


def test_the_path_comes_from_the_environment_or_beside_the_users_file(tmp_path, monkeypatch):
    assert audit.default_path() == tmp_path / "instance" / "audit.jsonl"
    assert audit.default_path(tmp_path / "etc") == tmp_path / "etc" / "audit.jsonl"
    monkeypatch.setenv("KECHUANG_AUDIT", str(tmp_path / "var" / "log.jsonl"))
    audit.record(ANALYST, "login", now=T0)
    assert audit.default_path(tmp_path / "etc") == tmp_path / "var" / "log.jsonl"
    assert (tmp_path / "var" / "log.jsonl").is_file() and audit.read().height == 1


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
    lines = (tmp_path / "instance" / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 800
    frame = audit.read()
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
