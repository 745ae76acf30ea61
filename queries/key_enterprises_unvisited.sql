-- 重点企业未走访清单: key enterprises of the plan year with no service visit in the year up to
-- the as-of date — the "一企一策" worklist — with their last visit before the year, if any.
-- Grain: one row per key enterprise not yet visited. Params: $as_of.
with key_firms as (
    select uscc, min(team) as team, min(focus) as focus
    from key_enterprises
    where year = year($as_of) and uscc is not null
    group by uscc
),

visits as (
    select
        uscc,
        max(visited_on) filter (where visited_on between make_date(year($as_of), 1, 1) and $as_of) as visited_this_year_on,
        max(visited_on) filter (where visited_on < make_date(year($as_of), 1, 1)) as last_visited_on
    from service_visits
    group by uscc
),

final as (
    select
        key_firms.uscc,
        enterprises.name,
        enterprises.town,
        key_firms.team,
        key_firms.focus,
        visits.last_visited_on
    from key_firms
    left join visits on visits.uscc = key_firms.uscc
    left join enterprises on enterprises.uscc = key_firms.uscc
    where visits.visited_this_year_on is null
)

select * from final
order by town, name, uscc
