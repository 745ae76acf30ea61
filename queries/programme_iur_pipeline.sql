-- 产学研项目全流程: the plan year's 产学研 pipeline on the as-of date and the stage each project
-- had reached then. Covered: projects registered in the plan year up to the as-of date, plus
-- projects not registered by then (registered_on null, or after the as-of date). The contract
-- gives a project no creation date, so every unregistered project counts as current; projects
-- registered before the plan year belong to earlier years' pipelines and are left out.
-- Stage reached (1..5 in the order 需求征集, 精准对接, 备案登记, 落地实施, 跟踪服务): the recorded
-- stage (需求征集 when null), but at least 备案登记 when registered by the as-of date and at most
-- 精准对接 when registered after it (it had not been registered yet on that day).
-- Grain: one row per project. Params: $as_of.
with stage_order as (
    select ['需求征集', '精准对接', '备案登记', '落地实施', '跟踪服务'] as stages
),

covered as (
    select iur_projects.*
    from iur_projects
    where iur_projects.registered_on is null
       or iur_projects.registered_on >= make_date(year($as_of), 1, 1)
),

reached as (
    select
        covered.*,
        case
            when covered.registered_on <= $as_of then greatest(coalesce(nullif(list_position(stage_order.stages, covered.stage), 0), 1), 3)
            when covered.registered_on > $as_of then least(coalesce(nullif(list_position(stage_order.stages, covered.stage), 0), 1), 2)
            else coalesce(nullif(list_position(stage_order.stages, covered.stage), 0), 1)
        end as stage_no
    from covered
    cross join stage_order
),

final as (
    select
        reached.project_id,
        reached.uscc,
        enterprises.name,
        enterprises.town,
        reached.partner,
        reached.partner_region,
        reached.field,
        reached.mode,
        reached.stage,
        reached.stage_no,
        reached.registered_on,
        reached.amount_wan
    from reached
    left join _sum_firms as enterprises on enterprises.uscc = reached.uscc
)

select * from final
order by stage_no desc, registered_on, project_id
