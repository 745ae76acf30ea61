-- 专项培训覆盖企业（家次）: distinct (training, firm) pairs attending the SME trainings held
-- in the plan year up to the as-of date.
-- Grain: one row per attendance pair. Params: $as_of.
with sme_trainings as (
    select training_id, held_on
    from trainings
    where kind = '中小企业专项培训'
      and held_on between make_date(year($as_of), 1, 1) and $as_of
),

pairs as (
    select distinct training_attendance.training_id, training_attendance.uscc
    from training_attendance
    where training_attendance.uscc is not null
)

select
    sme_trainings.held_on as event_on,
    enterprises.town,
    1.0 as value
from pairs
join sme_trainings on sme_trainings.training_id = pairs.training_id
left join _sum_firms as enterprises on enterprises.uscc = pairs.uscc
