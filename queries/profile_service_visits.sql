-- 一企一档 · 走访服务: one firm's service visits.
-- Grain: one row per visit. Params: $uscc.
select * from service_visits where uscc = $uscc order by visited_on desc nulls last, visit_id
