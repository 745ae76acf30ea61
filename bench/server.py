"""A fresh `streamlit run serve.py` (what `make run` serves) on bench data, a free loopback port,
throwaway accounts and log.

Shared by bench/first_page.py (one browser) and bench/load.py (many protocol sessions): the server's
start, its health check, its resident memory and CPU time (from /proc), and its stop."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_TICKS = os.sysconf("SC_CLK_TCK")
# What `make run` serves: app.py behind the Host check and the sign-in cookie routes (serve.py). A
# session signs in as a browser does there: the form, then /auth/session sets the cookie.
SCRIPT = "serve.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    started_s: float  # from the start of the process until it answered its health check

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_mib(self) -> float:
        """Resident memory now (VmRSS of /proc/<pid>/status), MiB."""
        with open(f"/proc/{self.pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS line")

    def wait_idle(self, quiet: float = 5.0, timeout: float = 600.0) -> float:
        """Wait until the server has used no CPU to speak of (< 5%) for `quiet` seconds — longer
        than the 3 s it waits idle before computing its pages ahead (kechuang/ui/ahead.py QUIET_S),
        so they are done; return the seconds waited."""
        started = time.perf_counter()
        calm, last = 0.0, self.cpu_s()
        while calm < quiet and time.perf_counter() - started < timeout:
            time.sleep(0.5)
            now = self.cpu_s()
            calm = calm + 0.5 if now - last < 0.025 else 0.0
            last = now
        return time.perf_counter() - started

    def cpu_s(self) -> float:
        """User + system CPU time the server has used so far (/proc/<pid>/stat), seconds."""
        with open(f"/proc/{self.pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS


@contextmanager
def app_server(data: Path, *, env: dict[str, str] | None = None, timeout: float = 60.0):
    """Start the app on `data` (demo accounts, throwaway users file); yield a Server; stop it."""
    from kechuang.access import auth

    with tempfile.TemporaryDirectory(prefix="kechuang_bench_") as tmp:
        users = Path(tmp) / "users.json"
        auth.ensure_demo_users(users)
        port = free_port()
        full_env = {
            **os.environ,
            "KECHUANG_DATA": str(data),
            "KECHUANG_USERS": str(users),
            "KECHUANG_AUDIT": str(Path(tmp) / "audit.jsonl"),
            "MALLOC_ARENA_MAX": "2",  # as `make run` and the README's service unit serve it
            **(env or {}),
        }
        args = ["--server.port", str(port), "--server.address", "127.0.0.1"]
        args += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", SCRIPT, *args],
            cwd=ROOT,
            env=full_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                        break
                except OSError:
                    if time.perf_counter() - started > timeout or process.poll() is not None:
                        raise RuntimeError(
                            f"the app did not start within {timeout:.0f} s"
                        ) from None
                    time.sleep(0.05)
            yield Server(process, url, time.perf_counter() - started)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
