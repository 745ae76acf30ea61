-- 科创专员: commissioners serving on the as-of date (joined_on <= A and not yet left).
-- A stock, not a flow: one +1 row per appointment up to A and one -1 row per departure up
-- to A, so the running sum at any earlier month end is the number serving then.
-- Grain: one row per appointment or departure. Params: $as_of.
with appointed as (
    select joined_on, left_on
    from commissioners
    where joined_on <= $as_of
),

final as (
    select joined_on as event_on, cast(null as varchar) as town, 1.0 as value from appointed
    union all
    select left_on as event_on, cast(null as varchar) as town, -1.0 as value
    from appointed
    where left_on <= $as_of
)

select * from final
