//! inspection (stub: filled in by the hazard issue).
