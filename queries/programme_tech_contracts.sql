-- 技术合同明细: technology contracts registered in the plan year up to the as-of date, with the
-- local party's name and town. The same rows as metric_tech_contract_amount, so every breakdown
-- adds up to the cockpit's figure (a null amount counts as 0 there, and here).
-- Grain: one row per contract. Params: $as_of.
with registered_in_year as (
    select *
    from tech_contracts
    where tech_contracts.registered_on between make_date(year($as_of), 1, 1) and $as_of
),

final as (
    select
        registered_in_year.contract_id,
        registered_in_year.uscc,
        enterprises.name,
        enterprises.town,
        registered_in_year.role,
        registered_in_year.counterparty,
        registered_in_year.counterparty_region,
        registered_in_year.contract_type,
        coalesce(registered_in_year.amount_wan, 0.0) as amount_wan,
        registered_in_year.tech_amount_wan,
        registered_in_year.registered_on
    from registered_in_year
    left join _sum_firms as enterprises on enterprises.uscc = registered_in_year.uscc
)

select * from final
order by registered_on, contract_id
