"""ingest: department files into the data directory (kechuang/ingest)."""

from __future__ import annotations

import sys
from pathlib import Path

from kechuang import settings
from kechuang.cli.common import BadInput, _emit, audit_cli


def add_ingest_parser(sub, common) -> None:
    ingest = sub.add_parser(
        "ingest", parents=[common], help="导入部门数据文件（CSV/Excel/Parquet）"
    )
    ingest.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help="数据文件：CSV（UTF-8 或 GBK）、Excel .xlsx、Parquet",
    )
    ingest.add_argument("--table", help="表名（默认：按表头自动识别）")
    ingest.add_argument(
        "--mode",
        choices=["replace", "append", "replace-periods"],
        help="replace 整表替换（默认）；append 追加；replace-periods 按所属期替换（tax_monthly "
        "默认）",
    )
    ingest.add_argument("--user", help="经办人（默认：当前系统用户）")
    ingest.add_argument("--dry-run", action="store_true", help="只检查、不写入")
    ingest.add_argument("--rejects", help="未导入行文件的输出目录（默认：数据目录下 _rejects/）")
    ingest.add_argument("--rollback", metavar="TABLE", help="恢复该表导入前的上一版本")
    ingest.add_argument(
        "--force", action="store_true", help="确认替换：允许一次删去某表（或某期）一半以上的行"
    )


def _ingest_data_dir(args) -> Path:
    data = args.data or settings.current().data
    if not data:
        raise BadInput("请用 --data 指定要导入的数据目录（或设置环境变量 KECHUANG_DATA）")
    return Path(data)


def cmd_ingest(args) -> None:
    from kechuang import ingest

    data = _ingest_data_dir(args)
    try:
        if args.rollback:
            if args.sources:
                raise BadInput("--rollback 不与数据文件同用：回退时不要给出文件")
            entry = ingest.rollback(data, args.rollback, user=args.user)
            audit_cli(
                args,
                "ingest",
                f"回退 {args.rollback}：恢复版本 {entry['version'] or '（无）'}，"
                f"撤下 {entry['previous']}" + (f"，经办人 {args.user}" if args.user else ""),
            )
            for note in entry["notes"]:
                print(note, file=sys.stderr)
            if args.json:
                _emit(entry, True)
            else:
                print(
                    f"已回退表 {args.rollback}：恢复到版本 "
                    f"{entry['version'] or '（导入前无此表）'}（撤下版本 {entry['previous']}）"
                )
            return
        if not args.sources:
            raise BadInput(
                "请给出要导入的数据文件，例如：python -m kechuang ingest 企业名录.xlsx --data DIR"
            )
        sources = [ingest.Source.from_path(p) for p in args.sources]
        rejects = Path(args.rejects) if args.rejects else data / "_rejects"
        results = ingest.ingest(
            data,
            sources,
            table=args.table,
            mode=args.mode,
            user=args.user,
            dry_run=args.dry_run,
            rejects_dir=rejects,
            force=args.force,
            today=args.as_of,
        )
    except ingest.IngestError as err:
        raise BadInput(str(err)) from None
    except OSError as err:
        from kechuang.ingest.errors import write_problem

        raise BadInput(write_problem(err, err.filename or data)) from None
    for r in results:
        if r.written or r.repeat:
            audit_cli(
                args,
                "ingest",
                f"导入 {r.table}（{'、'.join(f.name for f in r.files)}），"
                f"方式 {r.mode}：接受 {r.rows_accepted} 行，未导入 {r.rows_rejected} 行"
                + (f"，版本 {r.version}" if r.version else "")
                + (f"，经办人 {args.user}" if args.user else ""),
            )
    if args.json:
        _emit([r.as_json() for r in results], True)
    else:
        for r in results:
            _print_ingest(r, args.dry_run)
    if any(r.rows_accepted == 0 and not r.repeat for r in results):
        raise BadInput("有文件没有一行可导入（原因见未导入行文件），数据未改动")


def _print_ingest(r, dry_run: bool) -> None:
    from kechuang.engine.contract import TABLE_LABELS

    verb = (
        "检查"
        if dry_run
        else ("重复导入（数据未变）" if r.repeat else ("已导入" if r.written else "未导入"))
    )
    print(
        f"{verb} {r.table}（{TABLE_LABELS[r.table]}），方式 {r.mode}：接受 {r.rows_accepted} "
        f"行，未导入 {r.rows_rejected} 行，"
        f"提示 {r.rows_flagged} 行"
        + (f"；表内现有 {r.rows_total} 行，版本 {r.version}" if r.version else "")
    )
    for note in r.notes:
        print(f"  {note}")
    for row in r.flags.head(5).iter_rows(named=True):
        print(f"  提示 {row['文件']} 第{row['行号']}行：{row['提示']}")
    for paths in r.rejects_paths.values():
        for p in paths:
            print(f"  未导入的行及原因：{p}（修正后可重新导入）")
