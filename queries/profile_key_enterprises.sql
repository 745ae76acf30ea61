-- 一企一档 · 重点企业服务清单: the years the firm was a key enterprise.
-- Grain: one row per year. Params: $uscc.
select * from key_enterprises where uscc = $uscc order by year
