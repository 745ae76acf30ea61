"""Ingest: raw files in every encoding and format, one bad row of every kind, atomic versions,
rollback, deltas."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import date, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fixtures import firm, uscc, write_table, write_warehouse

from kechuang import ingest
from kechuang.cli import main
from kechuang.engine import contract
from kechuang.engine.sources import data_version
from kechuang.engine.uscc import check_char
from kechuang.engine.warehouse import Warehouse
from kechuang.ingest import Source, manifest, store

ENT_HEAD = [
    "统一社会信用代码",
    "企业名称",
    " 成立日期 ",
    "注册资本（元）",
    "国民经济行业代码",
    "所属镇区",
    "登记状态",
    "备注",
]


def wrong_check(n: int) -> str:
    """A well-formed code of firm n whose check character is wrong."""
    good = uscc(n)
    return good[:17] + ("0" if good[17] != "0" else "1")


def write_csv(path: Path, rows: list[list], encoding: str = "gbk") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list], title: str | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "名录"
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def table_rows(data: Path, table: str, order: str = "uscc") -> list[dict]:
    wh = Warehouse(data)
    try:
        return wh.con.sql(f"select * from _raw_{table} order by {order}").pl().to_dicts()
    finally:
        wh.close()


def reasons(result: ingest.Result) -> dict[int, str]:
    return {
        row: why
        for _, frame in result.rejects
        for row, why in zip(frame["行号"], frame["未导入原因"], strict=True)
    }


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- formats, header mapping, conversion and every kind of bad row ---------------------------------


@pytest.fixture
def gbk_enterprises(tmp_path) -> Path:
    rows = [
        ENT_HEAD,
        [
            uscc(1),
            "如东一号科技有限公司",
            "2026/3/5",
            "12,345,000",
            "3415",
            "掘港街道",
            "存续",
            "备注不导入",
        ],  # 2 good
        [
            uscc(2).lower(),
            "如东二号",
            "2026年3月5日",
            "1000000",
            "111",
            "长沙镇",
            "在业",
            "",
        ],  # 3 good: case, 0111
        [
            "91320623MA1234567",
            "短码",
            "2026-03-05",
            "5",
            "3415",
            "长沙镇",
            "存续",
            "",
        ],  # 4 USCC 17 characters
        [
            uscc(4)[:10] + "I" + uscc(4)[11:],
            "非法字符",
            "2026-03-05",
            "5",
            "3415",
            "长沙镇",
            "存续",
            "",
        ],  # 5 letter I
        [
            wrong_check(5),
            "校验位不符",
            "20260305",
            "5",
            "3415",
            "长沙镇",
            "存续",
            "",
        ],  # 6 kept and flagged
        [uscc(6), "日期无效", "2026-02-30", "5", "3415", "长沙镇", "存续", ""],  # 7 bad date
        [
            uscc(7),
            "资本为负",
            "2026-03-05",
            "-5",
            "3415",
            "长沙镇",
            "存续",
            "",
        ],  # 8 negative amount
        [uscc(8), "状态不符", "2026-03-05", "5", "3415", "长沙镇", "正常", ""],  # 9 category
        [uscc(9), "", "2026-03-05", "5", "3415", "长沙镇", "存续", ""],  # 10 required missing
        [
            uscc(10),
            "资本非数字",
            "2026-03-05",
            "五百万",
            "3415",
            "长沙镇",
            "存续",
            "",
        ],  # 11 not a number
        [
            uscc(1),
            "如东一号科技有限公司",
            "2026/3/5",
            "12,345,000",
            "3415",
            "掘港街道",
            "存续",
            "再发一次",
        ],  # 12 exact repeat
        [],  # 13 blank: skipped, numbering kept
        [uscc(11), "如东十一号", "20260301", "", "3415", "掘港街道", "存续", ""],  # 14 good
    ]
    return write_csv(tmp_path / "市场主体.csv", rows, "gbk")


def test_gbk_csv_bad_rows_rejected_with_reasons_good_rows_land(tmp_path, gbk_enterprises):
    data = tmp_path / "wh"
    [result] = ingest.ingest(
        data, [Source.from_path(gbk_enterprises)], user="tester", rejects_dir=tmp_path / "rej"
    )
    assert result.table == "enterprises" and result.mode == "replace" and result.written
    assert (result.rows_accepted, result.rows_rejected, result.rows_flagged) == (4, 8, 1)
    why = reasons(result)
    assert sorted(why) == [4, 5, 7, 8, 9, 10, 11, 12]
    assert why[4] == "统一社会信用代码应为18位，实为17位：91320623MA1234567"
    assert why[5].startswith("统一社会信用代码含非法字符：I")
    assert why[7] == "“成立日期”不是有效日期：2026-02-30"
    assert why[8] == "“注册资本（元）”为负数：-5"
    assert why[9] == "“登记状态”不在规定类别中：正常（应为存续、在业、迁出、注销、吊销）"
    assert why[10] == "缺少必填项“企业名称”"
    assert why[11] == "“注册资本（元）”不是数字：五百万"
    assert why[12] == f"与第2行完全重复（统一社会信用代码={uscc(1)}）"
    assert result.flags.to_dicts() == [
        {
            "文件": "市场主体.csv",
            "行号": 6,
            "提示": f"统一社会信用代码校验位不符（应为{check_char(wrong_check(5)[:17])}）："
            f"{wrong_check(5)}（已导入，请核实）",
        }
    ]
    rows = table_rows(data, "enterprises")
    assert [r["uscc"] for r in rows] == sorted([uscc(1), uscc(2), wrong_check(5), uscc(11)])
    one = next(r for r in rows if r["uscc"] == uscc(1))
    assert one["registered_capital_wan"] == 1234.5  # 12,345,000 元 = 1,234.5 万元
    assert one["established_on"] == date(2026, 3, 5)
    two = next(r for r in rows if r["uscc"] == uscc(2))
    assert (two["established_on"], two["registered_capital_wan"], two["industry_code"]) == (
        date(2026, 3, 5),
        100.0,
        "0111",
    )
    eleven = next(r for r in rows if r["uscc"] == uscc(11))
    assert eleven["established_on"] == date(2026, 3, 1) and eleven["registered_capital_wan"] is None
    assert any("备注" in n for n in result.notes) and any("以元计" in n for n in result.notes)


def test_rejects_file_is_the_source_rows_with_row_number_and_reason(tmp_path, gbk_enterprises):
    [result] = ingest.ingest(
        tmp_path / "wh", [Source.from_path(gbk_enterprises)], rejects_dir=tmp_path / "rej"
    )
    [path] = result.rejects_paths["市场主体.csv"]
    text = path.read_bytes()
    assert text.startswith("\ufeff".encode())
    back = pl.read_csv(text[3:], infer_schema=False)
    assert back.columns == ["行号", "未导入原因", *[h.strip() for h in ENT_HEAD]]
    assert (
        back.filter(pl.col("行号") == "8").row(0, named=True)["注册资本（元）"] == "'-5"
    )  # as sent, to be fixed (behind the quote that keeps a spreadsheet from running it)
    # the quote goes again when the file is read back: '-5 is -5 元
    again = ingest.prepare([Source("again.csv", data=back.write_csv().encode())])
    reason = back.filter(pl.col("行号") == "8").row(0, named=True)["未导入原因"]
    assert reason in again[0].rows["_reason"].to_list(), (reason, again[0].rows["_reason"])
    # the fixed rejects file is itself a valid source: extra columns 行号/未导入原因 are ignored
    fixed = back.with_columns(
        pl.when(pl.col("行号") == "8")
        .then(pl.lit("5"))
        .otherwise(pl.col("注册资本（元）"))
        .alias("注册资本（元）")
    )
    convs = ingest.prepare([Source("fixed.csv", data=fixed.write_csv().encode())])
    assert convs[0].table == "enterprises" and any("行号" in n for n in convs[0].notes)


def test_conflicting_duplicate_keys_are_all_rejected(tmp_path):
    head = ["统一社会信用代码", "企业名称"]
    src = write_csv(
        tmp_path / "e.csv", [head, [uscc(1), "甲"], [uscc(1), "乙"], [uscc(2), "丙"]], "utf-8"
    )
    [conv] = ingest.prepare([Source.from_path(src)])
    rejected = dict(zip(conv.rejected["_row"], conv.rejected["_reason"], strict=True))
    assert sorted(rejected) == [2, 3]
    assert (
        rejected[2]
        == f"统一社会信用代码={uscc(1)}在第2行、第3行重复出现且内容不一致，请核对后保留一行"
    )
    assert conv.accepted["uscc"].to_list() == [uscc(2)]


def test_utf8_with_and_without_bom_and_canonical_names(tmp_path):
    head = ["uscc", "period", "invoiced_sales_wan", "tax_paid_wan"]
    rows = [
        head,
        [uscc(1), "2026-03", "1,000.5", "10"],
        [uscc(1), "202604", "2000", "20"],
        [uscc(1), "2026年5月", "3000", "30"],
        [uscc(2), "2026-03-01至2026-03-31", "1", "0"],
        [uscc(2), "2026-13", "1", "0"],
    ]
    for name, encoding in (("bom.csv", "utf-8-sig"), ("plain.csv", "utf-8")):
        [conv] = ingest.prepare([Source.from_path(write_csv(tmp_path / name, rows, encoding))])
        assert conv.table == "tax_monthly"
        assert conv.accepted["period"].to_list() == [
            date(2026, 3, 1),
            date(2026, 4, 1),
            date(2026, 5, 1),
            date(2026, 3, 1),
        ]
        assert conv.accepted["invoiced_sales_wan"].to_list() == [1000.5, 2000.0, 3000.0, 1.0]
        assert dict(zip(conv.rejected["_row"], conv.rejected["_reason"], strict=True)) == {
            6: "“period”不是有效日期：2026-13"
        }


def test_xlsx_with_title_row_typed_cells_and_flags(tmp_path):
    head = [
        "统一社会信用代码",
        "年度",
        "是否规上",
        "营业收入（亿元）",
        "研究与试验发展经费支出（万元）",
        "研发人员数",
        "从业人员期末人数",
    ]
    rows = [
        head,
        [uscc(1), 2025, "是", 1.5, 300, 12, 200],  # row 3
        [uscc(2), "2025年", "否", "0.2", 0, "8", "50"],  # row 4
        [9.13206231234568e17, 2025, "是", 1, 1, 1, 1],  # row 5: a USCC Excel stored as a number
        [uscc(3), 2025, "也许", 1, 1, 1, 1],  # row 6: not a flag
        [uscc(4), 2025, "是", 1, 1, 2.5, 1],  # row 7: head count not whole
    ]
    src = write_xlsx(tmp_path / "统计.xlsx", rows, title="2025年统计联网直报（规上企业）")
    data = tmp_path / "wh"
    [result] = ingest.ingest(data, [Source.from_path(src)])
    assert result.table == "stats_annual"
    why = reasons(result)
    assert sorted(why) == [5, 6, 7]  # sheet row numbers: the title is row 1, the header row 2
    assert why[5].startswith("统一社会信用代码被存成了数字（9.13206231234568E+17）")
    assert why[6] == "“是否规上”应为“是”或“否”：也许"
    assert why[7] == "“研发人员数”应为整数：2.5"
    rows = table_rows(data, "stats_annual")
    assert [
        (r["uscc"], r["year"], r["above_scale"], r["revenue_wan"], r["rd_staff"]) for r in rows
    ] == [(uscc(1), 2025, True, 15000.0, 12), (uscc(2), 2025, False, 2000.0, 8)]
    assert result.rejects[0][0] == "统计_名录_未导入"


def test_xlsx_date_cells_and_parquet_source(tmp_path):
    head = ["证书编号", "统一社会信用代码", "发证日期"]
    src = write_xlsx(
        tmp_path / "高企.xlsx",
        [head, ["GR1", uscc(1), datetime(2025, 11, 20)], ["GR2", uscc(2), "2024/12/1"]],
    )
    [conv] = ingest.prepare([Source.from_path(src)])
    assert conv.table == "hnte_certificates"
    assert conv.accepted["issued_on"].to_list() == [date(2025, 11, 20), date(2024, 12, 1)]
    table = pa.table(
        {
            "ip_id": ["ZL1", "ZL2", None],
            "uscc": [uscc(1), uscc(2), uscc(3)],
            "ip_type": ["发明专利", "实用新型", "发明专利"],
            "granted_on": pa.array([date(2025, 1, 2), date(2025, 3, 4), None], pa.date32()),
            "valid": [True, False, True],
        }
    )
    pq.write_table(table, tmp_path / "patents.parquet")
    data = tmp_path / "wh"
    [result] = ingest.ingest(
        data, [Source("patents.parquet", data=(tmp_path / "patents.parquet").read_bytes())]
    )
    assert reasons(result) == {
        4: "缺少必填项“ip_id”"
    }  # parquet rows are numbered as if the header were row 1
    assert [
        (r["ip_id"], r["granted_on"], r["valid"]) for r in table_rows(data, "patents", "ip_id")
    ] == [("ZL1", date(2025, 1, 2), True), ("ZL2", date(2025, 3, 4), False)]


def test_unrecognised_ambiguous_and_incomplete_files_write_nothing(tmp_path):
    data = write_warehouse(tmp_path / "wh", enterprises=[firm(1)])
    before = data_version(data)
    cases = {
        "unknown.csv": ([["甲", "乙"], ["1", "2"]], "无法识别"),
        "ambiguous.csv": ([["统一社会信用代码", "年度"], [uscc(1), "2025"]], "表头同时符合"),
        "dup.csv": (
            [["统一社会信用代码", "uscc", "企业名称"], [uscc(1), uscc(1), "甲"]],
            "有重复的列",
        ),
    }
    for name, (rows, message) in cases.items():
        with pytest.raises(ingest.IngestError, match=message):
            ingest.ingest(data, [Source.from_path(write_csv(tmp_path / name, rows, "utf-8"))])
    with pytest.raises(ingest.IngestError, match="缺少必填列：企业名称（name）"):
        ingest.ingest(
            data,
            [
                Source.from_path(
                    write_csv(tmp_path / "e.csv", [["统一社会信用代码"], [uscc(1)]], "utf-8")
                )
            ],
            table="enterprises",
        )
    with pytest.raises(ingest.IngestError, match="不支持的文件类型"):
        ingest.ingest(data, [Source("old.xls", data=b"\xd0\xcf")])
    assert data_version(data) == before and not (data / "_versions" / "enterprises").exists()
    failures = manifest.read(data)
    assert len(failures) == 5 and all(
        e["error"] for e in failures
    )  # failed attempts are recorded too


# -- versions: atomic swap, crash, rollback, idempotence, deltas -----------------------------------


def test_crash_mid_write_leaves_previous_version_intact(tmp_path, monkeypatch, gbk_enterprises):
    data = write_warehouse(
        tmp_path / "wh", enterprises=[firm(1), firm(2)]
    )  # a plain file, not yet versioned
    before = data_version(data)

    def crashing(con, sql, path):
        path.write_bytes(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(ingest, "write_parquet", crashing)
    with pytest.raises(ingest.IngestError, match="^磁盘空间不足：无法写入 .*_versions/enterprises"):
        ingest.ingest(data, [Source.from_path(gbk_enterprises)])
    assert data_version(data) == before
    assert [r["uscc"] for r in table_rows(data, "enterprises")] == [uscc(1), uscc(2)]
    assert not list(data.rglob("*.tmp")) and not list(data.glob(".*.link"))
    assert not (data / "enterprises.parquet").is_symlink()
    monkeypatch.undo()
    [result] = ingest.ingest(
        data, [Source.from_path(gbk_enterprises)]
    )  # and the next attempt works
    assert result.written and len(table_rows(data, "enterprises")) == 4


def test_open_warehouse_keeps_its_version_and_data_version_changes(tmp_path, gbk_enterprises):
    data = tmp_path / "wh"
    ingest.ingest(
        data,
        [
            Source.from_path(
                write_csv(
                    tmp_path / "e.csv", [["统一社会信用代码", "企业名称"], [uscc(1), "甲"]], "utf-8"
                )
            )
        ],
    )
    old = Warehouse(data)
    v1 = data_version(data)
    ingest.ingest(data, [Source.from_path(gbk_enterprises)])
    assert data_version(data) != v1
    assert old.con.sql("select count(*) from enterprises").fetchall() == [
        (1,)
    ]  # the running app is not switched mid-page
    assert Warehouse(data).con.sql("select count(*) from enterprises").fetchall() == [(4,)]


def test_rollback_walks_back_to_the_adopted_file_then_stops(tmp_path, capsys):
    data = write_warehouse(tmp_path / "wh", enterprises=[firm(1)])
    head = ["统一社会信用代码", "企业名称"]
    v2 = write_csv(tmp_path / "v2.csv", [head, [uscc(2), "乙"]], "utf-8")
    v3 = write_csv(tmp_path / "v3.csv", [head, [uscc(3), "丙"]], "utf-8")
    ingest.ingest(data, [Source.from_path(v2)])
    ingest.ingest(data, [Source.from_path(v3)])
    assert [r["uscc"] for r in table_rows(data, "enterprises")] == [uscc(3)]
    code, out, _ = run(capsys, "ingest", "--rollback", "enterprises", "--data", data)
    assert code == 0 and "已回退表 enterprises" in out
    assert [r["uscc"] for r in table_rows(data, "enterprises")] == [uscc(2)]
    ingest.rollback(data, "enterprises", user="tester")
    assert [r["uscc"] for r in table_rows(data, "enterprises")] == [
        uscc(1)
    ]  # the file found before the first ingest
    with pytest.raises(ingest.IngestError, match="已是首次导入前的原有数据"):
        ingest.rollback(data, "enterprises")
    assert [r["uscc"] for r in table_rows(data, "enterprises")] == [uscc(1)]
    code, _, err = run(capsys, "ingest", "--rollback", "enterprises", "--data", data)
    assert code == 2 and err.count("\n") == 1
    actions = [(e["action"], e.get("user")) for e in manifest.read(data) if e["action"] != "done"]
    assert actions[-2:] == [("rollback", actions[-2][1]), ("rollback", "tester")]
    assert (
        len(store.versions(data, "enterprises")) == 3
    )  # nothing is deleted: every version can still be restored by hand


def test_rollback_of_first_ingest_removes_the_table(tmp_path):
    data = tmp_path / "wh"
    src = write_csv(
        tmp_path / "e.csv", [["统一社会信用代码", "企业名称"], [uscc(1), "甲"]], "utf-8"
    )
    ingest.ingest(data, [Source.from_path(src)])
    assert Warehouse(data).available("enterprises")
    entry = ingest.rollback(data, "enterprises")
    assert (
        entry["version"] is None and not Warehouse(data, strict=False).tables["enterprises"].source
    )


def test_same_file_twice_changes_nothing(tmp_path, gbk_enterprises):
    data = tmp_path / "wh"
    [first] = ingest.ingest(data, [Source.from_path(gbk_enterprises)], user="a")
    version, rows = data_version(data), table_rows(data, "enterprises")
    [second] = ingest.ingest(data, [Source.from_path(gbk_enterprises)], user="b")
    assert second.repeat and not second.written and second.version == first.version
    assert data_version(data) == version and table_rows(data, "enterprises") == rows
    assert len(list((data / "_versions" / "enterprises").glob("*.parquet"))) == 1
    entries = [e for e in manifest.read(data) if e["action"] == "ingest"]
    assert [(e["repeat"], e["user"], e["sha256"] == first.files[0].sha256) for e in entries] == [
        (False, "a", True),
        (True, "b", True),
    ]
    assert {k for k in entries[0]} >= {
        "file",
        "sha256",
        "table",
        "rows_accepted",
        "rows_rejected",
        "time",
        "user",
    }
    assert (entries[0]["file"], entries[0]["rows_accepted"], entries[0]["rows_rejected"]) == (
        "市场主体.csv",
        4,
        8,
    )


TAX_HEAD = ["统一社会信用代码", "所属期", "开票销售额（元）", "入库税款（元）"]


def test_tax_monthly_replace_periods_keeps_other_months(tmp_path):
    data = tmp_path / "wh"
    jan_mar = write_csv(
        tmp_path / "q1.csv",
        [TAX_HEAD] + [[uscc(n), f"2026-0{m}", "10000", "1000"] for n in (1, 2) for m in (1, 2, 3)],
    )
    ingest.ingest(data, [Source.from_path(jan_mar)])
    mar_apr = write_csv(
        tmp_path / "mar_apr.csv",
        [TAX_HEAD, [uscc(1), "2026年3月", "50000", "5000"], [uscc(1), "202604", "60000", "6000"]],
    )
    [result] = ingest.ingest(
        data, [Source.from_path(mar_apr)]
    )  # default for tax_monthly: replace-periods
    assert result.mode == "replace-periods" and result.rows_total == 6
    assert any("2026年3月、2026年4月" in n for n in result.notes)
    got = {
        (r["uscc"], r["period"].month): r["invoiced_sales_wan"]
        for r in table_rows(data, "tax_monthly", "uscc, period")
    }
    assert got == {
        (uscc(1), 1): 1.0,
        (uscc(1), 2): 1.0,
        (uscc(1), 3): 5.0,
        (uscc(1), 4): 6.0,
        (uscc(2), 1): 1.0,
        (uscc(2), 2): 1.0,
    }  # uscc(2)'s March is gone: March now comes from this file


def test_append_adds_new_keys_and_rejects_existing_ones(tmp_path):
    data = write_warehouse(
        tmp_path / "wh", tech_contracts=[{"contract_id": "T1", "uscc": uscc(1), "amount_wan": 10.0}]
    )
    head = ["合同登记号", "本地主体统一社会信用代码", "合同成交额（万元）", "合同类别"]
    src = write_csv(
        tmp_path / "c.csv",
        [head, ["T1", uscc(1), "99", "技术开发"], ["T2", uscc(2), "20", "技术服务"]],
    )
    [result] = ingest.ingest(data, [Source.from_path(src)], mode="append")
    assert reasons(result) == {
        2: "现有数据中已有（合同登记号=T1）：追加不覆盖已有数据，如需更正请整表替换"
    }
    rows = table_rows(data, "tech_contracts", "contract_id")
    assert [(r["contract_id"], r["amount_wan"], r["contract_type"]) for r in rows] == [
        ("T1", 10.0, None),
        ("T2", 20.0, "技术服务"),
    ]
    with pytest.raises(ingest.IngestError, match="不能按所属期替换"):
        ingest.ingest(data, [Source.from_path(src)], mode="replace-periods")


def test_folder_form_table_becomes_a_version_and_comes_back_on_rollback(tmp_path):
    data = tmp_path / "wh"
    for year, month in ((2025, 12), (2026, 1)):
        write_table(
            data,
            "tax_monthly",
            [{"uscc": uscc(1), "period": date(year, month, 1), "invoiced_sales_wan": 1.0}],
            path=data / "tax_monthly" / f"year={year}" / "part-0.parquet",
        )
    src = write_csv(tmp_path / "jan.csv", [TAX_HEAD, [uscc(1), "2026-01", "70000", "0"]])
    [result] = ingest.ingest(data, [Source.from_path(src)])
    assert result.rows_total == 2 and not (data / "tax_monthly").exists()
    got = [
        (r["period"], r["invoiced_sales_wan"]) for r in table_rows(data, "tax_monthly", "period")
    ]
    assert got == [(date(2025, 12, 1), 1.0), (date(2026, 1, 1), 7.0)]
    ingest.rollback(data, "tax_monthly")
    assert (data / "tax_monthly" / "year=2026").is_dir() and not (
        data / "tax_monthly.parquet"
    ).exists()
    assert [r["invoiced_sales_wan"] for r in table_rows(data, "tax_monthly", "period")] == [
        1.0,
        1.0,
    ]


def test_several_files_of_one_table_are_one_version(tmp_path):
    data = tmp_path / "wh"
    head = ["统一社会信用代码", "企业名称"]
    a = write_csv(tmp_path / "a.csv", [head, [uscc(1), "甲"]], "utf-8")
    b = write_xlsx(tmp_path / "b.xlsx", [head, [uscc(2), "乙"], [uscc(1), "甲二"]])
    [result] = ingest.ingest(data, [Source.from_path(a), Source.from_path(b)])
    assert [f.name for f in result.files] == ["a.csv", "b.xlsx"] and result.rows_total == 1
    assert (
        reasons(result)[3]
        == f"统一社会信用代码={uscc(1)}在a.csv第2行、b.xlsx（名录）第3行重复出现且内容不一致，请核"
        "对后保留一行"
    )
    lines = [e for e in manifest.read(data) if e["action"] == "ingest"]
    assert len(lines) == 2 and len({e["version"] for e in lines}) == 1


def test_dry_run_writes_nothing(tmp_path, gbk_enterprises):
    data = write_warehouse(tmp_path / "wh", enterprises=[firm(1)])
    before = data_version(data)
    [result] = ingest.ingest(data, [Source.from_path(gbk_enterprises)], dry_run=True)
    assert result.rows_accepted == 4 and not result.written
    assert data_version(data) == before and manifest.read(data) == []


# -- CLI -------------------------------------------------------------------------------------------


def test_cli_ingest_json_and_errors(tmp_path, capsys, gbk_enterprises):
    data = tmp_path / "wh"
    code, out, _ = run(
        capsys, "ingest", gbk_enterprises, "--data", data, "--user", "张三", "--json"
    )
    assert code == 0
    [obj] = json.loads(out)
    assert (
        obj["table"],
        obj["rows_accepted"],
        obj["rows_rejected"],
        obj["rows_flagged"],
        obj["written"],
    ) == ("enterprises", 4, 8, 1, True)
    assert Path(obj["rejects"][0]).parent == data / "_rejects"
    assert manifest.read(data)[-1]["user"] == "张三"
    code, out, _ = run(capsys, "ingest", gbk_enterprises, "--data", data)
    assert code == 0 and out.startswith("重复导入（数据未变） enterprises")
    code, _, err = run(capsys, "ingest", tmp_path / "nope.csv", "--data", data)
    assert code == 2 and "找不到文件" in err and err.count("\n") == 1
    bad = write_csv(
        tmp_path / "all_bad.csv", [["统一社会信用代码", "企业名称"], ["X", "甲"]], "utf-8"
    )
    code, _, err = run(capsys, "ingest", bad, "--data", data, "--table", "enterprises")
    assert code == 2 and "没有一行可导入" in err
    assert (
        len(table_rows(data, "enterprises")) == 4
    )  # an all-rejected file never replaces the table with nothing
    code, _, err = run(capsys, "ingest", bad, "--data", data, "--table", "nosuch")
    assert code == 2 and "未知的表名" in err


def test_tables_only_via_allow_list():
    with pytest.raises(ingest.IngestError, match="未知的表名"):
        ingest.rollback(".", "enterprises; drop table x")
    assert set(ingest.PERIOD_COLUMNS) <= set(contract.TABLES)


def test_symlink_target_is_relative_so_the_directory_can_move(tmp_path):
    data = tmp_path / "wh"
    ingest.ingest(
        data,
        [
            Source.from_path(
                write_csv(
                    tmp_path / "e.csv", [["统一社会信用代码", "企业名称"], [uscc(1), "甲"]], "utf-8"
                )
            )
        ],
    )
    assert not os.readlink(data / "enterprises.parquet").startswith("/")
    moved = tmp_path / "moved"
    (data).rename(moved)
    assert Warehouse(moved).available("enterprises")


# -- the running dashboard: a new version without restart, never two versions in one page run ------


def _page_that_ingests_mid_run():
    import os

    import streamlit as st

    from kechuang import ingest
    from kechuang.ui import cache

    cache.open_or_stop()  # pins the data version for this run
    before = cache.cached(cache._towns)
    if os.environ.get("TEST_INGEST_FILE") and not st.session_state.get("done"):
        ingest.ingest(
            cache.data_dir(), [ingest.Source.from_path(os.environ["TEST_INGEST_FILE"])]
        )  # lands mid-run
        st.session_state.done = True
    wh = cache.warehouse()
    st.session_state.seen = (
        before,
        cache.cached(cache._towns),
        wh.con.sql("select count(*) from enterprises").fetchall()[0][0],
    )


def test_page_run_never_mixes_versions_and_next_run_sees_the_new_one(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    data = tmp_path / "wh"
    ingest.ingest(
        data,
        [
            Source.from_path(
                write_csv(
                    tmp_path / "v1.csv",
                    [["统一社会信用代码", "企业名称", "所属镇区"], [uscc(1), "甲", "掘港街道"]],
                    "utf-8",
                )
            )
        ],
    )
    v2 = write_csv(
        tmp_path / "v2.csv",
        [
            ["统一社会信用代码", "企业名称", "所属镇区"],
            [uscc(1), "甲", "掘港街道"],
            [uscc(2), "乙", "长沙镇"],
        ],
    )
    monkeypatch.setenv("KECHUANG_DATA", str(data))
    monkeypatch.setenv("TEST_INGEST_FILE", str(v2))
    at = AppTest.from_function(_page_that_ingests_mid_run, default_timeout=60)
    at.run()
    assert not at.exception
    assert at.session_state.seen == (
        ["掘港街道"],
        ["掘港街道"],
        1,
    )  # the ingest landed, this run still reads version 1
    at.run()
    assert at.session_state.seen == (
        ["掘港街道", "长沙镇"],
        ["掘港街道", "长沙镇"],
        2,
    )  # the next run, no restart


def test_csv_row_numbers_follow_the_file_title_lines_blank_rows_and_quoted_newlines(tmp_path):
    text = (
        "技术合同登记表（2026年10月）\r\n"  # row 1: a title
        "合同登记号,本地主体统一社会信用代码,对方名称\r\n"  # row 2: the header
        f'T1,{uscc(1)},"上海某研究院\r\n（联合体）"\r\n'  # row 3: a quoted line break
        "\r\n"  # row 4: blank
        f"T2,{uscc(2)},甲,多出的一列\r\n"  # row 5: a cell beyond the header
        f"T3,{uscc(3)[:17]}\r\n"
    )  # row 6: short row, bad code
    [conv] = ingest.prepare([Source("c.csv", data=text.encode("gb18030"))])
    assert conv.table == "tech_contracts"
    assert conv.rows.select("contract_id", "_row").rows() == [("T1", 3), ("T2", 5), ("T3", 6)]
    assert conv.accepted["counterparty"].to_list() == ["上海某研究院\r\n（联合体）", "甲"]
    assert conv.rejected["_reason"].to_list() == [
        f"统一社会信用代码应为18位，实为17位：{uscc(3)[:17]}"
    ]
