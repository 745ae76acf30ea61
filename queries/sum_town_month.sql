-- Summary (materialised once per warehouse as _sum_town_month): invoiced sales and tax paid per
-- town and month, from tax_monthly (the largest table). The one scan that hashes each firm's
-- uscc happens here, once per data version; pages then read a few hundred rows. Built over the
-- scoped views (a town-scoped warehouse sums only its towns). Rows of firms missing from the
-- register are kept under a null town, as a left join keeps them.
-- Grain: one row per town and month. Params: none.
select
    _sum_firms.town,
    tax_monthly.period,
    sum(tax_monthly.invoiced_sales_wan) as invoiced_sales_wan,
    sum(tax_monthly.tax_paid_wan) as tax_paid_wan
from tax_monthly
left join _sum_firms on _sum_firms.uscc = tax_monthly.uscc
group by _sum_firms.town, tax_monthly.period
order by _sum_firms.town, tax_monthly.period
