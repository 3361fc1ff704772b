//! Safety work ledgers (安全工作台账): funding, training, publicity, drills, meetings and
//! responsibility letters, with their period statistics.
//!
//! One table (`ledger_entry`, told apart by `kind`) and one code path for all six: the fields each
//! ledger uses come from `anjian_domain::ledger::LedgerKind::fields`, so parsing, listing, export
//! and import are written once. Every call checks the permission and the caller's scope.
//!
//! CONTRACT (used by the half-year summary, issue 7, and the home page): `statistics`,
//! `LedgerStatistics` and `todo`, `LedgerTodo` keep these names and shapes.

mod attachments;
mod boards;
mod entry;
mod import;
mod input;
mod items;
mod search;
pub mod settings;
mod stats;
mod write;

pub use attachments::{add_attachments, remove_attachment};
pub use boards::{
    drill_board, drill_board_with, letter_board, meeting_board, training_hours,
    training_hours_with, DrillBoardRow, LetterBoardRow, MeetingBoardRow, PersonHours,
};
pub use entry::{
    export_page, get, get_row, Entry, EntryAttachment, EntryDetail, ExportCursor, Item,
    LedgerFilter,
};
pub use import::{columns, import_rows, RowError, MAX_ROWS};
pub use input::{ItemInput, LedgerInput, NewEntry};
pub use items::{item_done, people_for_picker, todo, LedgerTodo};
pub use search::{list, search, LedgerPage, COUNT_CAP};
pub use stats::{statistics, statistics_with, CategoryFunding, LedgerStatistics, UnitStatistics};
pub use write::{create, delete, update};

/// Today in Asia/Shanghai.
pub fn today() -> chrono::NaiveDate {
    anjian_domain::time::today(crate::now())
}
