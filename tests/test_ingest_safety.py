"""Issue 16: ingest that cannot destroy data. Each reproduction of the issue with its exact input;
a process killed at every step of the write; a full disk on a real small file system."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from fixtures import firm, uscc, write_warehouse
from test_ingest import run, table_rows, write_csv, write_xlsx

from kechuang import ingest
from kechuang.engine import contract
from kechuang.engine.sources import data_version
from kechuang.engine.warehouse import Warehouse
from kechuang.ingest import Source, manifest, recovery, store
from kechuang.ingest.headers import recognise

ROOT = Path(__file__).resolve().parent.parent
TAX_ANNUAL_HEAD = ["统一社会信用代码", "所属年度", "营业收入（万元）"]


def count(data: Path, table: str) -> int:
    wh = Warehouse(data, strict=False)
    try:
        return wh.con.sql(f"select count(*) from _raw_{table}").fetchall()[0][0]
    finally:
        wh.close()


def tax_annual(n: int, year: int = 2025) -> list[dict]:
    return [{"uscc": uscc(i), "year": year, "revenue_wan": 1.0} for i in range(1, n + 1)]


def tax_annual_csv(path: Path, firms: range, year: int = 2025) -> Path:
    return write_csv(path, [TAX_ANNUAL_HEAD] + [[uscc(i), str(year), "2"] for i in firms], "utf-8")


def ingest_lines(data: Path) -> list[dict]:
    return [e for e in manifest.read(data) if e.get("action") == "ingest"]


# -- 1. recognition: the best fit over every header, or a refusal naming the missing column ------


def test_issue_repro_file_missing_a_required_column_does_not_replace_the_registry(tmp_path, capsys):
    data = write_warehouse(
        tmp_path / "D", tech_sme_registry=[{"uscc": uscc(n), "year": 2025} for n in (1, 2, 3)]
    )
    x = tmp_path / "x.csv"  # printf '统一社会信用代码,营业收入（万元）\n91320623MAPNK37DU5,10\n'
    x.write_bytes("统一社会信用代码,营业收入（万元）\n91320623MAPNK37DU5,10\n".encode())
    code, out, err = run(capsys, "ingest", x, "--data", data)
    assert (code, out) == (2, "")
    assert err == (
        "错误：无法确定 x.csv 是哪张表：表头同时符合 企业所得税年度汇算清缴（tax_annual，"
        "缺少“所属年度”）、统计联网直报年报（stats_annual，缺少“年度”）。"
        "请补全表头，或用 --table 指定表名\n"
    )
    assert count(data, "tech_sme_registry") == 3
    assert not (data / "_versions" / "tech_sme_registry").exists()
    [line] = manifest.read(data)
    assert (line["file"], line["error"]) == ("x.csv", err.removeprefix("错误：").strip())


def test_issue_repro_tax_annual_export_missing_its_year_is_refused_by_name(tmp_path, capsys):
    data = write_warehouse(tmp_path / "D", tax_annual=tax_annual(3))
    head = [
        "统一社会信用代码",
        "营业收入（万元）",
        "加计扣除研发费用（万元）",
        "所有者权益（万元）",
        "享受高新技术企业优惠",
    ]
    src = write_csv(tmp_path / "汇算清缴.csv", [head, [uscc(1), "10", "1", "5", "是"]], "utf-8")
    code, _, err = run(capsys, "ingest", src, "--data", data)
    assert code == 2
    assert err == (
        "错误：汇算清缴.csv 缺少必填列：所属年度（year）（表头最接近表 "
        "企业所得税年度汇算清缴（tax_annual））。请补上这些列后重新导入，或用 --table 指定表名\n"
    )
    assert count(data, "tax_annual") == 3


def test_every_table_is_recognised_from_its_own_headers_labels_or_names():
    for table, columns in contract.TABLES.items():
        for kind in ("label", "name"):
            assert recognise([getattr(c, kind) for c in columns], "f.csv") == table, (table, kind)


def test_recognition_prefers_the_table_naming_more_headers():
    # 年度 is stats_annual's label only; 营业收入 fits tax_annual too: stats_annual names 3,
    # tax_annual 2
    assert recognise(["统一社会信用代码", "年度", "营业收入（万元）"], "f.csv") == "stats_annual"
    with pytest.raises(ingest.IngestError, match="^无法识别 f.csv 是哪张表：表头（甲、乙）"):
        recognise(["甲", "乙"], "f.csv")


def test_a_sheet_lacking_a_required_column_is_skipped_with_the_reason(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "名录"
    for row in (["统一社会信用代码", "企业名称"], [uscc(1), "甲"]):
        book.active.append(row)
    other = book.create_sheet("汇算")
    for row in (["统一社会信用代码", "加计扣除研发费用（万元）"], [uscc(1), "1"]):
        other.append(row)
    book.save(tmp_path / "b.xlsx")
    [conv] = ingest.prepare([Source.from_path(tmp_path / "b.xlsx")])
    assert conv.table == "enterprises"
    assert conv.notes[-1] == (
        "工作表 汇算 未导入：b.xlsx（工作表 汇算） 缺少必填列：所属年度（year）"
        "（表头最接近表 企业所得税年度汇算清缴（tax_annual））。请补上这些列后重新导入，"
        "或用 --table 指定表名"
    )


# -- 2. the manifest announces a switch before it happens ----------------------------------------


def test_switch_is_announced_then_confirmed(tmp_path):
    data = write_warehouse(tmp_path / "D", tax_annual=tax_annual(3))
    [result] = ingest.ingest(
        data, [Source.from_path(tax_annual_csv(tmp_path / "t.csv", range(1, 3)))]
    )
    lines = manifest.read(data)
    assert [(e["action"], e.get("txn")) for e in lines] == [
        ("ingest", result.version),
        ("done", result.version),
    ]
    assert manifest.claims(data)["tax_annual"] == manifest.Claim(result.version)
    assert recovery.agrees(data, "tax_annual") and count(data, "tax_annual") == 2


def enospc(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_disk_full_when_announcing_leaves_the_old_version_live_and_nothing_behind(
    tmp_path, monkeypatch
):
    data = write_warehouse(tmp_path / "D", tax_annual=tax_annual(3))
    before = data_version(data)
    real = manifest.append

    def append(d, entries):
        if any(e.get("txn") for e in entries):
            enospc()
        real(d, entries)

    monkeypatch.setattr(manifest, "append", append)
    src = tax_annual_csv(tmp_path / "t.csv", range(1, 3))
    with pytest.raises(ingest.IngestError, match="^磁盘空间不足：无法写入 "):
        ingest.ingest(data, [Source.from_path(src)], rejects_dir=tmp_path / "rej")
    assert data_version(data) == before and count(data, "tax_annual") == 3
    assert not (data / "tax_annual.parquet").is_symlink()
    assert not list((data / "_versions" / "tax_annual").glob("*.parquet.tmp"))
    [failure] = manifest.read(data)  # the failure is recorded
    assert failure["error"].startswith("磁盘空间不足") and recovery.agrees(data, "tax_annual")


def test_a_switch_that_fails_is_aborted_in_the_manifest_and_the_old_version_stays(
    tmp_path, monkeypatch
):
    data = write_warehouse(tmp_path / "D", tax_annual=tax_annual(3))
    ingest.ingest(data, [Source.from_path(tax_annual_csv(tmp_path / "a.csv", range(1, 4), 2024))])
    live = store.live(data, "tax_annual").version
    monkeypatch.setattr(store, "_point", enospc)
    with pytest.raises(ingest.IngestError, match="^磁盘空间不足：无法写入 "):
        ingest.ingest(data, [Source.from_path(tax_annual_csv(tmp_path / "b.csv", range(1, 4)))])
    assert store.live(data, "tax_annual").version == live
    actions = [e["action"] for e in manifest.read(data)]
    assert actions == ["ingest", "done", "ingest", "abort"]
    aborted = manifest.read(data)[2]["version"]
    assert not list((data / "_versions" / "tax_annual").glob(f"{aborted}*"))
    assert manifest.claims(data)["tax_annual"] == manifest.Claim(live)
    assert manifest.history(data)["结果"].to_list()[:2] == [
        f"失败：{manifest.read(data)[3]['error']}",
        "中断，未生效",
    ]


def test_lost_confirmation_is_settled_by_the_next_check(tmp_path, monkeypatch, capsys):
    data = write_warehouse(tmp_path / "D", tax_annual=tax_annual(3))
    real = manifest.append

    def append(d, entries):
        if entries[0]["action"] == "done":
            enospc()
        real(d, entries)

    monkeypatch.setattr(manifest, "append", append)
    [result] = ingest.ingest(
        data, [Source.from_path(tax_annual_csv(tmp_path / "t.csv", range(1, 3)))]
    )
    assert result.written and "下次导入或检查时自动补记" in result.notes[-1]
    assert manifest.claims(data)["tax_annual"].txn == result.version  # announced, live
    assert recovery.agrees(data, "tax_annual")
    monkeypatch.undo()
    code, _, err = run(capsys, "check", "--data", data, "--json")
    assert f"已生效（版本 {result.version}），已补记" in err
    assert manifest.claims(data)["tax_annual"] == manifest.Claim(result.version)


# -- the ingest process killed at each step of the write ----------------------------------------

KILLER = """
import os, signal, sys
from kechuang import ingest
from kechuang.ingest import manifest, store

step, data, src = sys.argv[1:4]


def die(at):
    if step == at:
        os.kill(os.getpid(), signal.SIGKILL)


def wrap(module, name, before=None, after=None, when=lambda *a: True):
    real = getattr(module, name)

    def wrapped(*args, **kwargs):
        if before and when(*args):
            die(before)
        out = real(*args, **kwargs)
        if after and when(*args):
            die(after)
        return out

    setattr(module, name, wrapped)


wrap(ingest, "write_parquet", before="before_temp_write", after="after_temp_write")
wrap(store, "write_version", after="after_version")
wrap(manifest, "append", after="after_manifest", when=lambda d, e: e[0]["action"] == "ingest")
wrap(store, "switch", after="after_switch")
wrap(manifest, "append", after="after_done", when=lambda d, e: e[0]["action"] == "done")
ingest.ingest(data, [ingest.Source.from_path(src)], user="kill-test")
print("not killed")
"""

STEPS = {  # step -> rows live once the next check has settled it (3 before, 2 after)
    "before_temp_write": 3,
    "after_temp_write": 3,
    "after_version": 3,
    "after_manifest": 3,
    "after_switch": 2,
    "after_done": 2,
}


@pytest.mark.parametrize("adopted", [True, False], ids=["plain-file", "versioned"])
def test_killed_at_each_write_step_manifest_and_link_agree(tmp_path, capsys, adopted):
    for step, settled_rows in STEPS.items():
        data = write_warehouse(tmp_path / step / "D", tax_annual=tax_annual(3))
        if not adopted:  # live data already a version made by an ingest
            ingest.ingest(
                data, [Source.from_path(tax_annual_csv(tmp_path / step / "a.csv", range(1, 4)))]
            )
        src = tax_annual_csv(tmp_path / step / "t.csv", range(1, 3), 2024)
        done = subprocess.run(
            [sys.executable, "-c", KILLER, step, str(data), str(src)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == -9, (step, done.stdout, done.stderr)
        # raw, right after the kill: the manifest says what is live (or which switch is under way)
        assert recovery.agrees(data, "tax_annual"), step
        assert count(data, "tax_annual") in (3, 2)
        code, _, _ = run(capsys, "check", "--data", data, "--json")
        assert code == 0, step
        claim = manifest.claims(data).get("tax_annual")
        if claim is None:  # no line about the table: the file found before any ingest is live
            assert adopted and store.live(data, "tax_annual").kind == "file", step
        else:
            assert claim.txn is None, step  # settled
            assert recovery.is_live(data, "tax_annual", claim.version), step
        assert count(data, "tax_annual") == settled_rows, step
        assert not list(data.rglob("*.tmp")) and not list(data.glob(".*.link")), step
        kept = {p.name.split(".")[0] for p in (data / "_versions" / "tax_annual").iterdir()}
        named = {v for e in manifest.read(data) for v in (e.get("version"), e.get("previous"))}
        live = store.live(data, "tax_annual").version
        assert kept <= named | {live}, step  # no version that nothing refers to
        [again] = ingest.ingest(data, [Source.from_path(src)])  # and the next ingest works
        assert count(data, "tax_annual") == 2 and recovery.agrees(data, "tax_annual"), step
        assert again.written == (settled_rows == 3), step


# -- a real full disk: a small tmpfs --------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        reason = f"cannot mount a 2 MB tmpfs ({done.stderr.strip() or done.returncode})"
        print(reason)
        pytest.skip(reason)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """A filler file taking all but about `leave` bytes."""
    stat = os.statvfs(disk)
    free = stat.f_bavail * stat.f_frsize
    filler = disk / "filler.bin"
    with filler.open("wb") as f:
        f.write(b"\0" * max(free - leave, 0))
    return filler


def test_full_disk_refuses_cleanly_and_the_next_ingest_works(tmp_path, small_disk, capsys):
    data = write_warehouse(small_disk / "D", tax_annual=tax_annual(3))
    src = tmp_path / "big.csv"  # about 100 KB of Parquet: cannot fit in what is left
    src.write_text(
        "统一社会信用代码,所属年度,营业收入（万元）\n"
        + "".join(f"{uscc(i)},2024,{i * 7919 % 100003}.{i % 97}\n" for i in range(1, 6001)),
        encoding="utf-8",
    )
    filler = fill(small_disk, 24 * 1024)
    before = data_version(data)
    code, _, err = run(capsys, "ingest", src, "--data", data)
    assert (
        err == f"错误：磁盘空间不足：无法写入 {data / '_versions' / 'tax_annual'}。"
        "请清理磁盘后重新导入，现有数据未改动\n"
    )
    assert code == 2
    assert data_version(data) == before and count(data, "tax_annual") == 3
    assert not list(data.rglob("*.tmp")) and not list(data.glob(".*.link"))
    assert all(recovery.agrees(data, t) for t in contract.TABLES)
    assert manifest.read(data)[-1]["error"].startswith(
        "磁盘空间不足"
    )  # recorded once space was freed
    filler.unlink()
    code, out, _ = run(capsys, "ingest", src, "--data", data)
    assert code == 0 and count(data, "tax_annual") == 6000, out
    assert recovery.agrees(data, "tax_annual")


# -- 3. a replace that drops more than half of the rows needs --force ----------------------------


def test_issue_repro_shrinking_replace_needs_force(tmp_path, capsys):
    data = write_warehouse(tmp_path / "D", tax_annual=tax_annual(5))
    two = tax_annual_csv(tmp_path / "two.csv", range(1, 3))
    code, _, err = run(capsys, "ingest", two, "--data", data)
    assert code == 2 and err == (
        "错误：整表替换将使 企业所得税年度汇算清缴（tax_annual）从 5 行减少到 2 行，删去 3 行，"
        "超过一半：未导入，数据未改动。如确认要替换，请加 --force 重新导入\n"
    )
    assert count(data, "tax_annual") == 5 and manifest.read(data)[-1]["error"] == err[3:-1]
    code, out, _ = run(capsys, "ingest", two, "--data", data, "--dry-run")
    assert code == 0 and "正式导入时需确认：整表替换将使" in out and count(data, "tax_annual") == 5
    code, out, _ = run(capsys, "ingest", two, "--data", data, "--force")
    assert code == 0 and "已确认替换：整表替换将使" in out and count(data, "tax_annual") == 2


def test_shrink_boundary_exactly_half_goes_through(tmp_path):
    data = write_warehouse(tmp_path / "D", tax_annual=tax_annual(4))
    [result] = ingest.ingest(
        data, [Source.from_path(tax_annual_csv(tmp_path / "t.csv", range(1, 3)))]
    )
    assert result.written and result.rows_total == 2  # 4 -> 2 drops half, not more


TAX_HEAD = ["统一社会信用代码", "所属期", "开票销售额（万元）"]


def test_replace_periods_shrinking_one_period_needs_force(tmp_path):
    data = write_warehouse(
        tmp_path / "D",
        tax_monthly=[
            {"uscc": uscc(n), "period": date(2026, m, 1), "invoiced_sales_wan": 1.0}
            for n in (1, 2, 3)
            for m in (1, 2)
        ],
    )
    one = write_csv(tmp_path / "feb.csv", [TAX_HEAD, [uscc(1), "2026-02", "5"]], "utf-8")
    with pytest.raises(ingest.ShrinkRefused) as refused:
        ingest.ingest(data, [Source.from_path(one)])
    assert refused.value.what == (
        "按所属期替换将使 增值税开票（tax_monthly）2026年2月从 3 行减少到 1 行，共删去 2 行"
    )
    assert refused.value.dropped == 2 and count(data, "tax_monthly") == 6
    two = write_csv(
        tmp_path / "feb2.csv",
        [TAX_HEAD, [uscc(1), "2026-02", "5"], [uscc(2), "2026-02", "5"]],
        "utf-8",
    )
    [result] = ingest.ingest(data, [Source.from_path(two)])  # 3 -> 2: a third, fine
    assert result.rows_total == 5


def test_upload_page_asks_before_a_shrinking_replace(tmp_path, monkeypatch):
    from test_checks import run_page

    data = write_warehouse(tmp_path / "D", tax_annual=tax_annual(5))
    at = run_page("views/upload.py", data, monkeypatch)
    body = tax_annual_csv(tmp_path / "two.csv", range(1, 3)).read_bytes()
    at.file_uploader(key="upload_files").set_value(("two.csv", body, "text/csv"))
    at.run()
    at.button(key="upload_go").click().run()
    assert not at.exception
    assert at.warning[0].value == (
        "整表替换将使 企业所得税年度汇算清缴（tax_annual）从 5 行减少到 2 行，删去 3 行，"
        "超过一半，尚未导入。请确认文件完整、确实要替换。"
    )
    assert at.button(key="upload_force").label == "确认替换（删去 3 行）"
    assert count(data, "tax_annual") == 5
    at.button(key="upload_force").click().run()
    assert not at.exception and count(data, "tax_annual") == 2
    assert not at.warning and at.dataframe[0].value.to_dict("records")[0]["结果"] == "已写入新版本"


# -- 4. 数据质量 with an unreadable table ----------------------------------------------------------


def test_quality_page_with_an_unreadable_table_shows_it_and_the_history(tmp_path, monkeypatch):
    from test_checks import run_page

    data = write_warehouse(tmp_path / "D", enterprises=[firm(1)])
    (data / "patents.parquet").write_bytes(b"not parquet at all")
    ingest.ingest(data, [Source.from_path(tax_annual_csv(tmp_path / "t.csv", range(1, 3)))])
    at = run_page("views/data_status.py", data, monkeypatch)
    assert [s.value for s in at.subheader][-1] == "导入记录"
    picker = at.selectbox(key="quality_finding")
    assert picker.value.check == "table_unreadable" and picker.value.table == "patents"
    shown = [df.value for df in at.dataframe if "问题" in df.value.columns][0]
    assert shown.to_dict("records")[0]["数据表"] == "知识产权"
    assert shown.to_dict("records")[0]["问题"].startswith("表 patents 无法读取")
    assert any(
        "t.csv" in df.value.get("文件", []).to_list()
        for df in at.dataframe
        if "文件" in df.value.columns
    )


# -- 5. rejects files never overwrite each other --------------------------------------------------


def test_issue_repro_same_named_files_in_one_call_keep_their_own_rejects(tmp_path):
    data = write_warehouse(tmp_path / "D", enterprises=[firm(1)])
    head = ["统一社会信用代码", "企业名称"]
    jan, feb = tmp_path / "jan", tmp_path / "feb"
    jan.mkdir(), feb.mkdir()
    a = write_csv(jan / "名录.csv", [head, [uscc(2), "乙"], ["X1", "坏一"]], "utf-8")
    b = write_csv(feb / "名录.csv", [head, [uscc(3), "丙"], ["X2", "坏二"]], "utf-8")
    [result] = ingest.ingest(
        data, [Source.from_path(a), Source.from_path(b)], rejects_dir=tmp_path / "rej"
    )
    assert [f.name for f in result.files] == ["jan/名录.csv", "feb/名录.csv"]
    paths = result.rejects_paths
    assert [p.name for p in paths["jan/名录.csv"]] == [
        f"jan_名录_未导入_enterprises_{result.version}.csv"
    ]
    assert [p.name for p in paths["feb/名录.csv"]] == [
        f"feb_名录_未导入_enterprises_{result.version}.csv"
    ]
    assert "X1" in paths["jan/名录.csv"][0].read_text("utf-8-sig")
    assert "X2" in paths["feb/名录.csv"][0].read_text("utf-8-sig")
    lines = {e["file"]: e["rejects"] for e in ingest_lines(data)}
    assert lines == {n: [str(p) for p in ps] for n, ps in paths.items()}


def test_same_named_uploads_and_same_second_ingests_get_distinct_rejects(tmp_path):
    data = tmp_path / "D"
    head = "统一社会信用代码,企业名称\n"
    one = Source("名录.csv", data=(head + f"{uscc(1)},甲\nX1,坏一\n").encode())
    two = Source("名录.csv", data=(head + f"{uscc(2)},乙\nX2,坏二\n").encode())
    [r1] = ingest.ingest(data, [one, two], rejects_dir=tmp_path / "rej")
    assert [f.name for f in r1.files] == ["名录.csv", "名录（2）.csv"]
    three = Source("名录.csv", data=(head + f"{uscc(1)},甲\n{uscc(2)},乙\nX3,坏三\n").encode())
    [r2] = ingest.ingest(data, [three], rejects_dir=tmp_path / "rej")  # within the same second
    files = sorted(p.name for p in (tmp_path / "rej").iterdir())
    assert files == sorted(
        [
            f"名录_未导入_enterprises_{r1.version}.csv",
            f"名录（2）_未导入_enterprises_{r1.version}.csv",
            f"名录_未导入_enterprises_{r2.version}.csv",
        ]
    )
    assert all((tmp_path / "rej" / f).stat().st_size > 0 for f in files)


# -- 6. debris from crashes is cleaned and reported -----------------------------------------------


def test_issue_repro_debris_is_cleaned_by_check_and_reported(tmp_path, capsys):
    data = write_warehouse(tmp_path / "D", tax_annual=tax_annual(3))
    [r] = ingest.ingest(
        data, [Source.from_path(tax_annual_csv(tmp_path / "t.csv", range(1, 4), 2024))]
    )
    vdir = data / "_versions" / "tax_annual"
    kept = sorted(p.name for p in vdir.iterdir())
    debris = [
        vdir / "20991231T000000000001.parquet.tmp",  # a killed write
        vdir / "20991231T000000000002.parquet",  # an orphan version with only a .json.tmp
        vdir / "20991231T000000000002.json.tmp",
        vdir / "20991231T000000000003.parquet",  # an extra adopted version of a killed ingest
        vdir / "20991231T000000000003.json",
        data / ".tax_annual.parquet.4242.link",
    ]
    for path in debris:
        path.write_bytes(b"x")
    code, _, err = run(capsys, "check", "--data", data, "--json")
    assert code == 0 and err.startswith("已清理中断或失败留下的文件：")
    assert "等 6 个" in err
    assert not any(p.exists() for p in debris) and sorted(p.name for p in vdir.iterdir()) == kept
    assert manifest.read(data)[-1]["action"] == "cleanup"
    assert sorted(manifest.read(data)[-1]["removed"]) == sorted(
        str(p.relative_to(data)) for p in debris
    )
    assert store.live(data, "tax_annual").version == r.version and count(data, "tax_annual") == 3
    (vdir / "x.parquet.tmp").write_bytes(b"")
    [again] = ingest.ingest(
        data, [Source.from_path(tax_annual_csv(tmp_path / "u.csv", range(1, 4)))]
    )
    assert again.notes[0] == "已清理中断或失败留下的文件：_versions/tax_annual/x.parquet.tmp"


# -- 7. failure messages --------------------------------------------------------------------------


def test_issue_repro_duckdb_disk_full_reads_as_disk_full_and_is_recorded(tmp_path, monkeypatch):
    import duckdb

    def full(con, sql, path):
        raise duckdb.IOException(
            'IO Error: Async write failed for file "x.parquet.tmp": '
            "No space left on device (errno 28)"
        )

    data = write_warehouse(tmp_path / "D", tax_annual=tax_annual(3))
    monkeypatch.setattr(ingest, "write_parquet", full)
    with pytest.raises(ingest.IngestError) as failed:
        ingest.ingest(data, [Source.from_path(tax_annual_csv(tmp_path / "t.csv", range(1, 4)))])
    assert str(failed.value) == (
        f"磁盘空间不足：无法写入 {data / '_versions' / 'tax_annual'}。请清理磁盘后重新导入，"
        "现有数据未改动"
    )
    assert manifest.read(data)[-1]["error"] == str(failed.value)
    assert manifest.history(data)["结果"][0] == f"失败：{failed.value}"


def test_a_rejects_file_is_never_left_empty(tmp_path, monkeypatch):
    from kechuang.ingest import rejects

    data = write_warehouse(tmp_path / "D", enterprises=[firm(1)])
    monkeypatch.setattr(rejects.tables, "csv_bytes", enospc)
    src = write_csv(
        tmp_path / "e.csv",
        [["统一社会信用代码", "企业名称"], [uscc(2), "乙"], ["X", "坏"]],
        "utf-8",
    )
    with pytest.raises(ingest.IngestError, match="^磁盘空间不足"):
        ingest.ingest(data, [Source.from_path(src)], rejects_dir=tmp_path / "rej")
    assert list((tmp_path / "rej").iterdir()) == []
    assert count(data, "enterprises") == 1 and recovery.agrees(data, "enterprises")


# -- 8. rollback ----------------------------------------------------------------------------------


def three_versions(tmp_path) -> tuple[Path, list[str]]:
    data = write_warehouse(tmp_path / "D", enterprises=[firm(1)])
    head = ["统一社会信用代码", "企业名称"]
    vids = []
    for n in (2, 3):
        src = write_csv(
            tmp_path / f"v{n}.csv", [head] + [[uscc(i), "甲"] for i in range(1, n + 1)], "utf-8"
        )
        vids.append(ingest.ingest(data, [Source.from_path(src)])[0].version)
    return data, vids


def test_issue_repro_rollback_when_the_live_file_is_gone_restores_the_newest_readable(
    tmp_path, capsys
):
    data, (v2, v3) = three_versions(tmp_path)
    (data / "_versions" / "enterprises" / f"{v3}.parquet").unlink()
    code, out, _ = run(capsys, "check", "--data", data, "--json")
    [lost] = [f for f in json.loads(out) if f["check"] == "table_unreadable"]
    assert (
        code == 1
        and lost["table"] == "enterprises"
        and "ingest --rollback enterprises" in lost["example"]
    )
    assert ingest.rollback_candidates(data) == ["enterprises"]
    entry = ingest.rollback(data, "enterprises")
    assert (entry["previous"], entry["version"]) == (v3, v2)
    assert count(data, "enterprises") == 2 and recovery.agrees(data, "enterprises")


def test_an_ingest_over_a_lost_version_rolls_back_past_it(tmp_path):
    data, (v2, v3) = three_versions(tmp_path)
    (data / "_versions" / "enterprises" / f"{v3}.parquet").unlink()
    src = write_csv(
        tmp_path / "v4.csv", [["统一社会信用代码", "企业名称"], [uscc(9), "玖"]], "utf-8"
    )
    [v4] = ingest.ingest(data, [Source.from_path(src)])
    assert v4.previous == v3 and count(data, "enterprises") == 1
    entry = ingest.rollback(data, "enterprises")
    assert (entry["previous"], entry["version"]) == (v4.version, v2)
    assert count(data, "enterprises") == 2


def test_rollback_skips_an_unreadable_parent_to_an_older_version(tmp_path):
    data, (v2, v3) = three_versions(tmp_path)
    (data / "_versions" / "enterprises" / f"{v3}.parquet").unlink()
    (data / "_versions" / "enterprises" / f"{v2}.parquet").write_bytes(b"cut short")
    entry = ingest.rollback(data, "enterprises")
    adopted = store.meta(data, "enterprises", v2)["parent"]
    assert entry["version"] == adopted and count(data, "enterprises") == 1


def test_issue_repro_rollback_of_a_version_without_metadata_is_refused(tmp_path, capsys):
    data, (_v2, v3) = three_versions(tmp_path)
    (data / "_versions" / "enterprises" / f"{v3}.json").unlink()
    code, _, err = run(capsys, "ingest", "--rollback", "enterprises", "--data", data)
    assert code == 2 and err == (
        f"错误：表 enterprises 的当前版本缺少版本信息文件 "
        f"{data / '_versions' / 'enterprises' / (v3 + '.json')}，"
        "无法确定上一版本：未回退，数据未改动\n"
    )
    assert store.live(data, "enterprises").version == v3 and count(data, "enterprises") == 3


# -- 9. future dates, ragged rows, check's exit status ---------------------------------------------


def test_issue_repro_future_dates_and_periods_are_flagged_with_row_numbers(tmp_path):
    src = write_csv(
        tmp_path / "e.csv",
        [
            ["统一社会信用代码", "企业名称", "成立日期"],
            [uscc(1), "甲", "2030-01-01"],
            [uscc(2), "乙", "2099-12-31"],
            [uscc(3), "丙", "2026-11-26"],
        ],
        "utf-8",
    )
    [r] = ingest.ingest(tmp_path / "D", [Source.from_path(src)], today=date(2026, 11, 26))
    assert r.flags.to_dicts() == [
        {
            "文件": "e.csv",
            "行号": 2,
            "提示": "“成立日期”晚于2026年11月26日：2030-01-01（已导入，请核实）",
        },
        {
            "文件": "e.csv",
            "行号": 3,
            "提示": "“成立日期”晚于2026年11月26日：2099-12-31（已导入，请核实）",
        },
    ]
    months = write_csv(
        tmp_path / "m.csv",
        [TAX_HEAD, [uscc(1), "2026-10", "1"], [uscc(1), "2026-11", "1"], [uscc(1), "2099-01", "1"]],
        "utf-8",
    )
    [conv] = ingest.prepare([Source.from_path(months)], today=date(2026, 10, 31))
    assert conv.flagged.select("_row", "_flag").rows() == [
        (3, "“所属期”在2026年10月之后：2026-11（已导入，请核实）"),
        (4, "“所属期”在2026年10月之后：2099-01（已导入，请核实）"),
    ]
    years = write_csv(
        tmp_path / "y.csv",
        [TAX_ANNUAL_HEAD, [uscc(1), "2027", "1"], [uscc(2), "2028", "1"]],
        "utf-8",
    )
    [conv] = ingest.prepare([Source.from_path(years)], today=date(2026, 11, 26))
    assert conv.flagged.select("_row", "_flag").rows() == [
        (3, "“所属年度”晚于2027年：2028（已导入，请核实）")
    ]


def test_cli_as_of_sets_the_day_after_which_dates_are_flagged(tmp_path, capsys):
    src = write_csv(
        tmp_path / "m.csv",
        [TAX_HEAD, [uscc(1), "2026-10", "1"], [uscc(1), "2026-11", "1"]],
        "utf-8",
    )
    code, out, _ = run(capsys, "ingest", src, "--data", tmp_path / "D", "--as-of", "2026-10-31")
    assert (
        code == 0 and "提示 m.csv 第3行：“所属期”在2026年10月之后：2026-11（已导入，请核实）" in out
    )


def test_issue_repro_ragged_csv_rows_are_flagged(tmp_path):
    text = (
        "合同登记号,本地主体统一社会信用代码,对方名称\r\n"
        f"T1,{uscc(1)},甲,多出,,\r\n"  # row 2: one extra cell with content, trailing empties
        f"T2,{uscc(2)}\r\n"  # row 3: short
        f"T3,{uscc(3)},丙,,\r\n"  # row 4: only empty extras
    )
    flags = [
        (2, "本行比表头多出 1 个有内容的单元格，未导入：多出（请核实是否错列）"),
        (3, "本行只有 2 个单元格，少于表头的 3 列：缺少的列记为空，请核实"),
    ]
    [conv] = ingest.prepare([Source("c.csv", data=text.encode("utf-8"))])
    assert conv.rows.select("contract_id", "counterparty").rows() == [
        ("T1", "甲"),
        ("T2", None),
        ("T3", "丙"),
    ]
    assert conv.flagged.select("_row", "_flag").rows() == flags
    quoted = text.replace("甲,", '"甲\r\n（联合体）",')  # a quoted line break: rows are records
    [conv] = ingest.prepare([Source("q.csv", data=quoted.encode("utf-8"))])
    assert conv.rows["counterparty"].to_list() == ["甲\r\n（联合体）", None, "丙"]
    assert conv.flagged.select("_row", "_flag").rows() == flags


def test_cells_beyond_the_header_in_a_workbook_are_flagged(tmp_path):
    src = write_xlsx(
        tmp_path / "c.xlsx", [["合同登记号", "本地主体统一社会信用代码"], ["T1", uscc(1), "附注"]]
    )
    [conv] = ingest.prepare([Source.from_path(src)])
    assert conv.flagged.select("_row", "_flag").rows() == [
        (2, "本行比表头多出 1 个有内容的单元格，未导入：附注（请核实是否错列）")
    ]


def test_check_exits_nonzero_on_an_error_finding_and_keeps_its_json(tmp_path, capsys):
    clean = write_warehouse(tmp_path / "ok", enterprises=[firm(1)])
    code, out, _ = run(capsys, "check", "--data", clean, "--json")
    assert code == 0 and all(f["severity"] == "warning" for f in json.loads(out))
    broken = write_warehouse(tmp_path / "bad", enterprises=[firm(1)])
    (broken / "patents.parquet").write_bytes(b"junk")
    code, out, _ = run(capsys, "check", "--data", broken, "--json")
    [bad] = [f for f in json.loads(out) if f["check"] == "table_unreadable"]
    assert code == 1 and set(bad) == {"table", "check", "severity", "rows", "example"}
    dup = write_warehouse(tmp_path / "dup", enterprises=[firm(1), firm(1, name="又一个")])
    code, out, _ = run(capsys, "check", "--data", dup)
    assert code == 1 and "duplicate_keys" in out


# -- 10. a workbook saved under a .csv name --------------------------------------------------------


def test_issue_repro_renamed_xlsx_is_read_by_its_content(tmp_path, capsys):
    src = write_xlsx(tmp_path / "名录.csv", [["统一社会信用代码", "企业名称"], [uscc(1), "甲"]])
    code, out, err = run(capsys, "ingest", src, "--data", tmp_path / "D")
    assert code == 0, err
    assert (
        "名录.csv 的内容是Excel 工作簿（.xlsx），与扩展名不符：已按Excel 工作簿（.xlsx）读取" in out
    )
    assert table_rows(tmp_path / "D", "enterprises")[0]["name"] == "甲"
    with pytest.raises(ingest.IngestError, match="^old.csv 是旧版 Excel \\(.xls\\) 文件"):
        ingest.prepare([Source("old.csv", data=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)])


def test_check_flags_periods_after_the_as_of_month(tmp_path, capsys):
    data = write_warehouse(
        tmp_path / "D",
        enterprises=[firm(1)],
        tax_monthly=[{"uscc": uscc(1), "period": date(2026, 11, 1), "invoiced_sales_wan": 1.0}],
    )
    code, out, _ = run(capsys, "check", "--data", data, "--json", "--as-of", "2026-10-31")
    found = [(f["table"], f["check"], f["rows"]) for f in json.loads(out)]
    assert code == 0 and ("tax_monthly", "out_of_range", 1) in found  # a warning: exit 0
    code, out, _ = run(capsys, "check", "--data", data, "--json", "--as-of", "2026-11-30")
    assert ("tax_monthly", "out_of_range", 1) not in [
        (f["table"], f["check"], f["rows"]) for f in json.loads(out)
    ]
