-- severity: error
-- Keys that must be unique but repeat (one row per key and table).
-- Grain: one row per duplicated key.
select 'enterprises' as table_name, coalesce(cast(uscc as varchar), '∅') as key_value, count(*) as n_rows
from enterprises
group by uscc
having count(*) > 1
union all
select 'patents' as table_name, coalesce(cast(ip_id as varchar), '∅') as key_value, count(*) as n_rows
from patents
group by ip_id
having count(*) > 1
union all
select 'tax_monthly' as table_name, coalesce(cast(uscc as varchar), '∅') || '|' || coalesce(cast(period as varchar), '∅') as key_value, count(*) as n_rows
from tax_monthly
group by uscc, period
having count(*) > 1
union all
select 'tax_annual' as table_name, coalesce(cast(uscc as varchar), '∅') || '|' || coalesce(cast(year as varchar), '∅') as key_value, count(*) as n_rows
from tax_annual
group by uscc, year
having count(*) > 1
union all
select 'stats_annual' as table_name, coalesce(cast(uscc as varchar), '∅') || '|' || coalesce(cast(year as varchar), '∅') as key_value, count(*) as n_rows
from stats_annual
group by uscc, year
having count(*) > 1
union all
select 'hnte_certificates' as table_name, coalesce(cast(certificate_no as varchar), '∅') as key_value, count(*) as n_rows
from hnte_certificates
group by certificate_no
having count(*) > 1
union all
select 'tech_contracts' as table_name, coalesce(cast(contract_id as varchar), '∅') as key_value, count(*) as n_rows
from tech_contracts
group by contract_id
having count(*) > 1
union all
select 'iur_projects' as table_name, coalesce(cast(project_id as varchar), '∅') as key_value, count(*) as n_rows
from iur_projects
group by project_id
having count(*) > 1
union all
select 'sci_projects' as table_name, coalesce(cast(project_id as varchar), '∅') as key_value, count(*) as n_rows
from sci_projects
group by project_id
having count(*) > 1
union all
select 'key_enterprises' as table_name, coalesce(cast(uscc as varchar), '∅') || '|' || coalesce(cast(year as varchar), '∅') as key_value, count(*) as n_rows
from key_enterprises
group by uscc, year
having count(*) > 1
union all
select 'service_visits' as table_name, coalesce(cast(visit_id as varchar), '∅') as key_value, count(*) as n_rows
from service_visits
group by visit_id
having count(*) > 1
union all
select 'commissioners' as table_name, coalesce(cast(commissioner_id as varchar), '∅') as key_value, count(*) as n_rows
from commissioners
group by commissioner_id
having count(*) > 1
union all
select 'trainings' as table_name, coalesce(cast(training_id as varchar), '∅') as key_value, count(*) as n_rows
from trainings
group by training_id
having count(*) > 1
union all
select 'training_attendance' as table_name, coalesce(cast(training_id as varchar), '∅') || '|' || coalesce(cast(uscc as varchar), '∅') as key_value, count(*) as n_rows
from training_attendance
group by training_id, uscc
having count(*) > 1
union all
select 'rd_institutions' as table_name, coalesce(cast(institution_id as varchar), '∅') as key_value, count(*) as n_rows
from rd_institutions
group by institution_id
having count(*) > 1
union all
select 'cultivation' as table_name, coalesce(cast(uscc as varchar), '∅') || '|' || coalesce(cast(year as varchar), '∅') as key_value, count(*) as n_rows
from cultivation
group by uscc, year
having count(*) > 1
order by table_name, key_value
