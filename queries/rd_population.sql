-- 亿元以上制造业企业: the rd_coverage population and whether each firm is R&D-active.
-- Reference year Y = the latest stats_annual year <= the plan year. Population: active
-- manufacturers (GB/T 4754 divisions 13..43) with stats revenue >= 10000 万元 in Y.
-- R&D-active: stats or tax R&D expense > 0 in Y. The not-active rows are the 清零 worklist.
-- Grain: one row per firm in the population. Params: $as_of.
with reference_year as (
    select max(year) as y from stats_annual where year <= year($as_of)
),

population as (
    -- From the enterprise-year summary: the stats row of Y (has_stats) and the tax figure of the same year.
    select
        firms.uscc,
        firms.name,
        firms.town,
        firms.industry_code,
        firm_year.year,
        firm_year.stats_revenue_wan as revenue_wan,
        firm_year.stats_rd_expense_wan,
        firm_year.has_rd_institution,
        firm_year.tax_rd_expense_wan
    from _sum_firm_year as firm_year
    join reference_year on firm_year.year = reference_year.y
    join _sum_firms as firms on firms.fkey = firm_year.fkey
    where firm_year.has_stats
      and firms.is_active
      and firms.division between 13 and 43
      and firm_year.stats_revenue_wan >= 10000
),

last_visits as (
    select uscc, visited_on, service_type, team
    from service_contacts  -- the file's visits and the dashboard's records
    where visited_on <= $as_of
    qualify row_number() over (partition by uscc order by visited_on desc, visit_id desc) = 1
),

final as (
    select
        population.* exclude (tax_rd_expense_wan),
        population.tax_rd_expense_wan,
        coalesce(population.stats_rd_expense_wan > 0, false)
            or coalesce(population.tax_rd_expense_wan > 0, false) as is_rd_active,
        last_visits.visited_on as last_visited_on,
        last_visits.service_type as last_service_type,
        last_visits.team as last_visit_team
    from population
    left join last_visits on last_visits.uscc = population.uscc
)

select * from final
order by town, revenue_wan desc, uscc
