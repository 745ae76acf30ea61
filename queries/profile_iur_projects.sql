-- 一企一档 · 产学研项目: one firm's industry-university projects.
-- Grain: one row per project. Params: $uscc.
select * from iur_projects where uscc = $uscc order by registered_on desc nulls last, project_id
