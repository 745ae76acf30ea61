"""The firms: the latent world (uscc, town, industry, revenue path) and the planted populations
(HNTEs, the screening pool, gazelles, the 清零 gap) every department table is a view of."""

from __future__ import annotations

import numpy as np

from kechuang.demo.common import (
    _by_kind,
    _cat,
    _days,
    _pick,
    _sample,
    _workday,
    _year,
    _years_later,
    _zfill,
)
from kechuang.demo.world import (
    _W,
    CODES,
    CRITERIA,
    KINDS,
    LAST,
    MANU_SHARE,
    NEW_HNTE,
    POOL,
    RD_COVERAGE,
    SYL1,
    SYL2,
    TOWN_BIAS,
    TOWN_W,
    YEARS,
    A,
    D,
)
from kechuang.engine import uscc


def _uscc(rng, est):
    """91 + 320623 + organisation code + check character; pre-2015 codes are digits, later ones
    MA..."""
    n, pos = est.size, {ch: i for i, ch in enumerate(uscc.ALPHABET)}
    org, todo = np.zeros((n, 9), np.int64), np.arange(n)
    while todo.size:  # redraw the rare duplicates
        old = rng.integers(0, 10, (todo.size, 9))
        check = (11 - old[:, :8] @ np.array([3, 7, 9, 10, 5, 8, 4, 2]) % 11) % 11  # GB 11714
        old[:, 8] = np.where(check == 10, pos["X"], check)
        new = rng.integers(0, 31, (todo.size, 9))
        new[:, 0], new[:, 1] = pos["M"], pos["A"]
        org[todo] = np.where((est[todo] >= np.datetime64("2015-10-01"))[:, None], new, old)
        first = np.unique(org @ 31 ** np.arange(9), return_index=True)[1]
        dup = np.ones(n, bool)
        dup[first] = False
        todo = np.flatnonzero(dup)
    body = np.concatenate([np.tile([9, 1, 3, 2, 0, 6, 2, 3], (n, 1)), org], axis=1)
    check = (31 - body @ np.array(uscc.WEIGHTS) % 31) % 31
    chars = np.frombuffer(uscc.ALPHABET.encode(), np.uint8)[
        np.concatenate([body, check[:, None]], axis=1)
    ]
    return np.ascontiguousarray(chars).view("S18").ravel().astype("U18")


def _firms(rng, n):
    """Registration facts: industry, town, founding date, status, code, brand."""
    manu = np.isin(KINDS, ("m", "c"))
    p = np.where(manu, MANU_SHARE * _W / _W[manu].sum(), (1 - MANU_SHARE) * _W / _W[~manu].sum())
    ind = rng.choice(len(CODES), n, p=p)
    town = np.zeros(n, np.int64)
    for kind, bias in TOWN_BIAS.items():
        sel = np.flatnonzero(KINDS[ind] == kind)
        town[sel] = rng.choice(18, sel.size, p=TOWN_W * bias / (TOWN_W * bias).sum())
    years = np.arange(1995, 2027)
    yw = np.exp(0.085 * (years - 1995)) * np.where(years == 2026, 303 / 365, 1)  # more recent firms
    ey = rng.choice(years, n, p=yw / yw.sum())
    ndays = np.where(ey == 2026, 303, np.where(ey % 4 == 0, 366, 365))
    est = (ey - 1970).astype("datetime64[Y]").astype(D) + (rng.random(n) * ndays).astype(np.int64)
    inactive = rng.random(n) < 0.02 + 0.004 * (2026 - ey)
    status = np.where(
        inactive,
        _pick(rng, ("迁出", "注销", "吊销"), n, (0.3, 0.45, 0.25)),
        _pick(rng, ("存续", "在业"), n, (0.8, 0.2)),
    )
    lo = np.minimum(np.maximum(est + 365, np.datetime64("2019-01-01")), LAST)
    end = np.where(inactive, _days(rng, lo, LAST, n), np.datetime64("2099-12-31"))
    brand = _cat(SYL1[rng.integers(0, SYL1.size, n)], SYL2[rng.integers(0, SYL2.size, n)])
    brand = np.where(rng.random(n) < 0.3, _cat(brand, SYL2[rng.integers(0, SYL2.size, n)]), brand)
    w = {
        "n": n,
        "ind": ind,
        "town": town,
        "est": est,
        "end": end,
        "status": status,
        "active": ~inactive,
        "brand": brand,
        "uscc": _uscc(rng, est),
    }
    for flag in ("hnte", "valid", "pool", "gazelle"):
        w[flag] = np.zeros(n, bool)
    w["ip_plan"] = np.zeros(
        n, np.int64
    )  # 1 valid patents, 2 none, 3 only lapsed ones (planted screen)
    w["inst_year"] = np.full(n, 9999)
    _set_kind(w)
    return w


def _set_kind(w):
    w["kind"] = KINDS[w["ind"]]
    w["manu"] = np.isin(w["kind"], ("m", "c"))


def _finances(rng, w):
    """Latent revenue path per firm (persistent growth, young firms faster) and R&D habits."""
    n, kind, manu = w["n"], w["kind"], w["manu"]
    L = np.zeros((n, 6))
    L[:, 4] = _by_kind(
        kind, m=np.log(350), c=np.log(600), t=np.log(120), e=np.log(2500), s=np.log(100)
    ) + _by_kind(kind, m=1.85, c=1.9, t=1.4, e=1.5, s=1.5) * rng.standard_normal(n)
    ey = _year(w["est"])
    age = YEARS[None, :] - ey[:, None]
    step = (
        rng.normal(0.03, 0.10, n)[:, None]
        + rng.normal(0, 0.12, (n, 6))
        + 0.6 * np.exp(-np.clip(age, 0, None) / 1.5)
    )
    L[:, 5] = L[:, 4] + step[:, 5]
    for j in (3, 2, 1, 0):
        L[:, j] = L[:, j + 1] - step[:, j + 1]
    exist = (age >= 0) & (
        YEARS[None, :] < _year(w["end"])[:, None]
    )  # closed firms file nothing that year
    jan1 = (ey - 1970).astype("datetime64[Y]").astype(D)
    first = 1 - (w["est"] - jan1).astype(np.int64) / 365.0
    w.update(L=L, exist=exist, part=np.where(age == 0, first[:, None], 1.0) * exist)
    rev25 = np.exp(L[:, 4])
    p_rd = np.where(
        manu,
        np.clip(0.05 + 0.2 * np.log10(rev25 / 100), 0.03, 0.7),
        _by_kind(kind, t=0.35, e=0.1, s=0.02),
    )
    w["rd_on"] = rng.random(n) < p_rd
    w["rd_tax_ch"] = rng.random(n) < 0.85  # claims the super deduction
    w["rd_stats_ch"] = (rng.random(n) < 0.9) | ~w["rd_tax_ch"]  # reports R&D to statistics
    w["intensity"] = np.exp(
        _by_kind(
            kind, m=np.log(0.025), c=np.log(0.02), t=np.log(0.07), e=np.log(0.005), s=np.log(0.01)
        )
        + 0.5 * rng.standard_normal(n)
    )
    w["share"] = rng.uniform(0.02, 0.12, n)  # R&D staff / employees
    w["claim"] = rng.uniform(0.85, 1.0, n)  # part of R&D eligible for the super deduction
    w["emp25"] = np.clip(
        rev25 / np.exp(np.where(manu, np.log(80), np.log(50)) + 0.5 * rng.standard_normal(n)),
        1,
        30000,
    )
    w["ar"] = np.exp(
        np.where(manu, np.log(1.1), np.log(0.7)) + 0.45 * rng.standard_normal(n)
    )  # assets / revenue
    w["eq"] = rng.uniform(0.25, 0.7, n)  # equity / assets
    w["tax_rate"] = rng.uniform(0.03, 0.08, n)
    w["stats_small"] = (rng.random(n) < 0.12) & (
        rev25 >= 300
    )  # below-scale firms that still report
    w["tax_drop"] = rng.random((n, 5)) < 0.04  # firm-years missing at the tax bureau
    w["snoise"] = 1 + np.clip(rng.normal(0, 0.01, (n, 6)), -0.03, 0.03)
    w["rdn"] = np.exp(rng.normal(0, 0.1, (n, 6)))
    w["anoise"] = np.exp(rng.normal(0, 0.05, (n, 6)))


def _hnte(rng, w, k):
    """Certification chains: first certificate, renewal every three years, some lapse and return."""
    base = (
        _by_kind(w["kind"], m=1, c=1, t=1.5, e=0.2, s=0.02)
        * np.exp(0.35 * w["L"][:, 4])
        * w["active"]
    )
    firms, years = [], []
    for year, count in NEW_HNTE.items():
        idx = _sample(
            rng,
            base * (w["est"] <= np.datetime64(f"{year - 1}-06-30")) * ~w["hnte"],
            round(count * k),
        )
        w["hnte"][idx] = True
        firms.append(idx)
        years.append(np.full(idx.size, year))
    firm, year, chain_f, chain_y = np.concatenate(firms), np.concatenate(years), [], []
    while firm.size:  # renewals fall in the late-2026 batches, after the data ends
        chain_f.append(firm)
        chain_y.append(year)
        renew, back = rng.random(firm.size) < 0.78, rng.random(firm.size) < 0.3
        nxt = np.where(renew, year + 3, year + 4 + rng.integers(0, 2, firm.size))
        keep = np.where(renew, nxt <= 2025, back & (nxt <= 2026))
        firm, year = firm[keep], nxt[keep]
    firm, year = np.concatenate(chain_f), np.concatenate(chain_y)
    issued = np.zeros(firm.size, D)
    for y in np.unique(
        year
    ):  # batches in Nov/Dec; in 2026 spring to autumn, as the data ends in October
        months = ("03", "06", "10") if y == 2026 else ("11", "12")
        batch = _workday(
            np.array(
                [
                    f"{y}-{m}-{d:02d}"
                    for m, d in zip(months, rng.integers(10, 29, len(months)), strict=True)
                ],
                D,
            )
        )
        sel = np.flatnonzero(year == y)
        issued[sel] = batch[
            rng.choice(len(months), sel.size, p=(0.3, 0.35, 0.35) if y == 2026 else (0.6, 0.4))
        ]
    order = np.lexsort((firm, issued))
    firm, issued = firm[order], issued[order]
    gaps = rng.integers(1, 20, firm.size)
    cs, start = np.cumsum(gaps), np.searchsorted(_year(issued), _year(issued))
    expires = _years_later(issued, 3)
    w["valid"][firm[(issued <= A) & (expires > A)]] = True
    w["pref"] = np.zeros((w["n"], 5), bool)
    for j, y in enumerate(YEARS[:5]):
        cover = (issued <= np.datetime64(f"{y}-12-31")) & (expires > np.datetime64(f"{y}-01-01"))
        w["pref"][firm[cover], j] = True
    h = w["hnte"]  # certification requires R&D spending and R&D staff
    for key in ("rd_on", "rd_tax_ch", "rd_stats_ch", "stats_small"):
        w[key] |= h
    w["share"] = np.where(h, rng.uniform(0.10, 0.30, w["n"]), w["share"])
    w["intensity"] = np.where(
        h, np.maximum(w["intensity"], rng.uniform(0.03, 0.07, w["n"])), w["intensity"]
    )
    no = _cat("GR", _year(issued).astype(str), "32", _zfill(cs - cs[start] + gaps[start], 6))
    return {"uscc": w["uscc"][firm], "certificate_no": no, "issued_on": issued}


def _plant_pool(rng, w, k):
    """Innovative SMEs that pass the HNTE screen, or miss it on exactly one (or two) chosen
    criteria."""
    L = w["L"]
    ok = (
        w["active"]
        & (w["est"] <= np.datetime64("2022-06-30"))
        & ~w["hnte"]
        & np.isin(w["kind"], ("m", "c", "t"))
    )
    counts = {key: round(v * k) for key, v in POOL.items()}
    pool = _sample(rng, ok, sum(counts.values()))
    m = pool.size
    label = np.repeat(list(counts), list(counts.values()))[:m]
    fail = np.stack([label == c for c in CRITERIA], axis=1)
    pairs = np.array([[0, 1], [1, 3], [2, 3], [0, 3], [1, 2]])[rng.integers(0, 5, m)]
    two = np.flatnonzero(label == "two")
    fail[np.repeat(two, 2), pairs[two].ravel()] = True
    how = rng.integers(0, 3, m)  # a too-big firm exceeds revenue, staff or assets
    r25 = np.clip(np.exp(rng.normal(np.log(1500), 0.9, m)), 200, 15000)
    r25 = np.where(fail[:, 4] & (how == 0), rng.uniform(20500, 28000, m), r25)
    r25 = np.where(fail[:, 4] & (how == 2), rng.uniform(8000, 15000, m), r25)
    g = np.where(fail[:, 3], rng.uniform(0.85, 1.14, m), rng.uniform(1.26, 1.9, m))
    L[pool, 4] = np.log(r25)
    L[pool, 3] = L[pool, 4] - np.log(g)
    L[pool, 5] = L[pool, 4] + np.log(rng.uniform(1.1, 1.4, m))
    for j in (2, 1, 0):
        L[pool, j] = L[pool, j + 1] - np.log(rng.uniform(1.02, 1.35, m))
    tier = np.where(r25 <= 5000, 0.05, np.where(r25 <= 20000, 0.04, 0.03))
    w["intensity"][pool] = tier * np.where(
        fail[:, 1], rng.uniform(0.55, 0.9, m), rng.uniform(1.15, 2.2, m)
    )
    w["share"][pool] = np.where(fail[:, 2], rng.uniform(0.03, 0.09, m), rng.uniform(0.11, 0.35, m))
    emp = np.clip(r25 / np.exp(rng.normal(np.log(60), 0.3, m)), 15, 450)
    w["emp25"][pool] = np.where(fail[:, 4] & (how == 1), rng.uniform(520, 900, m), emp)
    ar = 0.5 + rng.random(m) * (np.minimum(1.1, 19000 / r25) - 0.5)
    w["ar"][pool] = np.where(fail[:, 4] & (how == 2), rng.uniform(20500, 30000, m) / r25, ar)
    w["claim"][pool] = rng.uniform(0.98, 1.0, m)
    for key in ("rd_on", "rd_tax_ch", "rd_stats_ch", "stats_small", "pool"):
        w[key][pool] = True
    w["ip_plan"][pool] = np.where(fail[:, 0], 2 + rng.integers(0, 2, m), 1)
    for key in ("snoise", "rdn", "anoise"):  # planted firms report the same figures everywhere
        w[key][pool] = 1.0


def _plant_gazelles(rng, w, k):
    """Young HNTEs whose revenue grew 1.5-3.2x over 2023-2025: the gazelle screen's harvest."""
    L = w["L"]
    ok = (
        w["valid"]
        & w["active"]
        & (w["est"] >= np.datetime64("2016-11-01"))
        & (w["est"] <= np.datetime64("2022-06-30"))
    )
    gz = _sample(rng, ok & ~w["pool"], round(15 * k))
    m = gz.size
    r25 = np.clip(
        np.maximum(np.exp(L[gz, 4]), np.exp(rng.normal(np.log(4000), 0.8, m))), 1200, 60000
    )
    ratio = rng.uniform(1.5, 3.2, m)  # revenue(2025) / revenue(2023)
    w["emp25"][gz] *= r25 / np.exp(L[gz, 4])
    L[gz, 4] = np.log(r25)
    L[gz, 2] = L[gz, 4] - np.log(ratio)
    L[gz, 3] = L[gz, 2] + np.log(ratio) * rng.uniform(0.35, 0.65, m)
    L[gz, 1] = L[gz, 2] - rng.uniform(0.05, 0.4, m)
    L[gz, 0] = L[gz, 1] - rng.uniform(0.05, 0.4, m)
    L[gz, 5] = L[gz, 4] + rng.uniform(0.15, 0.45, m)
    w["gazelle"][gz] = True


def _rd_gap(rng, w):
    """Most manufacturers with 1 亿元+ revenue do R&D; the others form the 清零 worklist."""
    rev = np.exp(w["L"][:, 4]) * w["part"][:, 4] * w["snoise"][:, 4]
    pop = w["manu"] & w["active"] & w["exist"][:, 4] & (rev >= 10000)
    sure = pop & (w["hnte"] | w["pool"])
    p = (RD_COVERAGE * pop.sum() - sure.sum()) / max((pop & ~sure).sum(), 1)
    w["rd_on"] = np.where(pop & ~sure, rng.random(w["n"]) < p, w["rd_on"])
