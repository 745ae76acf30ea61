"""Market supervision, tax and statistics: enterprises, annual and monthly tax, statistics
reports, patents."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from kechuang.demo.common import _blank, _cat, _days, _pick, _year, _zfill
from kechuang.demo.world import CODES, LAST, SEASON, TOWNS, WORDS, YEARS, D
from kechuang.engine import contract


def _enterprises(rng, w):
    n, kind = w["n"], w["kind"]
    prefix = _pick(rng, ("如东", "江苏", "南通", "如东县"), n, (0.5, 0.28, 0.15, 0.07))
    suffix = np.where(
        np.isin(kind, ("m", "c", "t")),
        _pick(
            rng,
            ("科技有限公司", "有限公司", "科技发展有限公司", "股份有限公司"),
            n,
            (0.5, 0.35, 0.1, 0.05),
        ),
        _pick(rng, ("有限公司", "有限责任公司", "实业有限公司"), n, (0.8, 0.12, 0.08)),
    )
    rev = np.exp(w["L"][:, 4])
    suffix = np.where((rev > 50000) & (rng.random(n) < 0.5), "股份有限公司", suffix)
    ladder = np.array(
        [
            10,
            30,
            50,
            100,
            200,
            300,
            500,
            800,
            1000,
            2000,
            3000,
            5000,
            8000,
            10000,
            20000,
            50000,
            100000.0,
        ]
    )
    capital = np.exp(0.6 * np.log(rev) + rng.normal(1.5, 0.8, n))
    capital = ladder[np.clip(np.searchsorted(np.log(ladder), np.log(capital)), 0, ladder.size - 1)]
    return {
        "uscc": w["uscc"],
        "name": _cat(prefix, w["brand"], WORDS[w["ind"]], suffix),
        "established_on": w["est"],
        "registered_capital_wan": capital,
        "industry_code": CODES[w["ind"]],
        "town": TOWNS[w["town"]],
        "status": w["status"],
    }


def _annual(rng, w):
    """tax_annual (most firms, some years missing) and stats_annual (above-scale plus some small
    firms)."""
    L, exist = w["L"][:, :5], w["exist"][:, :5]
    rev = np.exp(L) * w["part"][:, :5]
    rd = np.where(w["rd_on"][:, None], rev * w["intensity"][:, None] * w["rdn"][:, :5], 0.0)
    assets = rev * w["ar"][:, None] * w["anoise"][:, :5]
    emp = np.maximum(1, np.rint(w["emp25"][:, None] * np.exp(0.5 * (L - L[:, 4:5]))))
    i, j = np.nonzero(exist & ~w["tax_drop"])
    tax = {
        "uscc": w["uscc"][i],
        "year": YEARS[j],
        "revenue_wan": _blank(rng, np.round(rev[i, j], 2), 0.005),
        "rd_expense_wan": _blank(
            rng, np.round(rd[i, j] * w["claim"][i] * w["rd_tax_ch"][i], 2), 0.01
        ),
        "net_assets_wan": _blank(rng, np.round(assets[i, j] * w["eq"][i], 2), 0.01),
        "hnte_preferential": w["pref"][i, j] & (rng.random(i.size) > 0.04),
    }
    srev = rev * w["snoise"][:, :5]
    i, j = np.nonzero(exist & ((srev >= 2000) | w["stats_small"][:, None]))
    share = w["share"][i]
    staff = (
        np.where(share >= 0.1, np.ceil(share * emp[i, j]), np.floor(share * emp[i, j]))
        * w["rd_on"][i]
    )
    stats = {
        "uscc": w["uscc"][i],
        "year": YEARS[j],
        "above_scale": srev[i, j] >= 2000,
        "revenue_wan": np.round(srev[i, j], 2),
        "rd_expense_wan": _blank(rng, np.round(rd[i, j] * w["rd_stats_ch"][i], 2), 0.005),
        "rd_staff": _blank(rng, staff, 0.005),
        "employees": emp[i, j],
        "total_assets_wan": np.round(assets[i, j], 2),
        "has_rd_institution": (w["inst_year"][i] <= YEARS[j])
        | (w["rd_on"][i] & (rng.random(i.size) < 0.03)),
    }
    return tax, stats


def _write_monthly(rng, w, out, hive):
    """VAT invoices 2024-01..2026-10: revenue/12 with seasonality and noise; a file per year at
    province scale."""
    schema, ids, parts, rows = contract.arrow_schema("tax_monthly"), pa.array(w["uscc"]), [], 0
    born, gone = w["est"].astype("datetime64[M]"), w["end"].astype("datetime64[M]")
    for j, year in ((3, 2024), (4, 2025), (5, 2026)):
        months = np.datetime64(f"{year}-01") + np.arange(12 if year < 2026 else 10)
        i, m = np.nonzero((born[:, None] <= months) & (gone[:, None] >= months))
        sales = np.exp(w["L"][i, j]) / 12 * SEASON[m] * np.exp(rng.normal(0, 0.2, i.size))
        sales[rng.random(i.size) < 0.03] = 0.0  # months without invoices
        paid = sales * w["tax_rate"][i] * np.exp(rng.normal(0, 0.15, i.size))
        table = pa.Table.from_arrays(
            [
                ids.take(pa.array(i)),
                pa.array(months[m].astype(D)),
                pa.array(np.round(sales, 2)),
                pa.array(np.round(paid, 2)),
            ],
            schema=schema,
        )
        rows += table.num_rows
        if hive:
            (out / "tax_monthly" / f"year={year}").mkdir(parents=True, exist_ok=True)
            pq.write_table(
                table, out / "tax_monthly" / f"year={year}" / "part-0.parquet", compression="zstd"
            )
        else:
            parts.append(table)
    if not hive:
        pq.write_table(pa.concat_tables(parts), out / "tax_monthly.parquet", compression="zstd")
    return rows


def _patents(rng, w):
    """IP rights: many for HNTEs, a few for other R&D firms; planted SMEs as their screen role
    needs."""
    n, plan = w["n"], w["ip_plan"]
    count = (
        np.where(w["hnte"], 2 + rng.poisson(10, n), 0)
        + np.where(w["rd_on"] & ~w["hnte"], rng.poisson(2.0, n) * (rng.random(n) < 0.6), 0)
        + np.where(~w["rd_on"], (rng.random(n) < 0.03) * (1 + rng.poisson(0.8, n)), 0)
    )
    count = np.select(
        [plan == 1, plan == 2, plan == 3],
        [1 + rng.poisson(4, n), 0, 1 + rng.integers(0, 2, n)],
        count,
    )
    firm = np.repeat(np.arange(n), count)
    m = firm.size
    kind = np.where(
        w["hnte"][firm],
        rng.choice(6, m, p=(0.22, 0.52, 0.08, 0.16, 0.01, 0.01)),
        rng.choice(6, m, p=(0.08, 0.55, 0.2, 0.165, 0.0025, 0.0025)),
    )
    lo = np.maximum(w["est"][firm] + 180, np.datetime64("2010-01-01"))
    granted = _days(rng, np.minimum(lo, LAST), LAST, m, power=0.55)
    gy = _year(granted)
    age = (LAST - granted).astype(np.int64) / 365.25
    lapsed = rng.random(m) < np.array([0.08, 0.12, 0.2, 0, 0, 0])[kind] * np.minimum(
        1, age / 5
    )  # fees not paid
    expired = ((kind == 1) | (kind == 2)) & (
        granted < np.datetime64("2016-10-01")
    )  # ten-year terms ran out
    valid = ~lapsed & ~expired
    first = np.r_[True, firm[1:] != firm[:-1]]
    valid = np.where(plan[firm] == 3, False, valid | ((plan[firm] == 1) & first))
    serial = rng.integers(0, 10**7, m)
    app = (
        gy - np.array([2, 1, 0, 0, 0, 0])[kind] - rng.integers(0, 2, m) * (kind < 3)
    )  # application year
    num = app * 10**8 + (kind + 1) * 10**7 + serial  # year, type 1/2/3, serial
    check = (
        ((num[:, None] // 10 ** np.arange(11, -1, -1)) % 10)
        @ np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5])
        % 11
    )
    ip_id = np.select(
        [kind < 3, kind == 3, kind == 4],
        [
            _cat("ZL", num.astype(str), ".", np.where(check == 10, "X", check.astype(str))),
            _cat(gy.astype(str), "SR", _zfill(serial, 7)),
            _cat("BS.", _zfill(gy % 100, 2), "5", _zfill(serial % 10**6, 6)),
        ],
        _cat("CNA", gy.astype(str), _zfill(serial % 10**4, 4), ".", (serial % 10).astype(str)),
    )
    keep = np.sort(np.unique(ip_id, return_index=True)[1])
    types = np.array(contract.CATEGORIES[("patents", "ip_type")])
    return {
        "ip_id": ip_id[keep],
        "uscc": w["uscc"][firm[keep]],
        "ip_type": types[kind[keep]],
        "granted_on": granted[keep],
        "valid": valid[keep],
    }
