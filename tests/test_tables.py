"""Per-table downloads: CSV with a BOM and Chinese intact, XLSX with Chinese headers and number
formats, file names."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import polars as pl
from fixtures import AS_OF

from kechuang.output import tables

FRAME = pl.DataFrame(
    {
        "企业名称": ["如东测试1号科技有限公司", "洋口港“新材料”有限公司"],
        "所属镇区": ["长沙镇", None],
        "营业收入（万元）": [12345.678, None],
        "研发投入强度": [0.0512, float("nan")],
        "覆盖率": [1.0, 0.5],
        "企业数": [1234, 5],
        "所属年度": [2025, 2024],
        "成立日期": [date(2015, 1, 1), date(2026, 10, 31)],
        "是否有效": [True, None],
        "知识产权类型": [["发明专利", "实用新型"], []],
    }
)


def test_file_stem_names_page_filters_and_date():
    assert tables.file_stem("技术合同", AS_OF, "长沙镇", None) == "技术合同_长沙镇_截至2026-10-31"
    assert tables.file_stem("精准筛选", AS_OF) == "精准筛选_截至2026-10-31"
    assert tables.file_stem("a/b: c", AS_OF, 'x*?"<>|y') == "a_b_c_x_y_截至2026-10-31"


def test_csv_has_bom_and_chinese_intact():
    data = tables.csv_bytes(FRAME)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(FRAME.columns)
    assert rows[1][:3] == ["如东测试1号科技有限公司", "长沙镇", "12345.678"]
    assert rows[2][:2] == ["洋口港“新材料”有限公司", ""]  # null is an empty cell, never "null"
    assert rows[1][7:9] == ["2015-01-01", "是"] and rows[2][8] == ""  # flags in words
    assert rows[1][9] == "发明专利、实用新型"


def _sheet(frame: pl.DataFrame, **kwargs):
    return openpyxl.load_workbook(io.BytesIO(tables.xlsx_bytes(frame, **kwargs))).active


def test_xlsx_headers_values_and_formats():
    ws = _sheet(FRAME)
    assert ws.title == "数据"
    assert [c.value for c in ws[1]] == list(FRAME.columns)
    assert ws["A1"].font.b
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:J3"
    assert ws["A2"].value == "如东测试1号科技有限公司" and ws["B3"].value is None
    assert (ws["C2"].value, ws["C2"].number_format) == (
        12345.678,
        "#,##0.00",
    )  # 万元 with thousands separators
    assert (ws["D2"].value, ws["D2"].number_format) == (
        0.0512,
        "0.0%",
    )  # a ratio is a fraction shown as 5.1%
    assert ws["D3"].value is None  # NaN is not a number to show
    assert ws["E3"].number_format == "0.0%"
    assert (ws["F2"].value, ws["F2"].number_format) == (1234, "#,##0")
    assert (ws["G2"].value, ws["G2"].number_format) == (2025, "0")  # a year, not 2,025
    assert (
        ws["H3"].value.date() == date(2026, 10, 31)
        and ws["H3"].number_format == 'yyyy"年"m"月"d"日"'
    )
    assert ws["I2"].value == "是" and ws["I3"].value is None
    assert ws["J2"].value == "发明专利、实用新型"
    assert ws.column_dimensions["A"].width >= 24  # 11 CJK characters count double


def test_xlsx_english_names_and_overrides():
    frame = pl.DataFrame(
        {"uscc": ["91320623MA0000001X"], "rd_staff_ratio": [0.1], "year": [2025], "score": [81.25]}
    )
    ws = _sheet(frame, sheet="筛选结果")
    assert ws.title == "筛选结果"
    assert [ws["B2"].number_format, ws["C2"].number_format, ws["D2"].number_format] == [
        "0.0%",
        "0",
        "#,##0.00",
    ]
    import xlsxwriter

    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        tables.write_sheet(book, frame, "x", start_row=2, formats={"score": "0.0"})
    ws = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["x"]
    assert (
        ws["D4"].number_format == "0.0"
        and ws.freeze_panes == "A4"
        and ws.auto_filter.ref == "A3:D4"
    )


def test_long_headers_wrap_in_a_taller_row():
    frame = pl.DataFrame({"新增高新技术企业：序时进度（家）与年度目标的对比说明": [1.5]})
    ws = _sheet(frame)
    assert ws.column_dimensions["A"].width < 30
    assert ws.row_dimensions[1].height > 15


def test_xlsx_text_stays_text():
    # Spreadsheet injection: a typed name that looks like a formula or a link is written as the
    # text it is.
    frame = pl.DataFrame(
        {
            "企业名称": ['=HYPERLINK("http://x","点击")', "http://example.com", "", "+1-2"],
            "n": [1, None, 3, 4],
        }
    )
    ws = _sheet(frame)
    assert [(c.value, c.data_type) for c in ws["A"][1:]] == [
        ('=HYPERLINK("http://x","点击")', "s"),
        ("http://example.com", "s"),
        (None, "n"),
        ("+1-2", "s"),
    ]
    assert not ws["A3"].hyperlink
    assert [c.value for c in ws["B"][1:]] == [1, None, 3, 4]
