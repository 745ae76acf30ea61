-- severity: warning
-- Values that cannot both be true: more R&D staff than employees, a technology-transaction
-- amount above the contract amount, a commissioner leaving before joining.
-- Grain: one row per offending record.
select 'stats_annual' as table_name, uscc || ' ' || year as record, 'rd_staff > employees' as problem
from stats_annual
where rd_staff > employees
union all
select 'tech_contracts', contract_id, 'tech_amount_wan > amount_wan'
from tech_contracts
where tech_amount_wan > amount_wan
union all
select 'commissioners', commissioner_id, 'left_on < joined_on'
from commissioners
where left_on < joined_on
