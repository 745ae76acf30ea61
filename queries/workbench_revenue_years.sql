-- 瞪羚/独角兽: the years holding revenue figures (tax or stats), up to the last settled tax year Y
-- (the latest tax_annual year before the plan year), so the page offers the four-year variant only
-- where revenue(Y-4) exists.
-- Grain: one row per year with at least one revenue figure, up to Y. Params: $as_of.
with settled as (
    select max(year) as y from tax_annual where year < year($as_of)
),

figures as (
    select uscc, year from tax_annual where revenue_wan is not null
    union
    select uscc, year from stats_annual where revenue_wan is not null
),

final as (
    select
        figures.year,
        settled.y as settled_year,
        count(distinct figures.uscc) as n_firms
    from figures
    cross join settled
    where figures.year <= settled.y
    group by figures.year, settled.y
)

select * from final
order by year
