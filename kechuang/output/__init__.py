"""What leaves as a file: the briefing workbook, 简报文字, per-table CSV/XLSX."""
