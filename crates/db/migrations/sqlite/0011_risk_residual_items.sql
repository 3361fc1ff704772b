-- Issue 4 gaps: residual assessments are kept in each version like the inherent one (so a
-- re-assessment or a rule change that moves only the residual level is recorded with its why),
-- and an inspection item may name the risk point it checks (coupling, issue 4 §5).
-- Existing rows stay valid: every new column is NULL or empty for them.

ALTER TABLE risk_version ADD COLUMN residual_method TEXT CHECK (residual_method IN ('lec', 'ls', 'direct'));
ALTER TABLE risk_version ADD COLUMN residual_l INTEGER;
ALTER TABLE risk_version ADD COLUMN residual_e INTEGER;
ALTER TABLE risk_version ADD COLUMN residual_c INTEGER;
ALTER TABLE risk_version ADD COLUMN residual_s INTEGER;
ALTER TABLE risk_version ADD COLUMN residual_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE risk_version ADD COLUMN residual_score INTEGER;
ALTER TABLE risk_version ADD COLUMN residual_level_rank INTEGER CHECK (residual_level_rank BETWEEN 1 AND 4);

ALTER TABLE inspection_item ADD COLUMN risk_point_id INTEGER REFERENCES risk_point(id);
CREATE INDEX inspection_item_risk_point ON inspection_item(risk_point_id);
