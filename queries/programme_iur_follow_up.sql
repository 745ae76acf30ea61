-- 产学研待落地项目: projects registered (备案登记) on or before the as-of date whose recorded stage
-- is still 备案登记 — registered but not yet implemented — with the days since registration.
-- Any registration year: a project registered last year and still not implemented is the most
-- overdue. The stage is the latest recorded one; the caller keeps those past its N days.
-- Grain: one row per project. Params: $as_of.
with waiting as (
    select
        iur_projects.*,
        date_diff('day', iur_projects.registered_on, $as_of) as days_since_registered
    from iur_projects
    where iur_projects.stage = '备案登记'
      and iur_projects.registered_on <= $as_of
),

final as (
    select
        waiting.project_id,
        waiting.uscc,
        enterprises.name,
        enterprises.town,
        waiting.partner,
        waiting.partner_region,
        waiting.field,
        waiting.mode,
        waiting.registered_on,
        waiting.days_since_registered,
        waiting.amount_wan
    from waiting
    left join _sum_firms as enterprises on enterprises.uscc = waiting.uscc
)

select * from final
order by days_since_registered desc, project_id
