-- 产学研合作项目备案登记: industry-university projects registered in the plan year up to the as-of date.
-- Grain: one row per registered project. Params: $as_of.
select
    iur_projects.registered_on as event_on,
    enterprises.town,
    1.0 as value
from iur_projects
left join _sum_firms as enterprises on enterprises.uscc = iur_projects.uscc
where iur_projects.registered_on between make_date(year($as_of), 1, 1) and $as_of
