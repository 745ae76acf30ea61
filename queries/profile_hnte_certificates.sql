-- 一企一档 · 高企证书: one firm's HNTE certificates with the day each stops being valid.
-- Grain: one row per certificate. Params: $uscc.
select *, add_years(issued_on, 3) as valid_until from hnte_certificates where uscc = $uscc order by issued_on
