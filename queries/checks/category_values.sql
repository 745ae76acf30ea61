-- severity: error
-- Category values outside the contract's list (data-contract.md).
-- Grain: one row per table, column and offending value.
select 'enterprises' as table_name, 'status' as column_name, status as value, count(*) as n_rows
from enterprises
where status is not null and status not in ('存续', '在业', '迁出', '注销', '吊销')
group by status
union all
select 'patents' as table_name, 'ip_type' as column_name, ip_type as value, count(*) as n_rows
from patents
where ip_type is not null and ip_type not in ('发明专利', '实用新型', '外观设计', '软件著作权', '集成电路布图设计', '植物新品种')
group by ip_type
union all
select 'tech_contracts' as table_name, 'role' as column_name, role as value, count(*) as n_rows
from tech_contracts
where role is not null and role not in ('卖方', '买方')
group by role
union all
select 'tech_contracts' as table_name, 'contract_type' as column_name, contract_type as value, count(*) as n_rows
from tech_contracts
where contract_type is not null and contract_type not in ('技术开发', '技术转让', '技术许可', '技术咨询', '技术服务')
group by contract_type
union all
select 'iur_projects' as table_name, 'mode' as column_name, mode as value, count(*) as n_rows
from iur_projects
where mode is not null and mode not in ('委托开发', '合作开发', '揭榜挂帅', '定向委托', '技术转让', '共建研发机构')
group by mode
union all
select 'iur_projects' as table_name, 'stage' as column_name, stage as value, count(*) as n_rows
from iur_projects
where stage is not null and stage not in ('需求征集', '精准对接', '备案登记', '落地实施', '跟踪服务')
group by stage
union all
select 'sci_projects' as table_name, 'stage' as column_name, stage as value, count(*) as n_rows
from sci_projects
where stage is not null and stage not in ('在谈', '签约', '落地')
group by stage
union all
select 'service_visits' as table_name, 'service_type' as column_name, service_type as value, count(*) as n_rows
from service_visits
where service_type is not null and service_type not in ('创新型企业培育', '产学研合作', '政策落实', '未来产业发展', '高企申报辅导', '研发费用归集', '专利布局', '项目申报')
group by service_type
union all
select 'commissioners' as table_name, 'role' as column_name, role as value, count(*) as n_rows
from commissioners
where role is not null and role not in ('科技招商专员', '政策服务专员', '场景服务专员', '科技研发服务专员')
group by role
union all
select 'trainings' as table_name, 'kind' as column_name, kind as value, count(*) as n_rows
from trainings
where kind is not null and kind not in ('科技创新专题培训', '中小企业专项培训')
group by kind
union all
select 'rd_institutions' as table_name, 'kind' as column_name, kind as value, count(*) as n_rows
from rd_institutions
where kind is not null and kind not in ('工程技术研究中心', '企业技术中心', '新型研发机构', '产业技术创新战略联盟', '重点实验室')
group by kind
union all
select 'rd_institutions' as table_name, 'level' as column_name, level as value, count(*) as n_rows
from rd_institutions
where level is not null and level not in ('市级', '省级', '国家级')
group by level
union all
select 'cultivation' as table_name, 'track' as column_name, track as value, count(*) as n_rows
from cultivation
where track is not null and track not in ('瞪羚', '独角兽')
group by track
order by table_name, column_name, value
