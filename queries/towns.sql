-- 镇区: the towns, sub-districts and zones that appear in the registry (within scope).
-- Grain: one row per town. Params: none.
select distinct town from enterprises where town is not null order by town
