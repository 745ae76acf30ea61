"""The command line of cli.md: JSON shapes, and exit 2 with one clear line on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fixtures import firm, uscc, write_warehouse

from kechuang.cli import main
from kechuang.engine.metrics import METRICS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data(tmp_path):
    return write_warehouse(
        tmp_path / "data",
        enterprises=[firm(1, industry_code="3415", town="长沙镇"), firm(2)],
        stats_annual=[
            {
                "uscc": uscc(1),
                "year": 2025,
                "revenue_wan": 15000.0,
                "rd_expense_wan": 0.0,
                "employees": 100,
                "rd_staff": 20,
                "total_assets_wan": 9000.0,
            }
        ],
        tax_annual=[
            {"uscc": uscc(2), "year": y, "revenue_wan": r, "rd_expense_wan": r * 0.06}
            for y, r in ((2023, 1000.0), (2024, 1000.0), (2025, 1300.0))
        ],
        hnte_certificates=[
            {"uscc": uscc(1), "certificate_no": "C1", "issued_on": date(2026, 3, 1)}
        ],
        tech_contracts=[
            {
                "contract_id": "T1",
                "uscc": uscc(1),
                "amount_wan": 100.0,
                "registered_on": date(2026, 10, 31),
            }
        ],
    )


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_progress_json_has_every_metric_id(capsys, data):
    code, out, _ = run(capsys, "progress", "--data", data, "--json")
    doc = json.loads(out)
    assert code == 0
    assert (doc["as_of"], doc["plan_year"]) == ("2026-10-31", 2026)
    assert [m["id"] for m in doc["metrics"]] == [m.id for m in METRICS]
    by_id = {m["id"]: m for m in doc["metrics"]}
    assert {k: by_id["new_hnte"][k] for k in ("label", "actual", "target", "unit", "status")} == {
        "label": "新增高新技术企业",
        "actual": 1,
        "target": 50.0,
        "unit": "家",
        "status": "behind",
    }
    assert (by_id["sci_projects_landed"]["actual"], by_id["sci_projects_landed"]["status"]) == (
        None,
        None,
    )
    assert by_id["rd_coverage"]["actual"] == 0.0


def test_progress_readable_output(capsys, data):
    code, out, _ = run(capsys, "progress", "--data", data, "--as-of", "2026-10-31")
    assert (
        code == 0 and "截至2026年10月31日" in out and "新增高新技术企业: 1 家 / 目标 50 家" in out
    )


def test_screen_json_shape_and_all(capsys, data):
    code, out, _ = run(capsys, "screen", "--data", data, "--json", "--as-of", "2026-10-31")
    assert code == 0 and json.loads(out) == []
    code, out, _ = run(capsys, "screen", "--all", "--data", data, "--json", "--as-of", "2026-10-31")
    rows = json.loads(out)
    assert code == 0 and [r["uscc"] for r in rows] == [uscc(2)]  # firm 1 holds a valid certificate
    # Firm 2 by hand (metrics.md, Y = 2025): revenue 1000, 1000, 1300 万元 with 6% R&D each year.
    expected = {
        "uscc": uscc(2),
        "name": "如东测试2号科技有限公司",
        "town": "掘港街道",
        "candidate": False,
        "pass_age": True,  # established 2015-01-01
        "pass_ip": None,  # no patents table: unknown
        "pass_rd_intensity": True,  # (60 + 60 + 78) / 3300 = 6% >= 5% (revenue(Y) <= 5000)
        "pass_rd_staff": None,  # no stats_annual row for 2025
        "pass_growth": True,  # 1300 / 1000 - 1 = 30% >= 20%
        "pass_sme": None,  # revenue 1300 <= 20000 passes; employees and assets unknown
        "rd_intensity": pytest.approx(0.06),
        "revenue_growth": pytest.approx(0.30),
        "rd_staff_ratio": None,
    }
    assert list(rows[0]) == [*expected, "score"]  # cli.md's fields in its order
    assert {k: rows[0][k] for k in expected} == expected


def test_screen_score_gives_unknown_inputs_nothing(capsys, data):
    code, out, _ = run(capsys, "screen", "--all", "--data", data, "--json", "--as-of", "2026-10-31")
    # IP 0 (no patents) + R&D intensity 30 x 6% / (2 x 5%) = 18 + growth 30% -> 16 + R&D staff
    # unknown -> 0.
    assert code == 0 and json.loads(out)[0]["score"] == 34.0


def test_rd_zero_gazelle_profile_check_shapes(capsys, data):
    code, out, _ = run(capsys, "rd-zero", "--data", data, "--json")
    assert code == 0 and json.loads(out) == [
        {
            "uscc": uscc(1),
            "name": "如东测试1号科技有限公司",
            "town": "长沙镇",
            "revenue_wan": 15000.0,
        }
    ]
    code, out, _ = run(capsys, "gazelle", "--data", data, "--json")
    assert code == 0 and json.loads(out) == []
    code, out, _ = run(capsys, "profile", uscc(1), "--data", data, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["uscc"] == uscc(1) and doc["registry"]["town"] == "长沙镇"
    assert (
        "patents" in doc["absent_sources"]
        and doc["sections"]["hnte_certificates"][0]["certificate_no"] == "C1"
    )
    code, out, _ = run(capsys, "check", "--data", data, "--json")
    findings = json.loads(out)
    assert code == 0 and all(
        set(f) == {"table", "check", "severity", "rows", "example"} for f in findings
    )
    assert {
        "table": "patents",
        "check": "table_absent",
        "severity": "warning",
        "rows": 0,
        "example": "缺少表 patents（知识产权）",
    } in findings


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["progress", "--data", "/no/such/dir"], "错误：数据目录不存在：/no/such/dir"),
        (
            ["progress", "--as-of", "2026-02-30"],
            "错误：参数有误：argument --as-of: 日期格式有误：'2026-02-30'",
        ),
        (
            ["profile", "91320623MA00000099", "--json"],
            "错误：未找到统一社会信用代码为 91320623MA00000099 的企业",
        ),
        (["profile", "123"], "错误：统一社会信用代码应为18位，实为3位：123"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, data, argv, message):
    argv = [*argv, "--data", str(data)] if "--data" not in argv else argv
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1


def test_mistyped_table_exits_2(capsys, tmp_path):
    pq.write_table(
        pa.table({"uscc": [uscc(1)], "certificate_no": ["C"], "issued_on": [20260301]}),
        tmp_path / "hnte_certificates.parquet",
    )
    code, _, err = run(capsys, "progress", "--data", tmp_path)
    assert code == 2
    assert (
        err == "错误：表 hnte_certificates 列 issued_on（发证日期）类型不符：应为 DATE，实为 BIGINT"
        f"（{tmp_path / 'hnte_certificates.parquet'}）\n"
    )


def test_cli_process_has_no_traceback_and_no_streamlit(data):
    script = (
        "import sys; from kechuang.cli import main; code = main(sys.argv[1:]); "
        "assert 'streamlit' not in sys.modules and 'plotly' not in sys.modules; sys.exit(code)"
    )
    ok = subprocess.run(
        [sys.executable, "-c", script, "progress", "--data", str(data), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "kechuang", "screen", "--as-of", "yesterday", "--data", str(data)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and bad.stderr.count("\n") == 1
