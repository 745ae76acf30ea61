"""Services and cultivation: key-enterprise lists and 科小二 visits, commissioners, trainings and
attendance, the gazelle/unicorn cultivation list."""

from __future__ import annotations

import numpy as np

from kechuang.demo.bureau import _event_dates
from kechuang.demo.common import _cat, _ids, _pick, _sample, _workday, _year, _zfill
from kechuang.demo.world import FIELDS, GIVEN, LAST, SERVICES, SURNAMES, TEAMS, D
from kechuang.engine import contract


def _service(rng, w, k):
    """Key-enterprise lists 2025/2026 and 科小二 visits; about three in five 2026 key firms visited
    so far (behind pace)."""
    score = (
        w["active"]
        * w["exist"][:, 4]
        * np.exp(0.5 * w["L"][:, 4])
        * (1 + 4 * w["valid"] + 6 * w["gazelle"] + 2 * w["rd_on"])
    )
    k26 = _sample(rng, score, round(100 * k))
    rest = np.ones(w["n"], bool)
    rest[k26] = False
    k25 = np.r_[k26[: round(60 * k)], _sample(rng, score * rest, round(40 * k))]
    year = np.r_[np.full(k25.size, 2025), np.full(k26.size, 2026)]
    keys = np.r_[k25, k26]
    focus = _pick(rng, SERVICES, keys.size, (4, 3, 3, 2, 2, 2, 1, 1))
    key_table = {
        "uscc": w["uscc"][keys],
        "year": year,
        "team": TEAMS[w["town"][keys] % 6],
        "focus": focus,
    }
    # visits: key firms several times a year; others (planted SMEs, R&D firms, HNTEs) now and then
    seen26 = rng.permutation(k26)[: round(62 * k)]  # behind the pace of ~83 by late October
    seen25 = rng.permutation(k25)[: round(0.94 * k25.size)]
    other = (w["active"] * (0.02 + w["rd_on"] + 2 * w["valid"] + 5 * w["pool"])).astype(float)
    other26 = other * rest
    firms, years = [], []
    for y, seen, extra, wt in ((2025, seen25, 600, other), (2026, seen26, 700, other26)):
        firms += [
            np.repeat(seen, 1 + rng.poisson(2.5, seen.size)),
            rng.choice(w["n"], round(extra * k), p=wt / wt.sum()),
        ]
        years += [np.full(firms[-2].size, y), np.full(firms[-1].size, y)]
    firm, year = np.concatenate(firms), np.concatenate(years)
    date = np.concatenate([_event_dates(rng, y, (year == y).sum()) for y in (2025, 2026)])
    team = np.where(
        rng.random(firm.size) < 0.9, TEAMS[w["town"][firm] % 6], _pick(rng, TEAMS, firm.size)
    )
    order = np.lexsort((firm, date))
    visits = {
        "uscc": w["uscc"][firm],
        "visited_on": date,
        "team": team,
        "service_type": _pick(rng, SERVICES, firm.size, (3, 2, 3, 1, 3, 3, 2, 2)),
    }
    visits = {key: v[order] for key, v in visits.items()}
    visits["visit_id"] = _ids("ZF", _year(visits["visited_on"]), 6)
    return key_table, visits


def _commissioners(rng, k):
    batches = (
        ("2025-03-18", 32),
        ("2025-07-15", 14),
        ("2025-11-20", 12),
        ("2026-03-16", 24),
        ("2026-06-18", 9),
        ("2026-09-22", 5),
    )
    joined = np.repeat(np.array([d for d, _ in batches], D), [round(c * k) for _, c in batches])
    m = joined.size
    role = _pick(rng, contract.CATEGORIES[("commissioners", "role")], m, (0.3, 0.25, 0.2, 0.25))
    orgs = {
        "科技招商专员": (
            "如东县投资服务中心",
            "如东经济开发区管委会",
            "洋口港经济开发区管委会",
            "如东县驻上海招商联络处",
        ),
        "政策服务专员": (
            "如东县科学技术局",
            "国家税务总局如东县税务局",
            "如东县市场监督管理局",
            "如东县工业和信息化局",
        ),
        "场景服务专员": (
            "如东县数据局",
            "东南大学如东海洋研究院",
            "如东县交通运输局",
            "江苏如东农村商业银行",
        ),
        "科技研发服务专员": (
            "南通大学",
            "常州大学国家技术转移中心如东分中心",
            "江苏科技大学",
            "东南大学如东海洋研究院",
        ),
    }
    org = np.zeros(m, "U32")
    for r, names in orgs.items():
        org[role == r] = _pick(rng, names, (role == r).sum())
    leavers = _sample(rng, joined < np.datetime64("2026-06-01"), round(6 * k))
    left = np.full(m, np.datetime64("NaT"), D)
    left[leavers] = _workday(
        np.minimum(joined[leavers] + rng.integers(120, 400, leavers.size), LAST)
    )
    name = _cat(SURNAMES[rng.integers(0, SURNAMES.size, m)], GIVEN[rng.integers(0, GIVEN.size, m)])
    name = np.where(rng.random(m) < 0.6, _cat(name, GIVEN[rng.integers(0, GIVEN.size, m)]), name)
    return {
        "commissioner_id": _cat("KCZY", _zfill(np.arange(1, m + 1), 5)),
        "name": name,
        "role": role,
        "field": _pick(rng, FIELDS, m),
        "organization": org,
        "joined_on": joined,
        "left_on": left,
    }


def _trainings(rng, w, k):
    """Two years of trainings; 2026 so far: two of three SME sessions, one for officials."""
    base = (
        ("2025-04-17", 1, "科技型中小企业创新提质专项培训（第一期）：高企申报与研发费用归集"),
        ("2025-06-26", 0, "如东县科技创新专题培训班：科技招商与服务企业能力提升"),
        ("2025-08-21", 1, "科技型中小企业创新提质专项培训（第二期）：知识产权布局与专利导航"),
        ("2025-11-13", 1, "科技型中小企业创新提质专项培训（第三期）：科技金融与项目申报"),
        ("2026-05-21", 1, "2026年科技型中小企业专项培训（第一期）：研发费用加计扣除政策解读"),
        ("2026-07-09", 0, "如东县2026年科技创新专题培训班：未来产业与科技招商"),
        ("2026-09-24", 1, "2026年科技型中小企业专项培训（第二期）：高新技术企业认定实务"),
    )
    copies = max(1, round(k))
    held = np.tile(np.array([d for d, _, _ in base], D), copies)
    kind_i = np.tile([c for _, c, _ in base], copies)
    title = np.tile([t for _, _, t in base], copies)
    jitter = np.repeat(np.arange(copies) > 0, len(base)) * rng.integers(
        -20, 21, held.size
    )  # other counties' dates
    year = _year(held)
    held = _workday(
        np.clip(held + jitter, (year - 1970).astype("datetime64[Y]").astype(D) + 4, LAST)
    )
    order = np.lexsort((kind_i, held))
    held, kind_i, title = held[order], kind_i[order], title[order]
    tid = _ids("PX", _year(held), 3)
    kinds = np.array(contract.CATEGORIES[("trainings", "kind")])
    sme = np.flatnonzero(kind_i == 1)
    size = rng.integers(100, 131, sme.size)
    wt = (
        w["active"]
        * (np.exp(w["L"][:, 4]) <= 20000)
        * (0.1 + w["manu"] + 2 * w["rd_on"] + 5 * w["pool"])
    )
    pair = np.unique(
        np.repeat(sme, size) * w["n"] + rng.choice(w["n"], size.sum(), p=wt / wt.sum())
    )
    return (
        {"training_id": tid, "title": title, "held_on": held, "kind": kinds[kind_i]},
        {"training_id": tid[pair // w["n"]], "uscc": w["uscc"][pair % w["n"]]},
    )


def _cultivation(rng, w, k):
    L = w["L"]
    gz = np.flatnonzero(w["gazelle"])
    c26 = gz[_sample(rng, np.exp(L[gz, 4] - L[gz, 2]), round(7 * k))]
    fast = w["pref"][:, 4] & (L[:, 4] - L[:, 2] > np.log(1.3))
    c25 = _sample(rng, fast * np.exp(L[:, 4] - L[:, 2]), round(9 * k))
    firm, year = np.r_[c25, c26], np.r_[np.full(c25.size, 2025), np.full(c26.size, 2026)]
    big = np.r_[
        L[c25, 4] >= np.quantile(L[c25, 4], 0.88), L[c26, 4] >= np.quantile(L[c26, 4], 0.86)
    ]
    return {"uscc": w["uscc"][firm], "year": year, "track": np.where(big, "独角兽", "瞪羚")}
