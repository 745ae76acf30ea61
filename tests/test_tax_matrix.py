"""Role × page × download: no named tax figure reaches a leader, a town officer or a share visitor.

Every figure of the fixture's tax tables (and the statistics amounts the firm lists mix in) has odd
decimals, so it can be recognised in any format (12345678.9, 12,345,678.9, 1,234.57 亿元). Each path
the figures could take is collected as text — page elements via AppTest (texts, metrics, tables,
charts), every download the page offers (CSV, XLSX), the briefing workbook, the CLI's JSON — and
searched for them. The analyst's paths are searched too: they must find the figures, so a collector
that sees nothing cannot pass the test.

Another exporter (the Word briefing) joins by adding one function to EXPORTERS.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from fixtures import firm, open_sections, sign_in, sign_out, uscc, write_warehouse
from streamlit.testing.v1 import AppTest

from kechuang.access import audit, auth, share

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-10-31"
CHANGSHA, JUEGANG = "长沙镇", "掘港街道"

# firm 1 (长沙镇): differs from an HNTE candidate only by its size (a near miss on 中小企业规模).
TAX_ANNUAL = [
    (1, 2023, 18765.432, 987.654, 4321.987),
    (1, 2024, 20987.654, 1098.765, 5432.109),
    (1, 2025, 26234.567, 1234.567, 6543.219),
    # firm 2 (长沙镇): a gazelle candidate (valid certificate, 55.6% a year since 2023)
    (2, 2023, 2345.671, 101.239, 1111.333),
    (2, 2025, 5678.912, 202.347, 1222.444),
    # firm 3 (长沙镇): a manufacturer above 1 亿元 without R&D (the 清零 list)
    (3, 2025, 33456.712, 0.0, 7777.321),
    # firm 4 (掘港街道): another town's firm
    (4, 2025, 4444.567, 44.321, 444.987),
    # firm 6 (长沙镇): an HNTE candidate (all six criteria: the Word briefing's 附表1)
    (6, 2023, 3111.117, 200.113, 901.237),
    (6, 2024, 3555.229, 222.227, 902.347),
    (6, 2025, 4444.331, 250.339, 903.457),
]
TAX_MONTHLY = [
    (1, 1, 12345678.9, 4567.891),  # a 元 file under a 万元 header: a 数据质量 finding
    (1, 2, 2345.678, 123.456),
    (2, 1, 111.137, 7.913),
    (2, 2, 222.259, 9.127),
    (4, 1, 321.987, 31.579),
    (5, 1, 654.319, 61.283),
]
STATS_REVENUE = {1: 25987.321, 2: 5555.129, 3: 34567.891, 6: 4321.777}
SECRETS = sorted(
    {v for row in TAX_ANNUAL for v in row[2:] if v}
    | {v for row in TAX_MONTHLY for v in row[2:]}
    | set(STATS_REVENUE.values())
    | {
        round(18765.432 + 20987.654 + 26234.567, 3),  # three-year revenue of firm 1
        round(987.654 + 1098.765 + 1234.567, 3),  # and its R&D
        round(12345678.9 + 2345.678, 3),  # firm 1's invoiced sales in 2026
        round(4567.891 + 123.456, 3),
    }
)


def spellings(value: float) -> set[str]:
    """How a figure may be written: as stored, to 1 or 2 decimals, with or without separators, in
    亿元."""
    out = {repr(value), f"{value:.1f}", f"{value:,.1f}", f"{value:.2f}", f"{value:,.2f}"}
    if value >= 10_000:
        out |= {f"{value / 10_000:.2f}", f"{value / 10_000:,.2f}"}
    return out


def leaks(text: str) -> list[float]:
    return [v for v in SECRETS if any(s in text for s in spellings(v))]


@pytest.fixture
def county(tmp_path, monkeypatch):
    data = write_warehouse(
        tmp_path / "data",
        enterprises=[
            firm(1, town=CHANGSHA),
            firm(2, town=CHANGSHA, established_on=date(2020, 1, 1)),
            firm(3, town=CHANGSHA),
            firm(4, town=JUEGANG),
            firm(5, town=JUEGANG),
            firm(6, town=CHANGSHA),
        ],
        tax_annual=[
            {
                "uscc": uscc(n),
                "year": y,
                "revenue_wan": r,
                "rd_expense_wan": rd,
                "net_assets_wan": na,
            }
            for n, y, r, rd, na in TAX_ANNUAL
        ],
        tax_monthly=[
            {
                "uscc": uscc(n),
                "period": date(2026, m, 1),
                "invoiced_sales_wan": s,
                "tax_paid_wan": t,
            }
            for n, m, s, t in TAX_MONTHLY
        ],
        stats_annual=[
            {
                "uscc": uscc(n),
                "year": 2025,
                "above_scale": True,
                "revenue_wan": r,
                "rd_expense_wan": 0.0,
                "rd_staff": 30,
                "employees": 100,
                "total_assets_wan": 9000.0,
            }
            for n, r in STATS_REVENUE.items()
        ],
        patents=[
            {
                "ip_id": f"ZL{n}",
                "uscc": uscc(n),
                "ip_type": "发明专利",
                "granted_on": date(2020, 5, 1),
                "valid": True,
            }
            for n in (1, 6)
        ],
        hnte_certificates=[
            {"uscc": uscc(2), "certificate_no": "C2", "issued_on": date(2024, 12, 1)}
        ],
        # An event on AS_OF (no firm, no tax): the data's freshness, so the pages and the CLI work
        # at AS_OF as the exporters do, instead of being brought back to 2024-12-01.
        trainings=[{"training_id": "T1", "title": "政策宣讲", "held_on": date(2026, 10, 31)}],
    )
    monkeypatch.setenv("KECHUANG_DATA", str(data))
    return data


@pytest.fixture
def downloads(monkeypatch) -> list[bytes]:
    """Every file a page offers, built at once (the app builds them on the click)."""
    files: list[bytes] = []

    def eager(data, *args, **kwargs):
        files.append(data() if callable(data) else data)
        return files[-1]

    monkeypatch.setattr(audit, "on_fetch", eager)
    return files


def file_text(data: bytes) -> str:
    if data[:2] == b"PK":  # XLSX
        book = openpyxl.load_workbook(io.BytesIO(data))
        return " ".join(
            str(c)
            for ws in book.worksheets
            for row in ws.iter_rows(values_only=True)
            for c in row
            if c is not None
        )
    return data.decode("utf-8-sig")


def page_text(at: AppTest) -> str:
    parts = [
        str(e.value)
        for kind in ("title", "header", "subheader", "markdown", "caption", "code")
        for e in getattr(at, kind)
    ]
    parts += [
        str(e.value) for kind in ("error", "info", "warning", "success") for e in at.get(kind)
    ]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [d.value.to_csv() for d in at.dataframe]
    parts += [e.proto.spec for e in at.get("plotly_chart")]
    return "\n".join(parts)


def open_page(page: str, user: str | None, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    sign_in(at, user) if user else sign_out(at)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if page and user:
        at.switch_page(page)
        at.run()
    open_sections(at)  # every chart's table and its downloads, as a user opening them sees
    assert not at.exception, [e.value for e in at.exception]
    return at


PAGES = [
    ("views/enterprise.py", {"uscc": uscc(1)}),
    ("views/enterprise.py", {"uscc": uscc(2)}),
    ("views/enterprise.py", {"uscc": uscc(3)}),
    ("views/screening.py", {}),
    ("views/gazelle.py", {}),
    ("views/rd_zero.py", {}),
    ("views/overview.py", {}),
    ("views/progress.py", {}),
    ("views/todo.py", {}),  # the work-record pages (issue 21): firm lists with their downloads
    ("views/followup.py", {}),
]


def pages_seen_by(user: str, downloads: list[bytes]) -> str:
    out = []
    for page, params in PAGES:
        at = open_page(page, user, as_of=AS_OF, **params)
        out.append(page_text(at))
    out.append(data_status_seen(user))
    at = open_page("views/briefing.py", user, as_of=AS_OF)
    next(b for b in at.button if b.label == "生成简报").click().run()
    out += [file_text(f) for f in downloads]
    return "\n".join(out)


def data_status_seen(user: str) -> str:
    """数据质量 with every finding's rows opened in turn."""
    at = open_page("views/data_status.py", user, as_of=AS_OF)
    out = [page_text(at)]
    picker = at.selectbox(key="quality_finding")
    for option in picker.options:
        picker.set_value(next(f for f in picker.options if f == option)).run()
        out.append(page_text(at))
    return "\n".join(out)


def cli_json(capsys, *argv: str) -> str:
    from kechuang.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def cli_seen_by(user: str, data: Path, tmp_path: Path, capsys) -> str:
    common = ["--data", str(data), "--as-of", AS_OF, "--json", "--as-user", user]
    out = [cli_json(capsys, "profile", uscc(n), *common) for n in (1, 2, 3)]
    out += [cli_json(capsys, cmd, *common) for cmd in ("check", "rd-zero", "gazelle", "progress")]
    out.append(cli_json(capsys, "screen", "--all", *common))
    return "\n".join(out)


def _workbook(user: auth.User, data: Path, tmp_path: Path) -> str:
    from kechuang.output import workbook

    book = workbook.briefing_workbook(
        _warehouse(data, user), date.fromisoformat(AS_OF), viewer=user
    )
    return file_text(book)


def _warehouse(data: Path, user: auth.User):
    from kechuang.engine.warehouse import Warehouse

    return Warehouse(data, scope=auth.scope_for(user))


def _word(user: auth.User, data: Path, tmp_path: Path) -> str:
    import docx

    from kechuang.models import briefing
    from kechuang.output import figures

    try:
        figures.require()
    except figures.Unavailable as err:
        pytest.skip(str(err))
    made = briefing.briefing_docx(_warehouse(data, user), date.fromisoformat(AS_OF), viewer=user)
    doc = docx.Document(io.BytesIO(made))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _cli_export(suffix: str) -> Callable[[auth.User, Path, Path], str]:
    """`kechuang export --out 简报<suffix> --as-user NAME`: the CLI's own path to the briefing."""

    def export(user: auth.User, data: Path, tmp_path: Path) -> str:
        import docx

        from kechuang.cli import main
        from kechuang.output import figures

        if suffix == ".docx":
            try:
                figures.require()
            except figures.Unavailable as err:
                pytest.skip(str(err))
        out = tmp_path / f"简报_{user.name}{suffix}"
        argv = ["export", "--out", str(out), "--data", str(data), "--as-of", AS_OF]
        assert main([*argv, "--as-user", user.name]) == 0
        if suffix == ".xlsx":
            return file_text(out.read_bytes())
        doc = docx.Document(str(out))
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in doc.paragraphs] + cells)

    return export


# name -> what an exporter writes for this account, as text.
EXPORTERS: dict[str, Callable[[auth.User, Path, Path], str]] = {
    "briefing_xlsx": _workbook,
    "briefing_docx": _word,
    "cli_export_xlsx": _cli_export(".xlsx"),
    "cli_export_docx": _cli_export(".docx"),
}


def account(name: str) -> auth.User:
    return next(u for u in auth.list_users(auth.users_path()) if u.name == name)


# -- the positive control: the collectors do see the figures -------------------------------------


def test_the_analyst_sees_the_named_tax_figures_by_every_path(county, downloads, tmp_path, capsys):
    seen = pages_seen_by("analyst", downloads)
    assert {12345678.9, 26234.567, 5432.109, 33456.712} <= set(leaks(seen))
    assert leaks(cli_seen_by("analyst", county, tmp_path, capsys))
    for name, export in EXPORTERS.items():
        assert 4444.331 in leaks(export(account("analyst"), county, tmp_path)), name


# -- the matrix ----------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["leader", "changsha"])
def test_no_page_or_download_shows_a_named_tax_figure(user, county, downloads):
    seen = pages_seen_by(user, downloads)
    assert downloads, "the pages offered no download to search"
    assert "区间" in seen  # the figures are there, as bands
    assert leaks(seen) == []


@pytest.mark.parametrize("user", ["leader", "changsha"])
def test_no_cli_output_shows_a_named_tax_figure(user, county, tmp_path, capsys):
    assert leaks(cli_seen_by(user, county, tmp_path, capsys)) == []


@pytest.mark.parametrize("user", ["leader", "changsha"])
@pytest.mark.parametrize("exporter", sorted(EXPORTERS))
def test_no_export_shows_a_named_tax_figure(user, exporter, county, tmp_path):
    assert leaks(EXPORTERS[exporter](account(user), county, tmp_path)) == []


@pytest.mark.parametrize("page", ["overview", "progress"])
@pytest.mark.parametrize("town", [None, CHANGSHA])
def test_a_share_visitor_sees_no_named_tax_figure(page, town, county, downloads):
    url, _ = share.create_link("http://kechuang.test", page, date(2026, 10, 31), town, "analyst")
    at = open_page("", None, share=url.split("?share=")[1])
    assert at.metric and not downloads
    assert leaks(page_text(at)) == []


def test_the_cli_check_for_a_leader_bands_the_finding(county, tmp_path, capsys):
    """Issue 17's reproduction: a tax_monthly value of 12345678.9 万元 (元 under a 万元 header)."""
    common = ["--data", str(county), "--as-of", AS_OF, "--json"]
    found = json.loads(cli_json(capsys, "check", *common, "--as-user", "leader"))
    huge = next(f for f in found if f["check"] == "out_of_range" and f["table"] == "tax_monthly")
    assert huge["example"] == (
        f"record={uscc(1)} 2026-01-01, column_name=invoiced_sales_wan, value=10 亿元以上"
    )
    whole = json.loads(cli_json(capsys, "check", *common))
    assert "value=12345678.9" in next(
        f["example"] for f in whole if f["check"] == "out_of_range" and f["table"] == "tax_monthly"
    )
