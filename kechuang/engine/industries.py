"""GB/T 4754-2017 国民经济行业分类: division (大类, two digits) and section (门类) names in Chinese.

The enterprise register carries a four-digit 小类 code (e.g. `3415`); its first two digits are the
division. Divisions 13–43 (门类 C, 制造业) follow shared/notes/domain.md; the other sections are
listed with the divisions an enterprise register commonly holds. An unlisted code is shown as
"行业代码 XX" rather than guessed.
"""

from __future__ import annotations

# 门类: letter, Chinese name, first and last division.
SECTIONS: tuple[tuple[str, str, int, int], ...] = (
    ("A", "农、林、牧、渔业", 1, 5),
    ("B", "采矿业", 6, 12),
    ("C", "制造业", 13, 43),
    ("D", "电力、热力、燃气及水生产和供应业", 44, 46),
    ("E", "建筑业", 47, 50),
    ("F", "批发和零售业", 51, 52),
    ("G", "交通运输、仓储和邮政业", 53, 60),
    ("H", "住宿和餐饮业", 61, 62),
    ("I", "信息传输、软件和信息技术服务业", 63, 65),
    ("J", "金融业", 66, 69),
    ("K", "房地产业", 70, 70),
    ("L", "租赁和商务服务业", 71, 72),
    ("M", "科学研究和技术服务业", 73, 75),
    ("N", "水利、环境和公共设施管理业", 76, 79),
    ("O", "居民服务、修理和其他服务业", 80, 82),
    ("P", "教育", 83, 83),
    ("Q", "卫生和社会工作", 84, 85),
    ("R", "文化、体育和娱乐业", 86, 90),
)

DIVISIONS: dict[str, str] = {
    "01": "农业",
    "02": "林业",
    "03": "畜牧业",
    "04": "渔业",
    "05": "农、林、牧、渔专业及辅助性活动",
    "06": "煤炭开采和洗选业",
    "07": "石油和天然气开采业",
    "08": "黑色金属矿采选业",
    "09": "有色金属矿采选业",
    "10": "非金属矿采选业",
    "11": "开采专业及辅助性活动",
    "12": "其他采矿业",
    "13": "农副食品加工业",
    "14": "食品制造业",
    "15": "酒、饮料和精制茶制造业",
    "16": "烟草制品业",
    "17": "纺织业",
    "18": "纺织服装、服饰业",
    "19": "皮革、毛皮、羽毛及其制品和制鞋业",
    "20": "木材加工和木、竹、藤、棕、草制品业",
    "21": "家具制造业",
    "22": "造纸和纸制品业",
    "23": "印刷和记录媒介复制业",
    "24": "文教、工美、体育和娱乐用品制造业",
    "25": "石油、煤炭及其他燃料加工业",
    "26": "化学原料和化学制品制造业",
    "27": "医药制造业",
    "28": "化学纤维制造业",
    "29": "橡胶和塑料制品业",
    "30": "非金属矿物制品业",
    "31": "黑色金属冶炼和压延加工业",
    "32": "有色金属冶炼和压延加工业",
    "33": "金属制品业",
    "34": "通用设备制造业",
    "35": "专用设备制造业",
    "36": "汽车制造业",
    "37": "铁路、船舶、航空航天和其他运输设备制造业",
    "38": "电气机械和器材制造业",
    "39": "计算机、通信和其他电子设备制造业",
    "40": "仪器仪表制造业",
    "41": "其他制造业",
    "42": "废弃资源综合利用业",
    "43": "金属制品、机械和设备修理业",
    "44": "电力、热力生产和供应业",
    "45": "燃气生产和供应业",
    "46": "水的生产和供应业",
    "47": "房屋建筑业",
    "48": "土木工程建筑业",
    "49": "建筑安装业",
    "50": "建筑装饰、装修和其他建筑业",
    "51": "批发业",
    "52": "零售业",
    "53": "铁路运输业",
    "54": "道路运输业",
    "55": "水上运输业",
    "56": "航空运输业",
    "57": "管道运输业",
    "58": "多式联运和运输代理业",
    "59": "装卸搬运和仓储业",
    "60": "邮政业",
    "61": "住宿业",
    "62": "餐饮业",
    "63": "电信、广播电视和卫星传输服务",
    "64": "互联网和相关服务",
    "65": "软件和信息技术服务业",
    "66": "货币金融服务",
    "67": "资本市场服务",
    "68": "保险业",
    "69": "其他金融业",
    "70": "房地产业",
    "71": "租赁业",
    "72": "商务服务业",
    "73": "研究和试验发展",
    "74": "专业技术服务业",
    "75": "科技推广和应用服务业",
    "76": "水利管理业",
    "77": "生态保护和环境治理业",
    "78": "公共设施管理业",
    "79": "土地管理业",
    "80": "居民服务业",
    "81": "机动车、电子产品和日用产品修理业",
    "82": "其他服务业",
    "83": "教育",
    "84": "卫生",
    "85": "社会工作",
    "86": "新闻和出版业",
    "87": "广播、电视、电影和录音制作业",
    "88": "文化艺术业",
    "89": "体育",
    "90": "娱乐业",
}
UNKNOWN = "行业不详"


def division_code(industry_code: str | None) -> str | None:
    """The two-digit division of an industry code ('3415' -> '34'); None when it has no two leading
    digits."""
    if not industry_code:
        return None
    head = industry_code.strip()[:2]
    return head if len(head) == 2 and head.isdigit() else None


def division_name(industry_code: str | None) -> str | None:
    """The Chinese division name of an industry code, or None when the division is not listed."""
    code = division_code(industry_code)
    return DIVISIONS.get(code) if code else None


def division_label(industry_code: str | None) -> str:
    """'34 通用设备制造业'; '行业代码 99' for an unlisted division; '行业不详' without a code."""
    code = division_code(industry_code)
    if code is None:
        return UNKNOWN
    name = DIVISIONS.get(code)
    return f"{code} {name}" if name else f"行业代码 {code}"


def section(industry_code: str | None) -> tuple[str, str] | None:
    """The 门类 (letter, name) of an industry code, or None when unknown."""
    code = division_code(industry_code)
    if code is None:
        return None
    n = int(code)
    return next(((letter, name) for letter, name, lo, hi in SECTIONS if lo <= n <= hi), None)


def is_manufacturing(industry_code: str | None) -> bool:
    """Divisions 13..43 (门类 C), as metrics.md defines manufacturing."""
    code = division_code(industry_code)
    return code is not None and 13 <= int(code) <= 43
