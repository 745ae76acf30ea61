-- 瞪羚/独角兽: cultivation candidates. Active firms with an HNTE certificate valid on the
-- as-of date, established on or after the date $max_age_years calendar years before it,
-- revenue(Y) >= $min_revenue_wan (the base year's in the
-- four-year variant), revenue(Y - $span_years) > 0 and compound growth over the
-- span >= $growth_min (compared as revenue(Y) / revenue(Y - span) >= (1 + g)^span, in
-- DECIMAL). revenue(y) is the tax figure, else the stats figure; Y the last settled tax year.
-- Firms already on the plan year's cultivation list are marked.
-- Grain: one row per qualifying firm. Params: $as_of, $min_revenue_wan, $growth_min,
-- $max_age_years, $span_years.
with settled as (
    select max(year) as y from tax_annual where year < year($as_of)
),

revenue as (
    -- revenue(Y) and revenue(Y - span) from the enterprise-year summary (tax figure, else stats, per value).
    select
        firm_year.fkey,
        max(firm_year.revenue_wan) filter (where firm_year.year = settled.y) as revenue_y_wan,
        max(firm_year.revenue_wan) filter (where firm_year.year = settled.y - cast($span_years as integer)) as revenue_base_wan
    from _sum_firm_year as firm_year
    cross join settled
    where firm_year.year in (settled.y, settled.y - cast($span_years as integer))
    group by firm_year.fkey
),

valid_hnte as (
    select distinct uscc
    from hnte_certificates
    where issued_on <= $as_of and $as_of < add_years(issued_on, 3)
),

listed as (
    select uscc, min(track) as track
    from cultivation
    where year = year($as_of)
    group by uscc
),

growth_factor as (
    select
        -- (1 + g)^span exactly, by repeated decimal multiplication for the spans offered (2 or 4).
        -- Held at scale 12 (exact while g has at most 3 decimals, e.g. 20.5%): at the product's raw
        -- scale 24, revenue x factor overflowed DECIMAL(38) from about 70 亿元 of revenue.
        cast(case cast($span_years as integer)
            when 2 then (1 + cast($growth_min as decimal(12, 6))) * (1 + cast($growth_min as decimal(12, 6)))
            else (1 + cast($growth_min as decimal(12, 6))) * (1 + cast($growth_min as decimal(12, 6)))
                * (1 + cast($growth_min as decimal(12, 6))) * (1 + cast($growth_min as decimal(12, 6)))
        end as decimal(20, 12)) as factor
),

final as (
    select
        firms.uscc,
        firms.name,
        firms.town,
        firms.industry_code,
        firms.established_on,
        settled.y as settled_year,
        revenue.revenue_y_wan as revenue_wan,
        revenue.revenue_base_wan,
        power(revenue.revenue_y_wan / revenue.revenue_base_wan, 1.0 / cast($span_years as integer)) - 1 as cagr,
        listed.uscc is not null as in_cultivation,
        listed.track
    from _sum_firms as firms
    cross join settled
    cross join growth_factor
    join revenue on revenue.fkey = firms.fkey
    join valid_hnte on valid_hnte.uscc = firms.uscc
    left join listed on listed.uscc = firms.uscc
    where firms.is_active
      and firms.established_on >= add_years($as_of, -cast($max_age_years as integer))
      -- The two-year rule sets the floor on revenue(Y); Jiangsu's four-year variant on the base year.
      and cast(case when cast($span_years as integer) = 2 then revenue.revenue_y_wan else revenue.revenue_base_wan end
          as decimal(24, 8)) >= cast($min_revenue_wan as decimal(24, 8))
      and revenue.revenue_base_wan > 0
      and cast(revenue.revenue_y_wan as decimal(24, 8))
          >= cast(revenue.revenue_base_wan as decimal(24, 8)) * growth_factor.factor
)

select * from final
order by cagr desc, uscc
