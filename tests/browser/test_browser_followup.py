"""跟踪台账 on a phone (390 px): the county sees which town's lists nobody worked, and sees it
change once a town officer records a visit."""

from __future__ import annotations

from conftest import app_server, browser_data, open_page
from fixtures import uscc

from kechuang.worklog import rules

UNTOUCHED = "1 个镇区的清单近30天无人跟进（清单上的企业均无走访、阶段或责任人记录）：长沙镇"


def test_the_untouched_town_is_named_until_its_officer_records_a_visit(
    browser, tmp_path, server_instance, monkeypatch
):
    from kechuang.access import auth
    from kechuang.engine.warehouse import Warehouse
    from kechuang.state import db
    from kechuang.worklog import lists, store

    data = browser_data(tmp_path / "data")
    state = f"sqlite:///{tmp_path / 'state.db'}"
    env = {
        "KECHUANG_DATA": str(data),
        "KECHUANG_USERS": str(server_instance / "users.json"),
        "KECHUANG_STATE": state,  # a state database of its own
        "KECHUANG_AUDIT": str(tmp_path / "audit.jsonl"),
    }
    monkeypatch.setenv("KECHUANG_STATE", state)
    auth.ensure_demo_users(server_instance / "users.json")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    main = '[data-testid="stMain"]'
    with app_server(env) as url:
        open_page(page, f"{url}/followup?as_of=2026-10-31", user="analyst")
        page.wait_for_selector(f'{main} [data-testid="stAlert"]:has-text("无人跟进")')
        page.wait_for_selector(f'{main} [data-testid="stAlert"]:has-text("清单截至日所在月")')
        text = page.inner_text(main)
        assert UNTOUCHED in text
        # the as-of month's table is empty: one sentence says which month, not a bare "no rows"
        month = "2026年10月（清单截至日所在月，按联系日期计）驾驶舱中尚无走访、宣传、辅导记录"
        assert month in text
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways page

        officer = next(u for u in auth.list_users(auth.users_path()) if u.name == "changsha")
        firm = lists.find_firm(Warehouse(data), uscc(2))  # 长沙镇, on the 清零 list
        store.record_contact(db.engine(state), officer, firm, kind="走访", on=rules.today())
        page.reload()
        open_page(page, f"{url}/followup?as_of=2026-10-31", user="analyst")
        page.wait_for_selector(f'{main} [data-testid="stAlert"]:has-text("清单截至日所在月")')
        text = page.inner_text(main)
        assert "无人跟进" not in text
        assert "近30天联系企业\n\n1 家" in text
    db.dispose(state)
    context.close()
