"""`python -m kechuang worklog ...`: records as an account, exit 2 with one line on bad input, list
--json;
`progress` counts a recorded visit (the CLI's warehouse carries the records)."""

from __future__ import annotations

import json

import pytest
from worklog_fixture import F1, F2, county

from kechuang.access import auth
from kechuang.cli import main


@pytest.fixture
def data(tmp_path, monkeypatch, state_url):
    monkeypatch.setenv("KECHUANG_STATE", state_url)
    monkeypatch.setenv("KECHUANG_AUDIT", str(tmp_path / "audit.jsonl"))
    auth.ensure_demo_users(auth.users_path())  # the accounts live in that database too
    return str(county(tmp_path / "data"))


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def served(capsys, data) -> int:
    code, out, _ = run(capsys, "progress", "--json", "--data", data, "--as-of", "2026-10-31")
    assert code == 0
    return next(m for m in json.loads(out)["metrics"] if m["id"] == "key_enterprises_served")[
        "actual"
    ]


def test_add_stage_and_list_as_a_town_officer(data, capsys):
    # 03-20: within the data (it runs to 04-01); an as-of after the data is brought back to it
    assert served(capsys, data) == 2
    code, out, err = run(
        capsys,
        "worklog",
        "add",
        F2.uscc.lower(),
        "--kind",
        "走访",
        "--on",
        "2026-03-20",
        "--service",
        "高企申报辅导",
        "--note",
        "介绍加计扣除",
        "--next",
        "送材料",
        "--due",
        "2026-06-01",
        "--as-user",
        "changsha",
        "--data",
        data,
    )
    assert (code, err) == (0, "")
    assert out.startswith("已记录第 1 号：") and "下一步：送材料" in out
    # the note too, as the pages' timeline shows it (the text output used to leave it out)
    assert f"{F2.uscc} 2026-03-20 走访（高企申报辅导）：介绍加计扣除；下一步：送材料" in out
    assert served(capsys, data) == 3
    code, out, err = run(
        capsys,
        "worklog",
        "stage",
        F2.uscc,
        "--list",
        "candidates",
        "--stage",
        "已走访",
        "--as-user",
        "changsha",
        "--data",
        data,
        "--json",
    )
    assert code == 0 and json.loads(out)["stage"] == "已走访"
    code, out, _ = run(capsys, "worklog", "list", "--json", "--as-user", "changsha", "--data", data)
    entries = json.loads(out)
    assert [
        (e["entry"], e["uscc"], e["town"], e["kind"], e["stage"], e["by"]) for e in entries
    ] == [
        ("contact", F2.uscc, "长沙镇", "走访", None, "changsha"),
        ("stage", F2.uscc, "长沙镇", None, "已走访", "changsha"),
    ]
    assert entries[0]["on"] == "2026-03-20" and entries[0]["note"] == "介绍加计扣除"
    assert entries[0]["recorded_at"].endswith("+08:00")
    code, out, _ = run(
        capsys,
        "worklog",
        "list",
        "--json",
        "--since",
        "2026-05-07",
        "--uscc",
        F2.uscc,
        "--as-user",
        "analyst",
        "--data",
        data,
    )
    assert [e["entry"] for e in json.loads(out)] == [
        "stage"
    ]  # recorded today, the contact on 6 May


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["add", F1.uscc, "--kind", "走访", "--on", "2026-05-06"], "请用 --as-user 指明"),
        (
            ["add", F1.uscc, "--kind", "走访", "--on", "2026-05-06", "--as-user", "changsha"],
            "不在本账户所辖镇区（长沙镇）",
        ),
        (
            ["add", F1.uscc, "--kind", "走访", "--on", "2026-05-06", "--as-user", "leader"],
            "领导只能查看工作记录",
        ),
        (
            ["add", F1.uscc, "--kind", "走访", "--on", "2099-01-01", "--as-user", "analyst"],
            "晚于今天",
        ),
        (
            ["add", F1.uscc, "--kind", "打电话", "--on", "2026-05-06", "--as-user", "analyst"],
            "记录类别有误",
        ),
        (
            [
                "add",
                F1.uscc,
                "--kind",
                "走访",
                "--on",
                "2026-05-06",
                "--note",
                "长" * 501,
                "--as-user",
                "analyst",
            ],
            "备注过长：501 字",
        ),
        (
            [
                "add",
                "91320623MA0000099X",
                "--kind",
                "走访",
                "--on",
                "2026-05-06",
                "--as-user",
                "analyst",
            ],
            "统一社会信用代码",
        ),
        (
            [
                "add",
                "91320623MA00000997",
                "--kind",
                "走访",
                "--on",
                "2026-05-06",
                "--as-user",
                "analyst",
            ],
            "未找到",
        ),
        (
            ["stage", F1.uscc, "--list", "rd_zero", "--stage", "已申报", "--as-user", "analyst"],
            "研发活动清零的阶段有误",
        ),
        (
            [
                "stage",
                F1.uscc,
                "--list",
                "rd_zero",
                "--stage",
                "企业无意愿",
                "--as-user",
                "analyst",
            ],
            "须写明原因",
        ),
        (
            ["owner", F1.uscc, "--list", "rd_zero", "--owner", "leader", "--as-user", "analyst"],
            "不能担任责任人",
        ),
        (
            ["owner", F1.uscc, "--list", "rd_zero", "--owner", "nobody", "--as-user", "analyst"],
            "责任人账户不存在",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(data, capsys, argv, message):
    code, out, err = run(capsys, "worklog", *argv, "--data", data)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err
    code, out, _ = run(capsys, "worklog", "list", "--json", "--as-user", "admin", "--data", data)
    assert json.loads(out) == []


def test_list_is_audited_as_a_download_with_the_account_and_what_was_asked(data, capsys):
    """`worklog list` hands firms' work records to a script: it leaves the same trail as the
    other lists' CLI downloads (the account, its towns, the filters, how many entries)."""
    from kechuang.access import audit

    add = ["worklog", "add", F2.uscc, "--kind", "宣传", "--on", "2026-03-20", "--data", data]
    assert run(capsys, *add, "--as-user", "changsha")[0] == 0
    code, out, err = run(
        capsys, "worklog", "list", "--town", F2.town, "--json", "--as-user", "changsha"
    )
    assert (code, err) == (0, "") and len(json.loads(out)) == 1
    log = audit.read()
    (event,) = log.filter(log["action"] == "download").to_dicts()
    assert (event["user_name"], event["role"], event["scope"]) == ("changsha", "town", F2.town)
    assert event["detail"].startswith(f"worklog list 工作记录 --town {F2.town} 1 条（命令行")
