-- 企业检索: enterprises whose name contains a fragment or whose USCC starts with it.
-- Grain: one row per matching enterprise, at most 50. Params: $text.
select uscc, name, town, industry_code, status
from enterprises
where contains(name, $text) or starts_with(uscc, upper($text))
order by starts_with(uscc, upper($text)) desc, length(name), uscc
limit 50
