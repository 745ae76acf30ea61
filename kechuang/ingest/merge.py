"""How incoming rows meet the live table: the SQL of each mode, keys that append must not overwrite,
and the check that a replace does not silently drop more than half of a table's or a period's
rows."""

from __future__ import annotations

import polars as pl

from kechuang.engine import contract
from kechuang.ingest.convert import Converted

# replace-periods: the rows of each period present in the file replace that period; others are kept.
PERIOD_COLUMNS = {
    "tax_monthly": "period",
    "tax_annual": "year",
    "stats_annual": "year",
    "tech_sme_registry": "year",
    "key_enterprises": "year",
    "cultivation": "year",
}


def nullable(schema):
    import pyarrow as pa

    return pa.schema([f.with_nullable(True) for f in schema])


def merged_sql(t: str, mode: str) -> str:
    """The new version's rows: the live view `_raw_<t>` and the registered `_incoming`."""
    cols = ", ".join(f'"{c.name}"' for c in contract.columns(t))
    incoming = f"select {cols} from _incoming"
    if mode == "append":
        return f"select {cols} from _raw_{t} union all {incoming}"
    if mode == "replace-periods":
        p = PERIOD_COLUMNS[t]
        return (
            f"select {cols} from _raw_{t} where {p} is null or {p} not in "
            f"(select distinct {p} from _incoming where {p} is not null) union all {incoming}"
        )
    return incoming


def period_text(value, column: str) -> str:
    return f"{value.year}年{value.month}月" if column == "period" else f"{value}年"


def periods_note(conv: Converted, t: str) -> str:
    p = PERIOD_COLUMNS[t]
    periods = sorted(conv.accepted.get_column(p).drop_nulls().unique().to_list())
    shown = [period_text(v, p) for v in periods]
    if not shown:
        return "按所属期替换：文件中没有可用的所属期，数据未改动"
    listed = "、".join(shown[:12]) + (f" 等{len(shown)}期" if len(shown) > 12 else "")
    return f"按所属期替换：{listed}的数据以本文件为准，其他期保持不变"


def shrinkage(wh, conv: Converted, mode: str) -> tuple[int, str | None]:
    """(rows that would go, what to tell the user) when a replace drops more than half of the
    table's rows, or replace-periods more than half of some period's; (0, None) otherwise."""
    t, label = conv.table, contract.TABLE_LABELS[conv.table]
    if mode == "replace":
        before = wh.con.execute(f"select count(*) from _raw_{t}").fetchall()[0][0]
        after = conv.accepted.height
        if (before - after) * 2 <= before:
            return 0, None
        return before - after, (
            f"整表替换将使 {label}（{t}）从 {before:,} 行减少到 {after:,} 行，"
            f"删去 {before - after:,} 行"
        )
    if mode != "replace-periods":
        return 0, None
    p = PERIOD_COLUMNS[t]
    incoming = conv.accepted.filter(pl.col(p).is_not_null()).group_by(p).agg(n_after=pl.len())
    wh.con.register("_incoming_periods", incoming.to_arrow())
    try:
        rows = wh.con.execute(
            f"select i.{p}, count(e.{p}) as n_before, any_value(i.n_after) as n_after "
            f"from _incoming_periods i left join _raw_{t} e on e.{p} = i.{p} "
            f"group by i.{p} order by i.{p}"
        ).fetchall()
    finally:
        wh.con.unregister("_incoming_periods")
    shrunk = [(v, b, a) for v, b, a in rows if (b - a) * 2 > b]
    if not shrunk:
        return 0, None
    dropped = sum(b - a for _, b, a in shrunk)
    each = "；".join(f"{period_text(v, p)}从 {b:,} 行减少到 {a:,} 行" for v, b, a in shrunk)
    return dropped, f"按所属期替换将使 {label}（{t}）{each}，共删去 {dropped:,} 行"


def reject_existing(wh, conv: Converted) -> None:
    """In append mode, rows whose key is already in the warehouse are rejected (append never
    overwrites)."""
    t = conv.table
    keys = list(contract.UNIQUE_KEYS.get(t, ()))
    if not keys:
        return
    candidates = conv.rows.filter(pl.col("_reason").is_null()).select("_idx", *keys)
    if candidates.height == 0:
        return
    wh.con.register("_candidates", candidates.to_arrow())
    match = " and ".join(f'e."{k}" = c."{k}"' for k in keys)
    hits = wh.con.sql(
        f"select c._idx from _candidates c where exists (select 1 from _raw_{t} e where {match})"
    ).pl()
    wh.con.unregister("_candidates")
    if hits.height == 0:
        return
    labels = {c.name: c.label for c in contract.columns(t)}
    key_text = pl.concat_str(
        [pl.format(f"{labels[k]}={{}}", pl.col(k).cast(pl.String)) for k in keys], separator="，"
    )
    why = candidates.join(hits, on="_idx", how="semi").select(
        "_idx",
        pl.format("现有数据中已有（{}）：追加不覆盖已有数据，如需更正请整表替换", key_text).alias(
            "_why"
        ),
    )
    conv.add_reasons(why)
