"""A fresh server's warm-up (kechuang/ui/warmup.py): every page's modules imported, then what is
loaded frozen, so Streamlit's full collection after each script run no longer walks it (issue 23).
Run in a child process: freezing is process-wide."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import gc, json, sys
from kechuang.ui import warmup
before = gc.get_freeze_count()
warmup.import_and_freeze()
frozen = gc.get_freeze_count()
warmup.import_and_freeze()  # once a process
again = gc.get_freeze_count()
print(json.dumps({
    "before": before, "frozen": frozen, "again": again,
    "modules": [m for m in warmup._modules() if m not in sys.modules],
    "overview": "kechuang.models.overview" in sys.modules,
    "walked": len(gc.get_objects()),  # what a full collection still walks
}))
"""


def test_warm_up_imports_every_page_module_then_freezes_once():
    done = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["before"] == 0
    assert found["frozen"] > 100_000  # pandas, Plotly, polars, DuckDB, SQLAlchemy, our modules
    assert found["again"] == found["frozen"]
    assert found["modules"] == []
    assert found["overview"]
    assert found["walked"] < found["frozen"] // 10  # the collection walks the few new objects


COLLECTOR = """
import gc, json, threading, time
from kechuang.ui import collector
gc.disable()  # only the collector's collections are counted
collector.INTERVAL_S = 1.0
collected = []
gc.callbacks.append(lambda phase, info: phase == "stop" and collected.append(info["generation"]))
for _ in range(20):  # twenty script runs within 0.2 s
    collector.ran()
    time.sleep(0.01)
time.sleep(1.5)
after_burst = list(collected)
time.sleep(1.5)  # no runs: no more collections
print(json.dumps({"burst": after_burst, "idle": collected[len(after_burst):],
                  "threads": [t.name for t in threading.enumerate()]}))
"""


def test_full_collections_are_shared_by_the_runs_of_two_seconds_not_one_per_run():
    """app.py calls collector.ran() on every run; runs within INTERVAL_S share one full collection,
    and an idle server runs none (Streamlit's own, after every run, is off in its config)."""
    done = subprocess.run(
        [sys.executable, "-c", COLLECTOR], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["burst"].count(2) == 1  # one full collection for the twenty runs
    assert found["idle"].count(2) == 0
    assert found["threads"].count("kechuang-gc") == 1
    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert "\n[runner]\n" in config and "\npostScriptGC = false\n" in config
