-- 校企共建新型研发机构/产业联盟: new R&D institutions or industry alliances built with a
-- university or institute, approved in the plan year up to the as-of date.
-- Grain: one row per institution. Params: $as_of.
select
    rd_institutions.approved_on as event_on,
    enterprises.town,
    1.0 as value
from rd_institutions
left join _sum_firms as enterprises on enterprises.uscc = rd_institutions.uscc
where rd_institutions.kind in ('新型研发机构', '产业技术创新战略联盟')
  and rd_institutions.partner is not null
  and rd_institutions.approved_on between make_date(year($as_of), 1, 1) and $as_of
