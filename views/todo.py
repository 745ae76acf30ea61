"""我的待办: the firms I own (责任人) or my towns hold on the lists, overdue next steps first."""

import streamlit as st

from kechuang.output import tables
from kechuang.ui import access, cache, filters, grids, records
from kechuang.worklog import county, lists, rules, texts
from kechuang.zh import fmt

wh = cache.open_or_stop()
as_of, town = filters.sidebar_filters(wh)
user = access.current_user()

st.title("我的待办")
records.flash()
if not records.may_record():
    st.info("本账户只能查看工作记录，没有待办；各镇区、各清单的跟进情况见“跟踪台账”。")
    st.stop()
today = rules.today()
members = cache.cached(lists.members, as_of)
todo = county.todo(user, members, county.snapshot(records.engine()), today)
if town:
    todo = todo.filter(todo["town"] == town)
whose = "本人担任责任人或记下下一步的企业" + (
    f"，及{fmt.md(access.scope_name())}各清单上的企业" if user.role == "town" else ""
)
st.caption(
    f"{fmt.cn_date(today)} · {whose}"
    f"（清单截至{fmt.cn_date(as_of)}）。已逾期的下一步排在最前，其次按期限；点选一行打开一企一档。"
)
if todo.height == 0:
    st.info(
        "暂无待办。在研发活动清零、精准筛选、瞪羚/独角兽、科小二服务、产学研页面的“跟踪记录”中"
        "可指定责任人、记录走访与下一步。"
    )
    st.stop()
a, b, c = st.columns(3)
a.metric("待办企业", f"{fmt.num(todo.height)} 家")
b.metric("已逾期", f"{fmt.num(int(todo['is_overdue'].fill_null(False).sum()))} 家")
c.metric("尚未联系", f"{fmt.num(int(todo['last_on'].is_null().sum()))} 家")
grids.firm_table(
    texts.todo_table(todo),
    tables.file_stem("我的待办", as_of, town),
    key="todo_table",
    as_of=as_of,
)
records.record_panel(todo, None, key="todo_records")
