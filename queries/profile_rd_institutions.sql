-- 一企一档 · 研发机构: R&D institutions the firm hosts.
-- Grain: one row per institution. Params: $uscc.
select * from rd_institutions where uscc = $uscc order by approved_on desc nulls last, institution_id
