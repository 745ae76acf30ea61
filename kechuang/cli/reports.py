"""The figures' commands of cli.md: progress, screen, rd-zero, gazelle, profile, check, export,
demo-data."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import polars as pl

from kechuang import settings
from kechuang.cli.common import (
    BadInput,
    _as_of,
    _emit,
    _operator,
    as_seen,
    audit_cli,
    cli_user,
    open_warehouse,
)
from kechuang.engine import checks, contract, metrics, prefetch, screening
from kechuang.engine.plan import load_plan
from kechuang.engine.profile import UnknownEnterprise, enterprise_file
from kechuang.engine.uscc import problem as uscc_problem
from kechuang.engine.warehouse import Warehouse
from kechuang.zh import fmt
from kechuang.zh.labels import STATUS_LABELS


def cmd_progress(args) -> None:
    wh = open_warehouse(args)
    as_of = _as_of(args, wh)
    plan = load_plan(as_of.year)
    rows = metrics.progress(wh, as_of, plan, prefetch.Shared())
    if args.json:
        _emit(
            {"as_of": as_of, "plan_year": as_of.year, "metrics": [p.as_json() for p in rows]}, True
        )
        return
    print(f"截至{fmt.cn_date(as_of)}（{plan.title if plan else f'{as_of.year}年无计划文件'}）")
    for p in rows:
        share = fmt.pct(p.share_of_target) if p.share_of_target is not None else "—"
        pace = (
            f"，序时应完成 {fmt.pace_text(p.expected, p.unit)}"
            + (f"，差 {fmt.gap_text(p.actual, p.expected, p.unit)}" if p.gap else "")
            if p.status is not None and p.unit != "比率"
            else ""
        )
        print(
            f"  {p.label}: {fmt.amount(p.actual, p.unit)} / 目标 {fmt.amount(p.target, p.unit)}"
            f"（完成 {share}{pace}，{STATUS_LABELS[p.status]}）"
            + (f" {contract.missing_note(p.missing_tables)}" if p.missing_tables else "")
        )


SCREEN_FIELDS = [
    "uscc",
    "name",
    "town",
    "candidate",
    "pass_age",
    "pass_ip",
    "pass_rd_intensity",
    "pass_rd_staff",
    "pass_growth",
    "pass_sme",
    "rd_intensity",
    "revenue_growth",
    "rd_staff_ratio",
    "score",
]


def cmd_screen(args) -> None:
    wh = open_warehouse(args)
    as_of = _as_of(args, wh)
    rows = as_seen(args, screening.screen(wh, as_of, include_all=args.all).select(SCREEN_FIELDS))
    what = "全部参评企业" if args.all else "候选企业"
    audit_cli(
        args, "download", f"screen 高企精准筛选{what} {rows.height} 行，截至{as_of}", wh.scope
    )
    _emit(rows.to_dicts(), args.json, rows)


def cmd_rd_zero(args) -> None:
    wh = open_warehouse(args)
    as_of = _as_of(args, wh)
    rows = as_seen(
        args, metrics.rd_coverage(wh, as_of).worklist.select("uscc", "name", "town", "revenue_wan")
    )
    audit_cli(args, "download", f"rd-zero 研发活动清零清单 {rows.height} 行，截至{as_of}", wh.scope)
    _emit(rows.to_dicts(), args.json, rows)


def cmd_gazelle(args) -> None:
    wh = open_warehouse(args)
    as_of = _as_of(args, wh)
    rows = as_seen(
        args,
        screening.gazelle_candidates(wh, as_of).select(
            "uscc", "name", "town", "revenue_wan", "cagr", "in_cultivation"
        ),
    )
    audit_cli(args, "download", f"gazelle 瞪羚独角兽候选 {rows.height} 行，截至{as_of}", wh.scope)
    _emit(rows.to_dicts(), args.json, rows)


def cmd_profile(args) -> None:
    code = args.uscc.strip().upper()
    if len(code) != 18 or (uscc_problem(code) or "").startswith("统一社会信用代码含非法字符"):
        raise BadInput(f"{uscc_problem(code)}：{args.uscc}")
    wh = open_warehouse(args)
    as_of = _as_of(args, wh)
    try:
        file = enterprise_file(wh, code, as_of)
    except UnknownEnterprise:
        raise BadInput(
            f"未找到统一社会信用代码为 {code} 的企业（数据目录 {wh.data_dir}）"
        ) from None
    if args.as_user:
        from kechuang.access import redact

        file = redact.file_for(cli_user(args), file)
    audit_cli(
        args, "view_enterprise_file", f"{code} {file.registry.get('name') or ''}".strip(), wh.scope
    )
    if args.json:
        _emit({"as_of": as_of, **file.as_json()}, True)
        return
    reg = file.registry
    print(f"{reg['name']}（{reg['uscc']}）{reg['town'] or ''} {reg['status'] or ''}")
    for gap in file.checklist:
        print(
            f"  {screening.CRITERIA[gap.criterion]}：{screening.PASS_LABELS[gap.passed]} "
            f"{'' if gap.passed else gap.text}"
        )
    for name, frame in file.sections.items():
        print(f"  {name}: {frame.height} 行")
    if file.absent_sources:
        print(f"  无数据来源：{', '.join(file.absent_sources)}")


def cmd_check(args) -> int:
    """Findings as JSON or a table; exit 1 when one of them is an error (after settling crashed
    ingests)."""
    from kechuang.ingest import recovery

    data = Path(args.data or settings.current().data_dir)
    if data.is_dir():
        for note in recovery.tidy(data, _operator()):  # on stderr: the JSON shape stays
            print(note, file=sys.stderr)
    wh = open_warehouse(args, strict=False)
    found = checks.findings(wh, args.as_of)
    if args.as_user:  # the same redaction as the 数据质量 page (the scope is the warehouse's)
        from kechuang.access import redact

        found = redact.findings_for(cli_user(args), found)
    audit_cli(args, "download", f"check 数据质量检查 {len(found)} 项", wh.scope)
    if not found and not args.json:
        print("未发现数据问题。")
        return 0
    rows = pl.DataFrame(
        [f.as_json() for f in found],
        schema=["table", "check", "severity", "rows", "example"],
        orient="row",
    )
    _emit([f.as_json() for f in found], args.json, rows)
    return 1 if any(f.severity == "error" for f in found) else 0


def cmd_demo_data(args) -> None:
    from kechuang.demo import write_demo

    counts = write_demo(args.out, scale=args.scale, seed=args.seed)
    print(
        json.dumps(counts, ensure_ascii=False)
        if getattr(args, "json", False)
        else f"已写入 {args.out}：{counts}"
    )


EXPORT_SUFFIXES = (".docx", ".pdf", ".xlsx")


def cmd_export(args) -> None:
    from kechuang.output import pdf
    from kechuang.output import workbook as export

    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise BadInput(f"输出文件应以 .docx、.pdf 或 .xlsx 结尾：{args.out}")
    if not out.parent.is_dir():
        raise BadInput(f"输出目录不存在：{out.parent}（先创建该目录，或换一个 --out 路径）")
    if suffix == ".pdf" and pdf.soffice() is None:
        raise BadInput(pdf.INSTALL)
    wh = open_warehouse(args)
    as_of = _as_of(args, wh)
    try:
        # The workbook needs neither plotly nor a browser: not imported for it.
        if suffix == ".xlsx":
            export.briefing_workbook(wh, as_of, args.town, out, viewer=cli_user(args))
        else:
            _document(wh, as_of, args.town, out, viewer=cli_user(args))
    except export.UnknownTown as err:
        raise BadInput(str(err)) from None
    except OSError as err:
        raise BadInput(f"无法写入 {out}：{err.strerror or err}") from None
    from kechuang.access import audit

    try:  # the same trail as the app's exports
        audit.record(cli_user(args) or _operator(), "export", out.name, wh.scope)
    except OSError as err:
        print(
            f"警告：审计日志无法写入（{audit.default_path()}：{err.strerror or err}）",
            file=sys.stderr,
        )
    print(out.resolve())


def _document(wh: Warehouse, as_of: date, town: str | None, out: Path, viewer=None) -> None:
    """The Word or PDF briefing; no browser or LibreOffice is bad input saying what to install."""
    from kechuang.models import briefing
    from kechuang.output import figures, pdf

    try:
        briefing.write(wh, as_of, town, out, viewer=viewer)
    except (figures.Unavailable, figures.Failed, pdf.Unavailable, pdf.ConversionFailed) as err:
        raise BadInput(str(err)) from None
