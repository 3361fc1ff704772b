//! Placeholder; filled in by the tests for module backup.
