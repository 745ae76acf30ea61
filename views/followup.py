"""跟踪台账: per town and list, the firms on the list, contacted in the last 30 days, overdue next
steps and stage counts; the stage funnel and the month's contacts by town."""

import streamlit as st

from kechuang.output import tables
from kechuang.ui import access, cache, filters, grids, records
from kechuang.worklog import county, lists, rules, texts
from kechuang.zh import fmt

wh = cache.open_or_stop()
as_of, town = filters.sidebar_filters(wh)

st.title("跟踪培育台账")
today = rules.today()
members = cache.cached(lists.members, as_of, scope=cache.town_scope(town))
snapshot = county.snapshot(records.engine())
view = county.county_view(members, snapshot, today)
st.caption(
    f"{fmt.md(town or access.scope_name())} · 清单截至{fmt.cn_date(as_of)}；"
    f"“近30天”指截至今天（{fmt.cn_date(today)}）的30天。"
    "联系 = 驾驶舱中记录的走访、宣传、辅导；下一步在该企业有新的联系记录前算未办，过了期限即逾期。"
)
head = county.headline(members, snapshot, today)  # firms: one on two lists counts once
a, b, c = st.columns(3)
a.metric("清单在册企业", f"{fmt.num(head.n_firms)} 家")
b.metric("近30天联系企业", f"{fmt.num(head.n_contacted)} 家")
c.metric("逾期未办企业", f"{fmt.num(head.n_overdue)} 家")
untouched = texts.untouched_line(county.untouched(members, snapshot, today))
if untouched:
    st.warning(fmt.md(untouched))  # names towns from the data

st.subheader("各镇区、各清单进展")
grids.table(
    texts.county_table(view),
    tables.file_stem("跟踪台账_分镇区", as_of, town),
    key="followup_towns",
    placeholder="—",
)

left, right = st.columns(2)
with left:
    st.subheader("培育阶段")
    funnel = county.stage_funnel(members, records=snapshot)
    grids.table(
        texts.funnel_table(funnel),
        tables.file_stem("跟踪台账_阶段", as_of, town),
        key="followup_funnel",
    )
with right:
    st.subheader(f"{as_of.year}年{as_of.month}月联系情况")
    towns = {town} if town else access.user_scope()
    month = county.contacts_by_town(as_of, records=snapshot, towns=towns)
    if month.height == 0:  # the as-of month, not the last 30 days above: say which it is
        st.info(
            f"{as_of.year}年{as_of.month}月（清单截至日所在月，按联系日期计）驾驶舱中尚无走访、"
            "宣传、辅导记录；近30天的联系见上表。"
        )
    else:
        grids.table(
            texts.contacts_table(month),
            tables.file_stem("跟踪台账_本月联系", as_of, town),
            key="followup_month",
        )
