-- 一企一档 · 科技型中小企业入库: one firm's registrations.
-- Grain: one row per registration. Params: $uscc.
select * from tech_sme_registry where uscc = $uscc order by year
