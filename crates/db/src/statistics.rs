//! Statistics of inspections and hazards for a period and an organisation subtree (stub).
