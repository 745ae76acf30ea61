-- 一企一档 · 增值税开票: one firm's monthly invoiced sales and tax paid.
-- Grain: one row per month. Params: $uscc.
select * from tax_monthly where uscc = $uscc order by period
