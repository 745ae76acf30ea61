-- severity: error
-- Columns the contract says are not null, holding nulls.
-- Grain: one row per table and column.
select 'enterprises' as table_name, 'uscc' as column_name, count(*) as n_rows
from enterprises
where uscc is null
having count(*) > 0
union all
select 'enterprises' as table_name, 'name' as column_name, count(*) as n_rows
from enterprises
where name is null
having count(*) > 0
union all
select 'patents' as table_name, 'ip_id' as column_name, count(*) as n_rows
from patents
where ip_id is null
having count(*) > 0
union all
select 'tax_monthly' as table_name, 'uscc' as column_name, count(*) as n_rows
from tax_monthly
where uscc is null
having count(*) > 0
union all
select 'tax_monthly' as table_name, 'period' as column_name, count(*) as n_rows
from tax_monthly
where period is null
having count(*) > 0
union all
select 'tax_annual' as table_name, 'uscc' as column_name, count(*) as n_rows
from tax_annual
where uscc is null
having count(*) > 0
union all
select 'tax_annual' as table_name, 'year' as column_name, count(*) as n_rows
from tax_annual
where year is null
having count(*) > 0
union all
select 'stats_annual' as table_name, 'uscc' as column_name, count(*) as n_rows
from stats_annual
where uscc is null
having count(*) > 0
union all
select 'stats_annual' as table_name, 'year' as column_name, count(*) as n_rows
from stats_annual
where year is null
having count(*) > 0
union all
select 'hnte_certificates' as table_name, 'uscc' as column_name, count(*) as n_rows
from hnte_certificates
where uscc is null
having count(*) > 0
union all
select 'hnte_certificates' as table_name, 'certificate_no' as column_name, count(*) as n_rows
from hnte_certificates
where certificate_no is null
having count(*) > 0
union all
select 'tech_sme_registry' as table_name, 'uscc' as column_name, count(*) as n_rows
from tech_sme_registry
where uscc is null
having count(*) > 0
union all
select 'tech_contracts' as table_name, 'contract_id' as column_name, count(*) as n_rows
from tech_contracts
where contract_id is null
having count(*) > 0
union all
select 'iur_projects' as table_name, 'project_id' as column_name, count(*) as n_rows
from iur_projects
where project_id is null
having count(*) > 0
union all
select 'sci_projects' as table_name, 'project_id' as column_name, count(*) as n_rows
from sci_projects
where project_id is null
having count(*) > 0
union all
select 'key_enterprises' as table_name, 'uscc' as column_name, count(*) as n_rows
from key_enterprises
where uscc is null
having count(*) > 0
union all
select 'key_enterprises' as table_name, 'year' as column_name, count(*) as n_rows
from key_enterprises
where year is null
having count(*) > 0
union all
select 'service_visits' as table_name, 'visit_id' as column_name, count(*) as n_rows
from service_visits
where visit_id is null
having count(*) > 0
union all
select 'commissioners' as table_name, 'commissioner_id' as column_name, count(*) as n_rows
from commissioners
where commissioner_id is null
having count(*) > 0
union all
select 'trainings' as table_name, 'training_id' as column_name, count(*) as n_rows
from trainings
where training_id is null
having count(*) > 0
union all
select 'training_attendance' as table_name, 'training_id' as column_name, count(*) as n_rows
from training_attendance
where training_id is null
having count(*) > 0
union all
select 'training_attendance' as table_name, 'uscc' as column_name, count(*) as n_rows
from training_attendance
where uscc is null
having count(*) > 0
union all
select 'rd_institutions' as table_name, 'institution_id' as column_name, count(*) as n_rows
from rd_institutions
where institution_id is null
having count(*) > 0
union all
select 'cultivation' as table_name, 'uscc' as column_name, count(*) as n_rows
from cultivation
where uscc is null
having count(*) > 0
union all
select 'cultivation' as table_name, 'year' as column_name, count(*) as n_rows
from cultivation
where year is null
having count(*) > 0
