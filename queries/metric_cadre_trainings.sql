-- 科技创新专题培训（干部）: cadre trainings held in the plan year up to the as-of date.
-- Grain: one row per training. Params: $as_of.
select
    trainings.held_on as event_on,
    cast(null as varchar) as town,
    1.0 as value
from trainings
where trainings.kind = '科技创新专题培训'
  and trainings.held_on between make_date(year($as_of), 1, 1) and $as_of
