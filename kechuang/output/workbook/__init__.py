"""The briefing workbook (简报): one function, briefing_workbook, behind the 简报导出 page and
`kechuang export`.

Sheets: 封面 (as-of date, scope, sources' freshness, generated-at, the briefing text, contents);
目标进度 (every target, with a native bar chart); one sheet per action programme of the plan
(企业孵化行动, ...) with the monthly series of each countable metric and a native line chart each;
高企候选; 差一项企业; 研发清零分镇区 (with a chart); 研发清零清单; 重点企业未走访. Every number
comes from metrics / screening / worklists; a sheet whose data is absent says which data is missing.
The same as-of date, scope and data give the same content from the page and the CLI; only the
generated-at time (on the cover and in the file properties) differs.

One module per job: `book` (the sheets in order, the queries started at once), `sheet` (what every
sheet shares: names, formats, print setup, the context), `progress` (目标进度), `series` (one sheet
per action programme), `lists` (the worklist and work-record sheets), `cover` (封面).
"""

from kechuang.output.workbook.book import UnknownTown, briefing_workbook

__all__ = ["UnknownTown", "briefing_workbook"]
