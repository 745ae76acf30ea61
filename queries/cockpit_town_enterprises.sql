-- Active enterprises per town on the as-of date: the base of each town's share of the county
-- (the cockpit weighs a county target's expected-by-now by this share to find the towns lagging).
-- Registration status is current (the registry holds no history); a firm counts from its
-- establishment date. Grain: one row per town. Params: $as_of.
with active as (
    select town
    from enterprises
    where status in ('存续', '在业')
      and town is not null
      and (established_on is null or established_on <= $as_of)
),

final as (
    select town, count(*) as n_enterprises
    from active
    group by town
)

select * from final order by town
