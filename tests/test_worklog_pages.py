"""The recording forms under AppTest: two officers saving a stage from stale screens, a refused save
keeps what was typed, leaders see the history but no form."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fixtures import sign_in, uscc
from streamlit.testing.v1 import AppTest
from worklog_fixture import one_rd_zero_firm_state

from kechuang.access import auth
from kechuang.worklog import reading

ROOT = Path(__file__).resolve().parent.parent
KEY = "rd_zero_records"  # views/rd_zero.py's record_panel


@pytest.fixture
def state(tmp_path, monkeypatch, instance):
    yield from one_rd_zero_firm_state(tmp_path, monkeypatch, instance, town="长沙镇")


def page(path: str, user: str, **params) -> AppTest:
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), user)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.session_state[f"{KEY}_open"] = True  # the 跟踪记录 expander, opened (drawn only then)
    at.switch_page(path)
    return at.run()


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def save_stage(at: AppTest, stage: str, reason: str = "") -> AppTest:
    round_key = f"{KEY}_stage_rd_zero_round"
    # AppTest's session state has no .get
    n = at.session_state[round_key] if round_key in at.session_state else 0  # noqa: SIM401
    form = f"{KEY}_stage_rd_zero_{n}"
    at.selectbox(key=f"{form}_stage_value").set_value(stage)
    at.text_input(key=f"{form}_reason").input(reason)
    return button(at, "保存阶段").click().run()


def test_the_second_of_two_stale_screens_is_told_who_changed_the_stage(state):
    analyst = page("views/rd_zero.py", "analyst", as_of="2026-10-31")
    officer = page("views/rd_zero.py", "changsha", as_of="2026-10-31")  # the same screen, seq 0
    analyst = save_stage(analyst, "已对接")
    assert not analyst.exception and "已保存（第 1 号）" in analyst.success[0].value
    officer = save_stage(officer, "企业无意愿", "企业今年不做研发")
    assert "已由 analyst 于" in officer.error[0].value and "现为“已对接”" in officer.error[0].value
    # Nothing was written, and what the officer typed is still in the form.
    assert [e["stage"] for e in reading.entries(state, auth.User("a", "admin"))] == ["已对接"]
    assert officer.text_input(key=f"{KEY}_stage_rd_zero_0_reason").value == "企业今年不做研发"
    officer = button(officer, "保存阶段").click().run()  # now on the screen that shows 已对接
    assert "已保存（第 2 号）" in officer.success[0].value
    assert [e["stage"] for e in reading.entries(state, auth.User("a", "admin"))] == [
        "已对接",
        "企业无意愿",
    ]


def test_a_leader_reads_the_history_but_gets_no_form(state):
    from kechuang.worklog import store
    from kechuang.worklog.rules import Firm

    store.record_contact(
        state,
        auth.User("changsha", "town", frozenset({"长沙镇"})),
        Firm(uscc(2), "如东测试2号科技有限公司", "长沙镇"),
        kind="走访",
        on=date(2026, 10, 20),
        note="介绍*政策*",
    )
    at = page("views/enterprise.py", "leader", uscc=uscc(2), as_of="2026-10-31")
    assert not at.exception
    assert "本账户只能查看工作记录。" in [c.value for c in at.caption]
    assert not [b for b in at.button if b.label in ("保存记录", "保存阶段", "指定责任人")]
    timeline = [m.value for m in at.markdown if "走访" in m.value]
    assert timeline and "介绍\\*政策\\*" in timeline[0]  # user text escaped before markdown


def test_a_contact_is_saved_with_the_days_picked_in_the_chinese_picker(state):
    from datetime import timedelta

    from fixtures import choose_date

    from kechuang.worklog import rules

    today = rules.today()
    on, due = today - timedelta(days=3), today + timedelta(days=10)
    at = page("views/rd_zero.py", "changsha", as_of="2026-10-31")
    form = f"{KEY}_contact_0"
    assert at.session_state[f"{form}_on"] == today and at.session_state[f"{form}_due"] is None
    choose_date(at, f"{form}_on", on)
    # The 期限 offers no day before the contact: its first year is the contact's, after "不设".
    assert at.selectbox(key=f"{form}_due__year").options[:2] == ["不设", f"{on.year}年"]
    at.text_input(key=f"{form}_next").input("送政策材料")
    choose_date(at, f"{form}_due", due)
    at = button(at, "保存记录").click().run()
    assert not at.exception and "已保存（第 1 号）" in at.success[0].value
    [entry] = reading.entries(state, auth.User("a", "admin"))
    assert (entry["on"], entry["due_on"], entry["next_step"]) == (on, due, "送政策材料")
    # A new round: the next form starts on today again, without a 期限.
    assert at.session_state[f"{KEY}_contact_1_on"] == today
    assert at.session_state[f"{KEY}_contact_1_due"] is None


def test_the_record_forms_are_drawn_only_when_their_panel_is_opened(state):
    """Closed, the 跟踪记录 panel runs nothing (no firm lookup, no form): it costs a page nothing
    under load; opened (which reruns the page), its forms are there."""
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), "changsha")
    at.query_params["as_of"] = "2026-10-31"
    at.run()
    at.switch_page("views/rd_zero.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    panel = "跟踪记录：为研发活动清零清单上的企业记录走访、阶段、责任人"
    assert [e.label for e in at.expander if e.label == panel] == [panel]
    assert f"{KEY}_firm" not in at.session_state
    assert "保存记录" not in [b.label for b in at.button]
    at.session_state[f"{KEY}_open"] = True
    at.run()
    assert at.selectbox(key=f"{KEY}_firm").value is not None
    assert "保存记录" in [b.label for b in at.button]
