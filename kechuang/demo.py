"""Synthetic data directory for demos and tests: the 17 contract tables for Rudong (如东县).

The numbers are made up but shaped like the county's (shared/notes/domain.md): its towns
and zones, its industries, money in 万元, events up to the end of October 2026. Firms are
numpy arrays with a latent revenue path; every department table is a view of that one
world, so every uscc joins. A few populations are planted on purpose, because random data
would leave the screens empty or trivial: innovative SMEs that pass (or just miss) the
HNTE screen, young fast-growing HNTEs for the gazelle screen, big manufacturers without
R&D for the 清零 worklist, and plan metrics that land near their 2026 pace.
Same seed -> byte-identical Parquet files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from kechuang.engine import contract, uscc

SCALES = {"county": 30_000, "province": 1_000_000}
A = np.datetime64("2026-10-31")  # the demo world's "today"
LAST = np.datetime64("2026-10-30")  # last working day with events
YEARS = np.arange(2021, 2027)  # latent revenue years; annual tables stop at 2025 (last settled)
D = "datetime64[D]"

TOWNS = np.array(
    [
        "掘港街道",
        "城中街道",
        "苴镇街道",
        "长沙镇",
        "栟茶镇",
        "洋口镇",
        "丰利镇",
        "岔河镇",
        "新店镇",
        "曹埠镇",
        "马塘镇",
        "河口镇",
        "双甸镇",
        "袁庄镇",
        "大豫镇",
        "如东经济开发区",
        "洋口港经济开发区",
        "如东沿海经济开发区",
    ]
)
TOWN_W = np.array([20, 8, 6, 4, 4, 4, 4, 4, 3, 3, 4, 3, 3, 3, 3, 12, 8, 8], float)
ZONES = np.isin(np.arange(18), (15, 16, 17))
# Where each kind of firm settles: manufacturers in the zones, chemicals at the coastal zones.
TOWN_BIAS = {
    "m": np.where(ZONES, 3.0, 1.0),
    "c": np.r_[np.full(15, 0.3), 1, 15, 12],
    "e": np.r_[1, 1, 1, 3, np.ones(11), 1, 4, 4],
    "t": np.where(ZONES, 1.5, 1.0),
    "s": np.ones(18),
}
TEAMS = np.array([f"科小二第{c}服务队" for c in "一二三四五六"])

# GB/T 4754-2017 小类, weight within its group, word used in names, kind:
# m manufacturing, c chemicals (coastal zones), t technology services, e energy, s other.
INDUSTRIES = (
    ("3415", 1.2, "风电装备", "m"),
    ("3831", 1.5, "电缆", "m"),
    ("3829", 1.2, "电气", "m"),
    ("3821", 0.6, "电力设备", "m"),
    ("3825", 0.6, "光伏", "m"),
    ("3841", 0.4, "储能", "m"),
    ("3484", 2.0, "机械", "m"),
    ("3441", 0.6, "泵业", "m"),
    ("3444", 0.5, "液压", "m"),
    ("3599", 1.5, "装备", "m"),
    ("3513", 0.2, "海洋装备", "m"),
    ("3737", 0.8, "海洋工程装备", "m"),
    ("3731", 0.6, "船舶", "m"),
    ("2614", 1.0, "化工", "c"),
    ("2631", 0.6, "植保", "c"),
    ("2662", 0.8, "新材料", "c"),
    ("2651", 0.5, "高分子材料", "c"),
    ("2822", 0.6, "化纤", "c"),
    ("2221", 0.3, "纸业", "c"),
    ("2511", 0.2, "石化", "c"),
    ("2710", 0.5, "医药", "c"),
    ("2770", 0.8, "医疗用品", "m"),
    ("3589", 0.4, "医疗器械", "m"),
    ("1361", 1.0, "水产食品", "m"),
    ("1362", 0.4, "海洋食品", "m"),
    ("3061", 0.5, "复合材料", "m"),
    ("3021", 0.6, "建材", "m"),
    ("2922", 0.8, "塑业", "m"),
    ("2929", 0.8, "塑料制品", "m"),
    ("3311", 1.5, "钢结构", "m"),
    ("3399", 1.2, "金属制品", "m"),
    ("3360", 0.4, "表面处理", "m"),
    ("3972", 0.4, "半导体", "m"),
    ("3976", 0.4, "光电", "m"),
    ("3982", 0.5, "电子", "m"),
    ("3985", 0.3, "电子材料", "m"),
    ("4011", 0.4, "自动化", "m"),
    ("1781", 0.6, "无纺布", "m"),
    ("1789", 0.4, "防护用品", "m"),
    ("1810", 1.0, "服饰", "m"),
    ("2110", 0.6, "家具", "m"),
    ("5179", 2.0, "机电设备", "s"),
    ("5169", 1.0, "化工贸易", "s"),
    ("5124", 0.8, "水产贸易", "s"),
    ("5199", 2.0, "商贸", "s"),
    ("5212", 1.0, "超市", "s"),
    ("5261", 0.5, "汽车销售", "s"),
    ("5299", 2.0, "百货", "s"),
    ("4710", 1.5, "建设工程", "s"),
    ("4790", 1.0, "建筑工程", "s"),
    ("4910", 1.0, "电力工程", "s"),
    ("5011", 1.5, "装饰工程", "s"),
    ("4415", 0.6, "风力发电", "e"),
    ("4416", 0.5, "光伏发电", "e"),
    ("4511", 0.2, "燃气", "e"),
    ("5532", 0.5, "海运", "s"),
    ("5431", 1.5, "物流", "s"),
    ("6513", 1.0, "软件", "t"),
    ("6531", 0.8, "信息技术", "t"),
    ("7320", 0.6, "技术研究", "t"),
    ("7514", 0.8, "新能源技术", "t"),
    ("7517", 0.4, "科技服务", "t"),
    ("7519", 1.5, "科技发展", "t"),
    ("7484", 0.5, "工程设计", "t"),
    ("7010", 0.8, "置业", "s"),
    ("7020", 0.6, "物业管理", "s"),
    ("7259", 0.6, "广告传媒", "s"),
    ("6210", 1.0, "餐饮管理", "s"),
    ("6110", 0.3, "酒店管理", "s"),
    ("8090", 0.5, "生活服务", "s"),
    ("0411", 0.8, "水产养殖", "s"),
    ("0111", 0.3, "农业发展", "s"),
    ("7299", 1.5, "商务服务", "s"),
)
CODES, _W, WORDS, KINDS = (np.array(col) for col in zip(*INDUSTRIES, strict=True))
_W = _W.astype(float)
MANU_SHARE = 0.35
SYL1 = np.array(
    list(
        "恒中华海东新金瑞鑫宏泰诚嘉盛天远达兴润富永长安和德信通汇凯博晟蓝洋沿弘骏昌联宇创明鸿旭正立科星辰广"
    )
)
SYL2 = np.array(
    list("丰源达泰盛通海宇联力祥瑞辉星鼎业航川锦峰元成德安信隆翔威旺恒昊晨帆阳港能驰越邦")
)
SURNAMES = np.array(list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗缪冒顾季丁沈陆"))
GIVEN = np.array(list("伟芳娜敏静磊洋勇军杰涛明超霞平刚桂英华建国志强春燕晓婷宇浩然思雨佳文博"))

# Universities and institutes (name, region, weight): partners and counterparties.
INSTITUTES = (
    ("东南大学如东海洋研究院", "本地", 3),
    ("常州大学国家技术转移中心如东分中心", "本地", 3),
    ("南通大学", "本地", 2.5),
    ("东南大学", "苏南", 2),
    ("南京大学", "苏南", 1.2),
    ("河海大学", "苏南", 1.5),
    ("江苏科技大学", "苏南", 1.5),
    ("常州大学", "苏南", 1.5),
    ("南京工业大学", "苏南", 1),
    ("江南大学", "苏南", 0.8),
    ("上海交通大学", "上海", 1.5),
    ("同济大学", "上海", 0.8),
    ("华东理工大学", "上海", 1),
    ("上海大学", "上海", 0.8),
    ("浙江大学", "长三角其他", 1),
    ("中国科学院宁波材料技术与工程研究所", "长三角其他", 0.8),
    ("中国科学院上海硅酸盐研究所", "上海", 0.5),
    ("华南理工大学", "珠三角", 0.5),
    ("哈尔滨工程大学", "省外其他", 0.6),
    ("中国海洋大学", "省外其他", 0.6),
    ("清华大学", "省外其他", 0.4),
)
INST_NAME, INST_REGION, INST_W = (np.array(col) for col in zip(*INSTITUTES, strict=True))
CITIES = (
    ("上海", "上海", 3),
    ("苏州", "苏南", 2),
    ("无锡", "苏南", 1.5),
    ("常州", "苏南", 1.2),
    ("南京", "苏南", 1.5),
    ("杭州", "长三角其他", 1),
    ("宁波", "长三角其他", 0.7),
    ("合肥", "长三角其他", 0.5),
    ("深圳", "珠三角", 1),
    ("广州", "珠三角", 0.5),
    ("北京", "省外其他", 0.8),
    ("武汉", "省外其他", 0.4),
    ("西安", "省外其他", 0.3),
    ("南通", "本地", 1.5),
    ("如东", "本地", 2),
)
CITY, CITY_REGION, CITY_W = (np.array(col) for col in zip(*CITIES, strict=True))
FIELDS = np.array(["人工智能", "前沿新材料", "海洋科技", "新能源", "高端装备", "生命健康"])
FIELD_IND = np.array(
    [list(CODES).index(c) for c in ("6513", "2662", "3737", "3415", "3599", "2770")]
)  # landed firms
PRODUCTS = np.array(
    [
        ["工业视觉检测系统", "智能算力中心", "海洋监测大模型", "服务机器人", "工业互联网平台"],
        [
            "高性能碳纤维复合材料",
            "特种工程塑料",
            "电子级化学品",
            "生物基聚酯新材料",
            "石墨烯导热膜",
        ],
        ["深远海养殖平台", "海上风电运维装备", "海洋生物制品", "海洋观测传感器", "海工防腐涂料"],
        ["海上风电叶片", "储能电池系统", "氢能装备", "高效光伏组件", "风电主轴承"],
        ["海工起重装备", "智能数控机床", "精密减速器", "高端液压件", "半导体封测设备"],
        ["医用防护材料", "体外诊断试剂", "高端医用敷料", "创新药中试", "康复辅具"],
    ]
)
IUR_FIELDS = (
    "海洋科技",
    "新能源",
    "高端装备",
    "前沿新材料",
    "生命健康",
    "人工智能",
    "电子信息",
    "绿色化工",
)
SERVICES = np.array(contract.CATEGORIES[("service_visits", "service_type")])

# Planted screens (county counts; province multiplies them).
NEW_HNTE = {
    2017: 30,
    2018: 35,
    2019: 40,
    2020: 45,
    2021: 45,
    2022: 45,
    2023: 42,
    2024: 36,
    2025: 34,
    2026: 31,
}
POOL = {"pass": 40, "ip": 10, "rd_intensity": 6, "rd_staff": 10, "growth": 6, "sme": 8, "two": 45}
CRITERIA = ("ip", "rd_intensity", "rd_staff", "growth", "sme")
RD_COVERAGE = 0.88  # share of 亿元+ manufacturers with R&D; the rest is the 清零 worklist
SEASON = np.array([0.85, 0.65, 1.0, 0.98, 1.0, 1.08, 0.95, 0.95, 1.05, 0.98, 1.05, 1.3])
SEASON /= SEASON.mean()


def write_demo(out_dir: str | Path, scale: str = "county", seed: int = 20261031) -> dict[str, int]:
    """Write a synthetic data directory; returns rows written per table."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: use one of {', '.join(SCALES)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    k = SCALES[scale] / SCALES["county"]  # department tables grow with the firm count
    w = _firms(rng, SCALES[scale])
    _finances(rng, w)
    certs = _hnte(rng, w, k)
    _plant_pool(rng, w, k)
    _plant_gazelles(rng, w, k)
    sci = _sci_projects(rng, w, k)
    _rd_gap(rng, w)
    tables = {
        "enterprises": None,
        "patents": _patents(rng, w),
        "tax_annual": None,
        "stats_annual": None,
        "hnte_certificates": certs,
        "tech_sme_registry": _registry(rng, w, k),
        "tech_contracts": _contracts(rng, w, k),
        "iur_projects": _iur(rng, w, k),
        "sci_projects": sci,
        "rd_institutions": _rd_institutions(rng, w, k),
        "commissioners": _commissioners(rng, k),
        "cultivation": _cultivation(rng, w, k),
    }
    tables["key_enterprises"], tables["service_visits"] = _service(rng, w, k)
    tables["trainings"], tables["training_attendance"] = _trainings(rng, w, k)
    tables["tax_annual"], tables["stats_annual"] = _annual(rng, w)
    tables["enterprises"] = _enterprises(rng, w)
    rows = {name: _write(out, name, cols) for name, cols in tables.items()}
    rows["tax_monthly"] = _write_monthly(rng, w, out, hive=scale == "province")
    return {name: rows[name] for name in contract.TABLES}


# ---------------------------------------------------------------- helpers


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


# ---------------------------------------------------------------- the firms


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


# ---------------------------------------------------------------- market supervision, tax,
# statistics


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


# ---------------------------------------------------------------- science and technology bureau


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
