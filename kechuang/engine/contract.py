"""The data contract (shared/spec/data-contract.md) as data: tables, columns, types, labels,
categories."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kechuang.zh.labels import COLUMN_LABELS

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type name: VARCHAR, DOUBLE, INTEGER, DATE, BOOLEAN
    label: str  # the Chinese header departments use
    required: bool = False  # not null in the contract


def _cols(*specs: tuple) -> tuple[Column, ...]:
    return tuple(Column(*spec) for spec in specs)


TABLES: dict[str, tuple[Column, ...]] = {
    "enterprises": _cols(
        ("uscc", "VARCHAR", "统一社会信用代码", True),
        ("name", "VARCHAR", "企业名称", True),
        ("established_on", "DATE", "成立日期"),
        ("registered_capital_wan", "DOUBLE", "注册资本（万元）"),
        ("industry_code", "VARCHAR", "国民经济行业代码"),
        ("town", "VARCHAR", "所属镇区"),
        ("status", "VARCHAR", "登记状态"),
    ),
    "patents": _cols(
        ("ip_id", "VARCHAR", "专利号/登记号", True),
        ("uscc", "VARCHAR", "权利人统一社会信用代码"),
        ("ip_type", "VARCHAR", "知识产权类型"),
        ("granted_on", "DATE", "授权日期"),
        ("valid", "BOOLEAN", "是否有效"),
    ),
    "tax_monthly": _cols(
        ("uscc", "VARCHAR", "统一社会信用代码", True),
        ("period", "DATE", "所属期", True),
        ("invoiced_sales_wan", "DOUBLE", "开票销售额（万元）"),
        ("tax_paid_wan", "DOUBLE", "入库税款（万元）"),
    ),
    "tax_annual": _cols(
        ("uscc", "VARCHAR", "统一社会信用代码", True),
        ("year", "INTEGER", "所属年度", True),
        ("revenue_wan", "DOUBLE", "营业收入（万元）"),
        ("rd_expense_wan", "DOUBLE", "加计扣除研发费用（万元）"),
        ("net_assets_wan", "DOUBLE", "所有者权益（万元）"),
        ("hnte_preferential", "BOOLEAN", "享受高新技术企业优惠"),
    ),
    "stats_annual": _cols(
        ("uscc", "VARCHAR", "统一社会信用代码", True),
        ("year", "INTEGER", "年度", True),
        ("above_scale", "BOOLEAN", "是否规上"),
        ("revenue_wan", "DOUBLE", "营业收入（万元）"),
        ("rd_expense_wan", "DOUBLE", "研究与试验发展经费支出（万元）"),
        ("rd_staff", "INTEGER", "研发人员数"),
        ("employees", "INTEGER", "从业人员期末人数"),
        ("total_assets_wan", "DOUBLE", "资产总计（万元）"),
        ("has_rd_institution", "BOOLEAN", "是否有研发机构"),
    ),
    "hnte_certificates": _cols(
        ("uscc", "VARCHAR", "统一社会信用代码", True),
        ("certificate_no", "VARCHAR", "证书编号", True),
        ("issued_on", "DATE", "发证日期"),
    ),
    "tech_sme_registry": _cols(
        ("uscc", "VARCHAR", "统一社会信用代码", True),
        ("year", "INTEGER", "入库年度"),
        ("registry_no", "VARCHAR", "入库登记编号"),
    ),
    "tech_contracts": _cols(
        ("contract_id", "VARCHAR", "合同登记号", True),
        ("uscc", "VARCHAR", "本地主体统一社会信用代码"),
        ("role", "VARCHAR", "本地主体角色"),
        ("counterparty", "VARCHAR", "对方名称"),
        ("counterparty_region", "VARCHAR", "对方所在地区"),
        ("contract_type", "VARCHAR", "合同类别"),
        ("amount_wan", "DOUBLE", "合同成交额（万元）"),
        ("tech_amount_wan", "DOUBLE", "技术交易额（万元）"),
        ("registered_on", "DATE", "认定登记日期"),
    ),
    "iur_projects": _cols(
        ("project_id", "VARCHAR", "项目编号", True),
        ("uscc", "VARCHAR", "企业统一社会信用代码"),
        ("partner", "VARCHAR", "合作高校院所"),
        ("partner_region", "VARCHAR", "合作方所在地区"),
        ("field", "VARCHAR", "技术领域"),
        ("mode", "VARCHAR", "合作方式"),
        ("stage", "VARCHAR", "进展阶段"),
        ("registered_on", "DATE", "备案登记日期"),
        ("amount_wan", "DOUBLE", "合作金额（万元）"),
    ),
    "sci_projects": _cols(
        ("project_id", "VARCHAR", "项目编号", True),
        ("name", "VARCHAR", "项目名称"),
        ("uscc", "VARCHAR", "落地企业统一社会信用代码"),
        ("town", "VARCHAR", "落地镇区"),
        ("field", "VARCHAR", "产业方向"),
        ("source_region", "VARCHAR", "项目来源地"),
        ("investment_wan", "DOUBLE", "计划投资额（万元）"),
        ("high_growth", "BOOLEAN", "是否高成长型科创项目"),
        ("stage", "VARCHAR", "项目阶段"),
        ("landed_on", "DATE", "落地日期"),
    ),
    "key_enterprises": _cols(
        ("uscc", "VARCHAR", "统一社会信用代码", True),
        ("year", "INTEGER", "年度", True),
        ("team", "VARCHAR", "服务团队"),
        ("focus", "VARCHAR", "服务重点"),
    ),
    "service_visits": _cols(
        ("visit_id", "VARCHAR", "记录编号", True),
        ("uscc", "VARCHAR", "统一社会信用代码"),
        ("visited_on", "DATE", "走访日期"),
        ("service_type", "VARCHAR", "服务类别"),
        ("team", "VARCHAR", "服务团队"),
    ),
    "commissioners": _cols(
        ("commissioner_id", "VARCHAR", "编号", True),
        ("name", "VARCHAR", "姓名"),
        ("role", "VARCHAR", "专员类别"),
        ("field", "VARCHAR", "专业领域"),
        ("organization", "VARCHAR", "所在单位"),
        ("joined_on", "DATE", "聘任日期"),
        ("left_on", "DATE", "离任日期"),
    ),
    "trainings": _cols(
        ("training_id", "VARCHAR", "编号", True),
        ("title", "VARCHAR", "培训名称"),
        ("held_on", "DATE", "举办日期"),
        ("kind", "VARCHAR", "培训类别"),
    ),
    "training_attendance": _cols(
        ("training_id", "VARCHAR", "培训编号", True),
        ("uscc", "VARCHAR", "参训企业统一社会信用代码", True),
    ),
    "rd_institutions": _cols(
        ("institution_id", "VARCHAR", "编号", True),
        ("uscc", "VARCHAR", "依托企业统一社会信用代码"),
        ("name", "VARCHAR", "名称"),
        ("kind", "VARCHAR", "类别"),
        ("level", "VARCHAR", "级别"),
        ("partner", "VARCHAR", "共建高校院所"),
        ("approved_on", "DATE", "认定/成立日期"),
    ),
    "cultivation": _cols(
        ("uscc", "VARCHAR", "统一社会信用代码", True),
        ("year", "INTEGER", "年度", True),
        ("track", "VARCHAR", "培育方向"),
    ),
}

TABLE_LABELS: dict[str, str] = {
    "enterprises": "市场主体登记",
    "patents": "知识产权",
    "tax_monthly": "增值税开票",
    "tax_annual": "企业所得税年度汇算清缴",
    "stats_annual": "统计联网直报年报",
    "hnte_certificates": "高新技术企业认定",
    "tech_sme_registry": "科技型中小企业入库",
    "tech_contracts": "技术合同认定登记",
    "iur_projects": "产学研合作项目",
    "sci_projects": "科创项目招引",
    "key_enterprises": "重点企业“一企一策”服务清单",
    "service_visits": "“科小二”走访服务记录",
    "commissioners": "科创专员",
    "trainings": "培训活动",
    "training_attendance": "培训参训企业",
    "rd_institutions": "研发机构与创新载体",
    "cultivation": "瞪羚、独角兽定制化培育名单",
}

# Category columns take exactly these values (data-contract.md).
CATEGORIES: dict[tuple[str, str], tuple[str, ...]] = {
    ("enterprises", "status"): ("存续", "在业", "迁出", "注销", "吊销"),
    ("patents", "ip_type"): (
        "发明专利",
        "实用新型",
        "外观设计",
        "软件著作权",
        "集成电路布图设计",
        "植物新品种",
    ),
    ("tech_contracts", "role"): ("卖方", "买方"),
    ("tech_contracts", "contract_type"): (
        "技术开发",
        "技术转让",
        "技术许可",
        "技术咨询",
        "技术服务",
    ),
    ("iur_projects", "mode"): (
        "委托开发",
        "合作开发",
        "揭榜挂帅",
        "定向委托",
        "技术转让",
        "共建研发机构",
    ),
    ("iur_projects", "stage"): ("需求征集", "精准对接", "备案登记", "落地实施", "跟踪服务"),
    ("sci_projects", "stage"): ("在谈", "签约", "落地"),
    ("service_visits", "service_type"): (
        "创新型企业培育",
        "产学研合作",
        "政策落实",
        "未来产业发展",
        "高企申报辅导",
        "研发费用归集",
        "专利布局",
        "项目申报",
    ),
    ("commissioners", "role"): ("科技招商专员", "政策服务专员", "场景服务专员", "科技研发服务专员"),
    ("trainings", "kind"): ("科技创新专题培训", "中小企业专项培训"),
    ("rd_institutions", "kind"): (
        "工程技术研究中心",
        "企业技术中心",
        "新型研发机构",
        "产业技术创新战略联盟",
        "重点实验室",
    ),
    ("rd_institutions", "level"): ("市级", "省级", "国家级"),
    ("cultivation", "track"): ("瞪羚", "独角兽"),
}

# Single-column keys that must be unique (composite keys are checked in queries/checks).
UNIQUE_KEYS: dict[str, tuple[str, ...]] = {
    "enterprises": ("uscc",),
    "patents": ("ip_id",),
    "tax_monthly": ("uscc", "period"),
    "tax_annual": ("uscc", "year"),
    "stats_annual": ("uscc", "year"),
    "hnte_certificates": ("certificate_no",),
    "tech_contracts": ("contract_id",),
    "iur_projects": ("project_id",),
    "sci_projects": ("project_id",),
    "key_enterprises": ("uscc", "year"),
    "service_visits": ("visit_id",),
    "commissioners": ("commissioner_id",),
    "trainings": ("training_id",),
    "training_attendance": ("training_id", "uscc"),
    "rd_institutions": ("institution_id",),
    "cultivation": ("uscc", "year"),
}


def columns(table: str) -> tuple[Column, ...]:
    """The contract's columns of one table, in order."""
    return TABLES[table]


def arrow_schema(table: str):
    """The pyarrow schema a canonical Parquet file of this table has."""
    import pyarrow as pa

    types = {
        "VARCHAR": pa.string(),
        "DOUBLE": pa.float64(),
        "INTEGER": pa.int32(),
        "DATE": pa.date32(),
        "BOOLEAN": pa.bool_(),
    }
    return pa.schema(
        [pa.field(c.name, types[c.type], nullable=not c.required) for c in TABLES[table]]
    )


# -- names users read: the department files' Chinese names, never table ids ------------------------

MISSING = "缺少数据"


def table_names(tables: Iterable[str], with_ids: bool = False) -> str:
    """'科创项目招引、知识产权' (with_ids: '科创项目招引（sci_projects）、…' for operators)."""
    return "、".join(f"{TABLE_LABELS[t]}（{t}）" if with_ids else TABLE_LABELS[t] for t in tables)


def missing_note(tables: Iterable[str]) -> str:
    """The one line under a figure whose data is absent: '缺少数据：科创项目招引'."""
    return f"{MISSING}：{table_names(tables)}"


def column_label(name: str, table: str | None = None) -> str:
    """The Chinese label of a column: derived labels (zh.labels) first, then the contract's."""
    if name in COLUMN_LABELS:
        return COLUMN_LABELS[name]
    for t in [table] if table else list(TABLES):
        for col in columns(t):
            if col.name == name:
                return col.label
    return name


def for_display(
    frame: pl.DataFrame, columns: list[str] | None = None, table: str | None = None
) -> pl.DataFrame:
    """A frame with the chosen columns renamed to their Chinese labels."""
    chosen = frame.select(columns) if columns else frame
    return chosen.rename({c: column_label(c, table) for c in chosen.columns})
