-- Summary (materialised once per warehouse as _sum_firms): the register of the warehouse's scope
-- with an integer surrogate key, so large joins and groupings hash an integer instead of the
-- 18-character uscc. Built over the scoped view: a town-scoped warehouse holds only its towns.
-- Grain: one row per register row (fkey 1..n in uscc order). Params: none.
select
    cast(row_number() over (order by enterprises.uscc) as integer) as fkey,
    enterprises.*
from enterprises
