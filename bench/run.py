"""make bench: time the data work behind every page at county and province scale.

Cold = the first run in a fresh Python process: opening the warehouse and the workload (imports
excluded); warm = median of 5 runs after it in that process; peak = the resident-set
high-water mark of that process. Demo data is made once under bench/cache/. Measures, never asserts.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / "cache"
AS_OF = date(2026, 10, 30)
WARM_RUNS = 5


def _sql(wh, sql: str):
    """Run ad-hoc SQL on its own cursor, after the warehouse has prepared the tables it reads."""
    wh.prepare(sql)
    cur = wh.cursor()
    try:
        return cur.sql(sql).fetchall()
    finally:
        cur.close()


# The reference workload done plainly, over the contract views: per town and month, then
# YoY.
PLAIN_MONTHLY_YOY = """
with m as (
    select e.town, t.period, sum(t.invoiced_sales_wan) as sales
    from tax_monthly t left join enterprises e on e.uscc = t.uscc
    group by all
)
select m.town, m.period, m.sales, p.sales as last_year, m.sales / p.sales - 1 as yoy
from m left join m as p
    on p.town is not distinct from m.town and p.period = m.period - interval 1 year
order by all
"""


def _workloads():
    """name -> function(warehouse): the package calls each page makes."""
    from kechuang.engine import metrics, prefetch, profile, screening
    from kechuang.engine.plan import load_plan
    from kechuang.models import overview as cockpit
    from kechuang.models import workbench
    from kechuang.models.programmes import contracts, iur, services
    from kechuang.output import summary
    from kechuang.output import workbook as export

    plan = load_plan(AS_OF.year)

    chosen = {}

    def one_firm(wh):
        if wh not in chosen:  # which firm is not part of the timed page work after the first run
            chosen[wh] = _sql(wh, "select min(uscc) from enterprises")[0][0]
        return profile.enterprise_file(wh, chosen[wh], AS_OF)

    return {
        "cockpit (总览)": lambda wh: cockpit.overview(wh, AS_OF, plan, None),
        "progress (目标进度)": lambda wh: metrics.progress(wh, AS_OF, plan, prefetch.Shared()),
        # The screening page: every evaluated firm screened and counted by filter keys, candidates
        # and near misses listed with their gaps (workbench.screen_page, one query).
        "HNTE screen (精准筛选)": lambda wh: workbench.screen_page(
            wh, AS_OF, screening.HnteThresholds()
        ),
        # Like for like with the pandas baseline: every firm evaluated, the candidates returned.
        "HNTE screen, candidates only": lambda wh: screening.screen(wh, AS_OF),
        "near misses (差一项)": lambda wh: screening.near_misses(wh, AS_OF),
        "gazelle (瞪羚)": lambda wh: screening.gazelle_candidates(wh, AS_OF),
        "rd_coverage + 清零": lambda wh: metrics.rd_coverage(wh, AS_OF).by_town(),
        "enterprise file (一企一档)": one_firm,
        "contracts (技术合同)": lambda wh: (
            contracts.contracts_view(wh, AS_OF, 1_000_000.0),
            contracts.prospects(wh, AS_OF),
        ),
        "iur (产学研)": lambda wh: iur.iur_view(wh, AS_OF, 100.0),
        "services (科小二)": lambda wh: services.services_view(wh, AS_OF, 100.0),
        # 简报导出 on a visit computes the briefing text; the workbook is built when 生成简报 is
        # clicked.
        "briefing page (简报导出)": lambda wh: summary.briefing_text(wh, AS_OF, plan),
        "briefing workbook (生成简报)": lambda wh: export.briefing_workbook(wh, AS_OF),
        # Reference workloads of issue 9 (no page shows tax_monthly aggregates yet): through the
        # (town, month) summary (metrics.town_monthly_sales), the same done plainly on every call,
        # and the floor.
        "monthly sales by town, YoY": lambda wh: metrics.town_monthly_sales(wh, AS_OF),
        "monthly sales by town, YoY (plain SQL)": lambda wh: _sql(wh, PLAIN_MONTHLY_YOY),
        "scan floor: sum tax_monthly": lambda wh: _sql(
            wh, "select sum(invoiced_sales_wan) from tax_monthly"
        ),
    }


def pandas_screen(data: Path):
    """A plain pandas HNTE screen (load, then compute), the baseline of issue 9."""
    import pandas as pd

    def read(name):
        path = data / f"{name}.parquet"
        return pd.read_parquet(path if path.exists() else data / name)

    ent, tax, stats, pat, cert = (
        read(t)
        for t in ("enterprises", "tax_annual", "stats_annual", "patents", "hnte_certificates")
    )
    as_of = pd.Timestamp(AS_OF)
    y = tax.loc[tax.year < AS_OF.year, "year"].max()
    money = tax.merge(stats, on=["uscc", "year"], how="outer", suffixes=("_t", "_s"))
    money["revenue"] = money.revenue_wan_t.fillna(money.revenue_wan_s)
    money["rd"] = money.rd_expense_wan_t.fillna(money.rd_expense_wan_s)
    win = money[money.year.between(y - 2, y) & money.revenue.notna()].assign(
        rd0=lambda d: d.rd.fillna(0)
    )
    sums = win.groupby("uscc").agg(rev3=("revenue", "sum"), rd3=("rd0", "sum"))
    rev_y = money[money.year == y].set_index("uscc").revenue.rename("rev_y")
    rev_y1 = money[money.year == y - 1].set_index("uscc").revenue.rename("rev_y1")
    st = stats[stats.year == y].set_index("uscc")[["rd_staff", "employees", "total_assets_wan"]]
    ip = (
        pat[pat.valid & (pd.to_datetime(pat.granted_on) <= as_of)]
        .groupby("uscc")
        .size()
        .rename("n_ip")
    )
    issued = pd.to_datetime(cert.issued_on)
    holders = set(cert.uscc[(issued <= as_of) & (as_of < issued + pd.DateOffset(years=3))])
    f = ent.set_index("uscc").join([sums, rev_y, rev_y1, st, ip])
    f = f[f.status.isin(["存续", "在业"]) & ~f.index.isin(holders)]
    thr = pd.Series(0.03, index=f.index).where(f.rev_y > 20000, 0.04).where(f.rev_y > 5000, 0.05)
    f["pass_age"] = pd.to_datetime(f.established_on) <= as_of - pd.DateOffset(years=1)
    f["pass_ip"] = f.n_ip.fillna(0) >= 1
    f["pass_rd"] = f.rd3 >= f.rev3 * thr
    f["pass_staff"] = f.rd_staff >= f.employees * 0.1
    f["pass_growth"] = f.rev_y >= f.rev_y1 * 1.2
    f["pass_sme"] = (f.employees <= 500) & (f.rev_y <= 20000) & (f.total_assets_wan <= 20000)
    return f[f.filter(like="pass_").all(axis=1)]


def run_one(scale: str, name: str, warm: int) -> dict:
    """In this process: cold run, warm median, peak RSS (MiB)."""
    from kechuang.engine.warehouse import Warehouse

    data = CACHE / scale
    start = time.perf_counter()
    if name == "pandas HNTE screen":
        func = lambda _wh: pandas_screen(data)  # noqa: E731
        wh = None
    else:
        func = _workloads()[name]
        wh = Warehouse(data)
    func(wh)
    cold = time.perf_counter() - start
    times = []
    for _ in range(warm):
        t = time.perf_counter()
        func(wh)
        times.append(time.perf_counter() - t)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"cold_s": cold, "warm_s": statistics.median(times), "peak_mib": peak}


def ensure_data(scale: str) -> Path:
    out = CACHE / scale
    if not (out / "enterprises.parquet").exists():
        print(f"making {scale} demo data under {out} …", flush=True)
        # In a child process: ru_maxrss survives fork + exec, so a big parent would inflate every
        # peak.
        subprocess.run(
            [sys.executable, "-m", "kechuang", "demo-data", "--out", str(out), "--scale", scale],
            check=True,
            cwd=ROOT,
        )
    return out


def main() -> None:
    if sys.argv[1:] == ["load"]:  # make bench-load: only the load section
        update_load_section()
        return
    if len(sys.argv) == 4 and sys.argv[1] == "--one":  # child process: one workload, JSON out
        scale, name = sys.argv[2], sys.argv[3]
        print(json.dumps(run_one(scale, name, WARM_RUNS if scale == "county" else 3)))
        return
    names = [*_workloads(), "pandas HNTE screen"]
    rows = []
    for scale in ("county", "province"):
        ensure_data(scale)
        for name in names:
            started = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-m", "bench.run", "--one", scale, name],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            wall = time.perf_counter() - started
            if out.returncode:
                print(
                    f"{scale:8} {name:32} FAILED: {out.stderr.strip().splitlines()[-1]}", flush=True
                )
                rows.append((scale, name, None))
                continue
            result = json.loads(out.stdout.strip().splitlines()[-1]) | {"process_s": wall}
            rows.append((scale, name, result))
            print(
                f"{scale:8} {name:32} cold {result['cold_s']:7.3f} s  warm "
                f"{result['warm_s'] * 1000:8.1f} ms  "
                f"peak {result['peak_mib']:6.0f} MiB",
                flush=True,
            )
    write_results(rows, first_page())
    update_load_section()


def update_load_section() -> None:
    """Run the load bench at 1, 10 and 30 sessions and put its table into bench/results.md."""
    from bench import load

    path = ROOT / "bench" / "results.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    path.write_text(load.replace_section(text, load.section(load.run_matrix())), encoding="utf-8")
    print("wrote the load section of bench/results.md")


def first_page() -> dict | None:
    """The county's fresh-start measurement (bench/first_page.py) in its own process; None when it
    cannot run."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.first_page", "county"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if out.returncode:
        print(
            "county   first page after a fresh start: FAILED: "
            f"{(out.stderr.strip().splitlines() or ['?'])[-1]}",
            flush=True,
        )
        return None
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"county   first page after a fresh start: {result['first_page_s']:.2f} s "
        f"(server up in {result['server_start_s']:.2f} s)",
        flush=True,
    )
    return result


def write_results(rows, fresh: dict | None = None) -> None:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    lines = [
        "# Benchmark results",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {platform.machine()}, {os.cpu_count()} "
        f"cores, {mem:.0f} GiB, "
        f"Python {platform.python_version()}. Command: `make bench` (`python -m bench.run`).",
        "Cold = first run in a fresh process (warehouse open + query, imports excluded; it "
        "includes the one-off work of a",
        "new data version: checking which text columns are clean and building the summaries the "
        "workload reads); warm =",
        "median of 5 (county) or 3 (province) runs after it, on the same warehouse (no result is "
        "cached between runs: each",
        "run queries again, through the summaries); peak = the process's max RSS. Goals (issue "
        "9): county warm ≤ 100 ms per",
        "page; province warm ≤ 1 s per page, screen ≤ 1 s, peak ≤ 2 GB, screen ≥ 10× faster than "
        "pandas; aggregate pages",
        "within 3× of the scan floor or faster through summaries. The cockpit row is the "
        "overview's one call (warning list,",
        "county progress, cards, town table: cockpit.overview); the 精准筛选 row is the screening "
        "page's one query with its",
        "near-miss gaps (workbench.screen_page); 简报导出 computes the briefing text on a visit "
        "(page row) and builds the",
        "workbook only when 生成简报 is clicked (workbook row: queries, 13 sheets, 12 native "
        "charts, zipped XLSX).",
        "",
        "| scale | workload | cold (s) | warm (ms) | peak (MiB) |",
        "|---|---|---|---|---|",
    ]
    for scale, name, r in rows:
        if r is None:
            lines.append(f"| {scale} | {name} | failed | | |")
        else:
            lines.append(
                f"| {scale} | {name} | {r['cold_s']:.3f} | {r['warm_s'] * 1000:.1f} | "
                f"{r['peak_mib']:.0f} |"
            )
    for scale in ("county", "province"):
        got = {n: r for s, n, r in rows if s == scale and r}
        if "pandas HNTE screen" in got and "HNTE screen, candidates only" in got:
            ratio = (
                got["pandas HNTE screen"]["warm_s"] / got["HNTE screen, candidates only"]["warm_s"]
            )
            lines.append(
                f"\n{scale}: pandas screen / DuckDB screen (warm; like for like: every firm "
                "evaluated, the "
                f"candidates returned; near misses not included) = {ratio:.1f}×"
            )
        if "pandas HNTE screen" in got and "HNTE screen (精准筛选)" in got:
            ratio = got["pandas HNTE screen"]["warm_s"] / got["HNTE screen (精准筛选)"]["warm_s"]
            lines.append(
                f"{scale}: pandas screen / the screening page's work (the screen, counts by "
                "filter keys, near-miss "
                f"gaps: more than pandas computes) = {ratio:.1f}×"
            )
        monthly, floor = (
            got.get("monthly sales by town, YoY"),
            got.get("scan floor: sum tax_monthly"),
        )
        if monthly and floor:
            lines.append(
                f"{scale}: monthly sales by town with YoY (through the summary) / scan floor "
                "(warm) = "
                f"{monthly['warm_s'] / floor['warm_s']:.2f}×"
            )
        pages = {n: r for n, r in got.items() if n != "pandas HNTE screen"}
        if pages:
            worst = max(pages.items(), key=lambda kv: kv[1]["peak_mib"])
            lines.append(
                f"{scale}: highest peak of the app's workloads: {worst[1]['peak_mib']:.0f} MiB "
                f"({worst[0]})"
            )
    if fresh is not None:
        lines.append(
            "\ncounty: fresh `streamlit run serve.py` — server answers its health check after "
            f"{fresh['server_start_s']:.2f} s; "
            f"then the login page in {fresh['login_page_s']:.2f} s and, after login, the "
            "overview's first target row in "
            f"{fresh['overview_after_login_s']:.2f} s: first page {fresh['first_page_s']:.2f} s "
            "(goal ≤ 2.5 s, issue 23; bench/first_page.py)."
        )
    else:
        lines.append(
            "\ncounty: fresh-start measurement not run (bench/first_page.py failed; see the "
            "console)."
        )
    (ROOT / "bench" / "results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("wrote bench/results.md")


if __name__ == "__main__":
    main()
