"""如东科创驾驶舱: entry point and navigation. Run with `make run` (or `streamlit run app.py`)."""

from pathlib import Path

import streamlit as st

from kechuang import ui

st.set_page_config(page_title="如东科创驾驶舱", page_icon=":material/insights:", layout="wide")

ROOT = Path(__file__).resolve().parent

# The whole navigation in one place: (section, file, title, icon, url path). A page appears once
# its file exists, so pages can land one at a time without touching this list again.
NAVIGATION = [
    ("领导驾驶舱", "views/overview.py", "总览", ":material/dashboard:", "overview"),
    ("领导驾驶舱", "views/progress.py", "目标进度", ":material/flag:", "progress"),
    ("分析工作台", "views/screening.py", "精准筛选", ":material/manage_search:", "screening"),
    ("分析工作台", "views/gazelle.py", "瞪羚/独角兽", ":material/trending_up:", "gazelle"),
    ("分析工作台", "views/rd_zero.py", "研发活动清零", ":material/science:", "rd-zero"),
    ("分析工作台", "views/enterprise.py", "一企一档", ":material/factory:", "enterprise"),
    ("专项工作", "views/contracts.py", "技术合同", ":material/contract:", "contracts"),
    ("专项工作", "views/iur.py", "产学研", ":material/school:", "iur"),
    ("专项工作", "views/projects.py", "科创项目招引", ":material/rocket_launch:", "projects"),
    ("专项工作", "views/services.py", "科小二服务", ":material/handshake:", "services"),
    ("专项工作", "views/commissioners.py", "科创专员", ":material/groups:", "commissioners"),
    ("专项工作", "views/trainings.py", "培训", ":material/menu_book:", "trainings"),
    ("数据", "views/briefing.py", "简报导出", ":material/ios_share:", "briefing"),
    ("数据", "views/upload.py", "数据导入", ":material/upload_file:", "upload"),
    ("数据", "views/data_status.py", "数据质量", ":material/fact_check:", "data"),
]


def build_navigation() -> dict[str, list]:
    sections: dict[str, list] = {}
    present = [row for row in NAVIGATION if (ROOT / row[1]).is_file()]
    for i, (section, path, title, icon, url_path) in enumerate(present):
        page = st.Page(path, title=title, icon=icon, url_path=url_path, default=(i == 0))
        sections.setdefault(section, []).append(page)
    return sections


navigation = st.navigation(build_navigation(), expanded=True)
ui.render_filters(ui.open_or_stop())
navigation.run()
