-- 科创专员名册（不含姓名）: commissioners appointed on or before the as-of date who had not left
-- before the plan year began (so every departure in the year is here), with whether they serve on
-- the as-of date. Names are personal data and deliberately not selected.
-- Grain: one row per commissioner. Params: $as_of.
select
    commissioners.commissioner_id,
    commissioners.role,
    commissioners.field,
    commissioners.organization,
    commissioners.joined_on,
    case when commissioners.left_on <= $as_of then commissioners.left_on end as left_on,
    commissioners.left_on is null or commissioners.left_on > $as_of as is_serving
from commissioners
where commissioners.joined_on <= $as_of
  and (commissioners.left_on is null or commissioners.left_on >= make_date(year($as_of), 1, 1))
order by commissioners.joined_on, commissioners.commissioner_id
