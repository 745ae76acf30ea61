-- 一企一档 · 技术合同: one firm's registered technology contracts.
-- Grain: one row per contract. Params: $uscc.
select * from tech_contracts where uscc = $uscc order by registered_on desc nulls last, contract_id
