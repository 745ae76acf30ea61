"""A town officer records a visit from the 清零 page, then finds it on 一企一档 and in 我的待办
(its CSV)."""

from __future__ import annotations

from datetime import timedelta

from conftest import browser_data, choose_day, open_page
from fixtures import uscc

from kechuang.worklog import rules

FIRM_2 = "如东测试2号科技有限公司"  # 长沙镇, on the 清零 worklist of browser_data
FORM = "rd_zero_records_contact_0"  # the contact form of views/rd_zero.py's record panel


def test_a_town_officer_records_a_visit_and_sees_it_on_the_file_and_in_the_todo_list(
    browser, tmp_path, server_instance, monkeypatch
):
    from conftest import app_server

    from kechuang.access import auth

    data = browser_data(tmp_path / "data")
    env = {
        "KECHUANG_DATA": str(data),
        "KECHUANG_USERS": str(server_instance / "users.json"),
        "KECHUANG_STATE": f"sqlite:///{tmp_path / 'state.db'}",  # a state database of its own
        "KECHUANG_AUDIT": str(tmp_path / "audit.jsonl"),
    }
    monkeypatch.setenv("KECHUANG_STATE", env["KECHUANG_STATE"])
    auth.ensure_demo_users(server_instance / "users.json")  # the accounts, in that database too
    due = rules.today() + timedelta(days=20)
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    with app_server(env) as url:
        open_page(page, f"{url}/rd-zero?as_of=2026-10-31", user="changsha")
        page.get_by_text("跟踪记录：为研发活动清零清单上的企业记录走访、阶段、责任人").click()
        form = page.locator(f".st-key-{FORM}")
        form.get_by_label("备注").fill("介绍研发费用加计扣除政策")
        form.get_by_label("下一步（可选）").fill("送政策材料")
        choose_day(page, f"{FORM}_due", due)  # 年, 月, 日 selects (kechuang/ui/date_picker.py)
        form.get_by_role("button", name="保存记录").click()
        page.wait_for_selector(
            '[data-testid="stAlert"]:has-text("已保存（第 1 号）")', timeout=45_000
        )

        open_page(page, f"{url}/enterprise?uscc={uscc(2)}&as_of=2026-10-31", user="changsha")
        page.wait_for_selector('[data-testid="stMain"]:has-text("changsha 记录于")', timeout=45_000)
        main = page.inner_text('[data-testid="stMain"]')
        assert "走访：介绍研发费用加计扣除政策；下一步：送政策材料" in main
        assert "changsha 记录于" in main

        open_page(page, f"{url}/todo?as_of=2026-10-31", user="changsha")
        with page.expect_download() as info:
            page.get_by_role("button", name="下载 CSV").first.click()
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        rows = path.read_text(encoding="utf-8-sig").splitlines()
        assert rows[0].startswith(
            "企业名称,状态,期限,下一步,所在清单,培育阶段,责任人,最近联系,所属镇区"
        )
        firm_row = next(r for r in rows if r.startswith(FIRM_2))
        assert "送政策材料" in firm_row and due.isoformat() in firm_row
        assert rules.today().isoformat() in firm_row  # 最近联系
    context.close()
