"""Issue 17's reproductions of exposure and abuse: the server on loopback, demo accounts only
from it, share-token spellings, passwords, the CLI's audit trail and the ingest's file modes."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from fixtures import firm, sign_in, uscc, write_warehouse
from streamlit.testing.v1 import AppTest

from kechuang.access import audit, auth

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def county(tmp_path, monkeypatch):
    data = write_warehouse(tmp_path / "data", enterprises=[firm(1), firm(2, town="长沙镇")])
    monkeypatch.setenv("KECHUANG_DATA", str(data))
    return data


# -- item 8: exposure by default -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("ip", "headers", "local"),
    [
        (None, {}, True),  # Streamlit says None for a browser on localhost
        ("127.0.0.1", {}, True),
        ("::1", {}, True),
        ("192.168.1.20", {}, False),
        (None, {"X-Forwarded-For": "203.0.113.7"}, False),
        (None, {"X-Forwarded-For": "127.0.0.1, 10.0.0.3"}, False),
        (None, {"x-real-ip": "127.0.0.1"}, True),
        (None, {"Forwarded": 'for="[2001:db8::1]:4711";proto=http'}, False),
    ],
)
def test_a_client_is_local_only_on_loopback_without_a_remote_proxy_hop(ip, headers, local):
    from kechuang.access import http

    assert http.is_local_client(ip, headers) is local


def test_allowed_hosts_default_to_this_machine(monkeypatch):
    from kechuang.access import http

    monkeypatch.delenv("KECHUANG_ALLOWED_HOSTS", raising=False)
    assert http.allowed_hosts() == ["localhost", "127.0.0.1"]
    monkeypatch.setenv("KECHUANG_ALLOWED_HOSTS", " kechuang.rudong.example, ,*.rudong.gov ")
    assert http.allowed_hosts() == ["kechuang.rudong.example", "*.rudong.gov"]


def test_make_run_binds_loopback_unless_told():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "HOST    ?= 127.0.0.1" in makefile
    assert "streamlit run serve.py --server.address $(HOST)" in makefile


def test_demo_accounts_are_neither_listed_nor_accepted_from_another_machine(monkeypatch):
    from kechuang.ui import cache, login

    monkeypatch.delenv("KECHUANG_DATA", raising=False)  # the demo data: demo accounts exist
    monkeypatch.setattr(login, "local_client", lambda: False)
    monkeypatch.setattr(cache, "prepare_in_background", lambda: None)  # no data read
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if "_kechuang_session" in at.session_state:
        del at.session_state["_kechuang_session"]
    at.run()
    shown = " ".join(i.value for i in at.info)
    assert "demo-analyst" not in shown and "演示账户只能在服务器本机登录" in shown
    at.text_input[0].input("analyst")
    at.text_input[1].input("demo-analyst")
    next(b for b in at.button if b.label == "登录").click().run()
    assert [e.value for e in at.error] == [login.DEMO_REMOTE]
    assert "_kechuang_session" not in at.session_state
    assert audit.read()["action"].to_list()[-1] == "login_failed"


# -- item 9: a share token opens only in the spelling it was made with ---------------------------

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def spellings_of(token: str) -> list[str]:
    """The three spellings issue 17 found accepted: trailing '=', other unused bits, non-ASCII."""
    last = token[-1]
    flipped = B64[B64.index(last) ^ 1]  # 20 signature bytes in 27 characters: 2 bits unused
    return [token + "=", token[:-1] + flipped, token[:-3] + "é" + token[-3:]]


def test_a_share_token_opens_only_in_its_canonical_spelling(tmp_path):
    from kechuang.access import share

    url, _ = share.create_link(
        "http://kechuang.test", "progress", date(2026, 10, 31), None, "analyst"
    )
    token = url.split("?share=")[1]
    assert share.open_link(token).page == "progress"
    for variant in spellings_of(token):
        with pytest.raises(share.ShareLinkError, match="签名无效"):
            share.open_link(variant)
    refused = audit.read().filter(pl.col("action") == "share_rejected")["detail"].to_list()
    assert len(refused) == 3 and len(set(refused)) == 3  # each attempt told apart
    assert all(d.startswith(f"签名无效（{token[:12]}…，") and "摘要 " in d for d in refused)
    assert len(audit.read().filter(pl.col("action") == "share_opened")) == 1


# -- item 10: the password policy, on every way an account gets a password -----------------------


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("12345678", "密码至少 10 个字符（现为 8 个）"),
        ("password", "密码至少 10 个字符（现为 8 个）"),
        ("1234567890", "密码太容易被猜到（这是最常见的一百个密码之一）"),
        ("qwertyuiop", "密码太容易被猜到（这是最常见的一百个密码之一）"),
        ("passwordpassword", "密码太容易被猜到（“abcabcabc”这样的重复"),
        ("Kechuang2026", "密码太容易被猜到："),  # the dashboard's own name
        ("changsha2026", "密码太容易被猜到："),  # the account's name
        ("CHANGSHA12", "密码太容易被猜到"),
        ("correct-horse-9", None),
        ("如东科创驾驶舱2026年", None),
    ],
)
def test_check_password(password, problem):
    from kechuang.access.passwords import check_password

    found = check_password(password, ("changsha", "长沙镇演示账户"))
    assert found == problem if problem is None else found.startswith(problem), found


@pytest.mark.parametrize("weak", ["12345678", "password"])
def test_the_cli_refuses_weak_passwords_for_new_and_changed_accounts(weak, monkeypatch, capsys):
    import sys

    from kechuang.cli import main

    for argv in (
        ["users", "add", "bob", "--role", "analyst", "--password-stdin"],
        ["users", "passwd", "analyst", "--password-stdin"],
    ):
        monkeypatch.setattr(sys, "stdin", io.StringIO(weak + "\n"))
        assert main(argv) == 2
        assert capsys.readouterr().err == "错误：密码至少 10 个字符（现为 8 个）\n"
    assert "bob" not in {u.name for u in auth.list_users(auth.users_path())}


def test_the_admin_page_refuses_weak_passwords(county):
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), "admin")
    at.run()
    at.switch_page("views/admin.py").run()
    fields = {t.label: t for t in at.text_input}
    fields["用户名（小写字母开头）"].input("bob")
    fields["初始密码（至少 10 位）"].input("password")
    next(b for b in at.button if b.label == "新增").click().run()
    assert "密码至少 10 个字符（现为 8 个）" in [e.value for e in at.error]
    assert "bob" not in {u.name for u in auth.list_users(auth.users_path())}
    fields = {t.label: t for t in at.text_input}
    next(s for s in at.selectbox if s.label == "账户").set_value("leader")
    fields["新密码（重设时填写）"].input("12345678")
    next(b for b in at.button if b.label == "重设密码").click().run()
    assert "密码至少 10 个字符（现为 8 个）" in [e.value for e in at.error]


# -- item 11: the CLI's reads and changes are audited; ingested tax data is not world-readable ---


def os_user() -> str:
    import getpass

    return getpass.getuser()


def test_cli_ingest_rollback_and_reads_are_audited(tmp_path, capsys):
    import stat

    from kechuang.cli import main

    data = tmp_path / "data"
    source = tmp_path / "企业.csv"
    source.write_text(
        f"统一社会信用代码,企业名称,所属镇区\n{uscc(1)},甲,长沙镇\nBAD,乙,长沙镇\n",
        encoding="utf-8",
    )
    assert main(["ingest", str(source), "--data", str(data), "--user", "王五"]) == 0
    assert main(["ingest", "--rollback", "enterprises", "--data", str(data)]) == 0
    assert main(["ingest", str(source), "--data", str(data)]) == 0
    common = ["--data", str(data), "--as-of", "2026-10-31", "--json"]
    for argv in (
        ["profile", uscc(1), *common, "--as-user", "changsha"],
        ["screen", "--all", *common, "--as-user", "leader"],
        ["rd-zero", *common],
        ["gazelle", *common, "--as-user", "leader"],
        ["check", *common, "--as-user", "changsha"],
    ):
        assert main(argv) == 0, capsys.readouterr().err
    capsys.readouterr()
    events = audit.read().select("user_name", "role", "action", "detail", "scope").to_dicts()
    me = f"cli:{os_user()}"
    tail = f"（命令行，系统用户 {os_user()}）"
    assert [(e["user_name"], e["action"]) for e in events] == [
        (me, "ingest"),
        (me, "ingest"),
        (me, "ingest"),
        ("changsha", "view_enterprise_file"),
        ("leader", "download"),
        (me, "download"),
        ("leader", "download"),
        ("changsha", "download"),
    ]
    assert events[0]["detail"] == (
        "导入 enterprises（企业.csv），方式 replace：接受 1 行，未导入 1 行，版本 "
        + events[0]["detail"].split("版本 ")[1].split("，")[0]
        + "，经办人 王五"
        + tail
    )
    assert events[1]["detail"].startswith("回退 enterprises：恢复版本 （无）") and events[1][
        "detail"
    ].endswith(tail)
    assert events[3]["detail"] == f"{uscc(1)} 甲{tail}" and events[3]["scope"] == "长沙镇"
    assert events[4]["detail"].startswith("screen 高企精准筛选全部参评企业 ")
    assert events[7]["detail"].startswith("check 数据质量检查 ") and events[7]["scope"] == "长沙镇"

    # 0640 files in 0750 folders, whatever the umask of the shell that ran the ingest
    written = [p for p in data.rglob("*") if not p.is_symlink()]
    assert written
    for p in written:
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode & 0o027 == 0, (p, oct(mode))  # no group write, nothing for others
    rejects = list((data / "_rejects").glob("*.csv"))
    assert rejects and all(stat.S_IMODE(p.stat().st_mode) == 0o640 for p in rejects)
    versions = [p for p in (data / "_versions" / "enterprises").iterdir() if p.suffix == ".parquet"]
    assert versions and all(stat.S_IMODE(p.stat().st_mode) == 0o640 for p in versions)
    assert stat.S_IMODE((data / "_versions").stat().st_mode) == 0o750
