"""Thirty cadres open the link at once: N simulated sessions against a fresh server.

Each session is a websocket client speaking Streamlit's own protocol (bench/protocol.py), not a
browser, so one machine can drive dozens. A session signs in as the demo analyst (the login form's
widgets, filled as a browser fills them), opens 总览, picks its own town in the sidebar's 镇区
filter (session i takes town i of the list, round robin), then cycles 目标进度 → 精准筛选 →
技术合同 → 研发活动清零 in whole cycles, at least one, until S seconds have passed, pausing
--think seconds (default 2) on each page as a reader does. Every page of the cycle is read whole
(text, tables' Arrow data, charts' specs) for town names: it must name its own town and no other
(`foreign_town_views`: a cross-session or cross-scope leak would show here). 总览 is not checked:
it compares every town on purpose (the chosen town is highlighted, not filtered).

Memory: rss_start is the server's resident memory after one warm-up session has signed in, done
the cycle once and left, and the server has then used no CPU for 5 s (every town's pages computed
ahead, kechuang/ui/ahead.py: a server started before the meeting; ahead_s is that wait): its warm
level; rss_peak the highest sample (every 0.1 s) while the N sessions run and after; rss_after
the level --after seconds (default 60) after they have all closed. server_cpu_s is the server's
CPU time during the N sessions; sign_in_* the time from opening the app to the first page after
登录 (logins queue: one argon2 check at a time). A run that does not finish within 120 s is an
error, as is an exception on any page. Measures, never asserts:

    .venv/bin/python -m bench.load --sessions 30 --seconds 60 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import threading
import time
from pathlib import Path

from bench.protocol import MAIN, SIDEBAR, Page, ProtocolError, Session
from bench.server import ROOT, Server, app_server

CYCLE = (
    "progress",
    "screening",
    "contracts",
    "rd-zero",
)  # 目标进度 → 精准筛选 → 技术合同 → 研发活动清零
USER = "analyst"  # sees every page of the cycle and picks any town
ALL_TOWNS = "全县"
# A person reads a page before tapping the next one; 0 makes every session a tight loop (a stress
# test, whose switch times then measure the queue: N sessions × the server's CPU per page).
THINK_S = 2.0
KEYS = (
    "sessions",
    "switches",
    "p50_s",
    "p95_s",
    "max_s",
    "errors",
    "foreign_town_views",
    "rss_start_mib",
    "rss_peak_mib",
    "rss_after_mib",
    "server_cpu_s",
)


async def sign_in(session: Session, user: str, password: str) -> Page:
    """The login step, alone: open the app, fill 用户名 and 密码, press 登录; return the next page.

    Today's login is the form in kechuang/ui/access.py (widget ids read from the login page's
    deltas). A different sign-in (e.g. a session cookie) changes only this function."""
    page = await session.run(query_string="")
    name = page.widget("text_input", "用户名", MAIN)
    password_box = page.widget("text_input", "密码", MAIN)
    button = page.widget("button", "登录", MAIN)
    if not (name and password_box and button):
        raise ProtocolError("the login page has no 用户名/密码/登录 form")
    session.set_text(name.id, user)
    session.set_text(password_box.id, password)
    session.click(button.id)
    page = await session.run()
    if page.exceptions:
        raise ProtocolError(f"the page after login: {page.exceptions[0][:200]}")
    ticket = _ticket_path(page)
    if ticket is not None:  # serve.py: the browser fetches its cookie while the page shows
        await session.fetch_cookie(ticket)
    # The form is gone after login: a browser forgets its widgets.
    for widget in (name, password_box):
        session.widgets.pop(widget.id, None)
    return _signed_in(page)


def _signed_in(page: Page) -> Page:
    if page.widget("text_input", "密码", MAIN) is not None:
        raise ProtocolError("login refused: the login form is still shown")
    return page


def _ticket_path(page: Page) -> str | None:
    """The /auth/session?ticket=… address the page after 登录 has the browser fetch (serve.py;
    kechuang/ui/login.py hand_over_cookie), or None (app.py run alone keeps the session in the
    tab)."""
    for element in page.elements[MAIN]:
        if element.WhichOneof("type") == "html":
            found = re.search(r'"([^"]*/auth/session\?ticket=[^"]+)"', element.html.body)
            if found:
                return found.group(1)
    return None


def _password(user: str) -> str:
    from kechuang.access import auth

    return next(p for name, _, p, _, _ in auth.DEMO_ACCOUNTS if name == user)


class Tally:
    """What all sessions saw (one asyncio loop: no locks needed)."""

    def __init__(self):
        self.switch_s: list[float] = []
        self.sign_in_s: list[float] = []  # from opening the app to the first page after 登录
        self.errors = 0
        self.foreign = 0
        self.samples: list[str] = []

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.samples) < 5:
            self.samples.append(what)


async def choose_town(session: Session, index: int) -> tuple[str, list[str]]:
    """Pick this session's town in the sidebar's 镇区 box (round robin); return it and all towns."""
    box = session.last.widget("selectbox", "镇区", SIDEBAR)
    if box is None:
        raise ProtocolError("no 镇区 filter in the sidebar")
    towns = [t for t in box.options if t != ALL_TOWNS]
    town = towns[index % len(towns)]
    session.set_text(box.id, town)
    page = await session.run()
    if f"town={town}" not in _query(page):
        raise ProtocolError(f"the town filter did not take {town}")
    if page.exceptions:
        raise ProtocolError(f"总览 for {town}: {page.exceptions[0][:200]}")
    return town, towns


def _query(page: Page) -> str:
    from urllib.parse import unquote_plus

    return unquote_plus(page.query_string)


def check_page(page: Page, wanted: str, town: str, towns: list[str], tally: Tally) -> None:
    """The page asked for, without an exception, naming its own town and no other."""
    if page.url_path != wanted:
        tally.error(f"asked for {wanted}, got {page.url_path}")
        return
    if page.exceptions:
        tally.error(f"{wanted}: {page.exceptions[0][:200]}")
        return
    text = page.text(MAIN)
    if town not in text:
        tally.error(f"{wanted}: the page does not name its town {town}")
    others = [t for t in towns if t != town and t in text]
    if others:
        tally.foreign += 1
        if len(tally.samples) < 5:
            tally.samples.append(f"{wanted} for {town} shows {'、'.join(others)}")


async def one_session(
    url: str, index: int, seconds: float, think: float, tally: Tally, start_at: float
) -> None:
    deadline = start_at + seconds
    try:
        async with Session(url) as session:
            started = time.perf_counter()
            await sign_in(session, USER, _password(USER))
            tally.sign_in_s.append(time.perf_counter() - started)
            town, towns = await choose_town(session, index)
            while True:  # whole cycles, at least one, until the time is up
                for wanted in CYCLE:
                    page = await session.run(wanted)
                    tally.switch_s.append(page.seconds)
                    check_page(page, wanted, town, towns, tally)
                    await asyncio.sleep(think)  # the cadre reads the page before the next tap
                if time.monotonic() >= deadline:
                    break
    except (ProtocolError, OSError, TimeoutError) as err:
        tally.error(f"session {index}: {type(err).__name__}: {err}")
    except (
        Exception
    ) as err:  # a websocket closed by the server, a malformed message: counted, not fatal
        tally.error(f"session {index}: {type(err).__name__}: {err}")


async def run_sessions(url: str, sessions: int, seconds: float, think: float = 0.0) -> Tally:
    tally = Tally()
    start_at = time.monotonic()
    await asyncio.gather(
        *(one_session(url, i, seconds, think, tally, start_at) for i in range(sessions))
    )
    return tally


class RssSampler(threading.Thread):
    """The server's resident memory every 0.1 s; `peak` since the last reset."""

    def __init__(self, server: Server):
        super().__init__(daemon=True)
        self.server, self.peak, self._done = server, 0.0, threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.1):
            try:
                self.peak = max(self.peak, self.server.rss_mib())
            except OSError:
                return

    def stop(self) -> None:
        self._done.set()
        self.join()


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def measure(data: Path, sessions: int, seconds: float, after: float, think: float = 0.0) -> dict:
    with app_server(data) as server:
        warm = _run(run_sessions(server.url, 1, 0.0))  # one session, one cycle: the warm level
        ahead_s = server.wait_idle()  # every town's pages computed ahead, as before a meeting
        rss_start = server.rss_mib()
        sampler = RssSampler(server)
        sampler.start()
        cpu = server.cpu_s()
        tally = _run(run_sessions(server.url, sessions, seconds, think))
        cpu = server.cpu_s() - cpu
        time.sleep(after)
        rss_after = server.rss_mib()
        sampler.stop()
    switch = tally.switch_s
    return {
        "sessions": sessions,
        "switches": len(switch),
        "p50_s": _round(_quantile(switch, 0.50)),
        "p95_s": _round(_quantile(switch, 0.95)),
        "max_s": _round(max(switch, default=None)),
        "errors": tally.errors + warm.errors,
        "foreign_town_views": tally.foreign + warm.foreign,
        "rss_start_mib": round(rss_start, 1),
        "rss_peak_mib": round(max(sampler.peak, rss_after), 1),
        "rss_after_mib": round(rss_after, 1),
        "server_cpu_s": round(cpu, 2),
        "sign_in_p50_s": _round(_quantile(tally.sign_in_s, 0.50)),
        "sign_in_max_s": _round(max(tally.sign_in_s, default=None)),
        "seconds": seconds,
        "think_s": think,
        "after_s": after,
        "ahead_s": round(ahead_s, 1),
        "error_samples": warm.samples + tally.samples,
    }


def _run(coroutine) -> Tally:
    """asyncio.run in a thread of its own: the caller may be running an event loop (pytest)."""
    out: dict = {}

    def target() -> None:
        try:
            out["value"] = asyncio.run(coroutine)
        except BaseException as err:  # noqa: BLE001 - raised again in the caller's thread
            out["error"] = err

    thread = threading.Thread(target=target, name="bench-sessions")
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


# -- make bench: 1, 10 and 30 sessions, each on a fresh server, as a table in bench/results.md --

MATRIX = (1, 10, 30)
SECTION = "## Load: simulated sessions (bench/load.py)"


def run_matrix(seconds: float = 60.0, after: float = 60.0) -> list[dict]:
    """Each row in its own process (a fresh server each); a failed run is a row saying so."""
    import subprocess
    import sys

    rows = []
    for n in MATRIX:
        args = ["--sessions", str(n), "--seconds", str(seconds), "--after", str(after), "--json"]
        out = subprocess.run(
            [sys.executable, "-m", "bench.load", *args], capture_output=True, text=True, cwd=ROOT
        )
        if out.returncode:
            reason = (out.stderr.strip().splitlines() or ["?"])[-1]
            print(f"load     {n:3} sessions FAILED: {reason}", flush=True)
            rows.append({"sessions": n, "failed": reason})
            continue
        row = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"load     {n:3} sessions: {json.dumps(row, ensure_ascii=False)}", flush=True)
        rows.append(row)
    return rows


def section(rows: list[dict]) -> str:
    """The results.md section of the load runs."""
    think = next((r["think_s"] for r in rows if "think_s" in r), THINK_S)
    lines = [
        SECTION,
        "",
        "Each row: a fresh `streamlit run serve.py` on county demo data, one warm-up session,",
        "then 5 s without CPU (every town's pages computed ahead, kechuang/ui/ahead.py; the",
        "level then is rss_start), then N sessions at once, each signed in as the demo analyst",
        "with its own town, cycling 目标进度 → 精准筛选 → 技术合同 → 研发活动清零 with a",
        f"{think:g} s pause on each page; switch = one page switch, from the request to the run's",
        "end; foreign = pages naming another town; rss_after = a minute after the sessions",
        "closed; sign-in = from opening the app to the page after 登录. Goals (issue 23): 30",
        "sessions p95 ≤ 2 s, 0 errors, 0 foreign, peak ≤ 1024 MiB, rss_after within 20% of",
        "rss_start. Command:",
        "`python -m bench.load --sessions N --seconds 60 --json`.",
        "",
        "| sessions | switches | p50 (s) | p95 (s) | max (s) | errors | foreign"
        " | rss start / peak / after (MiB) | server CPU (s) | sign-in p50 / max (s) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if "failed" in r:
            lines.append(f"| {r['sessions']} | failed: {r['failed']} | | | | | | | | |")
            continue
        lines.append(
            f"| {r['sessions']} | {r['switches']} | {r['p50_s']} | {r['p95_s']} | {r['max_s']} | "
            f"{r['errors']} | {r['foreign_town_views']} | {r['rss_start_mib']:.0f} / "
            f"{r['rss_peak_mib']:.0f} / {r['rss_after_mib']:.0f} | {r['server_cpu_s']} | "
            f"{r.get('sign_in_p50_s')} / {r.get('sign_in_max_s')} |"
        )
    return "\n".join(lines) + "\n"


def replace_section(text: str, new: str) -> str:
    """results.md with its load section replaced (or added at the end)."""
    start = text.find(SECTION)
    if start < 0:
        return text.rstrip("\n") + "\n\n" + new
    end = text.find("\n## ", start + len(SECTION))
    return text[:start] + new + ("\n" + text[end + 1 :] if end >= 0 else "")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long each session cycles")
    parser.add_argument("--after", type=float, default=60.0, help="wait before rss_after, seconds")
    parser.add_argument(
        "--think", type=float, default=THINK_S, help="pause after each page (reading), seconds"
    )
    parser.add_argument("--data", type=Path, default=None, help="data directory (default: county)")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON line")
    args = parser.parse_args(argv)
    if not (
        1 <= args.sessions <= 200
        and 0 <= args.seconds <= 3600
        and 0 <= args.after <= 600
        and 0 <= args.think <= 60
    ):
        parser.error("sessions 1–200, seconds 0–3600, after 0–600, think 0–60")
    if args.data is None:
        from bench.run import ensure_data

        args.data = ensure_data("county")
    result = measure(args.data.resolve(), args.sessions, args.seconds, args.after, args.think)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            print(f"{key:20} {value}")


if __name__ == "__main__":
    main()
