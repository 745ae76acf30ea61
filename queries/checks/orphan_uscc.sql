-- severity: warning
-- Department rows whose USCC has no row in enterprises (skipped while enterprises is absent).
-- Grain: one row per table.

with enterprises_present as (select available from _available where table_name = 'enterprises'),

orphans as (
select 'patents' as table_name, count(*) as n_rows, min(patents.uscc) as example_uscc
from patents
where patents.uscc is not null and patents.uscc not in (select uscc from enterprises where uscc is not null)
having count(*) > 0
union all
select 'tax_monthly' as table_name, count(*) as n_rows, min(tax_monthly.uscc) as example_uscc
from tax_monthly
where tax_monthly.uscc is not null and tax_monthly.uscc not in (select uscc from enterprises where uscc is not null)
having count(*) > 0
union all
select 'tax_annual' as table_name, count(*) as n_rows, min(tax_annual.uscc) as example_uscc
from tax_annual
where tax_annual.uscc is not null and tax_annual.uscc not in (select uscc from enterprises where uscc is not null)
having count(*) > 0
union all
select 'stats_annual' as table_name, count(*) as n_rows, min(stats_annual.uscc) as example_uscc
from stats_annual
where stats_annual.uscc is not null and stats_annual.uscc not in (select uscc from enterprises where uscc is not null)
having count(*) > 0
union all
select 'hnte_certificates' as table_name, count(*) as n_rows, min(hnte_certificates.uscc) as example_uscc
from hnte_certificates
where hnte_certificates.uscc is not null and hnte_certificates.uscc not in (select uscc from enterprises where uscc is not null)
having count(*) > 0
union all
select 'tech_sme_registry' as table_name, count(*) as n_rows, min(tech_sme_registry.uscc) as example_uscc
from tech_sme_registry
where tech_sme_registry.uscc is not null and tech_sme_registry.uscc not in (select uscc from enterprises where uscc is not null)
having count(*) > 0
union all
select 'tech_contracts' as table_name, count(*) as n_rows, min(tech_contracts.uscc) as example_uscc
from tech_contracts
where tech_contracts.uscc is not null and tech_contracts.uscc not in (select uscc from enterprises where uscc is not null)
having count(*) > 0
union all
select 'iur_projects' as table_name, count(*) as n_rows, min(iur_projects.uscc) as example_uscc
from iur_projects
where iur_projects.uscc is not null and iur_projects.uscc not in (select uscc from enterprises where uscc is not null)
having count(*) > 0
union all
select 'sci_projects' as table_name, count(*) as n_rows, min(sci_projects.uscc) as example_uscc
from sci_projects
where sci_projects.uscc is not null and sci_projects.uscc not in (select uscc from enterprises where uscc is not null)
having count(*) > 0
union all
select 'key_enterprises' as table_name, count(*) as n_rows, min(key_enterprises.uscc) as example_uscc
from key_enterprises
where key_enterprises.uscc is not null and key_enterprises.uscc not in (select uscc from enterprises where uscc is not null)
having count(*) > 0
union all
select 'service_visits' as table_name, count(*) as n_rows, min(service_visits.uscc) as example_uscc
from service_visits
where service_visits.uscc is not null and service_visits.uscc not in (select uscc from enterprises where uscc is not null)
having count(*) > 0
union all
select 'training_attendance' as table_name, count(*) as n_rows, min(training_attendance.uscc) as example_uscc
from training_attendance
where training_attendance.uscc is not null and training_attendance.uscc not in (select uscc from enterprises where uscc is not null)
having count(*) > 0
union all
select 'rd_institutions' as table_name, count(*) as n_rows, min(rd_institutions.uscc) as example_uscc
from rd_institutions
where rd_institutions.uscc is not null and rd_institutions.uscc not in (select uscc from enterprises where uscc is not null)
having count(*) > 0
union all
select 'cultivation' as table_name, count(*) as n_rows, min(cultivation.uscc) as example_uscc
from cultivation
where cultivation.uscc is not null and cultivation.uscc not in (select uscc from enterprises where uscc is not null)
having count(*) > 0
)

select orphans.* from orphans, enterprises_present where enterprises_present.available
