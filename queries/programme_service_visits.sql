-- "科小二"走访记录: service contacts (the file's visits and the dashboard's records, see
-- queries/service_contacts.sql) in the plan year up to the as-of date, with the firm's town and
-- whether it is a key enterprise (一企一策) of the plan year.
-- Grain: one row per visit. Params: $as_of.
with key_firms as (
    select distinct uscc
    from key_enterprises
    where year = year($as_of) and uscc is not null
),

final as (
    select
        service_contacts.visit_id,
        service_contacts.uscc,
        enterprises.town,
        service_contacts.visited_on,
        service_contacts.service_type,
        service_contacts.team,
        service_contacts.uscc in (select uscc from key_firms) as is_key_enterprise
    from service_contacts
    left join _sum_firms as enterprises on enterprises.uscc = service_contacts.uscc
    where service_contacts.visited_on between make_date(year($as_of), 1, 1) and $as_of
)

select * from final
order by visited_on, visit_id
