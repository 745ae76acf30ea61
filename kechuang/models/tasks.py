"""The task breakdown (任务分解表): every task of the plan with its departments, its metrics and
where they stand."""

from __future__ import annotations

from dataclasses import dataclass

from kechuang.engine.metrics import METRIC_BY_ID, SEVERITY, Progress
from kechuang.engine.plan import Plan
from kechuang.zh import fmt
from kechuang.zh.labels import STATUS_LABELS


@dataclass(frozen=True)
class TaskRow:
    no: int
    action: str
    task: str
    departments: str
    metrics: str  # the labels of the metrics the task is measured by ("—" when none)
    status: str | None  # the worst status of its paced metrics
    status_text: str
    detail: str  # each metric: actual / target (status)


def task_breakdown(rows: list[Progress], plan: Plan | None) -> list[TaskRow]:
    """Every task of the plan with its departments, its metrics and where they stand."""
    if plan is None:
        return []
    by_id = {p.id: p for p in rows}
    out = []
    for t in plan.tasks:
        mine = [by_id[m] for m in t.metrics if m in by_id]
        judged = [p for p in mine if p.status is not None]
        details = []
        for p in mine:
            if p.target is None:
                details.append(f"{p.label} {fmt.amount(p.actual, p.unit)}（跟踪指标）")
            else:
                details.append(
                    f"{p.label} {fmt.amount(p.actual, p.unit)} / {fmt.amount(p.target, p.unit)}"
                    f"（{STATUS_LABELS[p.status] if p.status else '数据暂缺'}）"
                )
        status = min((p.status for p in judged), key=SEVERITY.get) if judged else None
        if not t.metrics:
            text = "无量化指标"
        elif status is not None:
            text = STATUS_LABELS[status]
        elif all(p.target is None for p in mine) and any(p.actual is not None for p in mine):
            text = "跟踪指标"
        else:
            text = "数据暂缺"
        out.append(
            TaskRow(
                t.no,
                t.action,
                t.task,
                "、".join(t.departments),
                "、".join(METRIC_BY_ID[m].label for m in t.metrics if m in METRIC_BY_ID) or "—",
                status,
                text,
                "；".join(details),
            )
        )
    return out
