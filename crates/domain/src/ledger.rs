//! Safety work ledgers: categories, minimums and intervals (issue 5).
