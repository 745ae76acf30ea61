-- 重点企业"一企一策"走访情况: the plan year's key enterprises with their visits in the year up to
-- the as-of date (by any team). Served = first_visited_on not null, as in key_enterprises_served.
-- Grain: one row per key enterprise. Params: $as_of.
with key_firms as (
    select uscc, min(team) as team, min(focus) as focus
    from key_enterprises
    where year = year($as_of) and uscc is not null
    group by uscc
),

visits_in_year as (
    select uscc, min(visited_on) as first_visited_on, max(visited_on) as last_visited_on, count(*) as n_visits
    from service_visits
    where visited_on between make_date(year($as_of), 1, 1) and $as_of
    group by uscc
),

final as (
    select
        key_firms.uscc,
        enterprises.name,
        enterprises.town,
        key_firms.team,
        key_firms.focus,
        visits_in_year.first_visited_on,
        visits_in_year.last_visited_on,
        coalesce(visits_in_year.n_visits, 0) as n_visits
    from key_firms
    left join visits_in_year on visits_in_year.uscc = key_firms.uscc
    left join enterprises on enterprises.uscc = key_firms.uscc
)

select * from final
order by town, name, uscc
