-- Per table: rows and the range of its main date (数据质量 page). Not a rule: files starting with _ are summaries.
-- Grain: one row per contract table. Params: none.
-- date_grain says how to read first_on/last_on: day, month (tax periods) or year (annual tables: 1 Jan / 31 Dec).
with per_table as (
    select 'enterprises' as table_name, count(*) as n_rows, min(established_on) as first_on, max(established_on) as last_on, 'day' as date_grain from enterprises
    union all select 'patents', count(*), min(granted_on), max(granted_on), 'day' from patents
    union all select 'tax_monthly', count(*), min(period), max(period), 'month' from tax_monthly
    union all select 'tax_annual', count(*), make_date(min(year), 1, 1), make_date(max(year), 12, 31), 'year' from tax_annual
    union all select 'stats_annual', count(*), make_date(min(year), 1, 1), make_date(max(year), 12, 31), 'year' from stats_annual
    union all select 'hnte_certificates', count(*), min(issued_on), max(issued_on), 'day' from hnte_certificates
    union all select 'tech_sme_registry', count(*), make_date(min(year), 1, 1), make_date(max(year), 12, 31), 'year' from tech_sme_registry
    union all select 'tech_contracts', count(*), min(registered_on), max(registered_on), 'day' from tech_contracts
    union all select 'iur_projects', count(*), min(registered_on), max(registered_on), 'day' from iur_projects
    union all select 'sci_projects', count(*), min(landed_on), max(landed_on), 'day' from sci_projects
    union all select 'key_enterprises', count(*), make_date(min(year), 1, 1), make_date(max(year), 12, 31), 'year' from key_enterprises
    union all select 'service_visits', count(*), min(visited_on), max(visited_on), 'day' from service_visits
    union all select 'commissioners', count(*), min(joined_on), max(joined_on), 'day' from commissioners
    union all select 'trainings', count(*), min(held_on), max(held_on), 'day' from trainings
    union all select 'training_attendance', count(*), cast(null as date), cast(null as date), 'day' from training_attendance
    union all select 'rd_institutions', count(*), min(approved_on), max(approved_on), 'day' from rd_institutions
    union all select 'cultivation', count(*), make_date(min(year), 1, 1), make_date(max(year), 12, 31), 'year' from cultivation
)

select per_table.*, _available.available
from per_table
join _available on _available.table_name = per_table.table_name
