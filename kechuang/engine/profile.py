"""一企一档: everything the warehouse holds on one enterprise, and which sources have nothing on
it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from kechuang.engine import screening
from kechuang.engine.dates import add_months
from kechuang.engine.warehouse import Warehouse

# Section -> (query, source table, Chinese title). Order is the file's reading order.
SECTIONS: dict[str, tuple[str, str, str]] = {
    "tax_annual": ("profile_tax_annual", "tax_annual", "企业所得税年度汇算"),
    "stats_annual": ("profile_stats_annual", "stats_annual", "统计年报"),
    "tax_monthly": ("profile_tax_monthly", "tax_monthly", "增值税开票（月度）"),
    "hnte_certificates": ("profile_hnte_certificates", "hnte_certificates", "高新技术企业证书"),
    "tech_sme_registry": ("profile_tech_sme_registry", "tech_sme_registry", "科技型中小企业入库"),
    "patents": ("profile_patents", "patents", "知识产权"),
    "tech_contracts": ("profile_tech_contracts", "tech_contracts", "技术合同"),
    "iur_projects": ("profile_iur_projects", "iur_projects", "产学研合作项目"),
    "sci_projects": ("profile_sci_projects", "sci_projects", "科创项目"),
    "service_visits": ("profile_service_visits", "service_visits", "“科小二”走访服务"),
    "rd_institutions": ("profile_rd_institutions", "rd_institutions", "研发机构与创新载体"),
    "key_enterprises": ("profile_key_enterprises", "key_enterprises", "重点企业服务清单"),
    "cultivation": ("profile_cultivation", "cultivation", "瞪羚、独角兽培育"),
    "trainings": ("profile_trainings", "training_attendance", "参加培训"),
}
RENEWAL_WINDOW_MONTHS = 6
PARALLEL_QUERIES = 4


class UnknownEnterprise(LookupError):
    """No enterprise with this USCC in the registry (or not within the user's scope)."""


@dataclass
class EnterpriseFile:
    uscc: str
    registry: dict
    sections: dict[str, pl.DataFrame]
    absent_sources: list[str]  # sections whose table is missing from the warehouse
    empty_sections: list[str]  # sections whose table is present but has no rows for this firm
    screen_row: dict | None  # the six-criterion evaluation on the as-of date
    checklist: list[screening.Gap] = field(default_factory=list)
    hnte_valid_until: date | None = None
    hnte_renewal_due: bool = False  # the valid certificate expires within six months, no newer one

    def as_json(self) -> dict:
        return {
            "uscc": self.uscc,
            "registry": self.registry,
            "sections": {name: frame.to_dicts() for name, frame in self.sections.items()},
            "absent_sources": self.absent_sources,
            "empty_sections": self.empty_sections,
            "screen": self.screen_row,
            "checklist": [
                {
                    "criterion": g.criterion,
                    "passed": g.passed,
                    "gap_amount": g.amount,
                    "gap_unit": g.unit,
                    "text": g.text,
                }
                for g in self.checklist
            ],
            "hnte_valid_until": self.hnte_valid_until,
            "hnte_renewal_due": self.hnte_renewal_due,
        }


def search(wh: Warehouse, text: str) -> pl.DataFrame:
    """Enterprises whose name contains the text or whose USCC starts with it (at most 50)."""
    text = text.strip()
    if not text:
        return wh.query("enterprise_search", text="\x00").clear()
    return wh.query("enterprise_search", text=text)


def enterprise_file(
    wh: Warehouse,
    uscc: str,
    as_of: date,
    thresholds: screening.HnteThresholds = screening.HnteThresholds(),
) -> EnterpriseFile:
    """The whole file of one enterprise on the as-of date."""
    uscc = uscc.strip().upper()
    registry = wh.query("enterprise", uscc=uscc)
    if registry.height == 0:
        raise UnknownEnterprise(uscc)
    sections, absent, empty = {}, [], []
    present = [
        (name, query) for name, (query, table, _title) in SECTIONS.items() if wh.available(table)
    ]
    # Fifteen small queries: their fixed costs dominate, so they run side by side on parallel
    # cursors.
    with ThreadPoolExecutor(max_workers=PARALLEL_QUERIES) as pool:
        screening_job = pool.submit(screening.screen_all, wh, as_of, thresholds, uscc=uscc)
        frames = dict(
            zip(
                (n for n, _ in present),
                pool.map(lambda nq: wh.query(nq[1], uscc=uscc), present),
                strict=True,
            )
        )
        screened = screening_job.result()
    for name in SECTIONS:
        if name not in frames:
            absent.append(name)
            continue
        sections[name] = frames[name]
        if frames[name].height == 0:
            empty.append(name)
    row = screened.row(0, named=True) if screened.height else None
    valid_until = row["hnte_valid_until"] if row else None
    return EnterpriseFile(
        uscc=uscc,
        registry=registry.row(0, named=True),
        sections=sections,
        absent_sources=absent,
        empty_sections=empty,
        screen_row=row,
        checklist=screening.checklist(row, thresholds, as_of) if row else [],
        hnte_valid_until=valid_until,
        hnte_renewal_due=_renewal_due(valid_until, sections.get("hnte_certificates"), as_of),
    )


def _renewal_due(valid_until: date | None, certificates: pl.DataFrame | None, as_of: date) -> bool:
    """The certificate valid on the as-of date ends within six months and no later one exists."""
    if valid_until is None or certificates is None:
        return False
    later = certificates.filter(pl.col("issued_on") > as_of).height > 0
    return not later and valid_until <= add_months(as_of, RENEWAL_WINDOW_MONTHS)
