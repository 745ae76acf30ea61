-- Summary (materialised once per warehouse as _sum_firms): the register of the warehouse's scope
-- with an integer surrogate key, so large joins and groupings hash an integer instead of the
-- 18-character uscc. Built over the scoped view: a town-scoped warehouse holds only its towns.
-- Two derived columns save every reader a string test per firm: is_active (status 存续 or 在业)
-- and division (the GB/T 4754 division, the first two digits of industry_code, null when not numeric).
-- Grain: one row per register row (fkey 1..n in uscc order). Params: none.
select
    cast(row_number() over (order by enterprises.uscc) as integer) as fkey,
    enterprises.*,
    enterprises.status in ('存续', '在业') as is_active,
    try_cast(substr(enterprises.industry_code, 1, 2) as integer) as division
from enterprises
