"""Every page, signed in through the login form — the real signin.login with the demo account's
password, no session put in by hand — for each role that may open it: the page's title, and one
figure the page shows equal to the CLI's (python -m kechuang … --json --as-user NAME) on the same
data and scope; where no CLI command prints it (跟踪台账's lists), to the function both call.

数据导入 (an upload form) shows no figure; 我的待办 shows one for a town officer only (no work
records yet, so nobody else has a 待办)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from fixtures import sign_out, uscc
from programme_fixture import write_county
from streamlit.testing.v1 import AppTest

from kechuang.access import auth, signin
from kechuang.cli import main
from kechuang.engine import metrics
from kechuang.engine.warehouse import Warehouse
from kechuang.worklog import lists
from kechuang.zh import fmt

ROOT = Path(__file__).resolve().parent.parent

TITLES = {
    "views/overview.py": "如东科创驾驶舱",
    "views/progress.py": "“六百创新”目标进度",
    "views/screening.py": "高新技术企业精准筛选",
    "views/gazelle.py": "瞪羚、独角兽企业定制化培育",
    "views/rd_zero.py": "亿元以上制造业企业研发活动清零",
    "views/enterprise.py": "一企一档",
    "views/contracts.py": "技术合同认定登记",
    "views/iur.py": "产学研合作",
    "views/projects.py": "科创项目招引",
    "views/services.py": "“科小二”服务",
    "views/commissioners.py": "科创专员",
    "views/trainings.py": "培训",
    "views/briefing.py": "简报导出",
    "views/upload.py": "数据导入",
    "views/data_status.py": "数据质量",
    "views/admin.py": "账户与审计",
    "views/todo.py": "我的待办",
    "views/followup.py": "跟踪培育台账",
}


def navigation() -> list[tuple]:
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    node = next(
        n
        for n in tree.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "NAVIGATION"
    )
    return ast.literal_eval(node.value)


NAVIGATION = navigation()
ACCOUNTS = {name: (role, password) for name, role, password, _d, _t in auth.DEMO_ACCOUNTS}


def allowed(role: str, permission: str | None) -> bool:
    return permission is None or role in auth.PERMISSIONS[permission]


CASES = [
    pytest.param(name, row[1], id=f"{name}-{row[4]}")
    for name, (role, _pw) in ACCOUNTS.items()
    for row in NAVIGATION
    if allowed(role, row[5])
]


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    return write_county(tmp_path_factory.mktemp("county") / "data")


def signed_in(name: str, page: str, **params: str) -> AppTest:
    at = sign_out(AppTest.from_file(str(ROOT / "app.py"), default_timeout=90))
    at.run()
    assert [t.label for t in at.text_input] == ["用户名", "密码"]  # the login form, nothing else
    at.text_input[0].input(name)
    at.text_input[1].input(ACCOUNTS[name][1])
    next(b for b in at.button if b.label == "登录").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "登录" not in [b.label for b in at.button]  # signed in: the form is gone
    if page != "views/overview.py":
        at.switch_page(page)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def cli_json(capsys, command: str, data: Path, name: str, *args: str, status: int = 0):
    capsys.readouterr()
    assert main([command, *args, "--json", "--data", str(data), "--as-user", name]) == status
    return json.loads(capsys.readouterr().out)


def progress(capsys, data: Path, name: str) -> dict[str, dict]:
    """The CLI's progress metrics by id."""
    return {m["id"]: m for m in cli_json(capsys, "progress", data, name)["metrics"]}


def done(m: dict) -> str:
    """A metric's 完成 as every card words it."""
    return fmt.amount(m["actual"], m["unit"])


# The programme pages' headline cards (完成, in page order) are these metrics of the CLI's progress.
HEADLINES = {
    "views/contracts.py": ["tech_contract_amount"],
    "views/iur.py": ["iur_projects"],
    "views/projects.py": ["sci_projects_landed"],
    "views/services.py": ["key_enterprises_served"],
    "views/commissioners.py": ["commissioners"],
    "views/trainings.py": ["sme_trainings", "sme_training_attendance", "cadre_trainings"],
}


def on_lists(data: Path, name: str):
    """The worklists' (list, firm) rows this account sees: lists.members, which 跟踪台账 and
    我的待办 read (no CLI command prints the lists together)."""
    user = next(u for u in auth.list_users(auth.users_path()) if u.name == name)
    wh = Warehouse(data, auth.scope_for(user))
    return lists.members(wh, metrics.default_as_of(wh))


FIRM = uscc(2)  # a 长沙镇 firm: every role that opens 一企一档 may see it


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("name, page", CASES)
def test_page_signed_in_through_the_form(county, monkeypatch, capsys, name, page):
    monkeypatch.setenv("KECHUANG_DATA", str(county))
    at = signed_in(name, page, **({"uscc": FIRM} if page == "views/enterprise.py" else {}))
    assert at.title[0].value == TITLES[page]
    shown = [m.value for m in at.metric if m.label == "完成"]
    if page in ("views/progress.py", "views/overview.py"):  # 目标进度's cards, 总览's 逐项卡片
        assert shown == [done(m) for m in progress(capsys, county, name).values()]
    elif page in HEADLINES:
        cli = progress(capsys, county, name)
        assert shown == [done(cli[i]) for i in HEADLINES[page]]
    elif page == "views/screening.py":
        everyone = cli_json(capsys, "screen", county, name, "--all")
        assert metric(at, "参评企业") == f"{fmt.num(len(everyone))} 家"
        cli = cli_json(capsys, "screen", county, name)
        assert metric(at, "候选企业（六项全过）") == f"{fmt.num(len(cli))} 家"
    elif page == "views/rd_zero.py":
        cli = cli_json(capsys, "rd-zero", county, name)
        assert metric(at, "待清零") == f"{fmt.num(len(cli))} 家"
    elif page == "views/gazelle.py":
        cultivation = progress(capsys, county, name)["cultivation"]
        assert metric(at, "2026年培育名额") == fmt.amount(cultivation["target"], "家")
        filled = next(m.value for m in at.metric if m.label.endswith("已入选"))
        assert filled == done(cultivation)
    elif page == "views/enterprise.py":
        registry = cli_json(capsys, "profile", county, name, FIRM)["registry"]
        assert at.header[0].value == registry["name"]
        facts = [m.value for m in at.markdown]
        assert f"**注册资本**  \n{fmt.wan(registry['registered_capital_wan'])}" in facts
    elif page == "views/followup.py":
        firms = on_lists(county, name)["uscc"].n_unique()  # a firm on two lists counts once
        assert firms > 0 and metric(at, "清单在册企业") == f"{fmt.num(firms)} 家"
    elif page == "views/todo.py" and ACCOUNTS[name][0] == "town":
        # No work records yet: a town officer's 待办 is every firm on their towns' lists.
        firms = on_lists(county, name)["uscc"].n_unique()
        assert firms > 0 and metric(at, "待办企业") == f"{fmt.num(firms)} 家"
    elif page == "views/data_status.py":
        found = cli_json(capsys, "check", county, name, status=1)
        found = [f for f in found if f["check"] != "table_absent"]  # said by freshness instead
        errors = sum(f["severity"] == "error" for f in found)
        said = f"共 **{len(found)}** 项：错误 **{errors}** 项，提示 **{len(found) - errors}** 项。"
        assert any(m.value.startswith(said) for m in at.markdown)
    elif page == "views/briefing.py":
        landed = progress(capsys, county, name)["sci_projects_landed"]  # the text's first figure
        assert f"高成长型科创项目落地{done(landed).replace(' ', '')}，" in at.code[0].value
    elif page == "views/admin.py":
        capsys.readouterr()
        assert main(["users", "list", "--json"]) == 0
        accounts = json.loads(capsys.readouterr().out)
        grid = at.dataframe[0].value
        assert grid["用户名"].to_list() == [a["name"] for a in accounts]
    elif page == "views/todo.py":  # nobody is anyone's 责任人 yet; a leader keeps no 待办
        assert not at.metric and at.info  # said in words instead
    else:
        assert page == "views/upload.py" and not at.metric


def test_a_wrong_password_stays_on_the_login_form(county, monkeypatch):
    monkeypatch.setenv("KECHUANG_DATA", str(county))
    at = sign_out(AppTest.from_file(str(ROOT / "app.py"), default_timeout=90))
    at.run()
    at.text_input[0].input("analyst")
    at.text_input[1].input("not-the-password")
    next(b for b in at.button if b.label == "登录").click()
    at.run()
    assert [e.value for e in at.error] == [signin.FAILED]
    assert [t.label for t in at.text_input] == ["用户名", "密码"]


@pytest.mark.parametrize(
    "name, town",
    [("analyst", None), ("analyst", "长沙镇"), ("leader", "掘港街道"), ("changsha", None)],
)
def test_overview_text_and_warnings_are_the_functions_of_the_cli_and_briefings(
    county, monkeypatch, name, town
):
    """总览 composes its 简报文字 from the rows it shows and words a chosen town's 需关注 from the
    county's one computation: both equal what the CLI's and the briefings' functions give for the
    same scope (summary.briefing_text, models.overview.overview with the town)."""
    from kechuang.engine.plan import load_plan
    from kechuang.models import overview
    from kechuang.output import summary
    from kechuang.worklog import rules

    monkeypatch.setenv("KECHUANG_DATA", str(county))
    at = signed_in(name, "views/overview.py")
    if town is not None:
        at.selectbox(key="town").set_value(town).run()
        assert not at.exception, [e.value for e in at.exception]
    user = next(u for u in auth.list_users(auth.users_path()) if u.name == name)
    scope = auth.scope_for(user)
    shown_town = town or (next(iter(scope)) if scope else None)  # an officer's page shows a town
    wh = Warehouse(county, frozenset({shown_town}) if shown_town else None)
    as_of = metrics.default_as_of(wh)
    plan = load_plan(as_of.year)
    text = next(c.value for c in at.code if c.value.startswith("截至"))
    assert text == summary.briefing_text(wh, as_of, plan, shown_town or "全县", rules.today())
    if scope is None:  # the warning list: county views only
        alerts = overview.overview(Warehouse(county), as_of, plan, town).alerts
        assert alerts  # the fixture's county lags somewhere: the comparison says something
        shown = [m.value for m in at.markdown]
        for a in alerts:
            assert any(f"**{a.label}**：{fmt.md(a.towns)}" in md for md in shown), a
        if town is not None:
            assert any(a.towns.startswith(f"{town}：") for a in alerts)
