-- severity: error
-- USCCs that are not 18 characters of the GB 32100 alphabet (upper case, no I, O, S, V, Z).
-- Grain: one row per table and code.
select 'enterprises' as table_name, uscc, count(*) as n_rows
from enterprises
where uscc is not null and not uscc_well_formed(uscc)
group by uscc
union all
select 'patents' as table_name, uscc, count(*) as n_rows
from patents
where uscc is not null and not uscc_well_formed(uscc)
group by uscc
union all
select 'tax_monthly' as table_name, uscc, count(*) as n_rows
from tax_monthly
where uscc is not null and not uscc_well_formed(uscc)
group by uscc
union all
select 'tax_annual' as table_name, uscc, count(*) as n_rows
from tax_annual
where uscc is not null and not uscc_well_formed(uscc)
group by uscc
union all
select 'stats_annual' as table_name, uscc, count(*) as n_rows
from stats_annual
where uscc is not null and not uscc_well_formed(uscc)
group by uscc
union all
select 'hnte_certificates' as table_name, uscc, count(*) as n_rows
from hnte_certificates
where uscc is not null and not uscc_well_formed(uscc)
group by uscc
union all
select 'tech_sme_registry' as table_name, uscc, count(*) as n_rows
from tech_sme_registry
where uscc is not null and not uscc_well_formed(uscc)
group by uscc
union all
select 'tech_contracts' as table_name, uscc, count(*) as n_rows
from tech_contracts
where uscc is not null and not uscc_well_formed(uscc)
group by uscc
union all
select 'iur_projects' as table_name, uscc, count(*) as n_rows
from iur_projects
where uscc is not null and not uscc_well_formed(uscc)
group by uscc
union all
select 'sci_projects' as table_name, uscc, count(*) as n_rows
from sci_projects
where uscc is not null and not uscc_well_formed(uscc)
group by uscc
union all
select 'key_enterprises' as table_name, uscc, count(*) as n_rows
from key_enterprises
where uscc is not null and not uscc_well_formed(uscc)
group by uscc
union all
select 'service_visits' as table_name, uscc, count(*) as n_rows
from service_visits
where uscc is not null and not uscc_well_formed(uscc)
group by uscc
union all
select 'training_attendance' as table_name, uscc, count(*) as n_rows
from training_attendance
where uscc is not null and not uscc_well_formed(uscc)
group by uscc
union all
select 'rd_institutions' as table_name, uscc, count(*) as n_rows
from rd_institutions
where uscc is not null and not uscc_well_formed(uscc)
group by uscc
union all
select 'cultivation' as table_name, uscc, count(*) as n_rows
from cultivation
where uscc is not null and not uscc_well_formed(uscc)
group by uscc
order by table_name, uscc
