"""Helpers of the demo tables: weighted sampling, working days, ids, blanks, writing Parquet."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from kechuang.demo.world import D
from kechuang.engine import contract


def _sample(rng, weight, size):
    """Indices of `size` distinct items drawn with probability ~ weight (Efraimidis-Spirakis)."""
    weight = np.asarray(weight, float)
    with np.errstate(divide="ignore"):
        keys = np.where(
            weight > 0, np.log(rng.random(weight.size)) / np.where(weight > 0, weight, 1), -np.inf
        )
    return np.argsort(-keys, kind="stable")[: min(int(size), int((weight > 0).sum()))]


def _pick(rng, options, n, p=None):
    p = None if p is None else np.asarray(p, float) / np.sum(p)
    return np.asarray(options)[rng.choice(len(options), n, p=p)]


def _days(rng, lo, hi, n, power=1.0):
    """Dates from lo to hi inclusive; power < 1 leans toward hi."""
    lo, hi = np.asarray(lo, D), np.asarray(hi, D)
    span = np.maximum((hi - lo).astype(np.int64), 0) + 1
    return lo + np.floor(rng.random(n) ** power * span).astype(np.int64)


def _workday(d):
    return np.busday_offset(np.asarray(d, D), 0, roll="backward")


def _cat(*parts):
    out = parts[0]
    for part in parts[1:]:
        out = np.strings.add(out, part)
    return out


def _zfill(a, width):
    return np.strings.zfill(np.asarray(a).astype(str), width)


def _year(d):
    return d.astype("datetime64[Y]").astype(np.int64) + 1970


def _years_later(d, n):
    """d + n calendar years; 29 February becomes 28 February."""
    m = d.astype("datetime64[M]")
    day = (d - m.astype(D)).astype(np.int64)
    return np.minimum((m + 12 * n).astype(D) + day, (m + 12 * n + 1).astype(D) - 1)


def _ids(prefix, year, width, infix=""):
    """PREFIX + year + infix + per-year sequence, for rows sorted by year."""
    seq = np.arange(year.size) - np.searchsorted(year, year) + 1
    return _cat(prefix, year.astype(str), infix, _zfill(seq, width))


def _by_kind(kind, **values):
    return np.select([kind == key for key in values], list(values.values()), 0.0)


def _blank(rng, x, p):
    """A few missing values, as departments deliver them."""
    return np.where(rng.random(x.size) < p, np.nan, x)


def _column(values, typ):
    v = np.asarray(values)
    if pa.types.is_string(typ):
        v = v.astype(str)
        return pa.array(v, type=typ, mask=v == "")  # "" marks a null
    return pa.array(v, from_pandas=True).cast(typ)


def _write(out, name, cols):
    schema = contract.arrow_schema(name)
    table = pa.Table.from_arrays([_column(cols[f.name], f.type) for f in schema], schema=schema)
    pq.write_table(table, out / f"{name}.parquet", compression="zstd")
    return table.num_rows
