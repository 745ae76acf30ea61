-- 技术合同重点企业动态清单: active firms likely to register technology contracts that have
-- registered none in the plan year up to the as-of date. Likely = any of: an HNTE certificate
-- valid on the as-of date; a 产学研 project registered since the start of the previous year or
-- not yet registered; R&D spending (> 0) in the last settled year Y (the latest year before the
-- plan year in tax_annual, else in stats_annual; the tax figure, falling back to the stats one).
-- Grain: one row per firm, with each reason's evidence. Params: $as_of.
with settled_year as (
    select coalesce(
        (select max(tax_annual.year) from tax_annual where tax_annual.year < year($as_of)),
        (select max(stats_annual.year) from stats_annual where stats_annual.year < year($as_of))
    ) as year
),

hnte_valid as (
    select uscc, max(add_years(issued_on, 3)) - 1 as hnte_valid_until
    from hnte_certificates
    where issued_on <= $as_of and $as_of < add_years(issued_on, 3) and uscc is not null
    group by uscc
),

iur_recent as (
    select uscc, count(*) as n_iur_projects
    from iur_projects
    where uscc is not null
      and (registered_on is null or registered_on >= make_date(year($as_of) - 1, 1, 1))
    group by uscc
),

rd_spending as (
    -- R&D of Y from the enterprise-year summary (the tax figure, falling back to the stats one), registered firms only.
    select
        firms.uscc,
        settled_year.year as rd_year,
        firm_year.rd_expense_wan
    from _sum_firm_year as firm_year
    join settled_year on firm_year.year = settled_year.year
    join _sum_firms as firms on firms.fkey = firm_year.fkey
    where firm_year.rd_expense_wan > 0
),

registered_this_year as (
    select distinct uscc
    from tech_contracts
    where registered_on between make_date(year($as_of), 1, 1) and $as_of and uscc is not null
),

last_registered as (
    select uscc, max(registered_on) as last_registered_on
    from tech_contracts
    where registered_on < make_date(year($as_of), 1, 1)
    group by uscc
),

final as (
    select
        enterprises.uscc,
        enterprises.name,
        enterprises.town,
        hnte_valid.hnte_valid_until,
        coalesce(iur_recent.n_iur_projects, 0) as n_iur_projects,
        rd_spending.rd_year,
        rd_spending.rd_expense_wan,
        last_registered.last_registered_on
    from _sum_firms as enterprises
    left join hnte_valid on hnte_valid.uscc = enterprises.uscc
    left join iur_recent on iur_recent.uscc = enterprises.uscc
    left join rd_spending on rd_spending.uscc = enterprises.uscc
    left join last_registered on last_registered.uscc = enterprises.uscc
    where enterprises.status in ('存续', '在业')
      and (hnte_valid.uscc is not null or iur_recent.uscc is not null or rd_spending.uscc is not null)
      and enterprises.uscc not in (select uscc from registered_this_year)
)

select * from final
order by town, name, uscc
