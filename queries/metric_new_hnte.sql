-- 新增高新技术企业: firms certified in the plan year (up to the as-of date) that held no
-- certificate valid on the last day of the previous year. Renewals of valid certificates
-- are not new; a firm whose certificate had lapsed before that day counts again.
-- Grain: one row per new firm (event_on = its first certificate of the year). Params: $as_of.
with certified_this_year as (
    select uscc, min(issued_on) as first_issued_on
    from hnte_certificates
    where issued_on between make_date(year($as_of), 1, 1) and $as_of
      and uscc is not null
    group by uscc
),

valid_at_previous_year_end as (
    select distinct uscc
    from hnte_certificates
    where issued_on <= make_date(year($as_of) - 1, 12, 31)
      and make_date(year($as_of) - 1, 12, 31) < add_years(issued_on, 3)
      and uscc is not null
),

final as (
    select
        certified_this_year.first_issued_on as event_on,
        enterprises.town,
        1.0 as value
    from certified_this_year
    left join _sum_firms as enterprises on enterprises.uscc = certified_this_year.uscc
    where certified_this_year.uscc not in (select uscc from valid_at_previous_year_end)
)

select * from final
