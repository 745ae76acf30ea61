-- A firm as the work records know it: its name and town, from the register (the town decides who may
-- record for it). Read on the county's warehouse, so a firm of another town is found and refused.
-- Grain: one row per enterprise with that USCC (none when unknown). Params: $uscc.
select uscc, name, town
from enterprises
where uscc = $uscc
