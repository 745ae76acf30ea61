"""如东科创驾驶舱: entry point and navigation. Run with `make run` (or `streamlit run app.py`)."""

from pathlib import Path

import streamlit as st

st.set_page_config(page_title="如东科创驾驶舱", page_icon="🔬", layout="wide")

ROOT = Path(__file__).resolve().parent

# The whole navigation in one place: (section, file, title, icon, url path). A page appears once
# its file exists, so pages can land one at a time without touching this list again.
NAVIGATION = [
    ("领导驾驶舱", "pages/overview.py", "总览", "🧭", "overview"),
    ("领导驾驶舱", "pages/progress.py", "目标进度", "🎯", "progress"),
    ("分析工作台", "pages/screening.py", "精准筛选", "🔎", "screening"),
    ("分析工作台", "pages/gazelle.py", "瞪羚/独角兽", "🦌", "gazelle"),
    ("分析工作台", "pages/rd_zero.py", "研发活动清零", "🧪", "rd-zero"),
    ("分析工作台", "pages/enterprise.py", "一企一档", "🏭", "enterprise"),
    ("专项工作", "pages/contracts.py", "技术合同", "📑", "contracts"),
    ("专项工作", "pages/iur.py", "产学研", "🎓", "iur"),
    ("专项工作", "pages/projects.py", "科创项目招引", "🚀", "projects"),
    ("专项工作", "pages/services.py", "科小二服务", "🤝", "services"),
    ("专项工作", "pages/commissioners.py", "科创专员", "🧑‍🔬", "commissioners"),
    ("专项工作", "pages/trainings.py", "培训", "📚", "trainings"),
    ("数据", "pages/briefing.py", "简报导出", "📤", "briefing"),
    ("数据", "pages/upload.py", "数据导入", "📥", "upload"),
    ("数据", "pages/data_status.py", "数据概况", "🗂️", "data"),
]


def build_navigation() -> dict[str, list]:
    sections: dict[str, list] = {}
    present = [row for row in NAVIGATION if (ROOT / row[1]).is_file()]
    for i, (section, path, title, icon, url_path) in enumerate(present):
        page = st.Page(path, title=title, icon=icon, url_path=url_path, default=(i == 0))
        sections.setdefault(section, []).append(page)
    return sections


st.navigation(build_navigation()).run()
