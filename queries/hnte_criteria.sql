-- The six HNTE criteria of metrics.md for every enterprise, with the values behind each, a readiness
-- score, whether the firm is evaluated (active, no certificate valid on the as-of date), and the keys
-- of the screening page's filters. Criteria are three-valued: true, false, or null when inputs are
-- unknown. Thresholds arrive as decimal strings and every threshold comparison is made in DECIMAL, so
-- a value exactly at a threshold passes (no float rounding).
-- Included by hnte_screen.sql and hnte_screen_page.sql (warehouse.query_text); not run on its own.
-- Grain: one row per enterprise of the register (one firm when $uscc is given).
-- Params: $as_of, $uscc (null = all), $min_age_years, $tier1_max_wan, $tier2_max_wan, $intensity_tier1,
-- $intensity_tier2, $intensity_tier3, $rd_staff_min, $growth_min, $sme_max_employees, $sme_max_revenue_wan,
-- $sme_max_assets_wan.
with settled as (
    -- Y: the last settled fiscal year, the latest tax_annual year before the plan year.
    select max(year) as y from tax_annual where year < year($as_of)
),

firms as (
    select *
    from _sum_firms
    where cast($uscc as varchar) is null or uscc = cast($uscc as varchar)
),

per_firm as (
    -- From the enterprise-year summary (revenue(y) and rd(y) already by the fallback rule) over
    -- Y-2..Y: the money criteria's inputs, and the stats figures of Y. One firm's file reads only its rows.
    -- Y of the current year: computed once per data version (queries/sum_firm_settled.sql); any other Y here.
    select
        s.fkey,
        s.revenue_y_wan,
        s.revenue_y1_wan,
        s.revenue_3y_wan,
        s.rd_3y_wan,
        s.rd_staff,
        s.employees,
        s.total_assets_wan
    from _sum_firm_settled as s
    where s.y = (select settled.y from settled)
      and (cast($uscc as varchar) is null or s.fkey = (select min(firms.fkey) from firms))
    union all
    select
        fy.fkey,
        max(fy.revenue_wan) filter (where fy.year = settled.y) as revenue_y_wan,
        max(fy.revenue_wan) filter (where fy.year = settled.y - 1) as revenue_y1_wan,
        sum(fy.revenue_wan) filter (where fy.revenue_wan is not null) as revenue_3y_wan,
        sum(coalesce(fy.rd_expense_wan, 0)) filter (where fy.revenue_wan is not null) as rd_3y_wan,
        max(fy.rd_staff) filter (where fy.year = settled.y) as rd_staff,
        max(fy.employees) filter (where fy.year = settled.y) as employees,
        max(fy.total_assets_wan) filter (where fy.year = settled.y) as total_assets_wan
    from _sum_firm_year as fy
    cross join settled
    where fy.year between settled.y - 2 and settled.y
      and settled.y is distinct from (select max(s.y) from _sum_firm_settled as s)
      and (cast($uscc as varchar) is null or fy.fkey = (select min(firms.fkey) from firms))  -- not `in`: a join over every row
    group by fy.fkey
),

ip as (
    select
        uscc,
        count(*) as n_valid_ip,
        count(*) filter (where ip_type in ('发明专利', '集成电路布图设计', '植物新品种')) as n_class1_ip
    from patents
    where valid and granted_on <= $as_of
      and (cast($uscc as varchar) is null or uscc = cast($uscc as varchar))
    group by uscc
),

valid_hnte as (
    select uscc, max(add_years(issued_on, 3)) as valid_until
    from hnte_certificates
    where issued_on <= $as_of and $as_of < add_years(issued_on, 3)
      and (cast($uscc as varchar) is null or uscc = cast($uscc as varchar))
    group by uscc
),

inputs as (
    select
        firms.fkey,
        firms.uscc,
        firms.name,
        firms.town,
        firms.industry_code,
        firms.established_on,
        firms.is_active,
        valid_hnte.uscc is not null as holds_valid_hnte,
        valid_hnte.valid_until as hnte_valid_until,
        settled.y as settled_year,
        money.revenue_y_wan,
        money.revenue_y1_wan,
        money.revenue_3y_wan,
        money.rd_3y_wan,
        money.rd_staff,
        money.employees,
        money.total_assets_wan,
        (select available from _available where table_name = 'patents') as has_patents_table,
        coalesce(ip.n_valid_ip, 0) as n_valid_ip,
        coalesce(ip.n_class1_ip, 0) as n_class1_ip,
        case
            when money.revenue_y_wan is null then null
            when cast(money.revenue_y_wan as decimal(24, 8)) <= cast($tier1_max_wan as decimal(24, 8))
                then cast($intensity_tier1 as decimal(12, 6))
            when cast(money.revenue_y_wan as decimal(24, 8)) <= cast($tier2_max_wan as decimal(24, 8))
                then cast($intensity_tier2 as decimal(12, 6))
            else cast($intensity_tier3 as decimal(12, 6))
        end as intensity_threshold
    from firms
    cross join settled
    left join per_firm as money on money.fkey = firms.fkey
    left join ip on ip.uscc = firms.uscc
    left join valid_hnte on valid_hnte.uscc = firms.uscc
),

criteria as (
    select
        inputs.*,
        add_years(established_on, $min_age_years) <= $as_of as pass_age,
        case when has_patents_table then n_valid_ip >= 1 end as pass_ip,
        case
            when revenue_y_wan is null or revenue_3y_wan is null or revenue_3y_wan = 0 then null
            else cast(rd_3y_wan as decimal(24, 8)) >= cast(revenue_3y_wan as decimal(24, 8)) * intensity_threshold
        end as pass_rd_intensity,
        case
            when rd_staff is null or employees is null or employees = 0 then null
            else cast(rd_staff as decimal(18, 0)) >= cast(employees as decimal(18, 0)) * cast($rd_staff_min as decimal(12, 6))
        end as pass_rd_staff,
        case
            when revenue_y_wan is null or revenue_y1_wan is null or revenue_y1_wan <= 0 then null
            else cast(revenue_y_wan as decimal(24, 8))
                >= cast(revenue_y1_wan as decimal(24, 8)) * (1 + cast($growth_min as decimal(12, 6)))
        end as pass_growth,
        -- Kleene AND: false when any known input fails, null when none fails but one is unknown.
        (employees <= cast($sme_max_employees as integer))
            and (cast(revenue_y_wan as decimal(24, 8)) <= cast($sme_max_revenue_wan as decimal(24, 8)))
            and (cast(total_assets_wan as decimal(24, 8)) <= cast($sme_max_assets_wan as decimal(24, 8))) as pass_sme,
        case when revenue_3y_wan <> 0 and revenue_y_wan is not null then rd_3y_wan / revenue_3y_wan end as rd_intensity,
        case when employees > 0 then rd_staff / employees end as rd_staff_ratio,
        case when revenue_y1_wan > 0 then revenue_y_wan / revenue_y1_wan - 1 end as revenue_growth
    from inputs
),

scored as (
    -- Readiness score 0..100, modelled on the HNTE innovation-capability score:
    -- IP 30 (a Class I right 30, else 4 per Class II right up to 20), R&D intensity 30
    -- (15 at the required tier, 30 at twice it), growth 20 (HNTE growth bands), R&D staff 20
    -- (full at a 20% share). Unknown inputs score 0.
    select
        criteria.*,
        coalesce(pass_age, false) and coalesce(pass_ip, false) and coalesce(pass_rd_intensity, false)
            and coalesce(pass_rd_staff, false) and coalesce(pass_growth, false) and coalesce(pass_sme, false) as candidate,
        (case when pass_age is true then 0 else 1 end) + (case when pass_ip is true then 0 else 1 end)
            + (case when pass_rd_intensity is true then 0 else 1 end) + (case when pass_rd_staff is true then 0 else 1 end)
            + (case when pass_growth is true then 0 else 1 end) + (case when pass_sme is true then 0 else 1 end)
            as n_not_passed,
        -- Unknown inputs score 0. DuckDB's least() skips nulls (least(1.0, null) = 1.0): every
        -- part tests for null first.
        round(
            (case
                when n_class1_ip >= 1 then 30
                when n_valid_ip is null or n_class1_ip is null then 0
                else least(20, 4 * (n_valid_ip - n_class1_ip))
            end)
            + (case
                when rd_intensity is null then 0
                else 30 * least(1.0, rd_intensity / (2 * cast(intensity_threshold as double)))
            end)
            + (case
                when revenue_growth >= 0.35 then 20 when revenue_growth >= 0.25 then 16
                when revenue_growth >= 0.15 then 12 when revenue_growth >= 0.05 then 8
                when revenue_growth > 0 then 4 else 0
            end)
            + (case when rd_staff_ratio is null then 0 else 20 * least(1.0, rd_staff_ratio / 0.2) end),
            1
        ) as score
    from criteria
),

final as (
    select
        *,
        is_active and not holds_valid_hnte as is_evaluated,
        -- The page's filter keys (workbench.classify names them). Division: the industry code's first two digits.
        left(regexp_replace(industry_code, '^\s+', ''), 2) as division_code,
        -- Revenue band of year Y, cut where the R&D-intensity tiers are cut: 0 ≤ tier 1 < 1 ≤ tier 2 < 2; 3 unknown.
        case
            when revenue_y_wan is null then 3
            when cast(revenue_y_wan as decimal(24, 8)) <= cast($tier1_max_wan as decimal(24, 8)) then 0
            when cast(revenue_y_wan as decimal(24, 8)) <= cast($tier2_max_wan as decimal(24, 8)) then 1
            else 2
        end as size_band_no,
        -- R&D over Y-2..Y: 0 some R&D expense; 1 none though some revenue is known; 2 no revenue known.
        case when rd_3y_wan > 0 then 0 when revenue_3y_wan is not null then 1 else 2 end as rd_status_no
    from scored
)

select * from final
