"""One hand-built county for the programme pages; every expected figure below is worked out by hand.

As of 2026-10-31 (AS_OF). Firms 1 and 4..14 are in 掘港街道, firms 2 and 3 in 长沙镇.

技术合同 (registered in 2026 up to AS_OF: T1, T2, T3, T5, T6)
  amount 1000 + 500 + 300 + 0 (T5 amount null) + 100 = 1900 万元;
  tech 900 + 450 + 0 + 50 + 100 = 1500 (T3's tech amount is null); 5 contracts.
  输出 (卖方) T1, T3, T5, T6 = 1400 (4); 吸纳 T2 = 500 (1).
  Region: 上海 1000, 苏南 500 (江苏南京), 珠三角 300 (深圳), 本地（南通） 0 (如东县),
  其他地区 100 (北京).
  Town: 掘港街道 1600 (firms 1, 8), 长沙镇 300 (firms 2, 3).
  Months: Jan 1100, Mar 500, Jun 0, Oct 300.
重点企业动态清单: firms 6 (R&D 12.5 from stats: tax figure missing), 4 (HNTE of 2024-02-29:
  valid to 2027-02-27), 5 (unregistered 产学研 project), 12 (HNTE valid to 2026-10-31, the
  as-of day), 14 (产学研 registered 2025-01-01). Not: 1, 2, 3, 8 (registered this year),
  7 (注销), 9 (tax R&D 0 is a real 0),
  10 (R&D only in 2024), 11 (HNTE lapsed 2026-10-31), 13 (产学研 registered 2024-12-31).
产学研 pipeline: I1 跟踪服务, I2 落地实施, I3 I4 备案登记, I5 精准对接, I9 (registered after AS_OF:
  counted at 精准对接), I6 I10 需求征集 -> reached 8, 6, 4, 2, 1. Registered in the year: 4.
  Follow-up at N = 90: I4 (91 days), I8 (304 days); I3 is exactly 90 days.
科创项目: landed high-growth in 2026 = S1, S2 (2). Pipeline 在谈 2, 签约 2 (S3 landed after AS_OF,
S7), 落地 4. 科小二: key firms 1..4; served 1, 2; not yet visited 3 (visited 2025-12-31 and
2026-11-01 only), 4. 科创专员: serving C1, C2 (joined on AS_OF), C5 (leaves the day after) = 3; C4
left on AS_OF. 培训: SME trainings TR1, TR2 = 2 (TR3 after AS_OF); attendance 3 + 1 = 4; cadre TR4
= 1.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fixtures import firm, uscc, write_warehouse

CHANGSHA = "长沙镇"
COMMISSIONER_NAMES = (
    "张三丰",
    "李四光",
    "王五福",
    "赵六安",
    "孙七巧",
    "周八方",
    "吴九洲",
    "郑十全",
)


def enterprises() -> list[dict]:
    rows = [firm(n) for n in range(1, 15)]
    rows[1]["town"] = rows[2]["town"] = CHANGSHA
    rows[6]["status"] = "注销"
    return rows


def tech_contracts() -> list[dict]:
    def c(cid, n, role, region, kind, amount, tech, on):
        return {
            "contract_id": cid,
            "uscc": uscc(n),
            "role": role,
            "counterparty": f"对方{cid}",
            "counterparty_region": region,
            "contract_type": kind,
            "amount_wan": amount,
            "tech_amount_wan": tech,
            "registered_on": on,
        }

    return [
        c("T1", 1, "卖方", "上海", "技术开发", 1000.0, 900.0, date(2026, 1, 15)),
        c("T2", 1, "买方", "江苏南京", "技术服务", 500.0, 450.0, date(2026, 3, 10)),
        c("T3", 2, "卖方", "深圳", "技术转让", 300.0, None, date(2026, 10, 31)),
        c("T4", 2, "买方", None, "技术咨询", 200.0, 200.0, date(2026, 11, 1)),
        c("T5", 3, "卖方", "如东县", "技术许可", None, 50.0, date(2026, 6, 30)),
        c("T6", 8, "卖方", "北京", "技术开发", 100.0, 100.0, date(2026, 1, 1)),
        c("T7", 4, "卖方", "上海", "技术开发", 999.0, 999.0, date(2025, 12, 31)),
    ]


def hnte_certificates() -> list[dict]:
    return [
        {
            "uscc": uscc(4),
            "certificate_no": "H4",
            "issued_on": date(2024, 2, 29),
        },  # valid up to 2027-02-27
        {"uscc": uscc(7), "certificate_no": "H7", "issued_on": date(2025, 1, 1)},
        {"uscc": uscc(8), "certificate_no": "H8", "issued_on": date(2025, 1, 1)},
        {
            "uscc": uscc(11),
            "certificate_no": "H11",
            "issued_on": date(2023, 10, 31),
        },  # valid to 2026-10-30
        {
            "uscc": uscc(12),
            "certificate_no": "H12",
            "issued_on": date(2023, 11, 1),
        },  # valid to 2026-10-31
    ]


def iur_projects() -> list[dict]:
    def p(pid, n, stage, on, partner=None, region=None, mode=None, amount=None):
        return {
            "project_id": pid,
            "uscc": uscc(n),
            "stage": stage,
            "registered_on": on,
            "partner": partner,
            "partner_region": region,
            "mode": mode,
            "field": "新能源",
            "amount_wan": amount,
        }

    return [
        p("I1", 1, "跟踪服务", date(2026, 2, 1), "南京大学", "苏南", "揭榜挂帅", 100.0),
        p("I2", 1, "落地实施", date(2026, 3, 1), "上海交通大学", "上海", "定向委托", 50.0),
        p("I3", 2, "备案登记", date(2026, 8, 2), "南京大学", "江苏南京", "揭榜挂帅", 30.0),
        p("I4", 2, "备案登记", date(2026, 8, 1), "深圳大学", "广东深圳", "委托开发", 20.0),
        p("I5", 3, "精准对接", None, "同济大学", "上海", "合作开发"),
        p("I6", 3, "需求征集", None),
        p("I7", 1, "落地实施", date(2025, 6, 1), "南京大学", "苏南", "揭榜挂帅", 10.0),
        p("I8", 2, "备案登记", date(2025, 12, 31), "河海大学", "苏南", "合作开发", 10.0),
        p("I9", 3, "备案登记", date(2026, 11, 1), "浙江大学", "浙江杭州", "技术转让", 5.0),
        p("I10", 5, "需求征集", None),
        p("I13", 13, "跟踪服务", date(2024, 12, 31), "南京大学", "苏南", "合作开发", 1.0),
        p("I14", 14, "跟踪服务", date(2025, 1, 1), "南京大学", "苏南", "合作开发", 1.0),
    ]


def tax_annual() -> list[dict]:
    return [
        {"uscc": uscc(1), "year": 2025, "revenue_wan": 5000.0, "rd_expense_wan": 100.0},
        {"uscc": uscc(6), "year": 2025, "revenue_wan": 800.0, "rd_expense_wan": None},
        {"uscc": uscc(9), "year": 2025, "revenue_wan": 800.0, "rd_expense_wan": 0.0},
        {"uscc": uscc(10), "year": 2024, "revenue_wan": 800.0, "rd_expense_wan": 50.0},
        {"uscc": uscc(10), "year": 2025, "revenue_wan": 800.0, "rd_expense_wan": 0.0},
    ]


def stats_annual() -> list[dict]:
    return [
        {"uscc": uscc(6), "year": 2025, "rd_expense_wan": 12.5},
        {"uscc": uscc(9), "year": 2025, "rd_expense_wan": 30.0},
    ]


def sci_projects() -> list[dict]:
    def s(pid, hg, stage, on, town, field, source, invest):
        return {
            "project_id": pid,
            "name": f"项目{pid}",
            "high_growth": hg,
            "stage": stage,
            "landed_on": on,
            "town": town,
            "field": field,
            "source_region": source,
            "investment_wan": invest,
        }

    return [
        s("S1", True, "落地", date(2026, 1, 1), "掘港街道", "人工智能", "上海", 1000.0),
        s("S2", True, "落地", date(2026, 10, 31), CHANGSHA, "新能源", "江苏苏州", 500.0),
        s("S3", True, "落地", date(2026, 11, 1), CHANGSHA, "新能源", "上海", 300.0),
        s("S4", False, "落地", date(2026, 5, 1), "掘港街道", "新能源", "上海", 200.0),
        s("S5", None, "落地", date(2026, 5, 1), "掘港街道", "新能源", "上海", 100.0),
        s("S6", True, "落地", date(2025, 12, 31), "掘港街道", "新能源", "上海", 100.0),
        s("S7", True, "签约", None, "掘港街道", "高端装备", "深圳", 80.0),
        s("S8", False, "在谈", None, CHANGSHA, "高端装备", "北京", 60.0),
        s("S9", True, "在谈", None, "掘港街道", "生命健康", "上海", 40.0),
    ]


def key_enterprises() -> list[dict]:
    return [
        {"uscc": uscc(1), "year": 2026, "team": "第一服务队", "focus": "政策落实"},
        {"uscc": uscc(2), "year": 2026, "team": "第二服务队", "focus": "高企申报辅导"},
        {"uscc": uscc(3), "year": 2026, "team": "第一服务队", "focus": "研发费用归集"},
        {"uscc": uscc(4), "year": 2026, "team": "第二服务队", "focus": "专利布局"},
        {"uscc": uscc(5), "year": 2025, "team": "第三服务队", "focus": "项目申报"},
    ]


def service_visits() -> list[dict]:
    def v(vid, n, on, kind, team):
        return {
            "visit_id": vid,
            "uscc": uscc(n),
            "visited_on": on,
            "service_type": kind,
            "team": team,
        }

    return [
        v("V1", 1, date(2026, 1, 1), "政策落实", "第一服务队"),
        v("V2", 1, date(2026, 3, 1), "专利布局", "第二服务队"),
        v("V3", 2, date(2026, 10, 31), "高企申报辅导", "第二服务队"),
        v("V4", 3, date(2026, 11, 1), "政策落实", "第一服务队"),
        v("V5", 3, date(2025, 12, 31), "政策落实", "第一服务队"),
        v("V6", 5, date(2026, 5, 1), "项目申报", "第三服务队"),
    ]


def commissioners() -> list[dict]:
    def c(i, role, field, joined, left):
        return {
            "commissioner_id": f"C{i}",
            "name": COMMISSIONER_NAMES[i - 1],
            "role": role,
            "field": field,
            "organization": f"单位{i}",
            "joined_on": joined,
            "left_on": left,
        }

    return [
        c(1, "科技招商专员", "人工智能", date(2025, 3, 1), None),
        c(2, "政策服务专员", "前沿新材料", date(2026, 10, 31), None),
        c(3, "政策服务专员", "人工智能", date(2026, 11, 1), None),
        c(4, "场景服务专员", "人工智能", date(2025, 1, 1), date(2026, 10, 31)),
        c(5, "场景服务专员", "人工智能", date(2025, 1, 1), date(2026, 11, 1)),
        c(6, "科技招商专员", "人工智能", None, None),
        c(7, "科技招商专员", "人工智能", date(2024, 1, 1), date(2026, 1, 1)),
        c(8, "科技招商专员", "人工智能", date(2024, 1, 1), date(2025, 6, 30)),
    ]


def trainings() -> list[dict]:
    def t(tid, kind, on):
        return {"training_id": tid, "title": f"培训{tid}", "kind": kind, "held_on": on}

    return [
        t("TR1", "中小企业专项培训", date(2026, 1, 1)),
        t("TR2", "中小企业专项培训", date(2026, 10, 31)),
        t("TR3", "中小企业专项培训", date(2026, 11, 1)),
        t("TR4", "科技创新专题培训", date(2026, 6, 1)),
        t("TR5", "中小企业专项培训", date(2025, 12, 31)),
    ]


def training_attendance() -> list[dict]:
    pairs = [("TR1", 1), ("TR1", 2), ("TR1", 2), ("TR1", 3), ("TR2", 1), ("TR3", 1), ("TR5", 1)]
    return [{"training_id": t, "uscc": uscc(n)} for t, n in pairs]


def write_county(data_dir: Path, **skip: bool) -> Path:
    """The whole county; pass table=False to leave a table out."""
    tables = {
        name: builder()
        for name, builder in {
            "enterprises": enterprises,
            "tech_contracts": tech_contracts,
            "hnte_certificates": hnte_certificates,
            "iur_projects": iur_projects,
            "tax_annual": tax_annual,
            "stats_annual": stats_annual,
            "sci_projects": sci_projects,
            "key_enterprises": key_enterprises,
            "service_visits": service_visits,
            "commissioners": commissioners,
            "trainings": trainings,
            "training_attendance": training_attendance,
        }.items()
        if skip.get(name, True)
    }
    return write_warehouse(data_dir, **tables)
