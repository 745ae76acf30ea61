"""The programme pages' numbers (技术合同, 产学研, 科创项目招引, 科小二服务, 科创专员, 培训), one
module each.

Each module's `*_view(wh, as_of, ...)` returns everything its page shows. Headline figures come from
the metrics engine (`metrics.metric_actual`, `monthly_series`), so they equal the cockpit's; the
breakdowns are built from the same rows and add up to them.
"""
