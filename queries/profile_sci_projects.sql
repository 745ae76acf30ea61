-- 一企一档 · 科创项目: projects that landed in this firm.
-- Grain: one row per project. Params: $uscc.
select * from sci_projects where uscc = $uscc order by landed_on desc nulls last, project_id
