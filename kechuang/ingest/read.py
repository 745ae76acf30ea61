"""Reading department files as they come: CSV (UTF-8 with or without BOM, GBK/GB18030, UTF-16),
Excel, Parquet.

Every cell becomes text (or null when empty), so one set of converters handles every format; each
data row keeps its row number as the user sees it in the source file (header = row 1 when the header
is the first row; an Excel sheet's own row numbers).
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import polars as pl

from kechuang.ingest import headers
from kechuang.ingest.errors import IngestError

# Leading bytes that say what a file is, whatever its name: a zip (xlsx), Parquet, an OLE2 .xls.
MAGIC = (
    (b"PK\x03\x04", "xlsx"),
    (b"PAR1", "parquet"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),
)
HEADER_SEARCH_ROWS = 10  # a title line or two may sit above the header
FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
}


@dataclass(frozen=True)
class Source:
    """One file handed over: a path on disk, or the bytes of an upload with its file name."""

    name: str
    data: bytes | None = None
    path: Path | None = None

    @classmethod
    def from_path(cls, path: str | Path) -> Source:
        path = Path(path)
        if not path.is_file():
            raise IngestError(f"找不到文件：{path}")
        return cls(path.name, path=path)

    def read(self) -> bytes:
        return self.data if self.data is not None else self.path.read_bytes()

    def sha256(self) -> str:
        digest = hashlib.sha256()
        if self.data is not None:
            digest.update(self.data)
        else:
            with self.path.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
        return digest.hexdigest()

    def head(self, n: int = 8) -> bytes:
        if self.data is not None:
            return self.data[:n]
        with self.path.open("rb") as f:
            return f.read(n)

    @property
    def format(self) -> str:
        """csv, xlsx or parquet, by the file's content first (a workbook renamed .csv is a
        workbook)."""
        start = self.head()
        for magic, kind in MAGIC:
            if start.startswith(magic):
                if kind == "xls":
                    raise IngestError(
                        f"{self.name} 是旧版 Excel (.xls) 文件：请在 Excel/WPS 中另存为 .xlsx "
                        "后导入"
                    )
                return kind
        suffix = Path(self.name).suffix.lower()
        if suffix not in FORMATS:
            raise IngestError(
                f"不支持的文件类型：{self.name}（支持 CSV、Excel .xlsx、Parquet；"
                ".xls 请在 Excel 中另存为 .xlsx）"
            )
        return FORMATS[suffix]

    @property
    def mislabelled(self) -> str | None:
        """A note when the content is not what the file name says, e.g. an .xlsx saved as .csv."""
        kind, named = self.format, FORMATS.get(Path(self.name).suffix.lower())
        if kind == named:
            return None
        what = {"xlsx": "Excel 工作簿（.xlsx）", "parquet": "Parquet 文件", "csv": "文本"}[kind]
        return f"{self.name} 的内容是{what}，与扩展名不符：已按{what}读取"


@dataclass
class RawTable:
    """The cells of one sheet below its header, all as text; `_row` is the row number in the
    source."""

    source: str  # file name
    sheet: str | None
    headers: list[str]  # header cells as written (columns c0, c1, ... of `cells`)
    cells: pl.DataFrame  # c0..cN (String) and _row (Int64)

    @property
    def where(self) -> str:
        return f"{self.source}（工作表 {self.sheet}）" if self.sheet else self.source


def read_source(source: Source) -> list[RawTable]:
    """The tables in a file: one for a CSV or Parquet file, one per non-empty sheet of a
    workbook."""
    kind = source.format
    if kind == "csv":
        return [_csv_table(source)]
    if kind == "xlsx":
        return _xlsx_tables(source)
    return [_parquet_table(source)]


# -- CSV ------------------------------------------------------------------------------------


def decode(data: bytes, name: str = "") -> str:
    """Text of a CSV: UTF-8 (BOM or not), UTF-16 with BOM, else GB18030 (a superset of GBK and
    GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError(
        f"无法识别 {name} 的文字编码（应为 UTF-8 或 GBK）：请在 Excel/WPS 中另存为“CSV UTF-8”"
        "或 .xlsx 后重试"
    )


def _csv_table(source: Source) -> RawTable:
    """The header is found with the csv module among the first records; the body is parsed by polars
    (fast)."""
    text = decode(source.read(), source.name)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max([",", "\t", ";", "|"], key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list]] = []
    try:
        for n, row in enumerate(reader, start=1):
            rows.append((n, row))
            if sum(1 for _, cells in rows if any(_filled(c) for c in cells)) >= HEADER_SEARCH_ROWS:
                break
    except csv.Error as err:
        raise IngestError(f"{source.name} 不是有效的 CSV 文件：{err}") from None
    h = _header_index(rows)
    header_no, heads = rows[h]
    head = _trimmed(heads)
    schema = {f"c{i}": pl.String for i in range(len(head))}
    try:
        body = pl.read_csv(
            text.encode("utf-8"),
            has_header=False,
            skip_rows=header_no,
            separator=delimiter,
            schema=schema,
            infer_schema=False,
            truncate_ragged_lines=True,
            extra_columns="ignore",
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError as err:
        raise IngestError(
            f"{source.name} 不是有效的 CSV 文件：{str(err).splitlines()[0]}"
        ) from None
    cells = _with_notes(
        body.with_row_index("_row", offset=header_no + 1)
        .with_columns(pl.col("_row").cast(pl.Int64))
        .with_columns(
            pl.when(pl.col(c).str.strip_chars() == "").then(None).otherwise(pl.col(c)).alias(c)
            for c in schema
        )
        .filter(
            pl.any_horizontal(pl.col(c).is_not_null() for c in schema) if schema else pl.lit(False)
        )
        .select(*schema, "_row"),
        _ragged_rows(text, delimiter, header_no, len(head)),
    )
    return RawTable(source.name, None, head, cells)


def _ragged_rows(text: str, delimiter: str, header_no: int, width: int) -> dict[int, str]:
    """Row number -> why a record's cell count differs from the header's (polars cuts extra cells
    and reads missing ones as empty without saying so)."""
    if '"' not in text:  # no quoting: a record is a line, and counting delimiters is enough (fast)
        lines = pl.Series(text.split("\n"))
        odd = (lines.str.count_matches(delimiter, literal=True) != width - 1).arg_true()
        records = ((i + 1, lines[i].rstrip("\r").split(delimiter)) for i in odd)
    else:
        records = enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1)
    out = {}
    for n, row in records:
        if n <= header_no or not any(_filled(c) for c in row):
            continue
        extra = [c.strip() for c in row[width:] if _filled(c)]
        if extra:
            out[n] = _extra_note(extra)
        elif len(row) < width:
            out[n] = f"本行只有 {len(row)} 个单元格，少于表头的 {width} 列：缺少的列记为空，请核实"
    return out


def _extra_note(extra: list[str]) -> str:
    shown = "、".join(extra)
    shown = shown if len(shown) <= 60 else shown[:60] + "…"
    return f"本行比表头多出 {len(extra)} 个有内容的单元格，未导入：{shown}（请核实是否错列）"


def _with_notes(cells: pl.DataFrame, notes: dict[int, str]) -> pl.DataFrame:
    """cells with a `_note` column (a flag kept with the row) where a row is ragged."""
    if not notes:
        return cells.with_columns(pl.lit(None, pl.String).alias("_note"))
    frame = pl.DataFrame(
        {"_row": list(notes), "_note": list(notes.values())},
        schema={"_row": pl.Int64, "_note": pl.String},
    )
    return cells.join(frame, on="_row", how="left", maintain_order="left")


# -- Excel (openpyxl: polars' read_excel needs fastexcel, which is not installed) ---------------


def _xlsx_tables(source: Source) -> list[RawTable]:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl ships with the environment
        raise IngestError(
            "读取 Excel 需要 openpyxl：pip install openpyxl，或另存为 CSV 后导入"
        ) from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(source.read()), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a damaged or mislabelled file
        raise IngestError(
            f"{source.name} 不是有效的 Excel (.xlsx) 文件：{type(err).__name__}"
        ) from None
    tables = []
    try:
        for sheet in book.worksheets:
            if sheet.sheet_state != "visible":
                continue
            sheet.reset_dimensions()  # some exporters write a wrong <dimension>; read every row
            rows = [
                (n, [_cell_text(v) for v in row])
                for n, row in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1)
            ]
            if any(any(c is not None for c in cells) for _, cells in rows):
                tables.append(_from_rows(source.name, sheet.title, rows))
    finally:
        book.close()
    if not tables:
        raise IngestError(f"{source.name} 中没有数据")
    return tables


def _number_text(v: float | int) -> str:
    if isinstance(v, int):
        return str(v)
    if not math.isfinite(v):
        return str(v)
    if (
        v.is_integer() and abs(v) < 1e15
    ):  # beyond 15 digits Excel has already lost precision: keep e-notation
        return str(int(v))
    return repr(v)


def _cell_text(v) -> str | None:
    """One Excel cell as the text a user would type for it."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, int | float):
        return _number_text(v)
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == time(0) else v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    text = str(v)
    return text if text.strip() else None


# -- Parquet --------------------------------------------------------------------------------


def _parquet_table(source: Source) -> RawTable:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(source.path if source.data is None else io.BytesIO(source.data))
    except Exception as err:  # pyarrow raises ArrowInvalid, OSError, ...
        raise IngestError(
            f"{source.name} 不是有效的 Parquet 文件：{str(err).splitlines()[0]}"
        ) from None
    frame = pl.from_arrow(table)
    if not isinstance(frame, pl.DataFrame):
        frame = frame.to_frame()
    names = list(frame.columns)
    cells = (
        frame.select(
            *(_as_text(frame[name]).alias(f"c{i}") for i, name in enumerate(names)),
        )
        .with_row_index("_row", offset=2)
        .with_columns(pl.col("_row").cast(pl.Int64))
    )
    return RawTable(source.name, None, names, cells)


def _as_text(series: pl.Series) -> pl.Expr:
    dtype = series.dtype
    col = pl.col(series.name)
    if dtype == pl.Boolean:
        return pl.when(col).then(pl.lit("是")).when(~col).then(pl.lit("否")).otherwise(None)
    if isinstance(dtype, pl.Datetime):
        return col.dt.strftime("%Y-%m-%d %H:%M:%S").str.replace(" 00:00:00$", "")
    if dtype.is_nested():
        return col.cast(pl.String, strict=False)
    return col.cast(pl.String)


# -- header row and frame ---------------------------------------------------------------------


def _header_index(rows: list[tuple[int, list]]) -> int:
    """Index (in rows) of the header: among the first non-blank rows, the one naming most contract
    columns."""
    candidates = [i for i, (_, cells) in enumerate(rows) if any(_filled(c) for c in cells)][
        :HEADER_SEARCH_ROWS
    ]
    if not candidates:
        raise IngestError("文件中没有数据")
    scores = [(headers.known_count(rows[i][1]), -i) for i in candidates]
    best = max(scores)
    return -best[1] if best[0] > 0 else candidates[0]


def _filled(cell) -> bool:
    return cell is not None and str(cell).strip() != ""


def _trimmed(cells: list) -> list[str]:
    """Header cells as text, without the empty cells after the last one."""
    head = ["" if c is None else str(c) for c in cells]
    while head and not head[-1].strip():
        head.pop()
    return head


def _from_rows(name: str, sheet: str | None, rows: list[tuple[int, list]]) -> RawTable:
    h = _header_index(rows)
    head = _trimmed(rows[h][1])
    width = len(head)
    body = [(n, cells) for n, cells in rows[h + 1 :] if any(_filled(c) for c in cells)]
    columns = {
        f"c{i}": [(cells[i] if i < len(cells) and _filled(cells[i]) else None) for _, cells in body]
        for i in range(width)
    }
    cells = pl.DataFrame(
        {**columns, "_row": [n for n, _ in body]},
        schema={**{k: pl.String for k in columns}, "_row": pl.Int64},
    )
    beyond = {n: [str(c).strip() for c in row[width:] if _filled(c)] for n, row in body}
    notes = {n: _extra_note(extra) for n, extra in beyond.items() if extra}
    return RawTable(name, sheet, head, _with_notes(cells, notes))
