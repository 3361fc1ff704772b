-- Several shifts a day (e.g. 08:30–20:30 白班 and 20:30–08:30 夜班, issue 6): each shift of a
-- roster day carries the name the roster gave it. Empty for the default single 24-hour shift and
-- for rows written before this migration, which the pages show by their times alone.
ALTER TABLE duty_shift ADD COLUMN shift_name TEXT NOT NULL DEFAULT '';
