"""如东科创驾驶舱: entry point and navigation. Run with `make run` (or `streamlit run app.py`)."""

from pathlib import Path

import streamlit as st

from kechuang import settings
from kechuang.ui import access, collector, gate, login

ROOT = Path(__file__).resolve().parent

# The whole navigation in one place: (section, file, title, icon, url path, permission or None). A
# page appears once its file exists and, for a signed-in user, when their role holds its permission.
NAVIGATION = [
    ("领导驾驶舱", "views/overview.py", "总览", ":material/dashboard:", "overview", None),
    ("领导驾驶舱", "views/progress.py", "目标进度", ":material/flag:", "progress", None),
    (
        "分析工作台",
        "views/screening.py",
        "精准筛选",
        ":material/manage_search:",
        "screening",
        "view_firm_lists",
    ),
    (
        "分析工作台",
        "views/gazelle.py",
        "瞪羚/独角兽",
        ":material/trending_up:",
        "gazelle",
        "view_firm_lists",
    ),
    (
        "分析工作台",
        "views/rd_zero.py",
        "研发活动清零",
        ":material/science:",
        "rd-zero",
        "view_firm_lists",
    ),
    ("分析工作台", "views/todo.py", "我的待办", ":material/checklist:", "todo", "view_firm_lists"),
    (
        "分析工作台",
        "views/followup.py",
        "跟踪台账",
        ":material/assignment:",
        "followup",
        "view_firm_lists",
    ),
    (
        "分析工作台",
        "views/enterprise.py",
        "一企一档",
        ":material/factory:",
        "enterprise",
        "view_enterprise_files",
    ),
    (
        "专项工作",
        "views/contracts.py",
        "技术合同",
        ":material/contract:",
        "contracts",
        "view_firm_lists",
    ),
    ("专项工作", "views/iur.py", "产学研", ":material/school:", "iur", "view_firm_lists"),
    (
        "专项工作",
        "views/projects.py",
        "科创项目招引",
        ":material/rocket_launch:",
        "projects",
        "view_firm_lists",
    ),
    (
        "专项工作",
        "views/services.py",
        "科小二服务",
        ":material/handshake:",
        "services",
        "view_firm_lists",
    ),
    (
        "专项工作",
        "views/commissioners.py",
        "科创专员",
        ":material/groups:",
        "commissioners",
        "view_firm_lists",
    ),
    (
        "专项工作",
        "views/trainings.py",
        "培训",
        ":material/menu_book:",
        "trainings",
        "view_firm_lists",
    ),
    (
        "数据",
        "views/briefing.py",
        "简报导出",
        ":material/ios_share:",
        "briefing",
        "download_firm_lists",
    ),
    ("数据", "views/upload.py", "数据导入", ":material/upload_file:", "upload", "ingest"),
    (
        "数据",
        "views/data_status.py",
        "数据质量",
        ":material/fact_check:",
        "data",
        "view_firm_lists",
    ),
    (
        "管理",
        "views/admin.py",
        "账户与审计",
        ":material/admin_panel_settings:",
        "admin",
        "view_audit",
    ),
]
SHARED_PAGE_FILES = {
    row[4]: row[1] for row in NAVIGATION
}  # a share link names its page by url path


def build_navigation(allowed) -> dict[str, list]:
    sections: dict[str, list] = {}
    present = [row for row in NAVIGATION if (ROOT / row[1]).is_file() and allowed(row[5])]
    for i, (section, path, title, icon, url_path, _) in enumerate(present):
        page = st.Page(path, title=title, icon=icon, url_path=url_path, default=(i == 0))
        sections.setdefault(section, []).append(page)
    return sections


def page_setup() -> None:
    collector.ran()  # a full garbage collection within 2 s, shared by every run meanwhile
    # A favicon served by this server: a Material icon name or an emoji makes the browser
    # fetch it from an outside host, which fails on the county intranet.
    st.set_page_config(
        page_title="如东科创驾驶舱",
        page_icon=str(ROOT / "assets" / "favicon.png"),
        layout="wide",
        initial_sidebar_state="auto",
    )
    try:
        settings.current()  # a bad KECHUANG_* value: one line, before anything else runs
    except settings.SettingsError as err:
        st.error(f"配置有误：{err}")
        st.stop()


def main() -> None:
    page_setup()
    user = access.signed_in()
    view = access.share_view()
    requested = access.requested_page()  # before st.navigation replaces the pages it names
    if user is None:
        # Every page registered but hidden, so a deep link's path and query survive the login;
        # nothing runs.
        st.navigation(build_navigation(lambda _: True), position="hidden")
        login.login_page()
        # Only now the heavy part of the UI (polars, DuckDB): the browser shows the form meanwhile.
        from kechuang.ui import cache

        cache.prepare_in_background()  # after the form is drawn: the browser shows it meanwhile
        st.stop()
    if view is not None:
        # A share visitor sees the one shared page, at the root URL the link points to.
        navigation = st.navigation(
            [
                st.Page(
                    SHARED_PAGE_FILES[view.page], title=view.title, url_path=view.page, default=True
                )
            ],
            position="hidden",
        )
    else:
        sections = build_navigation(lambda permission: permission is None or access.can(permission))
        # A deep link to a page this role lacks (a pasted URL, a signed-in new tab): a hidden
        # stand-in takes its URL (else Streamlit says "Page not found" in English) and moves on to
        # the default page, which says why.
        denied = next(
            (
                row
                for row in NAVIGATION
                if row[4] == requested and row[5] and not access.can(row[5])
            ),
            None,
        )
        if denied:
            home = next(iter(sections.values()))[0]  # build_navigation makes the first the default
            st.session_state["_denied_page"] = denied[2]
            stand_in = st.Page(
                lambda: st.switch_page(home),
                title=denied[2],
                url_path=denied[4],
                visibility="hidden",
            )
            sections.setdefault(denied[0], []).append(stand_in)
        navigation = st.navigation(sections, expanded=True)
        refused = None if denied else st.session_state.pop("_denied_page", None)
        if refused:
            st.warning(
                f"本账户无权打开“{refused}”页面，已转到“{navigation.title}”。如需此页面，请联系管理员调整角色。"
            )
    from kechuang.ui import cache, filters  # signed in: the heavy part, see above

    login.hand_over_cookie()  # once, after 登录: the browser fetches its session cookie
    login.account_box(user)
    filters.render_filters(cache.open_or_stop())
    navigation.run()


# At most gate.RUNS script runs at a time, first come first served (kechuang/ui/gate.py).
with gate.turn():
    main()
