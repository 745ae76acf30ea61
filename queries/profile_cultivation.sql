-- 一企一档 · 瞪羚/独角兽培育: the years the firm was on the cultivation list.
-- Grain: one row per year. Params: $uscc.
select * from cultivation where uscc = $uscc order by year
