"""The house style every page gets: Streamlit's own English controls hidden or worded in Chinese,
a phone-friendly margin, and the sidebar closing itself after a page link is tapped on a phone."""

from __future__ import annotations

import streamlit as st

# Streamlit's own English controls, hidden or worded in Chinese for every page:
# - a table's toolbar (Show/hide columns, Search, Fullscreen; its CSV download is off in
#   config.toml):
#   tables are sorted by their headers and downloaded through `table`'s audited buttons;
# - the file uploader's instructions and button.
HOUSE_STYLE = """<style>
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding: 3.75rem 1rem 2rem 1rem !important; }
}
[data-testid="stElementToolbar"] { display: none !important; }
[data-testid="stFileUploaderDropzoneInstructions"] > div > span,
[data-testid="stFileUploaderDropzoneInstructions"] > div > small { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {
  content: "可把文件拖入此框（CSV、Excel、Parquet）"; font-size: 14px; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {
  display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after {
  content: "选择文件"; }
</style>"""


# On a phone the sidebar covers 300 of 390 px and Streamlit leaves it open after a page is tapped:
# close it once a page link in it is tapped (Streamlit's breakpoint for the overlay sidebar is
# 768 px).
# The listener is added once per browser tab; the script is ours (no text from data or a URL in it).
CLOSE_SIDEBAR_ON_NAVIGATION = """<script>
if (!window.kechuangSidebarCloser) {
  window.kechuangSidebarCloser = true;
  document.addEventListener("click", (event) => {
    if (window.innerWidth >= 768 || !event.target.closest('[data-testid="stSidebarNav"] a')) return;
    setTimeout(() => {
      const close = document.querySelector(
        '[data-testid="stSidebar"] [data-testid="stSidebarCollapseButton"] button');
      if (close) close.click();
    }, 50);
  }, true);
}
</script>"""


def house_style() -> None:
    st.html(HOUSE_STYLE)
    st.html(CLOSE_SIDEBAR_ON_NAVIGATION, unsafe_allow_javascript=True)
