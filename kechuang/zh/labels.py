"""Human (Chinese) labels, applied only at the display edge: one table for pages and exports.

At the bottom of the package (imports nothing of it): the engine's explanations use it too. The
contract's own column labels (the departments' headers) and the lookup over both are in
engine/contract (column_label, for_display)."""

from __future__ import annotations

# Roles of the dashboard (access/auth decides what each may do); "share" is a share-link visitor.
ROLE_LABELS = {
    "admin": "管理员",
    "analyst": "分析员",
    "leader": "领导",
    "town": "镇区",
    "share": "分享链接访客",
}
STATUS_LABELS = {"on_track": "达标进度", "at_risk": "预警", "behind": "滞后", None: "—"}
# The status colours of kechuang/charts/style.py (green, amber, red), for the layers below it.
STATUS_COLORS = {"on_track": "#2e7d32", "at_risk": "#f0a202", "behind": "#c62828", None: "#78909c"}

# Derived columns; contract columns take their label from the contract.
COLUMN_LABELS: dict[str, str] = {
    "table_name": "数据表",
    "n_rows": "行数",
    "latest_on": "数据截至",
    "available": "可用",
    "revenue_wan": "营业收入（万元）",
    "revenue_y_wan": "上年营业收入（万元）",
    "revenue_y1_wan": "前年营业收入（万元）",
    "revenue_3y_wan": "近三年营业收入合计（万元）",
    "rd_3y_wan": "近三年研发费用合计（万元）",
    "rd_intensity": "研发投入强度",
    "intensity_threshold": "强度要求",
    "rd_staff_ratio": "研发人员占比",
    "revenue_growth": "营收增长率",
    "score": "培育评分",
    "candidate": "候选",
    "pass_age": "成立满1年",
    "pass_ip": "知识产权",
    "pass_rd_intensity": "研发投入强度",
    "pass_rd_staff": "研发人员占比",
    "pass_growth": "营收增长",
    "pass_sme": "中小企业规模",
    "is_rd_active": "有研发活动",
    "last_visited_on": "最近走访日期",
    "last_service_type": "最近服务类别",
    "last_visit_team": "最近走访团队",
    "gap_text": "差距",
    "missed_criterion": "未达项",
    "missed_status": "状态",
    "cagr": "年均复合增长率",
    "in_cultivation": "已入培育名单",
    "revenue_base_wan": "基期营业收入（万元）",
    "n_population": "亿元以上制造业企业数",
    "n_active": "有研发活动企业数",
    "n_worklist": "待清零企业数",
    "coverage_ratio": "覆盖率",
    "value": "数值",
    "n_valid_ip": "有效知识产权（项）",
    "last_visited_before_year_on": "往年最近走访日期",
    # programme pages (技术合同, 产学研, 科创项目招引, 科小二服务, 科创专员, 培训)
    "n_contracts": "合同数（项）",
    "share_ratio": "占比",
    "direction": "技术流向",
    "region_bucket": "地区",
    "rank": "排名",
    "output_amount_wan": "技术输出额（万元）",
    "absorbed_amount_wan": "技术吸纳额（万元）",
    "reasons": "列入原因",
    "n_reasons": "原因数",
    "hnte_valid_until": "高企证书有效期至",
    "n_iur_projects": "产学研项目（项）",
    "rd_year": "研发投入年度",
    "last_registered_on": "往年最近登记日期",
    "stage_reached": "截至日已达阶段",
    "n_at_stage": "处于该阶段（项）",
    "n_reached": "已达该阶段（项）",
    "conversion_ratio": "较上一阶段转化率",
    "n_projects": "项目数",
    "n_registered": "已备案登记（项）",
    "days_since_registered": "登记后天数",
    "n_high_growth": "其中高成长型",
    "n_key": "重点企业数",
    "n_served": "已走访",
    "n_unvisited": "未走访",
    "first_visited_on": "本年首次走访日期",
    "n_visits": "走访次数",
    "n_firms": "企业数（家）",
    "n_key_visited": "其中重点企业（家）",
    "n_serving": "在任人数",
    "serving_status": "任职状态",
    "training_status": "举办状态",
    # access control: tax bands (redact.py), audit log (audit.py), share links (share.py)
    "invoiced_sales_band": "开票销售额（区间）",
    "tax_paid_band": "入库税款（区间）",
    "revenue_band": "营业收入（区间）",
    "rd_expense_band": "研发费用（区间）",
    "net_assets_band": "所有者权益（区间）",
    "revenue_y_band": "上年营业收入（区间）",
    "revenue_y1_band": "前年营业收入（区间）",
    "revenue_3y_band": "近三年营业收入合计（区间）",
    "rd_3y_band": "近三年研发费用合计（区间）",
    "revenue_base_band": "基期营业收入（区间）",
    "tax_revenue_band": "税务营业收入（区间）",
    "stats_revenue_band": "统计营业收入（区间）",
    "tax_rd_expense_band": "加计扣除研发费用（区间）",
    "total_assets_band": "资产总计（区间）",
    "n_months": "月份数",
    "tax_year": "年度",
    "at": "时间",
    "user_name": "账户",
    "role_label": "角色",
    "action_label": "操作",
    "detail": "详情",
    "scope": "范围",
    "token_id": "链接编号",
    "as_of": "截至日期",
    "page_label": "页面",
    "created_by": "创建人",
    "created_at": "创建时间",
    "expires_at": "到期时间",
    "status_label": "状态",
    "revoked_by": "撤销人",
}

# A firm's identity in every firm table: the contract's enterprises labels, and 行业 (门类).
FIRM_COLUMNS = {
    "name": "企业名称",
    "town": "所属镇区",
    "division": "行业",
    "uscc": "统一社会信用代码",
}


def shown(frame, names: dict[str, str]):
    """A frame as a table shows it: the columns `names` lists, in its order, under its Chinese
    names (the one step from a computed polars frame to a display frame; values already worded)."""
    return frame.select(list(names)).rename(names)
