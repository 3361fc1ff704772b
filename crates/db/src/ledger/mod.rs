//! Safety work ledgers (安全工作台账): funding, training, publicity, drills, meetings and
//! responsibility letters, with their period statistics.
