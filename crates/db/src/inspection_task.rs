//! inspection_task (stub: filled in by the hazard issue).
