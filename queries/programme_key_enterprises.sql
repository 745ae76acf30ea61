-- 重点企业"一企一策"走访情况: the plan year's key enterprises with their visits in the year up to
-- the as-of date (by any team). Served = first_visited_on not null, as in key_enterprises_served;
-- the others are the 重点企业未走访 worklist (worklists.key_enterprises_unvisited), which also shows
-- each firm's last visit before the year (last_visited_before_year_on).
-- Grain: one row per key enterprise. Params: $as_of.
with key_firms as (
    select uscc, min(team) as team, min(focus) as focus
    from key_enterprises
    where year = year($as_of) and uscc is not null
    group by uscc
),

visits as (
    select
        uscc,
        min(visited_on) filter (where visited_on between make_date(year($as_of), 1, 1) and $as_of) as first_visited_on,
        max(visited_on) filter (where visited_on between make_date(year($as_of), 1, 1) and $as_of) as last_visited_on,
        count(*) filter (where visited_on between make_date(year($as_of), 1, 1) and $as_of) as n_visits,
        max(visited_on) filter (where visited_on < make_date(year($as_of), 1, 1)) as last_visited_before_year_on
    from service_contacts
    group by uscc
),

final as (
    select
        key_firms.uscc,
        enterprises.name,
        enterprises.town,
        key_firms.team,
        key_firms.focus,
        visits.first_visited_on,
        visits.last_visited_on,
        coalesce(visits.n_visits, 0) as n_visits,
        visits.last_visited_before_year_on
    from key_firms
    left join visits on visits.uscc = key_firms.uscc
    left join _sum_firms as enterprises on enterprises.uscc = key_firms.uscc
)

select * from final
order by town, name, uscc
