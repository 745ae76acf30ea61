-- The default as-of date: the latest event date in the data (contract registrations,
-- certificates, 产学研 registrations, landings, visits, trainings), never later than today.
-- Grain: one row. Params: $today.
with event_dates as (
    select max(registered_on) as latest_on from tech_contracts where registered_on <= $today
    union all select max(issued_on) from hnte_certificates where issued_on <= $today
    union all select max(registered_on) from iur_projects where registered_on <= $today
    union all select max(landed_on) from sci_projects where landed_on <= $today
    union all select max(visited_on) from service_visits where visited_on <= $today
    union all select max(held_on) from trainings where held_on <= $today
)

select max(latest_on) as as_of from event_dates
