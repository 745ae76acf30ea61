-- 精准筛选 page, in one pass over the criteria (queries/hnte_criteria.sql) of the evaluated firms:
--   rows with n_firms null: each firm failing or lacking at most one criterion (candidates and near misses);
--   rows with n_firms set: how many evaluated firms share each combination of the page's filter keys and
--   criterion results (the funnel and the counts under any filter; identity and value columns null).
-- The page never needs the other evaluated firms one by one (932 K of them at province scale).
-- Grain: as above; unordered (the caller sorts the few firm rows).
-- Params: those of hnte_criteria.sql.
with screen as materialized (
    select * from ({{ hnte_criteria }}) as criteria where is_evaluated
)

select * exclude (fkey), null::bigint as n_firms
from screen
where n_not_passed <= 1
union all by name
select
    settled_year, division_code, size_band_no, rd_status_no,
    pass_age, pass_ip, pass_rd_intensity, pass_rd_staff, pass_growth, pass_sme, candidate, n_not_passed,
    count(*) as n_firms
from screen
group by all
