-- 一企一档 · 知识产权: one firm's IP rights.
-- Grain: one row per right. Params: $uscc.
select * from patents where uscc = $uscc order by granted_on desc nulls last, ip_id
