"""研发活动清零: the worklist and the per-town table as the page shows them. No Streamlit here."""

from __future__ import annotations

import polars as pl

from kechuang.engine import contract
from kechuang.models.workbench import division_expr

_RD_INSTITUTION = {True: "有", False: "无"}


def rd_zero_table(worklist: pl.DataFrame) -> pl.DataFrame:
    """The 清零 worklist for display, by town then revenue (as queries/rd_population.sql orders
    it)."""
    return worklist.select(
        pl.col("town").alias("所属镇区"),
        pl.col("name").alias("企业名称"),
        pl.col("uscc").alias("统一社会信用代码"),
        division_expr().alias("行业"),
        pl.col("revenue_wan").alias("营业收入（万元）"),
        pl.col("has_rd_institution")
        .replace_strict(_RD_INSTITUTION, default="未填报", return_dtype=pl.String)
        .alias("研发机构"),
        pl.col("stats_rd_expense_wan").alias("统计研发经费（万元）"),
        pl.col("tax_rd_expense_wan").alias("加计扣除研发费用（万元）"),
        pl.col("last_visited_on").alias("最近走访日期"),
        pl.col("last_service_type").alias("最近服务类别"),
        pl.col("last_visit_team").alias("最近走访团队"),
    )


def rd_town_table(by_town: pl.DataFrame) -> pl.DataFrame:
    return contract.for_display(
        by_town.select("town", "n_population", "n_active", "n_worklist", "coverage_ratio")
    )
