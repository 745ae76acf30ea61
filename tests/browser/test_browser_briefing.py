"""The Word briefing in Chromium: built on the click, downloaded, read by python-docx, audited."""

from __future__ import annotations

import os
import time

import docx
from conftest import open_page

from kechuang.access import audit

MAIN = '[data-testid="stMain"]'


def test_word_briefing_downloads_and_is_audited(app_url, page, server_instance, tmp_path):
    open_page(page, f"{app_url}/briefing?as_of=2026-10-31&town=长沙镇")
    page.get_by_role("button", name="生成 Word 简报").click()
    download = page.get_by_role("button", name="下载 Word 简报")
    download.wait_for(timeout=120_000)  # charts (kaleido) and typesetting on the server
    if os.environ.get("KECHUANG_SHOTS"):  # look at the page as users do
        page.screenshot(path=f"{os.environ['KECHUANG_SHOTS']}/briefing_1280.png", full_page=True)
    with page.expect_download(timeout=30_000) as info:
        download.click()
    name = info.value.suggested_filename
    assert name.endswith(".docx") and "长沙镇" in name
    path = tmp_path / name
    info.value.save_as(path)
    made = docx.Document(str(path))
    assert made.paragraphs[0].text == "如东县科技创新“六百创新”工作进展简报"
    assert len(made.inline_shapes) == 4
    deadline = time.monotonic() + 30
    while True:  # the event is written when the browser fetches the file
        events = audit.read(path=server_instance / "audit.jsonl")  # the instance's state database
        found = events.filter((events["action"] == "export") & (events["detail"] == name))
        if found.height or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert found.select("user_name", "role").rows() == [("analyst", "analyst")]
