"""The science and technology bureau's records: the 科技型中小企业 registry, technology
contracts, 产学研 projects, recruited projects, R&D institutions."""

from __future__ import annotations

import numpy as np

from kechuang.demo.common import _cat, _days, _ids, _pick, _sample, _workday, _year, _zfill
from kechuang.demo.firms import _set_kind
from kechuang.demo.world import (
    CITY,
    CITY_REGION,
    CITY_W,
    FIELD_IND,
    FIELDS,
    INST_NAME,
    INST_REGION,
    INST_W,
    IUR_FIELDS,
    LAST,
    PRODUCTS,
    SYL1,
    SYL2,
    TOWN_W,
    TOWNS,
    WORDS,
    ZONES,
    D,
)
from kechuang.engine import contract


def _registry(rng, w, k):
    sme = w["active"] & (w["emp25"] <= 500) & (np.exp(w["L"][:, 4]) <= 20000)
    base = sme * (
        0.05
        + 0.5 * w["manu"]
        + 2 * (w["kind"] == "t")
        + 3 * w["rd_on"]
        + 3 * w["valid"]
        + 8 * w["pool"]
    )
    firm, year = [], []
    for y, count in {2022: 260, 2023: 300, 2024: 330, 2025: 370, 2026: 400}.items():
        idx = np.sort(
            _sample(rng, base * (w["est"] <= np.datetime64(f"{y - 1}-12-31")), round(count * k))
        )
        firm.append(idx)
        year.append(np.full(idx.size, y))
    firm, year = np.concatenate(firm), np.concatenate(year)
    return {"uscc": w["uscc"][firm], "year": year, "registry_no": _ids("", year, 5, "320623")}


def _event_dates(rng, year, n, month_w=None):
    """Working days in the year (to LAST in 2026), by month weights."""
    months = 12 if year < 2026 else 10
    mw = np.ones(months) if month_w is None else np.asarray(month_w[:months], float)
    start = np.datetime64(f"{year}-01") + rng.choice(months, n, p=mw / mw.sum())
    length = ((start + 1).astype(D) - start.astype(D)).astype(np.int64)
    day = start.astype(D) + (rng.random(n) * length).astype(np.int64)
    return np.minimum(_workday(np.maximum(day, np.datetime64(f"{year}-01-05"))), LAST)


def _innovator_weight(w):
    return (
        w["active"]
        * (0.05 + 3 * w["rd_on"] + 5 * w["hnte"] + 2 * (w["kind"] == "t") + 2 * w["pool"])
        * np.exp(0.3 * np.clip(w["L"][:, 4], 0, None))
    )


def _contracts(rng, w, k):
    """Technology contracts 2025 and 2026; 2026 to date close to the 100 亿元 pace."""
    month_w = (5, 4, 8, 8, 9, 12, 7, 7, 9, 8, 10, 13)
    spec = ((2025, 4300, 930_000.0), (2026, 3800, 812_000.0 * rng.uniform(0.985, 1.015)))
    dates, amounts = [], []
    for year, count, total in spec:
        d = _event_dates(rng, year, round(count * k), month_w)
        a = np.exp(rng.normal(np.log(80), 1.4, d.size))
        dates.append(d)
        amounts.append(a * total * k / a.sum())
    date, amount = np.concatenate(dates), np.concatenate(amounts)
    date[-1] = LAST
    n = date.size
    p = _innovator_weight(w)
    firm = rng.choice(w["n"], n, p=p / p.sum())
    role = _pick(rng, ("卖方", "买方"), n, (0.6, 0.4))
    use_inst = rng.random(n) < np.where(role == "买方", 0.65, 0.05)
    inst = rng.choice(INST_NAME.size, n, p=INST_W / INST_W.sum())
    city = rng.choice(CITY.size, n, p=CITY_W / CITY_W.sum())
    company = _cat(
        CITY[city],
        SYL1[rng.integers(0, SYL1.size, n)],
        SYL2[rng.integers(0, SYL2.size, n)],
        _pick(
            rng,
            (
                "科技有限公司",
                "新材料有限公司",
                "智能装备有限公司",
                "电气有限公司",
                "技术服务有限公司",
            ),
            n,
        ),
    )
    kind = _pick(
        rng,
        contract.CATEGORIES[("tech_contracts", "contract_type")],
        n,
        (0.45, 0.1, 0.05, 0.1, 0.3),
    )
    share = np.where(
        np.isin(kind, ("技术开发", "技术转让", "技术许可")),
        rng.uniform(0.75, 1, n),
        rng.uniform(0.9, 1, n),
    )
    amount = np.round(amount, 2)
    order = np.lexsort((firm, date))
    cols = {
        "uscc": w["uscc"][firm],
        "role": role,
        "counterparty": np.where(use_inst, INST_NAME[inst], company),
        "counterparty_region": np.where(use_inst, INST_REGION[inst], CITY_REGION[city]),
        "contract_type": kind,
        "amount_wan": amount,
        "tech_amount_wan": np.minimum(np.round(amount * share, 2), amount),
        "registered_on": date,
    }
    cols = {key: v[order] for key, v in cols.items()}
    cols["contract_id"] = _ids("", _year(cols["registered_on"]), 6, "320623")
    return cols


def _iur(rng, w, k):
    """产学研 projects through their five stages; 2026 registrations lag the 100-project pace."""
    later = ("备案登记", "落地实施", "跟踪服务")
    spec = (
        (2025, 104, later, (0.05, 0.4, 0.55)),
        (2025, 8, ("精准对接",), (1,)),
        (2026, 76, later, (0.45, 0.45, 0.1)),
        (2026, 60, ("需求征集", "精准对接"), (0.55, 0.45)),
    )
    year, stage, reg = [], [], []
    for y, count, stages, p in spec:
        m = round(count * k)
        year.append(np.full(m, y))
        stage.append(_pick(rng, stages, m, p))
        reg.append(
            _event_dates(rng, y, m, (3, 2, 5, 7, 8, 9, 9, 8, 10, 11, 10, 9))
            if stages == later
            else np.full(m, np.datetime64("NaT"), D)
        )  # not registered before 备案登记
    year, stage, reg = np.concatenate(year), np.concatenate(stage), np.concatenate(reg)
    n = year.size
    p = _innovator_weight(w)
    firm = rng.choice(w["n"], n, p=p / p.sum())
    inst = rng.choice(INST_NAME.size, n, p=INST_W / INST_W.sum())
    amount = np.where(
        stage == "需求征集", np.nan, np.round(np.exp(rng.normal(np.log(60), 0.9, n)), 1)
    )
    order = np.lexsort((firm, reg, year))
    cols = {
        "uscc": w["uscc"][firm],
        "partner": INST_NAME[inst],
        "partner_region": INST_REGION[inst],
        "field": _pick(rng, IUR_FIELDS, n),
        "registered_on": reg,
        "amount_wan": amount,
        "stage": stage,
        "mode": _pick(
            rng, contract.CATEGORIES[("iur_projects", "mode")], n, (0.3, 0.35, 0.08, 0.1, 0.1, 0.07)
        ),
    }
    cols = {key: v[order] for key, v in cols.items()}
    cols["project_id"] = _ids("CXY", year[order], 4)
    return cols


def _sci_projects(rng, w, k):
    """Recruited S&T projects: landed ones are young firms (their industry follows the project's
    field)."""
    zone = np.where(ZONES, 4.0, 1.0)[w["town"]] * w["active"]
    young26 = (w["est"] >= np.datetime64("2026-01-05")) & (w["est"] <= np.datetime64("2026-09-30"))
    young25 = (w["est"] >= np.datetime64("2025-01-05")) & (w["est"] <= np.datetime64("2025-11-20"))
    n26, n25, nsign, ntalk = round(50 * k), round(44 * k), round(35 * k), round(38 * k)
    f26 = _sample(rng, zone * young26, n26 + round(10 * k))
    f26, fsign = f26[:n26], f26[n26:]
    f25 = _sample(rng, zone * young25, n25)
    landed = np.r_[f25, f26]
    cap = np.r_[np.full(f25.size, np.datetime64("2025-12-31")), np.full(f26.size, LAST)]
    land_on = _workday(np.minimum(w["est"][landed] + rng.integers(5, 40, landed.size), cap))
    hg = np.r_[
        rng.permutation(np.arange(f25.size) < round(40 * k)),
        rng.permutation(np.arange(f26.size) < round(46 * k)),
    ]
    firm = np.r_[landed, fsign, np.full(nsign - fsign.size + ntalk, -1)]
    m = firm.size
    stage = np.r_[np.full(landed.size, "落地"), np.full(nsign, "签约"), np.full(ntalk, "在谈")]
    field = rng.integers(0, FIELDS.size, m)
    has = firm >= 0
    w["ind"][firm[has]] = FIELD_IND[field[has]]
    _set_kind(w)
    tw = TOWN_W * np.where(ZONES, 3, 1)
    town = np.where(has, w["town"][firm], rng.choice(18, m, p=tw / tw.sum()))
    name = _cat(
        PRODUCTS[field, rng.integers(0, 5, m)],
        _pick(rng, ("研发及产业化项目", "生产基地项目", "研发中心项目", "智能制造项目"), m),
    )
    year = np.r_[np.full(f25.size, 2025), np.full(m - f25.size, 2026)]
    return {
        "project_id": _ids("KC", year, 4),
        "name": name,
        "uscc": np.where(has, w["uscc"][firm], ""),
        "town": TOWNS[town],
        "field": FIELDS[field],
        "source_region": _pick(rng, ("上海", "苏南", "珠三角", "其他"), m, (0.4, 0.3, 0.15, 0.15)),
        "investment_wan": np.round(np.exp(rng.normal(np.log(6000), 0.9, m)), 1),
        "high_growth": np.r_[hg, rng.random(m - landed.size) < 0.85],
        "stage": stage,
        "landed_on": np.r_[land_on, np.full(m - landed.size, np.datetime64("NaT"), D)],
    }


def _rd_institutions(rng, w, k):
    kinds = contract.CATEGORIES[("rd_institutions", "kind")]
    weight = (
        w["rd_on"]
        * w["active"]
        * (w["est"] <= np.datetime64("2024-12-31"))
        * np.exp(0.4 * np.clip(w["L"][:, 4], 0, None))
        * (1 + 3 * w["hnte"])
    )
    host = _sample(rng, weight, round(320 * k))
    m = host.size
    kind = _pick(rng, kinds, m, (0.42, 0.33, 0.12, 0.10, 0.03))
    level = _pick(rng, ("市级", "省级", "国家级"), m, (0.66, 0.32, 0.02))
    allied = np.isin(kind, ("新型研发机构", "产业技术创新战略联盟"))
    inst = rng.choice(INST_NAME.size, m, p=INST_W / INST_W.sum())
    partner = np.where(allied | (rng.random(m) < 0.25), INST_NAME[inst], "")
    approved = np.maximum(_days(rng, "2008-01-01", LAST, m, power=0.6), w["est"][host] + 180)
    new = np.flatnonzero(allied)[
        : round(4 * k)
    ]  # the plan asks for new university partnerships this year
    approved[new] = _days(rng, "2026-01-05", LAST, new.size)
    approved = _workday(np.minimum(approved, LAST))
    np.minimum.at(w["inst_year"], host, _year(approved))
    word = WORDS[w["ind"][host]]
    field = _pick(rng, IUR_FIELDS, m)
    prefix = np.select([level == "市级", level == "省级"], ["南通市", "江苏省"], "国家")
    name = np.select(
        [kind == "新型研发机构", kind == "产业技术创新战略联盟"],
        [
            _cat(INST_NAME[inst], "如东", field, "研究院"),
            _cat("如东县", word, "产业技术创新战略联盟"),
        ],
        _cat(prefix, w["brand"][host], word, kind),
    )
    return {
        "institution_id": _cat("YF", _zfill(np.arange(1, m + 1), 5)),
        "uscc": w["uscc"][host],
        "name": name,
        "kind": kind,
        "level": level,
        "partner": partner,
        "approved_on": approved,
    }
