"""Every page, signed in through the login form — the real signin.login with the demo account's
password, no session put in by hand — for each role that may open it: the page's title, and where
the page shows a figure the CLI prints, that figure equals the CLI's on the same data and scope."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from fixtures import sign_out
from programme_fixture import write_county
from streamlit.testing.v1 import AppTest

from kechuang.access import auth, signin
from kechuang.cli import main
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


def signed_in(name: str, page: str) -> AppTest:
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
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def cli_json(capsys, command: str, data: Path, name: str):
    capsys.readouterr()
    assert main([command, "--json", "--data", str(data), "--as-user", name]) == 0
    return json.loads(capsys.readouterr().out)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("name, page", CASES)
def test_page_signed_in_through_the_form(county, monkeypatch, capsys, name, page):
    monkeypatch.setenv("KECHUANG_DATA", str(county))
    at = signed_in(name, page)
    assert at.title[0].value == TITLES[page]
    if page == "views/progress.py":
        shown = [m.value for m in at.metric if m.label == "完成"]
        cli = cli_json(capsys, "progress", county, name)["metrics"]
        assert shown == [fmt.amount(m["actual"], m["unit"]) for m in cli]
    elif page == "views/screening.py":
        cli = cli_json(capsys, "screen", county, name)
        assert metric(at, "候选企业（六项全过）") == f"{fmt.num(len(cli))} 家"
    elif page == "views/rd_zero.py":
        cli = cli_json(capsys, "rd-zero", county, name)
        assert metric(at, "待清零") == f"{fmt.num(len(cli))} 家"


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
