-- Two more cache topics (crates/db/src/cache.rs, migration 0017):
--   hazard   — any change of a hazard or of an extension request (what the hazard ledger's capped
--              counts read: `hazard`, and `hazard_extension` for the extensions to decide);
--   campaign — any change of a campaign or of the units it covers (the campaign choices of the
--              hazard and inspection forms and filters).
-- The hazard ledger's count was about a quarter of a list page's SQL on SQLite (0.5–0.7 ms of
-- ~1.3 ms), a keyword's count over its window 5 ms; the campaign choices 0.2–0.3 ms on every
-- hazard page. Both are now kept while these generations stand still.
INSERT INTO cache_generation (topic, n) VALUES ('hazard', 0), ('campaign', 0);

CREATE TRIGGER hazard_generation AFTER INSERT OR UPDATE OR DELETE ON hazard
FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_generation('hazard');

CREATE TRIGGER hazard_extension_generation AFTER INSERT OR UPDATE OR DELETE ON hazard_extension
FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_generation('hazard');

CREATE TRIGGER campaign_generation AFTER INSERT OR UPDATE OR DELETE ON campaign
FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_generation('campaign');

CREATE TRIGGER campaign_org_generation AFTER INSERT OR UPDATE OR DELETE ON campaign_org
FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_generation('campaign');
