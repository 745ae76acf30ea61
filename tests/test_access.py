"""Access control in the app: login, each role's pages, figures and rows, share links, audit, bound
parameters.

Fixture county (as of 2026-10-31): firm 1 in 掘港街道 holds certificate C1 (2026-03-01) and has
monthly tax rows; firm 2 in 长沙镇 registered contract T1 of 1,234.5 万元. The demo account
`changsha` is a town officer of 长沙镇, `leader` may not see named tax figures, `admin` manages
accounts."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from fixtures import SESSION_KEY, firm, open_sections, sign_in, sign_out, uscc, write_warehouse
from streamlit.testing.v1 import AppTest

from kechuang.access import audit, auth, share, signin
from kechuang.engine import profile
from kechuang.engine.warehouse import Warehouse

ROOT = Path(__file__).resolve().parent.parent
INJECTIONS = [
    "' or 1=1 --",
    "'; drop table enterprises; --",
    "长沙镇' or town <> '",
    "%' union select * from tax_monthly --",
]


@pytest.fixture
def county(tmp_path, monkeypatch):
    data = write_warehouse(
        tmp_path / "data",
        enterprises=[firm(1), firm(2, town="长沙镇")],
        hnte_certificates=[
            {"uscc": uscc(1), "certificate_no": "C1", "issued_on": date(2026, 3, 1)}
        ],
        tech_contracts=[
            {
                "contract_id": "T1",
                "uscc": uscc(2),
                "amount_wan": 1234.5,
                "registered_on": date(2026, 10, 30),
            }
        ],
        tax_monthly=[
            {
                "uscc": uscc(1),
                "period": date(2026, m, 1),
                "invoiced_sales_wan": 321.5,
                "tax_paid_wan": 12.25,
            }
            for m in (1, 2, 3)
        ],
    )
    monkeypatch.setenv("KECHUANG_DATA", str(data))
    return data


def app(user: str | None = "analyst", page: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    sign_in(at, user) if user else sign_out(at)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts = [
        e.value
        for kind in (
            "title",
            "header",
            "subheader",
            "markdown",
            "caption",
            "error",
            "info",
            "warning",
            "success",
        )
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def done(at: AppTest) -> list[str]:
    return [m.value for m in at.metric if m.label == "完成"]


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def log_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    button(at, "登录").click().run()
    return at


def events(action: str) -> list[dict]:
    return audit.read().filter(audit.read()["action"] == action).to_dicts()


# -- login ----------------------------------------------------------------------------------


def test_nothing_but_the_login_form_before_login(county):
    at = app(None, as_of="2026-10-31")
    assert [b.label for b in at.button] == ["登录"]
    assert not at.metric and not at.dataframe and not at.selectbox
    assert "登录" in texts(at)


def test_login_with_the_right_password_opens_the_cockpit_and_is_audited(county):
    at = open_sections(log_in(app(None), "analyst", "demo-analyst"))
    assert not at.exception
    assert at.title[0].value == "如东科创驾驶舱" and at.metric  # the overview, with its figures
    assert at.session_state[SESSION_KEY].user.role == "analyst"
    assert [(e["user_name"], e["role"]) for e in events("login")] == [("analyst", "analyst")]


def test_a_wrong_password_says_so_without_naming_the_cause(county):
    at = log_in(app(None), "analyst", "wrong-password")
    assert [e.value for e in at.error] == ["用户名或密码错误"]
    at = log_in(app(None), "nobody", "wrong-password")
    assert [e.value for e in at.error] == ["用户名或密码错误"]
    assert not at.metric


def test_five_failures_lock_the_account_even_for_the_right_password(county):
    at = app(None)
    for _ in range(5):
        log_in(at, "leader", "guess-guess")
    log_in(at, "leader", "demo-leader")
    assert "已暂时锁定" in at.error[0].value
    assert SESSION_KEY not in at.session_state
    assert len(events("login_failed")) == 5 and len(events("login_locked")) == 1


def test_an_idle_session_ends_with_a_message(county):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    user = next(u for u in auth.list_users(auth.users_path()) if u.name == "analyst")
    then = datetime.now(UTC) - timedelta(minutes=31)
    at.session_state[SESSION_KEY] = auth.Session(user, then, then)
    at.run()
    assert "已 30 分钟无操作，请重新登录" in texts(at)
    assert not at.metric
    assert len(events("session_expired")) == 1


def test_logout_ends_the_session(county):
    at = app("analyst")
    button(at, "退出登录").click().run()
    assert SESSION_KEY not in at.session_state
    assert [b.label for b in at.button] == ["登录"]
    assert len(events("logout")) == 1


def test_demo_data_lists_the_demo_accounts_on_the_login_page(monkeypatch):
    monkeypatch.delenv("KECHUANG_DATA", raising=False)
    at = app(None)
    shown = at.info[0].value
    assert (
        "| admin | demo-admin | 管理员 | 全县 |" in shown
        and "| changsha | demo-town | 镇区 | 长沙镇 |" in shown
    )
    assert shown.count("| demo-") == 4


def test_a_real_deployment_starts_without_accounts_and_says_how_to_add_one(county, instance):
    (instance / "state.db").unlink()
    at = app(None)
    assert "demo-" not in texts(at)
    assert "python -m kechuang users add admin --role admin" in texts(at)
    assert auth.list_users(auth.users_path()) == []  # no demo accounts outside the demo data


# -- roles: pages, figures, rows ------------------------------------------------------------


def test_town_officer_sees_only_their_town_whatever_the_url_asks(county):
    at = app("changsha", "views/progress.py", as_of="2026-10-31", town="掘港街道")
    assert (
        at.selectbox(key="town").options == ["长沙镇"]
        and at.selectbox(key="town").value == "长沙镇"
    )
    assert done(at)[1] == "0 家"  # C1 belongs to 掘港街道's firm
    assert "0.12 亿元" in done(at)  # T1 (1,234.5 万元) is 长沙镇's
    county_wide = app("analyst", "views/progress.py", as_of="2026-10-31")
    assert done(county_wide)[1] == "1 家"


def test_town_officer_cannot_open_another_towns_firm_file(county):
    at = app("changsha", "views/enterprise.py", uscc=uscc(1), as_of="2026-10-31")
    assert "未找到统一社会信用代码为" in texts(at) and "如东测试1号科技有限公司" not in texts(at)
    assert not events("view_enterprise_file")
    own = app("changsha", "views/enterprise.py", uscc=uscc(2), as_of="2026-10-31")
    assert own.header[0].value == "如东测试2号科技有限公司"


def test_town_officer_search_finds_nothing_outside_the_town(county):
    at = app("changsha", "views/enterprise.py", as_of="2026-10-31")
    at.text_input(key="enterprise_search").input("如东测试1号").run()
    assert "没有名称含“如东测试1号”" in texts(at)


@pytest.mark.parametrize(
    ("user", "pages"),
    [
        ("changsha", {"views/upload.py", "views/admin.py"}),
        ("leader", {"views/upload.py", "views/admin.py"}),
        ("analyst", {"views/admin.py"}),
    ],
)
def test_roles_do_not_get_pages_outside_their_role(county, user, pages):
    at = app(user)
    for page in pages:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def test_admin_gets_every_page(county):
    at = app("admin", "views/admin.py")
    assert at.title[0].value == "账户与审计"
    app("admin", "views/upload.py")


def test_town_officers_briefing_holds_only_their_towns_firms(county):
    at = app("changsha", "views/briefing.py", as_of="2026-10-31")
    button(at, "生成简报").click().run()
    book = openpyxl.load_workbook(io.BytesIO(at.session_state["briefing"][1]))
    cells = " ".join(
        str(c)
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for c in row
        if c is not None
    )
    assert "长沙镇" in cells and uscc(1) not in cells and "掘港街道" not in cells


def test_leader_sees_tax_bands_not_named_tax_figures(county):
    at = open_sections(app("leader", "views/enterprise.py", uscc=uscc(1), as_of="2026-10-31"))
    shown = texts(at)
    assert "增值税开票（年度区间）" in shown and "月度增值税开票" not in shown
    frames = [d.value for d in at.dataframe]
    banded = next(f for f in frames if "开票销售额（区间）" in f.columns)
    assert banded[["年度", "月份数", "开票销售额（区间）", "入库税款（区间）"]].values.tolist() == [
        [2026, 3, "500–1,000 万元", "100 万元以下"]
    ]
    assert not any("开票销售额（万元）" in f.columns for f in frames)


def test_analyst_sees_named_monthly_tax_figures(county):
    at = open_sections(app("analyst", "views/enterprise.py", uscc=uscc(1), as_of="2026-10-31"))
    monthly = next(d.value for d in at.dataframe if "开票销售额（万元）" in d.value.columns)
    assert monthly["开票销售额（万元）"].tolist() == [321.5, 321.5, 321.5]


def test_an_enterprise_file_view_is_audited_once_per_session(county):
    at = app("leader", "views/enterprise.py", uscc=uscc(1), as_of="2026-10-31")
    at.run()
    assert [(e["user_name"], e["detail"], e["scope"]) for e in events("view_enterprise_file")] == [
        ("leader", f"{uscc(1)} 如东测试1号科技有限公司", "全县")
    ]


# -- share links ----------------------------------------------------------------------------


def link(page="progress", town="长沙镇", **kwargs) -> str:
    url, _ = share.create_link(
        "http://kechuang.test", page, date(2026, 10, 31), town, "analyst", **kwargs
    )
    return url.split("?share=")[1]


def test_a_share_link_opens_its_view_without_an_account(county):
    at = app(
        None, share=link(), town="掘港街道", as_of="2026-01-31"
    )  # tampered town and date are ignored
    assert at.title[0].value == "“六百创新”目标进度"
    assert "截至2026年10月31日 · 长沙镇" in texts(at) and "只读分享视图" in texts(at)
    assert done(at)[1] == "0 家" and "0.12 亿元" in done(at)
    assert not at.selectbox and not at.date_input  # the view is fixed
    assert "退出登录" not in [b.label for b in at.button]
    at.run()
    assert len(events("share_opened")) == 1  # the arrival, not every rerun


def test_a_share_visitor_reaches_no_other_page(county):
    at = app(None, share=link())
    for page in ("views/enterprise.py", "views/screening.py", "views/overview.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def test_a_shared_overview_has_no_downloads_or_firm_names(county):
    at = open_sections(app(None, share=link("overview", None)))  # every section, opened
    assert at.title[0].value == "如东科创驾驶舱" and at.metric
    assert not [b for b in at.button if b.label.startswith("下载")]
    assert "如东测试" not in texts(at) and "生成免登录只读链接" not in [b.label for b in at.button]


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: link()[:-2] + "xx", "签名无效"),
        (lambda: "not-a-token", "签名无效"),
        (lambda: link(now=datetime.now(UTC) - timedelta(days=2), days=1), "已过期"),
    ],
)
def test_forged_or_expired_links_open_nothing(county, make, words):
    at = app(None, share=make())
    assert at.error[0].value.startswith(f"分享链接无法打开：{words}")
    assert not at.metric and not at.text_input  # not even the login form
    assert len(events("share_rejected")) == 1


def test_a_revoked_link_stops_at_once_even_mid_visit(county):
    token = link()
    at = app(None, share=token)
    assert at.metric
    share.revoke(share.list_links()["token_id"][0], by="admin")
    at.run()
    assert at.error[0].value.startswith("分享链接无法打开：已撤销") and not at.metric


def test_an_analyst_makes_a_share_link_of_the_view(county):
    at = app("analyst", "views/progress.py", as_of="2026-10-30", town="长沙镇")
    button(at, "生成免登录只读链接").click().run()
    url = at.code[0].value
    assert url.startswith("http://localhost:8501/?share=")
    view = share.open_link(url.split("?share=")[1], record=False)
    assert (view.page, view.as_of, view.town) == ("progress", date(2026, 10, 30), "长沙镇")
    assert events("share_created")[0]["user_name"] == "analyst"


def test_a_leader_cannot_make_share_links(county):
    at = app("leader", "views/progress.py")
    assert "生成免登录只读链接" not in [b.label for b in at.button]


# -- admin page -----------------------------------------------------------------------------


def test_admin_adds_a_town_account_that_can_then_log_in(county):
    at = app("admin", "views/admin.py")
    form = [t for t in at.text_input]
    form[0].input("rucheng")
    form[1].input("如城镇演示")
    next(s for s in at.selectbox if s.label == "角色").select("town")
    at.multiselect[0].select("长沙镇")
    form[2].input("rucheng-pass-1")
    button(at, "新增").click().run()
    assert "已新增账户 如城镇演示（镇区）" in texts(at)
    added = next(u for u in auth.list_users(auth.users_path()) if u.name == "rucheng")
    assert (added.role, added.towns) == ("town", frozenset({"长沙镇"}))
    assert events("user_added")[0]["user_name"] == "admin"
    assert signin.login(auth.users_path(), "rucheng", "rucheng-pass-1").user.name == "rucheng"


def test_admin_sees_the_audit_log_and_revokes_a_link(county):
    link()
    at = app("admin", "views/admin.py")
    log = next(d.value for d in at.dataframe if "操作" in d.value.columns)
    assert "创建分享链接" in log["操作"].tolist()
    revoke = next(s for s in at.selectbox if s.label == "撤销链接")
    revoke.select(revoke.options[0])
    button(at, "撤销").click().run()
    assert share.list_links()["status"].to_list() == ["revoked"]


# -- bound parameters -------------------------------------------------------------------------


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_in_the_search_box_change_nothing(county, text):
    at = app("changsha", "views/enterprise.py", as_of="2026-10-31")
    at.text_input(key="enterprise_search").input(text).run()
    assert not at.exception
    assert "如东测试1号科技有限公司" not in texts(at)
    wh = Warehouse(county)
    assert profile.search(wh, text).height == 0
    assert wh.query("towns")["town"].to_list() == ["掘港街道", "长沙镇"]  # both firms still there


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_in_the_url_and_login_change_nothing(county, text):
    at = app("changsha", "views/enterprise.py", uscc=text, town=text)
    assert "无效" in texts(at) and at.selectbox(key="town").value == "长沙镇"
    at = log_in(app(None), text, text)
    assert [e.value for e in at.error] == ["用户名或密码错误"]
    assert [u.name for u in auth.list_users(auth.users_path())] == [
        "admin",
        "analyst",
        "changsha",
        "leader",
    ]


# -- the CLI on behalf of a user ------------------------------------------------------------------


def cli(capsys, *argv) -> tuple[int, str, str]:
    from kechuang.cli import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_for_a_town_officer_reaches_only_their_town(county, capsys):
    import json

    code, out, _ = cli(
        capsys, "screen", "--all", "--json", "--as-of", "2026-10-31", "--as-user", "changsha"
    )
    assert code == 0 and {r["town"] for r in json.loads(out)} <= {"长沙镇"}
    code, _, err = cli(
        capsys, "profile", uscc(1), "--json", "--as-of", "2026-10-30", "--as-user", "changsha"
    )
    assert code == 2 and err.startswith(f"错误：未找到统一社会信用代码为 {uscc(1)} 的企业")
    code, _, err = cli(capsys, "progress", "--as-user", "nobody")
    assert code == 2 and err.startswith("错误：账户不存在：nobody")


def test_cli_profile_for_a_leader_bands_named_tax(county, capsys):
    import json

    code, out, _ = cli(
        capsys, "profile", uscc(1), "--json", "--as-of", "2026-10-31", "--as-user", "leader"
    )
    monthly = json.loads(out)["sections"]["tax_monthly"]
    assert code == 0 and monthly == [
        {
            "uscc": uscc(1),
            "tax_year": 2026,
            "n_months": 3,
            "invoiced_sales_band": "500–1,000 万元",
            "tax_paid_band": "100 万元以下",
        }
    ]
    code, out, _ = cli(capsys, "profile", uscc(1), "--json", "--as-of", "2026-10-31")
    assert [r["invoiced_sales_wan"] for r in json.loads(out)["sections"]["tax_monthly"]] == [
        321.5,
        321.5,
        321.5,
    ]


TOWN_PAGES = sorted(
    p.relative_to(ROOT).as_posix()
    for p in (ROOT / "views").glob("*.py")
    if p.name not in ("admin.py", "upload.py")
)


@pytest.mark.parametrize("page", TOWN_PAGES)
def test_no_page_shows_a_town_officer_anything_of_another_town(county, page):
    at = app("changsha", page, as_of="2026-10-31", town="掘港街道", uscc=uscc(1))
    shown = texts(at) + " ".join(
        str(e.value) for kind in ("metric", "code") for e in getattr(at, kind)
    )
    cells = " ".join(d.value.astype(str).to_csv() for d in at.dataframe)
    echoed = page == "views/enterprise.py"  # says it found no firm with the code the URL asked for
    for other in ("掘港街道", "如东测试1号科技有限公司", *([] if echoed else [uscc(1)])):
        assert other not in shown and other not in cells, (page, other)
    assert uscc(1) not in cells


def test_cli_export_is_audited_with_the_accounts_scope(county, capsys, tmp_path):
    code, _, _ = cli(
        capsys,
        "export",
        "--out",
        tmp_path / "简报.xlsx",
        "--as-of",
        "2026-10-31",
        "--as-user",
        "changsha",
    )
    assert code == 0
    assert [(e["user_name"], e["detail"], e["scope"]) for e in events("export")] == [
        ("changsha", "简报.xlsx", "长沙镇")
    ]


def test_a_rollback_on_the_upload_page_is_done_and_audited_as_the_signed_in_account(
    tmp_path, monkeypatch
):
    from kechuang import ingest
    from kechuang.ingest import manifest

    data = tmp_path / "data"
    csv = tmp_path / "企业.csv"
    csv.write_text(f"统一社会信用代码,企业名称,所属镇区\n{uscc(1)},甲,掘港街道\n", encoding="utf-8")
    ingest.ingest(data, [ingest.Source.from_path(csv)], user="cli")
    monkeypatch.setenv("KECHUANG_DATA", str(data))
    at = app("analyst", "views/upload.py")
    assert "经办人：演示分析员（分析员）" in texts(at)
    button(at, "恢复上一版本").click().run()
    assert [(e["user_name"], e["detail"]) for e in events("ingest")] == [
        ("analyst", "回退 enterprises")
    ]
    assert manifest.read(data)[-1]["user"] == "演示分析员（分析员）"


def test_a_town_officer_gets_no_county_pace_computed_from_their_town_alone(county):
    at = app("changsha", as_of="2026-10-31")
    shown = texts(at)
    assert (
        "需关注" not in shown
        and "本账户只能查看长沙镇的数据" in shown
        and "全县进度、任务分解请向科技局索取" in shown
        and "任务分解表" not in shown
    )
    gazelle = app("changsha", "views/gazelle.py", as_of="2026-10-31")
    assert [m.label for m in gazelle.metric][:2] == ["2026年培育名额", "长沙镇已入选"]
    assert "尚余名额" not in [m.label for m in gazelle.metric]
    county_wide = app("analyst", as_of="2026-10-31")
    assert "需关注" in texts(county_wide)
