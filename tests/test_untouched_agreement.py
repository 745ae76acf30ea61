"""One count of towns whose lists nobody worked for 30 days: 总览's 需关注, 跟踪台账, the briefing
workbook's cover (and 简报文字) and the Word briefing's 需关注 say the same number and towns.

Fixture (tests/worklog_fixture.py): three key enterprises, firms 1 and 3 in 掘港街道, firm 2
in 长沙镇. A visit to firm 1 today works 掘港街道's list; 长沙镇's list (firm 2) has no entry:
exactly one town, 长沙镇, is untouched."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from fixtures import sign_in
from streamlit.testing.v1 import AppTest
from worklog_fixture import ANALYST, F1, TOWN_A, TOWN_B, county

from kechuang.access import auth
from kechuang.engine.plan import load_plan
from kechuang.engine.warehouse import Warehouse
from kechuang.state import db
from kechuang.worklog import rules, store

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 10, 31)
LINE = "1 个镇区的清单近30天无人跟进"


@pytest.fixture
def data(tmp_path, monkeypatch, instance):
    data = county(tmp_path / "data")
    url = f"sqlite:///{(instance / 'state.db').resolve()}"
    monkeypatch.setenv("KECHUANG_DATA", str(data))
    monkeypatch.setenv("KECHUANG_STATE", url)
    monkeypatch.setenv("KECHUANG_AUDIT", str(tmp_path / "audit.jsonl"))
    auth.ensure_demo_users(auth.users_path())
    store.record_contact(db.engine(url), ANALYST, F1, kind="走访", on=rules.today())
    yield data
    db.dispose(url)


def page(path: str) -> AppTest:
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), "analyst")
    at.query_params["as_of"] = AS_OF.isoformat()
    at.run()
    at.switch_page(path)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def dated() -> str:
    """The line as the briefings write it: dated today, naming the town."""
    from kechuang.zh import fmt

    return f"截至{fmt.cn_date(rules.today())}，{LINE}"


def test_the_pages_say_one_town(data):
    overview = page("views/overview.py")
    assert f"工作记录：{LINE}（详见跟踪台账）" in "\n".join(c.value for c in overview.caption)
    (warning,) = page("views/followup.py").warning
    assert LINE in warning.value and warning.value.endswith(f"：{TOWN_B}")
    assert TOWN_A not in warning.value


def test_the_workbook_cover_and_the_briefing_text_say_the_same(data):
    from kechuang.output import summary, workbook

    wh = Warehouse(data)
    book = openpyxl.load_workbook(io.BytesIO(workbook.briefing_workbook(wh, AS_OF)))
    cover = " ".join(
        str(c) for row in book.worksheets[0].iter_rows(values_only=True) for c in row if c
    )
    for text in (cover, summary.briefing_text(wh, AS_OF, load_plan(2026))):
        assert dated() in text and f"：{TOWN_B}。" in text
        assert f"{TOWN_A}。" not in text.split(LINE)[1]


def test_the_word_briefing_says_the_same(data):
    import docx

    from kechuang.models import briefing
    from kechuang.output import figures

    try:
        figures.require()
    except figures.Unavailable as err:
        pytest.skip(str(err))
    made = docx.Document(io.BytesIO(briefing.briefing_docx(Warehouse(data), AS_OF)))
    texts = [p.text for p in made.paragraphs]
    attention = texts.index(next(t for t in texts if t.endswith("需关注事项")))
    (line,) = [t for t in texts if LINE in t]
    assert texts.index(line) > attention
    assert line == f"【工作记录】{dated()}（清单上的企业均无走访、阶段或责任人记录）：{TOWN_B}。"


def test_the_briefing_text_is_of_the_day_it_is_asked_for(data):
    """总览 caches 简报文字 with the day in its key: the 30 days end on the day passed. On the day
    of the visit 1 town is untouched; 31 days later both are."""
    from datetime import timedelta

    from kechuang.output import summary
    from kechuang.zh import fmt

    wh, plan = Warehouse(data), load_plan(2026)
    later = rules.today() + timedelta(days=31)
    assert dated() in summary.briefing_text(wh, AS_OF, plan, today=rules.today())
    assert f"截至{fmt.cn_date(later)}，2 个镇区的清单近30天无人跟进" in summary.briefing_text(
        wh, AS_OF, plan, today=later
    )
