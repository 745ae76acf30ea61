-- severity: error
-- Amounts and head counts below zero (not net_assets_wan: owner's equity is negative in an insolvent firm).
-- Grain: one row per table and column.
select 'enterprises' as table_name, 'registered_capital_wan' as column_name, min(registered_capital_wan) as min_value, count(*) as n_rows
from enterprises
where registered_capital_wan < 0
having count(*) > 0
union all
select 'tax_monthly' as table_name, 'invoiced_sales_wan' as column_name, min(invoiced_sales_wan) as min_value, count(*) as n_rows
from tax_monthly
where invoiced_sales_wan < 0
having count(*) > 0
union all
select 'tax_monthly' as table_name, 'tax_paid_wan' as column_name, min(tax_paid_wan) as min_value, count(*) as n_rows
from tax_monthly
where tax_paid_wan < 0
having count(*) > 0
union all
select 'tax_annual' as table_name, 'revenue_wan' as column_name, min(revenue_wan) as min_value, count(*) as n_rows
from tax_annual
where revenue_wan < 0
having count(*) > 0
union all
select 'tax_annual' as table_name, 'rd_expense_wan' as column_name, min(rd_expense_wan) as min_value, count(*) as n_rows
from tax_annual
where rd_expense_wan < 0
having count(*) > 0
union all
select 'stats_annual' as table_name, 'revenue_wan' as column_name, min(revenue_wan) as min_value, count(*) as n_rows
from stats_annual
where revenue_wan < 0
having count(*) > 0
union all
select 'stats_annual' as table_name, 'rd_expense_wan' as column_name, min(rd_expense_wan) as min_value, count(*) as n_rows
from stats_annual
where rd_expense_wan < 0
having count(*) > 0
union all
select 'stats_annual' as table_name, 'rd_staff' as column_name, min(rd_staff) as min_value, count(*) as n_rows
from stats_annual
where rd_staff < 0
having count(*) > 0
union all
select 'stats_annual' as table_name, 'employees' as column_name, min(employees) as min_value, count(*) as n_rows
from stats_annual
where employees < 0
having count(*) > 0
union all
select 'stats_annual' as table_name, 'total_assets_wan' as column_name, min(total_assets_wan) as min_value, count(*) as n_rows
from stats_annual
where total_assets_wan < 0
having count(*) > 0
union all
select 'tech_contracts' as table_name, 'amount_wan' as column_name, min(amount_wan) as min_value, count(*) as n_rows
from tech_contracts
where amount_wan < 0
having count(*) > 0
union all
select 'tech_contracts' as table_name, 'tech_amount_wan' as column_name, min(tech_amount_wan) as min_value, count(*) as n_rows
from tech_contracts
where tech_amount_wan < 0
having count(*) > 0
union all
select 'iur_projects' as table_name, 'amount_wan' as column_name, min(amount_wan) as min_value, count(*) as n_rows
from iur_projects
where amount_wan < 0
having count(*) > 0
union all
select 'sci_projects' as table_name, 'investment_wan' as column_name, min(investment_wan) as min_value, count(*) as n_rows
from sci_projects
where investment_wan < 0
having count(*) > 0
