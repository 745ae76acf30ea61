"""Type conversion and validation: raw text cells to the contract's types, each bad row with its
reason.

A row is rejected when a value does not parse (numbers, dates, years, 是/否 flags), a required
value is missing, a category is not the contract's, an amount or head count is negative, a USCC has
the wrong length or characters, or its key repeats within the file (kechuang.ingest.duplicates).
A USCC whose GB 32100 check character does not match is kept and flagged (some legitimate early
codes fail the check).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from kechuang.engine import contract, uscc
from kechuang.ingest.duplicates import reject_duplicate_keys
from kechuang.ingest.headers import Mapping
from kechuang.ingest.read import RawTable

_POLARS = {
    "VARCHAR": pl.String,
    "DOUBLE": pl.Float64,
    "INTEGER": pl.Int32,
    "DATE": pl.Date,
    "BOOLEAN": pl.Boolean,
}
NO_VALUE = ["-", "--", "—", "——", "－", "/", "／"]  # what departments write for "nothing here"
TRUE_WORDS = ["是", "true", "t", "y", "yes", "1", "有", "√", "✓"]
FALSE_WORDS = ["否", "false", "f", "n", "no", "0", "无", "×", "✗"]
MAY_BE_NEGATIVE = {"net_assets_wan"}  # owner's equity is negative in an insolvent firm
YEAR_RANGE = (1900, 2100)
# Dates that may lie ahead (a planned training, a commissioner's planned leaving); every other date
# after the as-of day, period after its month, or year after the next is kept but flagged.
MAY_BE_FUTURE = {("trainings", "held_on"), ("commissioners", "left_on")}
_YMD = r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$"
_YMD_COMPACT = r"^(\d{4})(\d{2})(\d{2})$"
_YM = r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$"
_YM_COMPACT = r"^(\d{4})(\d{2})$"
_MIDNIGHT = r"(?:[ T]0{1,2}:00(?::00(?:\.0+)?)?)$"
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?E\+?\d+$", re.IGNORECASE)


@dataclass
class Converted:
    """One table's rows from one or more files: canonical values, and the reason a row is
    rejected."""

    table: str
    rows: pl.DataFrame  # contract columns + _file, _sheet, _row, _reason (null = accepted), _flag
    raws: list[RawTable] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> pl.DataFrame:
        return self.rows.filter(pl.col("_reason").is_null()).select(
            [c.name for c in contract.columns(self.table)]
        )

    @property
    def rejected(self) -> pl.DataFrame:
        return self.rows.filter(pl.col("_reason").is_not_null()).select(
            "_file", "_sheet", "_row", "_reason"
        )

    @property
    def flagged(self) -> pl.DataFrame:
        return self.rows.filter(pl.col("_reason").is_null() & pl.col("_flag").is_not_null()).select(
            "_file", "_sheet", "_row", "_flag"
        )

    def add_reasons(self, reasons: pl.DataFrame) -> None:
        """Reject more rows (`_idx`, `_why`), e.g. keys already in the warehouse; a first reason is
        kept."""
        self.rows = (
            self.rows.join(
                reasons.select("_idx", "_why"), on="_idx", how="left", maintain_order="left"
            )
            .with_columns(_reason=pl.coalesce("_reason", "_why"))
            .drop("_why")
        )


def _clean(x: pl.Expr) -> pl.Expr:
    t = x.str.replace_all(r"^[\s\ufeff\u200b]+|[\s\ufeff\u200b]+$", "")
    # A fixed rejects file comes back with the quote our CSV writer put before = + - @ (tables.py)
    t = t.str.replace(r"^'([=+\-@\t\r])", "$1")
    return pl.when(t == "").then(None).otherwise(t)


def _chain(pairs: list[tuple[pl.Expr, pl.Expr]]) -> pl.Expr:
    """The first message whose condition holds, else null."""
    if not pairs:
        return pl.lit(None, pl.String)
    expr = pl.when(pairs[0][0]).then(pairs[0][1])
    for cond, msg in pairs[1:]:
        expr = expr.when(cond).then(msg)
    return expr.otherwise(None)


def _msg(template: str, *values: pl.Expr) -> pl.Expr:
    return pl.format(template, *values)


class _Steps:
    """Intermediate columns computed once, in order, before the final select (a large file is
    parsed once)."""

    def __init__(self) -> None:
        self.levels: list[list[pl.Expr]] = [[], [], [], []]

    def add(self, level: int, expr: pl.Expr, name: str) -> pl.Expr:
        self.levels[level].append(expr.alias(name))
        return pl.col(name)

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        for exprs in self.levels:
            if exprs:
                frame = frame.with_columns(exprs)
        return frame


def _number(steps: _Steps, t: pl.Expr, name: str, head: str, integer: bool) -> tuple[pl.Expr, list]:
    digits = t.str.replace_all(r"[,，'\s]", "")
    if integer:
        digits = digits.str.replace(r"(年度|年|人)$", "")
    v = steps.add(1, digits.cast(pl.Float64, strict=False), f"_n_{name}")
    bad = t.is_not_null() & (v.is_null() | v.is_nan() | v.is_infinite())
    return pl.when(bad).then(None).otherwise(v), [(bad, _msg(f"“{head}”不是数字：{{}}", t))]


def _double(
    steps: _Steps, t: pl.Expr, col: contract.Column, head: str, factor: float
) -> tuple[pl.Expr, list]:
    v, errs = _number(steps, t, col.name, head, integer=False)
    if factor != 1.0:
        v = (v * factor).round(6)
    if col.name not in MAY_BE_NEGATIVE:
        errs.append((v < 0, _msg(f"“{head}”为负数：{{}}", t)))
    return v, errs


def _integer(steps: _Steps, t: pl.Expr, col: contract.Column, head: str) -> tuple[pl.Expr, list]:
    v, errs = _number(steps, t, col.name, head, integer=True)
    fractional = v.is_not_null() & (v != v.floor())
    errs.append((fractional, _msg(f"“{head}”应为整数：{{}}", t)))
    if col.name == "year":
        lo, hi = YEAR_RANGE
        errs.append(((v < lo) | (v > hi), _msg(f"“{head}”超出合理范围（{lo}–{hi}）：{{}}", t)))
    else:
        errs.append((v < 0, _msg(f"“{head}”为负数：{{}}", t)))
        errs.append((v > 2**31 - 1, _msg(f"“{head}”过大：{{}}", t)))
    ok = v.is_not_null() & ~fractional & (v >= -(2**31)) & (v <= 2**31 - 1)
    return pl.when(ok).then(v).otherwise(None).cast(pl.Int32), errs


def _future(table: str, col: contract.Column, v: pl.Expr, t: pl.Expr, head: str, today: date):
    """A flag for a value after the as-of day (month for a period, next year for a year), or
    None."""
    if (table, col.name) in MAY_BE_FUTURE:
        return None
    if col.name == "period":
        after, text = v > today.replace(day=1), f"在{today.year}年{today.month}月之后"
    elif col.type == "DATE":
        after, text = v > today, f"晚于{today.year}年{today.month}月{today.day}日"
    elif col.name == "year":
        after, text = v > today.year + 1, f"晚于{today.year + 1}年"
    else:
        return None
    return pl.when(after).then(_msg(f"“{head}”{text}：{{}}（已导入，请核实）", t))


def _date(steps: _Steps, t: pl.Expr, col: contract.Column, head: str) -> tuple[pl.Expr, list]:
    month = (
        col.name == "period"
    )  # 所属期: a month; any day of it, or a range 2026-03-01至2026-03-31, means that month
    s = t.str.replace(_MIDNIGHT, "")
    if month:
        s = s.str.replace(r"\s*(至|~|～|—|--).*$", "")
    s = steps.add(1, s, f"_s_{col.name}")
    full = [
        steps.add(2, s.str.extract_groups(p), f"_g{k}_{col.name}")
        for k, p in enumerate([_YMD, _YMD_COMPACT])
    ]
    partial = [
        steps.add(2, s.str.extract_groups(p), f"_h{k}_{col.name}")
        for k, p in enumerate([_YM, _YM_COMPACT] if month else [])
    ]
    y = pl.coalesce([g.struct.field("1") for g in full + partial])
    m = pl.coalesce([g.struct.field("2") for g in full + partial])
    d = pl.coalesce(
        [g.struct.field("3") for g in full]
        + [pl.when(g.struct.field("1").is_not_null()).then(pl.lit("1")) for g in partial]
    )
    parsed = pl.concat_str([y, m.str.zfill(2), d.str.zfill(2)], separator="-").str.to_date(
        "%Y-%m-%d", strict=False
    )
    v = steps.add(3, parsed.dt.month_start() if month else parsed, f"_d_{col.name}")
    bad = t.is_not_null() & v.is_null()
    lo, hi = YEAR_RANGE
    out_of_range = v.dt.year().is_between(lo, hi).not_()
    errs = [
        (bad, _msg(f"“{head}”不是有效日期：{{}}", t)),
        (out_of_range, _msg(f"“{head}”超出合理范围（{lo}–{hi}年）：{{}}", t)),
    ]
    return pl.when(out_of_range).then(None).otherwise(v), errs


def _boolean(t: pl.Expr, head: str) -> tuple[pl.Expr, list]:
    low = t.str.to_lowercase()
    v = (
        pl.when(low.is_in(TRUE_WORDS))
        .then(True)
        .when(low.is_in(FALSE_WORDS))
        .then(False)
        .otherwise(None)
    )
    bad = t.is_not_null() & v.is_null()
    return v, [(bad, _msg(f"“{head}”应为“是”或“否”：{{}}", t))]


def _uscc_verdicts(values: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """USCC -> reason it is rejected; USCC -> flag (check character only: kept)."""
    rejects, flags = {}, {}
    for code in values:
        if _SCIENTIFIC.match(code):
            rejects[code] = (
                f"统一社会信用代码被存成了数字（{code}），已丢失位数：请把该列设为文本后重新导出"
            )
            continue
        problem = uscc.problem(code)
        if problem is None:
            continue
        if problem.startswith("统一社会信用代码校验位不符"):
            flags[code] = f"{problem}：{code}（已导入，请核实）"
        else:
            rejects[code] = f"{problem}：{code}"
    return rejects, flags


def _uscc_verdict_columns(work: pl.DataFrame) -> pl.DataFrame:
    """_uscc_reason and _uscc_flag from each distinct code's verdict (kechuang.engine.uscc), when a
    USCC column is present."""
    if "_u_uscc" not in work.columns:
        return work
    rejects, flags = _uscc_verdicts(work.get_column("_u_uscc").drop_nulls().unique().to_list())
    code = pl.col("_u_uscc")
    return work.with_columns(
        (
            code.replace_strict(rejects, default=None, return_dtype=pl.String)
            if rejects
            else pl.lit(None, pl.String)
        ).alias("_uscc_reason"),
        (
            code.replace_strict(flags, default=None, return_dtype=pl.String)
            if flags
            else pl.lit(None, pl.String)
        ).alias("_uscc_flag"),
    )


def _varchar(
    steps: _Steps, t: pl.Expr, col: contract.Column, table: str, head: str
) -> tuple[pl.Expr, list, pl.Expr | None]:
    flag = None
    errs: list = []
    if col.name == "uscc":  # verdicts per distinct code are joined in by _uscc_verdict_columns
        steps.add(
            1, t.str.normalize("NFKC").str.replace_all(r"\s+", "").str.to_uppercase(), "_u_uscc"
        )
        reason = pl.col("_uscc_reason")
        return pl.col("_u_uscc"), [(reason.is_not_null(), reason)], pl.col("_uscc_flag")
    v = t
    if col.name == "industry_code":  # Excel drops the leading zero of 0111 (谷物种植)
        v = pl.when(v.str.contains(r"^\d{3}$")).then(pl.lit("0") + v).otherwise(v)
    allowed = contract.CATEGORIES.get((table, col.name))
    if allowed:
        errs.append(
            (
                v.is_not_null() & ~v.is_in(list(allowed)),
                _msg(f"“{head}”不在规定类别中：{{}}（应为{'、'.join(allowed)}）", v),
            )
        )
    return v, errs, flag


def convert(raw: RawTable, mapping: Mapping, today: date | None = None) -> pl.DataFrame:
    """Canonical columns, `_reason` (why the row is rejected, or null) and `_flag` for one sheet."""
    today = today or date.today()
    table = mapping.table
    frame = raw.cells
    steps = _Steps()
    values, errors, flags = [], [], []
    for col in contract.columns(table):
        if col.name not in mapping.columns:
            values.append(pl.lit(None, _POLARS[col.type]).alias(col.name))
            continue
        index, match = mapping.columns[col.name]
        head = raw.headers[index].strip() or col.label
        text = _clean(pl.col(f"c{index}"))
        if col.type != "VARCHAR":
            text = pl.when(text.is_in(NO_VALUE)).then(None).otherwise(text)
        t = steps.add(0, text, f"_t_{col.name}")
        if col.type == "DOUBLE":
            v, errs = _double(steps, t, col, head, match.factor)
        elif col.type == "INTEGER":
            v, errs = _integer(steps, t, col, head)
        elif col.type == "DATE":
            v, errs = _date(steps, t, col, head)
        elif col.type == "BOOLEAN":
            v, errs = _boolean(t, head)
        else:
            v, errs, flag = _varchar(steps, t, col, table, head)
            if flag is not None:
                flags.append(flag)
        if col.required:
            errs.append((t.is_null(), pl.lit(f"缺少必填项“{head}”")))
        future = _future(table, col, v, t, head, today)
        if future is not None:
            flags.append(future)
        values.append(v.alias(col.name))
        errors.append(_chain(errs))
    if (
        "_note" in frame.columns
    ):  # a ragged CSV row or cells beyond the header (kechuang/ingest/read)
        flags.append(pl.col("_note"))
    reason = pl.concat_str(errors, separator="；", ignore_nulls=True) if errors else pl.lit("")
    flag = pl.concat_str(flags, separator="；", ignore_nulls=True) if flags else pl.lit("")
    return _uscc_verdict_columns(steps.apply(frame)).select(
        *values,
        pl.lit(raw.source).alias("_file"),
        pl.lit(raw.sheet, pl.String).alias("_sheet"),
        pl.col("_row"),
        pl.when(reason == "").then(None).otherwise(reason).alias("_reason"),
        pl.when(flag == "").then(None).otherwise(flag).alias("_flag"),
    )


def convert_all(
    table: str, parts: list[tuple[RawTable, Mapping]], today: date | None = None
) -> Converted:
    """Every sheet of one table converted, then keys checked across them."""
    rows = pl.concat([convert(raw, mapping, today) for raw, mapping in parts], how="vertical")
    rows = reject_duplicate_keys(rows, table).with_row_index("_idx")
    notes = []
    for raw, mapping in parts:
        if mapping.ignored:
            notes.append(f"{raw.where}：以下列不在数据规范中，已忽略：{'、'.join(mapping.ignored)}")
        if mapping.missing_optional:
            notes.append(
                f"{raw.where}：缺少列 {'、'.join(c.label for c in mapping.missing_optional)}，这些"
                "值记为空"
            )
        for _index, match in mapping.columns.values():
            if match.note:
                notes.append(f"{raw.where}：{match.note}")
            elif match.factor != 1.0:
                unit = {1e-4: "元", 1e4: "亿元"}[match.factor]
                notes.append(
                    f"{raw.where}：“{raw.headers[_index].strip()}”以{unit}计，已换算为万元"
                )
    return Converted(table, rows, [raw for raw, _ in parts], notes)
