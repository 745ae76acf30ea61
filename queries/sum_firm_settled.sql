-- Summary (materialised once per warehouse as _sum_firm_settled): the HNTE screen's per-firm money
-- inputs (queries/hnte_criteria.sql, per_firm) for the year the screen settles on this year: the
-- latest tax_annual year before the current year, which every as-of date of the current year
-- settles on. The screen reads it when its settled year is this one and groups _sum_firm_year
-- itself otherwise (an as-of date in an earlier year). That grouping (≈ 2.3 M enterprise-year rows
-- by firm) was half of the screen's time at province scale (DuckDB's profile; issue 23).
-- Grain: one row per firm with an enterprise-year row in y-2..y. Params: none.
with settled as (
    select max(year) as y from tax_annual where year < year(current_date)
)

select
    settled.y,
    fy.fkey,
    max(fy.revenue_wan) filter (where fy.year = settled.y) as revenue_y_wan,
    max(fy.revenue_wan) filter (where fy.year = settled.y - 1) as revenue_y1_wan,
    sum(fy.revenue_wan) filter (where fy.revenue_wan is not null) as revenue_3y_wan,
    sum(coalesce(fy.rd_expense_wan, 0)) filter (where fy.revenue_wan is not null) as rd_3y_wan,
    max(fy.rd_staff) filter (where fy.year = settled.y) as rd_staff,
    max(fy.employees) filter (where fy.year = settled.y) as employees,
    max(fy.total_assets_wan) filter (where fy.year = settled.y) as total_assets_wan
from _sum_firm_year as fy
cross join settled
where fy.year between settled.y - 2 and settled.y
group by settled.y, fy.fkey
order by fy.fkey
