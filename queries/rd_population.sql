-- 亿元以上制造业企业: the rd_coverage population and whether each firm is R&D-active.
-- Reference year Y = the latest stats_annual year <= the plan year. Population: active
-- manufacturers (GB/T 4754 divisions 13..43) with stats revenue >= 10000 万元 in Y.
-- R&D-active: stats or tax R&D expense > 0 in Y. The not-active rows are the 清零 worklist.
-- Grain: one row per firm in the population. Params: $as_of.
with reference_year as (
    select max(year) as y from stats_annual where year <= year($as_of)
),

population as (
    select
        enterprises.uscc,
        enterprises.name,
        enterprises.town,
        enterprises.industry_code,
        stats_annual.year,
        stats_annual.revenue_wan,
        stats_annual.rd_expense_wan as stats_rd_expense_wan,
        stats_annual.has_rd_institution
    from enterprises
    join stats_annual on stats_annual.uscc = enterprises.uscc
    join reference_year on stats_annual.year = reference_year.y
    where enterprises.status in ('存续', '在业')
      and try_cast(substr(enterprises.industry_code, 1, 2) as integer) between 13 and 43
      and stats_annual.revenue_wan >= 10000
),

last_visits as (
    select uscc, visited_on, service_type, team
    from service_visits
    where visited_on <= $as_of
    qualify row_number() over (partition by uscc order by visited_on desc, visit_id desc) = 1
),

final as (
    select
        population.*,
        tax_annual.rd_expense_wan as tax_rd_expense_wan,
        coalesce(population.stats_rd_expense_wan > 0, false)
            or coalesce(tax_annual.rd_expense_wan > 0, false) as is_rd_active,
        last_visits.visited_on as last_visited_on,
        last_visits.service_type as last_service_type,
        last_visits.team as last_visit_team
    from population
    left join tax_annual on tax_annual.uscc = population.uscc and tax_annual.year = population.year
    left join last_visits on last_visits.uscc = population.uscc
)

select * from final
order by town, revenue_wan desc, uscc
