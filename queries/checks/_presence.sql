-- How many active enterprises (存续/在业) appear in the latest period of tax and statistics data.
-- Not a rule (files starting with _ are summaries). Grain: one row per source. Params: none.
-- n_present and the share are null when the source or enterprises is absent (unknown, not 0).
with active as (
    select distinct uscc from enterprises where status in ('存续', '在业') and uscc is not null
),

latest as (
    select
        (select max(date_trunc('month', period)) from tax_monthly) as tax_period,
        (select max(year) from tax_annual) as tax_year,
        (select max(year) from stats_annual) as stats_year
),

present as (
    select 'tax_monthly' as table_name, (select tax_period from latest) as latest_on, 'month' as date_grain,
        count(distinct tax_monthly.uscc) as n_present
    from tax_monthly
    join active on active.uscc = tax_monthly.uscc
    where date_trunc('month', tax_monthly.period) = (select tax_period from latest)
    union all
    select 'tax_annual', make_date((select tax_year from latest), 12, 31), 'year', count(distinct tax_annual.uscc)
    from tax_annual
    join active on active.uscc = tax_annual.uscc
    where tax_annual.year = (select tax_year from latest)
    union all
    select 'stats_annual', make_date((select stats_year from latest), 12, 31), 'year', count(distinct stats_annual.uscc)
    from stats_annual
    join active on active.uscc = stats_annual.uscc
    where stats_annual.year = (select stats_year from latest)
),

final as (
    select
        present.table_name,
        present.latest_on,
        present.date_grain,
        (select count(*) from active) as n_active,
        case when source.available and ent.available then present.n_present end as n_present,
        case when source.available and ent.available and (select count(*) from active) > 0
            then present.n_present / (select count(*) from active) end as present_ratio
    from present
    join _available as source on source.table_name = present.table_name
    join _available as ent on ent.table_name = 'enterprises'
)

select * from final
order by case table_name when 'tax_monthly' then 1 when 'tax_annual' then 2 else 3 end
