"""简报文字: the exact text for a small hand-checked fixture, town wording, pace boundaries, no
plan."""

from __future__ import annotations

from datetime import date

import pytest
from fixtures import AS_OF, firm, uscc, write_warehouse

from kechuang.engine import metrics
from kechuang.engine.plan import Plan, load_plan
from kechuang.engine.warehouse import Warehouse
from kechuang.output import summary

PLAN = load_plan(2026)


def _commissioners(n: int) -> list[dict]:
    return [
        {"commissioner_id": f"K{i}", "name": f"专员{i}", "joined_on": date(2026, 1, 1)}
        for i in range(n)
    ]


@pytest.fixture
def data(tmp_path):
    """One first certificate (掘港街道), a 83 亿元 contract (长沙镇), 90 commissioners, one cadre
    training, no SME training."""
    return write_warehouse(
        tmp_path / "data",
        enterprises=[firm(1), firm(2, town="长沙镇")],
        hnte_certificates=[
            {"uscc": uscc(1), "certificate_no": "C1", "issued_on": date(2026, 3, 1)}
        ],
        tech_contracts=[
            {
                "contract_id": "T1",
                "uscc": uscc(2),
                "amount_wan": 830_000.0,
                "registered_on": date(2026, 6, 30),
            }
        ],
        commissioners=_commissioners(90),
        trainings=[
            {
                "training_id": "X1",
                "title": "科技创新专题培训班",
                "held_on": date(2026, 5, 1),
                "kind": "科技创新专题培训",
            }
        ],
    )


def test_county_text_exactly(data):
    # 2026-10-31 is day 304 of 365: 83.3% of the year. new_hnte 1 of 50 (2.0%) is behind: 50 x
    # 304/365 = 41.6 expected, 42 - 1 = 41 short. The contract amount 830,000 of 1,000,000 万元
    # (83.0%) is at risk: expected 832,876.7, 2,876.7 万元 short. 90 commissioners of 100 and 1
    # cadre training of 1 are on track; 0 of 3 SME trainings is behind (3 x 304/365 = 2.5 expected:
    # 3 short).
    text = summary.briefing_text(Warehouse(data), AS_OF, PLAN)
    assert text == (
        "截至2026年10月31日，全县高成长型科创项目落地暂无数据（缺少科创项目招引）；"
        "新增高新技术企业1家，完成年度目标的2.0%，按序时进度应完成83.3%；"
        "瞪羚、独角兽定制化培育暂无数据（缺少瞪羚、独角兽定制化培育名单）；"
        "亿元以上制造业企业研发活动覆盖率暂无数据（缺少统计联网直报年报、企业所得税年度汇算清缴）；"
        "产学研合作项目备案登记暂无数据（缺少产学研合作项目）；"
        "技术合同认定登记额83.00亿元，完成年度目标的83.0%；"
        "重点企业“一企一策”服务暂无数据（缺少重点企业“一企一策”服务清单、“科小二”走访服务记录）；"
        "在岗科创专员90名，完成年度目标的90.0%；"
        "举办中小企业专项培训0场，完成年度目标的0.0%；"
        "专项培训覆盖企业暂无数据（缺少培训参训企业）；"
        "举办科技创新专题培训（干部）1场，完成年度目标的100.0%；"
        "校企共建新型研发机构/产业联盟暂无数据（缺少研发机构与创新载体）。\n"
        "对照序时进度，达标进度2项，预警1项，滞后2项。"
        "滞后：新增高新技术企业（完成年度目标的2.0%，距序时进度差41家，按当前进度全年预计约1家）、"
        "中小企业专项培训（完成年度目标的0.0%，距序时进度差3场）。"
        "预警：技术合同认定登记额（完成年度目标的83.0%，距序时进度差0.29亿元）。"
        # the work records' line (no records here)
        "\n2026年10月，驾驶舱中尚无走访、宣传、辅导记录。"
    )


def test_town_text_is_a_contribution_without_pace(data):
    text = summary.briefing_text(Warehouse(data, frozenset({"长沙镇"})), AS_OF, PLAN, "长沙镇")
    assert text.startswith(
        "截至2026年10月31日，长沙镇高成长型科创项目落地暂无数据（缺少科创项目招引）；新增高新技术企业0家，占全县年度目标的0.0%；"
    )
    assert "技术合同认定登记额83.00亿元，占全县年度目标的83.0%；" in text
    # Commissioners and trainings carry no enterprise: county figures, marked 全县.
    assert (
        "；全县在岗科创专员90名，完成年度目标的90.0%；全县举办中小企业专项培训0场，完成年度目标的0.0%；"
        in text
    )
    assert "按序时进度" not in text and "滞后" not in text
    assert text.split("\n")[1] == (
        "长沙镇数据为其对全县年度目标的贡献，不单独作序时进度判断；标注“全县”的为全县数据。"
    )


def _plan(target: float) -> Plan:
    return Plan(2026, "测试计划", "", {"commissioners": target}, ())


@pytest.mark.parametrize(
    ("n", "standing"),
    [
        # target 365: expected by day 304 is exactly 304; at risk down to 0.8 x 304 = 243.2.
        (304, "对照序时进度，1项有量化目标的指标均达到序时进度。"),
        (
            303,
            "对照序时进度，达标进度0项，预警1项，滞后0项。预警：科创专员（完成年度目标的83.0%，距序时进度差1名）。",
        ),
        (
            244,
            "对照序时进度，达标进度0项，预警1项，滞后0项。预警：科创专员（完成年度目标的66.8%，距序时进度差60名）。",
        ),
        (
            243,
            "对照序时进度，达标进度0项，预警0项，滞后1项。"
            "滞后：科创专员（完成年度目标的66.6%，距序时进度差61名，按当前进度全年预计约292名）。",
        ),
    ],
)
def test_pace_boundaries(tmp_path, n, standing):
    wh = Warehouse(write_warehouse(tmp_path / "d", commissioners=_commissioners(n)))
    text = summary.briefing_text(wh, AS_OF, _plan(365.0))
    assert f"在岗科创专员{n}名，完成年度目标的" in text
    assert text.split("\n")[1] == standing


def test_without_a_plan_only_actuals(data):
    text = summary.briefing_text(Warehouse(data), date(2026, 10, 31), None)
    assert "新增高新技术企业1家；" in text and "完成年度目标" not in text
    assert text.split("\n")[1] == "2026年尚无计划文件，未设年度目标，以上仅列完成数。"


def test_ratio_against_target_not_pace():
    from kechuang.engine.metrics import Progress

    coverage = Progress(
        "rd_coverage", "亿元以上制造业企业研发活动覆盖率", "比率", 0.885, 1.0, 1.0, None, "at_risk"
    )
    text = summary.compose([coverage], AS_OF, PLAN)
    assert text == (
        "截至2026年10月31日，全县亿元以上制造业企业研发活动覆盖率88.5%，目标为100.0%。\n"
        "对照序时进度，达标进度0项，预警1项，滞后0项。预警：亿元以上制造业企业研发活动覆盖率（88.5%，距目标差11.5个百分点）。"
    )
    assert metrics.county_wide("commissioners") and metrics.county_wide("sme_trainings")
    assert not metrics.county_wide("sme_training_attendance") and not metrics.county_wide(
        "new_hnte"
    )
