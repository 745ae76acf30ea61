-- severity: warning
-- Stage and date disagree: a 产学研 project at 备案登记 or later without registered_on (or one
-- before it with a date), a 科创 project landed without landed_on (or not landed with one).
-- Grain: one row per offending project.
select 'iur_projects' as table_name, project_id, stage, registered_on as event_on
from iur_projects
where (stage in ('备案登记', '落地实施', '跟踪服务') and registered_on is null)
   or (stage in ('需求征集', '精准对接') and registered_on is not null)
union all
select 'sci_projects', project_id, stage, landed_on
from sci_projects
where (stage = '落地' and landed_on is null) or (stage <> '落地' and landed_on is not null)
