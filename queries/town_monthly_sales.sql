-- Monthly invoiced sales by town with the same month a year earlier (YoY), from the (town, month)
-- summary of tax_monthly: each figure is the sum over the town's firms (town null = firms missing
-- from the register). Months up to the as-of date; yoy is null when last year's month has no sales.
-- Grain: one row per town and month. Params: $as_of.
with this_year as (
    select town, period, invoiced_sales_wan
    from _sum_town_month
    where period <= $as_of
),

final as (
    select
        this_year.town,
        this_year.period,
        this_year.invoiced_sales_wan,
        last_year.invoiced_sales_wan as last_year_sales_wan,
        case
            when last_year.invoiced_sales_wan > 0
                then this_year.invoiced_sales_wan / last_year.invoiced_sales_wan - 1
        end as yoy
    from this_year
    left join _sum_town_month as last_year
        on last_year.town is not distinct from this_year.town
        and last_year.period = add_years(this_year.period, -1)
)

select * from final
order by town, period
