-- 科创项目招引全流程 在谈→签约→落地: projects in talks or signed, and projects landed in the plan
-- year up to the as-of date; a project landed after the as-of date is shown as 签约 (it had not
-- landed yet on that day). Projects landed before the plan year, with no stage, or marked 落地
-- without a landing date are left out. is_counted marks the rows of sci_projects_landed (high
-- growth, landed in the year up to the as-of date), so the breakdowns add up to the cockpit.
-- Grain: one row per project. Params: $as_of.
with covered as (
    select sci_projects.*
    from sci_projects
    where sci_projects.stage in ('在谈', '签约')
       or (sci_projects.stage = '落地' and sci_projects.landed_on >= make_date(year($as_of), 1, 1))
),

final as (
    select
        covered.project_id,
        covered.name,
        covered.uscc,
        covered.town,
        covered.field,
        covered.source_region,
        covered.investment_wan,
        covered.high_growth,
        case when covered.stage = '落地' and covered.landed_on > $as_of then '签约' else covered.stage end as stage,
        case when covered.landed_on <= $as_of then covered.landed_on end as landed_on,
        coalesce(covered.high_growth, false) and covered.stage = '落地' and covered.landed_on <= $as_of as is_counted
    from covered
)

select * from final
order by landed_on desc nulls last, project_id
