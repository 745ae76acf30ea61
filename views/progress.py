"""目标进度: every target of the plan year with actual, target, pace and status."""

import streamlit as st

from kechuang.engine import contract, metrics, plan
from kechuang.models import overview as cockpit
from kechuang.ui import access, cache, filters, panels
from kechuang.zh import fmt

wh = cache.open_or_stop()
as_of, town = filters.sidebar_filters(wh)
the_plan = plan.load_plan(as_of.year)

st.title("“六百创新”目标进度")
scope_label = town or "全县"
st.caption(
    f"截至{fmt.cn_date(as_of)} · {fmt.md(scope_label)} · "
    f"{the_plan.title if the_plan else f'{as_of.year}年尚无计划文件，目标显示为“—”'}"
)
panels.freshness(wh)
if town:
    st.caption(
        f"{fmt.md(town)}的数据为其对全县年度目标的贡献，不单独作序时判断；科创专员与培训场次为全县数据，不随镇区筛选。"
    )

rows = cache.cached(metrics.progress, as_of, the_plan, scope=cache.town_scope(town))
if not town:
    st.markdown("**全县" + cockpit.standing_text(rows) + "**")
# Every target in one compact row, details on a tap; the full figures of each below, one tap away.
panels.target_list(cockpit.target_rows(rows, town is not None, the_plan is not None))
details = st.expander("逐项明细（完成、年度目标、序时应完成、预计全年）")
for p in rows:
    with details.container(border=True):
        head, badge = st.columns([4, 1])
        head.markdown(f"**{p.label}**")
        judged = metrics.judged_in_scope(
            p.id, town is not None
        )  # a town's share of a county target is not paced
        if p.target is None:
            badge.markdown(":gray-badge[跟踪指标]")
        else:
            badge.markdown(panels.status_badge(p.status) if judged else ":gray-badge[镇区贡献]")
        left, mid, right = st.columns(3)
        left.metric("完成", fmt.amount(p.actual, p.unit))
        mid.metric("年度目标" if judged else "全县年度目标", fmt.amount(p.target, p.unit))
        right.metric(
            "序时应完成",
            fmt.pace_text(p.expected, p.unit) if judged else "不适用",
        )
        if p.share_of_target is not None:
            st.progress(
                min(p.share_of_target, 1.0),
                text=f"{'完成年度目标' if judged else '占全县年度目标'} "
                f"{fmt.pct(p.share_of_target)}"
                + (
                    f"，预计全年 {fmt.amount(p.projected, p.unit)}"
                    if p.projected is not None and judged
                    else ""
                ),
            )
        if judged and p.gap:
            st.caption(f"距序时进度差 {fmt.gap_text(p.actual, p.expected, p.unit)}")
        if p.missing_tables:
            st.caption(contract.missing_note(p.missing_tables))

if access.can("create_share_link"):  # accounts that may; never a share visitor
    with st.expander("分享本视图（免登录只读链接）"):
        access.share_link_box("progress", as_of, town)
