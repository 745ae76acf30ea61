-- 精准筛选: the HNTE criteria of every enterprise (queries/hnte_criteria.sql), by readiness score.
-- Grain: one row per enterprise (evaluated ones only when $evaluated_only; only those failing or lacking at
-- most $max_not_passed criteria unless it is null: 0 = candidates, 1 = candidates and near misses).
-- Params: those of hnte_criteria.sql, $evaluated_only, $max_not_passed.
select * exclude (fkey)
from ({{ hnte_criteria }}) as screen
where (not $evaluated_only or is_evaluated)
  and (cast($max_not_passed as integer) is null or n_not_passed <= cast($max_not_passed as integer))
order by score desc, fkey  -- fkey is the rank of uscc: this is score desc, uscc
