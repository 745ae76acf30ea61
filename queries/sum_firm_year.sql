-- Summary (materialised once per warehouse as _sum_firm_year): enterprise-year facts shared by the
-- HNTE screen, the gazelle screen, the cultivation list and rd_coverage. One full outer join of
-- tax_annual and stats_annual by (firm, year), for firms of the register (scoped), with
-- revenue(y) and rd(y) by the fallback rule of metrics.md: the tax figure when present, else the
-- stats figure (per value); the separate source figures are kept for rules that need one source.
-- Rows are ordered by year, so a year filter skips most of the table.
-- Grain: one row per firm, year and pair of source rows. Params: none.
with tax as (
    select _sum_firms.fkey, tax_annual.year, tax_annual.revenue_wan, tax_annual.rd_expense_wan
    from tax_annual
    join _sum_firms on _sum_firms.uscc = tax_annual.uscc
    where tax_annual.year is not null
),

stats as (
    select
        _sum_firms.fkey,
        stats_annual.year,
        stats_annual.revenue_wan,
        stats_annual.rd_expense_wan,
        stats_annual.rd_staff,
        stats_annual.employees,
        stats_annual.total_assets_wan,
        stats_annual.has_rd_institution
    from stats_annual
    join _sum_firms on _sum_firms.uscc = stats_annual.uscc
    where stats_annual.year is not null
),

final as (
    select
        coalesce(tax.fkey, stats.fkey) as fkey,
        coalesce(tax.year, stats.year) as year,
        coalesce(tax.revenue_wan, stats.revenue_wan) as revenue_wan,
        coalesce(tax.rd_expense_wan, stats.rd_expense_wan) as rd_expense_wan,
        tax.rd_expense_wan as tax_rd_expense_wan,
        stats.fkey is not null as has_stats,
        stats.revenue_wan as stats_revenue_wan,
        stats.rd_expense_wan as stats_rd_expense_wan,
        stats.rd_staff,
        stats.employees,
        stats.total_assets_wan,
        stats.has_rd_institution
    from tax
    full join stats on stats.fkey = tax.fkey and stats.year = tax.year
)

select * from final
order by year, fkey
