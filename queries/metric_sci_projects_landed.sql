-- 高成长型科创项目落地: high-growth S&T projects landed in the plan year up to the as-of date.
-- Grain: one row per landed project (event_on = landed_on, value 1). Params: $as_of.
select
    sci_projects.landed_on as event_on,
    sci_projects.town,
    1.0 as value
from sci_projects
where sci_projects.high_growth
  and sci_projects.stage = '落地'
  and sci_projects.landed_on between make_date(year($as_of), 1, 1) and $as_of
