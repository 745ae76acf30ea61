"""Strings typed into the work records (notes) and names from the data (firms, towns) reach the
work-record pages' markdown only escaped: the save confirmation, the refusal, 跟踪台账's line on
untouched towns and 我的待办's caption show them as typed, never as an image or a link."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures import sign_in
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest
from worklog_fixture import one_rd_zero_firm_state

ROOT = Path(__file__).resolve().parent.parent
KEY = "rd_zero_records"  # views/rd_zero.py's record_panel
IMAGE = "![t](http://127.0.0.1:8699/track.png)测试"
PHISH = "[请点此重新登录](http://x.example/phish)"


def html(markdown: str) -> str:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


def inert(markdown: str) -> bool:
    rendered = html(markdown)
    return "<img" not in rendered and "<a " not in rendered


@pytest.fixture
def state(tmp_path, monkeypatch, instance):
    """One manufacturer above 1 亿元 without R&D (on the 清零 list) named like an image, in a town
    named like a link, with no work recorded."""
    yield from one_rd_zero_firm_state(tmp_path, monkeypatch, instance, name=IMAGE, town=PHISH)


def page(path: str, user: str = "analyst", **params) -> AppTest:
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), user)
    for k, v in {"as_of": "2026-10-31", **params}.items():
        at.query_params[k] = v
    at.run()
    at.session_state[f"{KEY}_open"] = True  # the 跟踪记录 expander, opened (drawn only then)
    at.switch_page(path)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_saved_note_with_a_link_is_confirmed_as_text(state):
    at = page("views/rd_zero.py")
    form = f"{KEY}_contact_0"
    at.text_area(key=f"{form}_note").input(f"见 {PHISH} {IMAGE}")
    at = next(b for b in at.button if b.label == "保存记录").click().run()
    assert not at.exception, [e.value for e in at.exception]
    (success,) = at.success
    assert "已保存（第 1 号）" in success.value
    assert inert(success.value) and "请点此重新登录" in success.value
    toast = at.get("toast")[0].proto.body
    assert inert(toast) and "请点此重新登录" in toast


def test_the_untouched_towns_line_names_a_link_town_as_text(state):
    at = page("views/followup.py")
    (warning,) = at.warning
    assert "1 个镇区的清单近30天无人跟进" in warning.value
    assert inert(warning.value) and "请点此重新登录" in warning.value
