-- 一企一档 · 登记信息: the registry row of one enterprise.
-- Grain: one row (none when unknown). Params: $uscc.
select * from enterprises where uscc = $uscc
