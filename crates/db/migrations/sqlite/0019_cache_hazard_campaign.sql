-- Two more cache topics (crates/db/src/cache.rs, migration 0017):
--   hazard   — any change of a hazard or of an extension request (what the hazard ledger's capped
--              counts read: `hazard`, and `hazard_extension` for the extensions to decide);
--   campaign — any change of a campaign or of the units it covers (the campaign choices of the
--              hazard and inspection forms and filters).
-- The hazard ledger's count was about a quarter of a list page's SQL on SQLite (0.5–0.7 ms of
-- ~1.3 ms), a keyword's count over its window 5 ms; the campaign choices 0.2–0.3 ms on every
-- hazard page. Both are now kept while these generations stand still. SQLite's row triggers bump per
-- row, as those of 0017.
INSERT INTO cache_generation (topic, n) VALUES ('hazard', 0), ('campaign', 0);

CREATE TRIGGER hazard_generation_insert AFTER INSERT ON hazard
BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = 'hazard'; END;
CREATE TRIGGER hazard_generation_update AFTER UPDATE ON hazard
BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = 'hazard'; END;
CREATE TRIGGER hazard_generation_delete AFTER DELETE ON hazard
BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = 'hazard'; END;

CREATE TRIGGER hazard_extension_generation_insert AFTER INSERT ON hazard_extension
BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = 'hazard'; END;
CREATE TRIGGER hazard_extension_generation_update AFTER UPDATE ON hazard_extension
BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = 'hazard'; END;
CREATE TRIGGER hazard_extension_generation_delete AFTER DELETE ON hazard_extension
BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = 'hazard'; END;

CREATE TRIGGER campaign_generation_insert AFTER INSERT ON campaign
BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = 'campaign'; END;
CREATE TRIGGER campaign_generation_update AFTER UPDATE ON campaign
BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = 'campaign'; END;
CREATE TRIGGER campaign_generation_delete AFTER DELETE ON campaign
BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = 'campaign'; END;

CREATE TRIGGER campaign_org_generation_insert AFTER INSERT ON campaign_org
BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = 'campaign'; END;
CREATE TRIGGER campaign_org_generation_update AFTER UPDATE ON campaign_org
BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = 'campaign'; END;
CREATE TRIGGER campaign_org_generation_delete AFTER DELETE ON campaign_org
BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = 'campaign'; END;
