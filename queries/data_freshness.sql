-- How current each source is: rows and the latest date it holds (数据截至).
-- Grain: one row per contract table. Params: none.
with per_table as (
    select 'enterprises' as table_name, count(*) as n_rows, max(established_on) as latest_on from enterprises
    union all select 'patents', count(*), max(granted_on) from patents
    union all select 'tax_monthly', count(*), max(period) from tax_monthly
    union all select 'tax_annual', count(*), make_date(max(year), 12, 31) from tax_annual
    union all select 'stats_annual', count(*), make_date(max(year), 12, 31) from stats_annual
    union all select 'hnte_certificates', count(*), max(issued_on) from hnte_certificates
    union all select 'tech_sme_registry', count(*), make_date(max(year), 12, 31) from tech_sme_registry
    union all select 'tech_contracts', count(*), max(registered_on) from tech_contracts
    union all select 'iur_projects', count(*), max(registered_on) from iur_projects
    union all select 'sci_projects', count(*), max(landed_on) from sci_projects
    union all select 'key_enterprises', count(*), make_date(max(year), 12, 31) from key_enterprises
    union all select 'service_visits', count(*), max(visited_on) from service_visits
    union all select 'commissioners', count(*), max(greatest(joined_on, left_on)) from commissioners
    union all select 'trainings', count(*), max(held_on) from trainings
    union all select 'training_attendance', count(*), cast(null as date) from training_attendance
    union all select 'rd_institutions', count(*), max(approved_on) from rd_institutions
    union all select 'cultivation', count(*), make_date(max(year), 12, 31) from cultivation
)

select per_table.*, _available.available
from per_table
join _available on _available.table_name = per_table.table_name
