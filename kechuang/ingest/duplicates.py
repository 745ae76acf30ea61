"""Keys repeated among a table's accepted rows, within a file or across the files of one ingest:
an exact repeat keeps its first row, conflicting rows are all rejected with where each one is.
"""

from __future__ import annotations

import polars as pl

from kechuang.engine import contract


def _where(several_files: bool) -> pl.Expr:
    """Where a row is, as the user would look for it: 第5行, or 文件（工作表）第5行 across several
    files."""
    if not several_files:
        return pl.format("第{}行", pl.col("_row"))
    return (
        pl.when(pl.col("_sheet").is_null())
        .then(pl.format("{}第{}行", pl.col("_file"), pl.col("_row")))
        .otherwise(pl.format("{}（{}）第{}行", pl.col("_file"), pl.col("_sheet"), pl.col("_row")))
    )


def reject_duplicate_keys(rows: pl.DataFrame, table: str) -> pl.DataFrame:
    """Keys repeated among accepted rows: an exact repeat keeps its first row; conflicting rows are
    all rejected."""
    keys = list(contract.UNIQUE_KEYS.get(table, ()))
    if not keys:
        return rows
    value_cols = [c.name for c in contract.columns(table)]
    labels = {c.name: c.label for c in contract.columns(table)}
    several = rows.select(pl.struct("_file", "_sheet").n_unique()).item() > 1
    ok = rows.with_row_index("_order").filter(pl.col("_reason").is_null())
    dup = ok.with_columns(
        _where=_where(several),
        _n=pl.len().over(keys),
        _variants=pl.struct(value_cols).n_unique().over(keys),
        _rank=pl.int_range(pl.len()).over(keys),
        _key=pl.concat_str(
            [
                pl.format(f"{labels[k]}={{}}", pl.col(k).cast(pl.String).fill_null("空"))
                for k in keys
            ],
            separator="，",
        ),
    ).filter(pl.col("_n") > 1)
    if dup.height == 0:
        return rows
    dup = dup.with_columns(
        _first=pl.col("_where").first().over(keys),
        _others=pl.col("_where").over(keys, mapping_strategy="join"),
    )
    exact = (pl.col("_variants") == 1) & (pl.col("_rank") > 0)
    conflict = pl.col("_variants") > 1
    reason = (
        pl.when(exact)
        .then(pl.format("与{}完全重复（{}）", pl.col("_first"), pl.col("_key")))
        .when(conflict)
        .then(
            pl.format(
                "{}在{}重复出现且内容不一致，请核对后保留一行",
                pl.col("_key"),
                pl.col("_others").list.join("、"),
            )
        )
        .otherwise(None)
    )
    verdict = dup.select("_order", reason.alias("_dup")).filter(pl.col("_dup").is_not_null())
    return (
        rows.with_row_index("_order")
        .join(verdict, on="_order", how="left", maintain_order="left")
        .with_columns(_reason=pl.coalesce("_reason", "_dup"))
        .drop("_order", "_dup")
    )
