-- 一企一档 · 企业所得税年度汇算: one firm's annual tax settlements.
-- Grain: one row per year. Params: $uscc.
select * from tax_annual where uscc = $uscc order by year
