-- 一企一档 · 参训记录: trainings the firm attended.
-- Grain: one row per training. Params: $uscc.
select trainings.* from training_attendance join trainings on trainings.training_id = training_attendance.training_id where training_attendance.uscc = $uscc order by trainings.held_on desc nulls last
