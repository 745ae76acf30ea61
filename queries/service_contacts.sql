-- Every contact that counts as a "科小二" service visit (metrics.md, key_enterprises_served): the
-- service_visits file's rows, and each 走访/宣传/辅导 recorded in the dashboard (recorded_contacts,
-- corrections already applied) whose firm, day and service type the file does not hold. Several records of
-- one (firm, day, service type) count once; a record without a service type matches any file row of that
-- firm and day. County-wide: it reads main's raw views, and the warehouse creates it as the view
-- `main._raw_service_contacts`, which each scope bounds to its towns as `service_contacts` (the
-- view to query; kechuang/engine/database.py).
-- Grain: one row per contact (visit_id "W<entry id>" for a recorded one). Params: none.
with recorded as (
    select
        uscc,
        contacted_on,
        service_type,
        min(entry_id) as entry_id
    from _raw_recorded_contacts
    group by uscc, contacted_on, service_type
),

recorded_only as (
    select recorded.*
    from recorded
    where not exists (
        select 1
        from _raw_service_visits as service_visits
        where service_visits.uscc = recorded.uscc
          and service_visits.visited_on = recorded.contacted_on
          and (recorded.service_type is null or service_visits.service_type = recorded.service_type)
    )
),

final as (
    select visit_id, uscc, visited_on, service_type, team, 'file' as source
    from _raw_service_visits
    union all
    select
        'W' || cast(entry_id as varchar) as visit_id,
        uscc,
        contacted_on as visited_on,
        service_type,
        '驾驶舱记录' as team,
        'worklog' as source
    from recorded_only
)

select * from final
