-- 瞪羚、独角兽定制化培育: distinct firms on the cultivation list of the plan year.
-- Grain: one row per listed firm (no event date: the list is a roster). Params: $as_of.
with listed as (
    select distinct uscc
    from cultivation
    where year = year($as_of) and uscc is not null
)

select
    cast(null as date) as event_on,
    enterprises.town,
    1.0 as value
from listed
left join _sum_firms as enterprises on enterprises.uscc = listed.uscc
