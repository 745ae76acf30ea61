-- 一企一档 · 统计年报: one firm's annual statistics returns.
-- Grain: one row per year. Params: $uscc.
select * from stats_annual where uscc = $uscc order by year
