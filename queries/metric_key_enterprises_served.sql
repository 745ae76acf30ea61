-- 重点企业"一企一策"服务: key enterprises of the plan year contacted at least once in the year (a
-- service_visits row or a contact recorded in the dashboard: queries/service_contacts.sql)
-- up to the as-of date, by any team.
-- Grain: one row per served firm (event_on = its first visit of the year). Params: $as_of.
with key_firms as (
    select distinct uscc
    from key_enterprises
    where year = year($as_of) and uscc is not null
),

first_visits as (
    select uscc, min(visited_on) as first_visited_on
    from service_contacts
    where visited_on between make_date(year($as_of), 1, 1) and $as_of
    group by uscc
)

select
    first_visits.first_visited_on as event_on,
    enterprises.town,
    1.0 as value
from key_firms
join first_visits on first_visits.uscc = key_firms.uscc
left join _sum_firms as enterprises on enterprises.uscc = key_firms.uscc
