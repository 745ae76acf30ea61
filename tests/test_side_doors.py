"""Issue 17's reproductions (injection into files and pages, exposure, passwords, share tokens,
audit), each with the attacker's exact string."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from fixtures import firm, sign_in, uscc, write_warehouse
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from kechuang.access import audit, auth
from kechuang.engine.warehouse import Warehouse
from kechuang.output import tables, workbook
from kechuang.zh import fmt

ROOT = Path(__file__).resolve().parent.parent
HYPERLINK = '=HYPERLINK("http://x.example/?q=leak","y")'
FORMULAS = [HYPERLINK, "=cmd|' /C calc'!A0", "@SUM(1)", "+1", "-1"]
IMAGE = "![t](http://127.0.0.1:8699/track.png)测试"
PHISH = "[请点此重新登录](http://x.example/phish)"


def html(markdown: str) -> str:
    """What a CommonMark renderer (as Streamlit's) makes of a string."""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


# -- item 3: CSV formula injection ---------------------------------------------------------------


def csv_rows(data: bytes) -> list[list[str]]:
    import csv

    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_cells_that_would_run_as_formulas_start_with_a_quote():
    frame = pl.DataFrame(
        {
            "企业名称": [*FORMULAS, "\tx", "\rx", "正常名称", None],
            "金额（万元）": [1.5, -1.0, -2.25, 0.0, 3.0, 4.0, 5.0, 6.0, None],
            "家数": [1, -2, 3, 4, 5, 6, 7, 8, 9],
        }
    )
    rows = csv_rows(tables.csv_bytes(frame))
    assert [r[0] for r in rows[1:]] == [
        "'" + HYPERLINK,
        "'=cmd|' /C calc'!A0",
        "'@SUM(1)",
        "'+1",
        "'-1",
        "'\tx",
        "'\rx",
        "正常名称",
        "",
    ]
    # numbers stay numbers: a negative amount is not a formula and gets no quote
    assert [r[1] for r in rows[1:]] == [
        "1.5",
        "-1.0",
        "-2.25",
        "0.0",
        "3.0",
        "4.0",
        "5.0",
        "6.0",
        "",
    ]
    assert [r[2] for r in rows[1:]] == ["1", "-2", "3", "4", "5", "6", "7", "8", "9"]


def test_a_login_attempt_with_a_formula_name_is_neutral_in_the_audit_csv(monkeypatch, tmp_path):
    data = write_warehouse(tmp_path / "data", enterprises=[firm(1)])
    monkeypatch.setenv("KECHUANG_DATA", str(data))
    with pytest.raises(auth.LoginError):
        auth.login(auth.users_path(), HYPERLINK, "wrong-password")
    files: list[bytes] = []
    monkeypatch.setattr(
        audit, "on_fetch", lambda d, *a, **k: files.append(d() if callable(d) else d) or files[-1]
    )
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), "admin")
    at.run()
    files.clear()  # the overview's tables
    at.switch_page("views/admin.py").run()
    assert not at.exception
    csv = next(f for f in files if f.decode("utf-8", "replace").startswith("\ufeff时间,账户"))
    names = [r[1] for r in csv_rows(csv)[1:]]
    # the name is recorded as typed (lower-cased, as every login name), behind a quote
    assert names == ["'" + HYPERLINK.lower()]


def test_ingest_rejects_are_written_through_the_same_csv_writer(tmp_path):
    from kechuang import ingest

    source = tmp_path / "企业.csv"
    source.write_text(
        f"统一社会信用代码,企业名称,所属镇区\n{uscc(1)},甲,掘港街道\nBAD,{'@SUM(1)'},掘港街道\n",
        encoding="utf-8",
    )
    (result,) = ingest.ingest(
        tmp_path / "data", [ingest.Source.from_path(source)], user="t", rejects_dir=tmp_path / "r"
    )
    written = [p for paths in result.rejects_paths.values() for p in paths]
    assert written and "'@SUM(1)" in Path(written[0]).read_text(encoding="utf-8-sig")


# -- item 4: the briefing workbook writes text, never formulas -----------------------------------


def test_a_town_named_like_a_formula_stays_text_in_the_briefing(tmp_path):
    data = write_warehouse(
        tmp_path / "data",
        enterprises=[firm(1, town=HYPERLINK), firm(2, town="长沙镇")],
        tech_contracts=[
            {
                "contract_id": "T1",
                "uscc": uscc(1),
                "amount_wan": 12.5,
                "registered_on": date(2026, 10, 30),
                "role": "卖方",
            }
        ],
    )
    book = workbook.briefing_workbook(Warehouse(data), date(2026, 10, 31), HYPERLINK)
    with zipfile.ZipFile(io.BytesIO(book)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(re.search(rb"<f[ >]", z.read(n)) for n in sheets)
        assert not [n for n in z.namelist() if "hyperlink" in n.lower() and "sheet" in n]
    wb = openpyxl.load_workbook(io.BytesIO(book))
    cover = wb.worksheets[0]
    scope = next(r for r in cover.iter_rows() if r[0].value == "范围")[1]
    assert scope.value == HYPERLINK and scope.data_type == "s"
    progress = wb.worksheets[1]
    header = next(r for r in progress.iter_rows() if any(c.value == "口径" for c in r))
    col = next(c.column for c in header if c.value == "口径")
    scopes = [
        progress.cell(row=r, column=col)
        for r in range(header[0].row + 1, progress.max_row + 1)
        if progress.cell(row=r, column=col).value
    ]
    assert scopes and {c.value for c in scopes} <= {HYPERLINK, "全县"}
    assert all(c.data_type == "s" for c in scopes)


def test_every_workbook_refuses_to_turn_strings_into_formulas_or_links():
    frame = pl.DataFrame({"企业名称": FORMULAS + ["http://x.example/"], "n": [1.0] * 6})
    book = openpyxl.load_workbook(io.BytesIO(tables.xlsx_bytes(frame)))
    cells = [c for row in book.active.iter_rows(min_row=2, max_col=1) for c in row]
    assert [c.value for c in cells] == FORMULAS + ["http://x.example/"]
    assert all(c.data_type == "s" and c.hyperlink is None for c in cells)


# -- item 5: markdown injection ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [IMAGE, PHISH, "a_b_c", "<img src=x onerror=alert(1)>", "# 标题\n- 列表", ":red[红] $x$"],
)
def test_md_shows_the_string_as_typed(text):
    rendered = html(fmt.md(text))
    assert "<img" not in rendered and "<a " not in rendered and "<em>" not in rendered
    assert "<h1" not in rendered and "<li>" not in rendered
    # the visible text is the input (line breaks become spaces)
    visible = re.sub(r"<[^>]+>", "", rendered).strip()
    import html as html_lib

    assert html_lib.unescape(visible) == " ".join(text.splitlines())


@pytest.fixture
def county(tmp_path, monkeypatch):
    data = write_warehouse(
        tmp_path / "data",
        enterprises=[firm(1, name=IMAGE, town="长沙镇"), firm(2, name="甲_乙_丙科技")],
    )
    monkeypatch.setenv("KECHUANG_DATA", str(data))
    return data


def enterprise_page(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page("views/enterprise.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_firm_named_like_an_image_loads_nothing_on_its_file(county):
    at = enterprise_page(uscc=uscc(1), as_of="2026-10-31")
    assert at.header[0].value == fmt.md(IMAGE)
    assert "<img" not in html(at.header[0].value) and "![t]" in html(at.header[0].value)


def test_a_link_in_the_uscc_parameter_is_not_clickable_in_the_error(county):
    at = enterprise_page(uscc=PHISH)
    (error,) = at.error
    assert "<a " not in html(error.value)
    assert "请点此重新登录" in error.value and "](http" not in error.value


def test_an_underscore_in_the_search_box_does_not_italicise_the_message(county):
    at = enterprise_page()
    at.text_input(key="enterprise_search").input("无_此_企业").run()
    info = next(i for i in at.info if "没有名称含" in i.value)
    assert "<em>" not in html(info.value) and "无_此_企业" in html(info.value)


# -- item 6: every URL parameter is checked, with a notice ---------------------------------------


def app_with(user: str = "analyst", **params) -> AppTest:
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), user)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_an_unknown_town_in_the_url_is_named_in_a_notice(county):
    at = app_with(town="不存在镇")
    assert [w.value for w in at.warning if "链接" in w.value] == [
        "链接中的镇区“不存在镇”在数据中不存在，已显示“全县”。"
    ]
    assert at.selectbox(key="town").value == "全县"


def test_a_town_officer_asking_for_another_town_is_told_so(county):
    at = app_with("changsha", town="掘港街道")
    notices = [w.value for w in at.warning]
    assert "链接中的镇区不在本账户的范围内，已显示“长沙镇”。" in notices
    assert not any("掘港街道" in n for n in notices)  # not even the name typed into the URL


def test_unknown_parameters_are_named_and_dropped(county):
    at = app_with(foo="bar", **{"<b>": "x"})
    assert "链接中的参数 \\<b\\>、foo 无法识别，已忽略。" in [w.value for w in at.warning]
    assert "foo" not in at.query_params and "<b>" not in at.query_params


def test_a_bad_metric_choice_in_the_url_is_named(county):
    at = app_with(metric="[x](http://x.example/)")
    (notice,) = [w.value for w in at.warning if "链接中的" in w.value]
    assert notice.startswith("链接中的") and "<a " not in html(notice) and "无效，已显示" in notice


def test_a_long_uscc_in_the_url_is_cut_in_the_message(county):
    at = enterprise_page(uscc="X" * 5000)
    (error,) = at.error
    assert len(error.value) < 120 and "…" in error.value


def test_error_details_never_reach_the_browser():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


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
    assert "streamlit run server.py --server.address $(HOST)" in makefile


def test_demo_accounts_are_neither_listed_nor_accepted_from_another_machine(monkeypatch):
    from kechuang import ui
    from kechuang.ui import access

    monkeypatch.delenv("KECHUANG_DATA", raising=False)  # the demo data: demo accounts exist
    monkeypatch.setattr(access, "local_client", lambda: False)
    monkeypatch.setattr(ui, "prepare_in_background", lambda: None, raising=False)  # no data read
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if "_kechuang_session" in at.session_state:
        del at.session_state["_kechuang_session"]
    at.run()
    shown = " ".join(i.value for i in at.info)
    assert "demo-analyst" not in shown and "演示账户只能在服务器本机登录" in shown
    at.text_input[0].input("analyst")
    at.text_input[1].input("demo-analyst")
    next(b for b in at.button if b.label == "登录").click().run()
    assert [e.value for e in at.error] == [access.DEMO_REMOTE]
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


def test_a_town_named_like_a_link_is_text_in_the_charts():
    from kechuang.charts import overview as overview_charts
    from kechuang.charts import workbench as workbench_charts

    town = '<a href="http://x.example/phish">长沙镇</a>'
    fig = overview_charts.town_chart(
        pl.DataFrame({"town": [town, "掘港街道"], "value": [2.0, 1.0]}), "企业数", "家", town
    )
    assert list(fig.data[0].y) == [
        "掘港街道",
        '&lt;a href="http://x.example/phish"&gt;长沙镇&lt;/a&gt;',
    ]
    assert fig.data[0].marker.color[1] != fig.data[0].marker.color[0]  # still highlighted
    by_town = pl.DataFrame(
        {"town": [town], "n_population": [2], "n_active": [1], "n_worklist": [1]}
    )
    fig = workbench_charts.coverage_by_town_chart(by_town)
    assert all("<a" not in y for trace in fig.data for y in trace.y)
