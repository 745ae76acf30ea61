-- "科小二"走访记录: service visits in the plan year up to the as-of date, with the firm's town and
-- whether it is a key enterprise (一企一策) of the plan year.
-- Grain: one row per visit. Params: $as_of.
with key_firms as (
    select distinct uscc
    from key_enterprises
    where year = year($as_of) and uscc is not null
),

final as (
    select
        service_visits.visit_id,
        service_visits.uscc,
        enterprises.town,
        service_visits.visited_on,
        service_visits.service_type,
        service_visits.team,
        service_visits.uscc in (select uscc from key_firms) as is_key_enterprise
    from service_visits
    left join _sum_firms as enterprises on enterprises.uscc = service_visits.uscc
    where service_visits.visited_on between make_date(year($as_of), 1, 1) and $as_of
)

select * from final
order by visited_on, visit_id
