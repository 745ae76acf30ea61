-- 瞪羚/独角兽 · 培育名单: the plan year's cultivation list with each firm's revenue by year, for its
-- trajectory. revenue(y) is the tax figure, else the stats figure (per value), over Y-4..Y where Y is
-- the last settled tax year (the latest tax_annual year before the plan year). A listed firm missing
-- from the register or without any revenue figure still appears (name or revenue null).
-- Grain: one row per listed firm and year (a single row with a null year when no tax year is
-- settled). Params: $as_of.
with settled as (
    select max(year) as y from tax_annual where year < year($as_of)
),

years as (
    select cast(unnest(range(settled.y - 4, settled.y + 1)) as integer) as year
    from settled
    where settled.y is not null
),

listed as (
    select uscc, array_to_string(list_sort(list(distinct track)), '、') as track
    from cultivation
    where year = year($as_of) and uscc is not null
    group by uscc
),

valid_hnte as (
    select uscc, max(add_years(issued_on, 3)) as valid_until
    from hnte_certificates
    where issued_on <= $as_of and $as_of < add_years(issued_on, 3)
    group by uscc
),

final as (
    select
        listed.uscc,
        enterprises.name,
        enterprises.town,
        enterprises.industry_code,
        enterprises.established_on,
        listed.track,
        valid_hnte.valid_until as hnte_valid_until,
        settled.y as settled_year,
        years.year,
        coalesce(tax_annual.revenue_wan, stats_annual.revenue_wan) as revenue_wan
    from listed
    cross join settled
    left join years on true
    left join _sum_firms as enterprises on enterprises.uscc = listed.uscc
    left join valid_hnte on valid_hnte.uscc = listed.uscc
    left join tax_annual on tax_annual.uscc = listed.uscc and tax_annual.year = years.year
    left join stats_annual on stats_annual.uscc = listed.uscc and stats_annual.year = years.year
)

select * from final
order by uscc, year
