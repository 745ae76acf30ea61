-- 培训活动及参训企业: trainings of the plan year (held up to the as-of date, or scheduled later in
-- the year) with the number of distinct attending firms. Trainings are county-level; under a town
-- scope the attendance counts only that town's firms (training_attendance is scoped by firm).
-- Grain: one row per training. Params: $as_of.
with attendance as (
    select training_id, count(distinct uscc) as n_firms
    from training_attendance
    where uscc is not null
    group by training_id
),

final as (
    select
        trainings.training_id,
        trainings.title,
        trainings.kind,
        trainings.held_on,
        trainings.held_on <= $as_of as is_held,
        coalesce(attendance.n_firms, 0) as n_firms
    from trainings
    left join attendance on attendance.training_id = trainings.training_id
    where trainings.held_on between make_date(year($as_of), 1, 1) and make_date(year($as_of), 12, 31)
)

select * from final
order by held_on, training_id
