-- How far back each dated source reaches: the earliest date it holds (a yearly table: 1 January
-- of its earliest year). The cockpit shows a figure for the same day last year only when every
-- dated source of that metric reaches back into last year; otherwise a 0 would mean "no data".
-- training_attendance carries no date and is left out. Grain: one row per table. Params: none.
with per_table as (
    select 'enterprises' as table_name, min(established_on) as earliest_on from enterprises
    union all select 'tax_annual', make_date(min(year), 1, 1) from tax_annual
    union all select 'stats_annual', make_date(min(year), 1, 1) from stats_annual
    union all select 'hnte_certificates', min(issued_on) from hnte_certificates
    union all select 'tech_contracts', min(registered_on) from tech_contracts
    union all select 'iur_projects', min(registered_on) from iur_projects
    union all select 'sci_projects', min(landed_on) from sci_projects
    union all select 'key_enterprises', make_date(min(year), 1, 1) from key_enterprises
    union all select 'service_visits', min(visited_on) from service_visits
    union all select 'commissioners', min(joined_on) from commissioners
    union all select 'trainings', min(held_on) from trainings
    union all select 'rd_institutions', min(approved_on) from rd_institutions
    union all select 'cultivation', make_date(min(year), 1, 1) from cultivation
)

select * from per_table
