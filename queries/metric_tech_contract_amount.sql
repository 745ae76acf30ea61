-- 技术合同认定登记额（万元）: amount of technology contracts registered in the plan year up to
-- the as-of date; every contract counts once, whatever the local party's role.
-- Grain: one row per contract (value = amount_wan). Params: $as_of.
select
    tech_contracts.registered_on as event_on,
    enterprises.town,
    coalesce(tech_contracts.amount_wan, 0.0) as value
from tech_contracts
left join _sum_firms as enterprises on enterprises.uscc = tech_contracts.uscc
where tech_contracts.registered_on between make_date(year($as_of), 1, 1) and $as_of
