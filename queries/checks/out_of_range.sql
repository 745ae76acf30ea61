-- severity: warning
-- Single values outside a plausible range: event dates after today or before 1900, years outside
-- 1990..next year, a tax period not on the first of its month, amounts of 1,000 亿元 (10,000,000 万元)
-- or more (usually 元 sent under a 万元 header), industry codes that are not four digits.
-- (Planned trainings and a commissioner's planned leaving date may lie in the future: not checked.)
-- Grain: one row per offending value. Params: $today.
with bad_dates as (
    select 'enterprises' as table_name, uscc as record, 'established_on' as column_name, cast(established_on as varchar) as value
    from enterprises where established_on > $today or established_on < date '1900-01-01'
    union all select 'patents', ip_id, 'granted_on', cast(granted_on as varchar)
    from patents where granted_on > $today or granted_on < date '1900-01-01'
    union all select 'tax_monthly', uscc || ' ' || cast(period as varchar), 'period', cast(period as varchar)
    from tax_monthly where period > $today or period < date '1900-01-01' or day(period) <> 1
    union all select 'hnte_certificates', certificate_no, 'issued_on', cast(issued_on as varchar)
    from hnte_certificates where issued_on > $today or issued_on < date '1900-01-01'
    union all select 'tech_contracts', contract_id, 'registered_on', cast(registered_on as varchar)
    from tech_contracts where registered_on > $today or registered_on < date '1900-01-01'
    union all select 'iur_projects', project_id, 'registered_on', cast(registered_on as varchar)
    from iur_projects where registered_on > $today or registered_on < date '1900-01-01'
    union all select 'sci_projects', project_id, 'landed_on', cast(landed_on as varchar)
    from sci_projects where landed_on > $today or landed_on < date '1900-01-01'
    union all select 'service_visits', visit_id, 'visited_on', cast(visited_on as varchar)
    from service_visits where visited_on > $today or visited_on < date '1900-01-01'
    union all select 'commissioners', commissioner_id, 'joined_on', cast(joined_on as varchar)
    from commissioners where joined_on > $today or joined_on < date '1900-01-01'
    union all select 'rd_institutions', institution_id, 'approved_on', cast(approved_on as varchar)
    from rd_institutions where approved_on > $today or approved_on < date '1900-01-01'
),

bad_years as (
    select 'tax_annual' as table_name, uscc as record, 'year' as column_name, cast(year as varchar) as value
    from tax_annual where year < 1990 or year > year($today) + 1
    union all select 'stats_annual', uscc, 'year', cast(year as varchar)
    from stats_annual where year < 1990 or year > year($today) + 1
    union all select 'tech_sme_registry', uscc, 'year', cast(year as varchar)
    from tech_sme_registry where year < 1990 or year > year($today) + 1
    union all select 'key_enterprises', uscc, 'year', cast(year as varchar)
    from key_enterprises where year < 1990 or year > year($today) + 1
    union all select 'cultivation', uscc, 'year', cast(year as varchar)
    from cultivation where year < 1990 or year > year($today) + 1
),

huge_amounts as (
    select 'enterprises' as table_name, uscc as record, 'registered_capital_wan' as column_name,
        cast(registered_capital_wan as varchar) as value
    from enterprises where registered_capital_wan >= 10000000
    union all select 'tax_monthly', uscc || ' ' || cast(period as varchar), 'invoiced_sales_wan', cast(invoiced_sales_wan as varchar)
    from tax_monthly where invoiced_sales_wan >= 10000000
    union all select 'tax_monthly', uscc || ' ' || cast(period as varchar), 'tax_paid_wan', cast(tax_paid_wan as varchar)
    from tax_monthly where tax_paid_wan >= 10000000
    union all select 'tax_annual', uscc || ' ' || cast(year as varchar), 'revenue_wan', cast(revenue_wan as varchar)
    from tax_annual where revenue_wan >= 10000000
    union all select 'tax_annual', uscc || ' ' || cast(year as varchar), 'rd_expense_wan', cast(rd_expense_wan as varchar)
    from tax_annual where rd_expense_wan >= 10000000
    union all select 'stats_annual', uscc || ' ' || cast(year as varchar), 'revenue_wan', cast(revenue_wan as varchar)
    from stats_annual where revenue_wan >= 10000000
    union all select 'stats_annual', uscc || ' ' || cast(year as varchar), 'rd_expense_wan', cast(rd_expense_wan as varchar)
    from stats_annual where rd_expense_wan >= 10000000
    union all select 'stats_annual', uscc || ' ' || cast(year as varchar), 'total_assets_wan', cast(total_assets_wan as varchar)
    from stats_annual where total_assets_wan >= 10000000
    union all select 'tech_contracts', contract_id, 'amount_wan', cast(amount_wan as varchar)
    from tech_contracts where amount_wan >= 10000000
    union all select 'iur_projects', project_id, 'amount_wan', cast(amount_wan as varchar)
    from iur_projects where amount_wan >= 10000000
    union all select 'sci_projects', project_id, 'investment_wan', cast(investment_wan as varchar)
    from sci_projects where investment_wan >= 10000000
),

bad_codes as (
    select 'enterprises' as table_name, uscc as record, 'industry_code' as column_name, industry_code as value
    from enterprises where industry_code is not null and not regexp_full_match(industry_code, '[0-9]{4}')
),

final as (
    select * from bad_dates
    union all select * from bad_years
    union all select * from huge_amounts
    union all select * from bad_codes
)

select * from final
order by table_name, column_name, record
