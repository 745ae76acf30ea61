"""The plan file of a plan year (plans/<year>.toml): targets by metric id and the task breakdown."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

PLANS_DIR = Path(__file__).resolve().parents[2] / "plans"


@dataclass(frozen=True)
class Task:
    no: int
    action: str  # 重点工作
    task: str  # 主要任务
    departments: tuple[str, ...]  # 责任部门
    metrics: tuple[str, ...]  # metric ids the task is measured by (may be empty)


@dataclass(frozen=True)
class Plan:
    year: int
    title: str
    document: str
    targets: dict[str, float]
    tasks: tuple[Task, ...]

    def target(self, metric_id: str) -> float | None:
        return self.targets.get(metric_id)


class PlanError(Exception):
    """A plan file is missing or malformed."""


def load_plan(year: int, plans_dir: Path = PLANS_DIR) -> Plan | None:
    """The plan of a year, or None when no plan file exists for it."""
    path = plans_dir / f"{year}.toml"
    if not path.is_file():
        return None
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return Plan(
            year=int(raw["year"]),
            title=raw["title"],
            document=raw.get("document", ""),
            targets={k: float(v) for k, v in raw.get("targets", {}).items()},
            tasks=tuple(
                Task(
                    int(t["no"]),
                    t["action"],
                    t["task"],
                    tuple(t["departments"]),
                    tuple(t.get("metrics", ())),
                )
                for t in raw.get("tasks", ())
            ),
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as err:
        raise PlanError(f"计划文件 {path} 格式有误：{err}") from None
