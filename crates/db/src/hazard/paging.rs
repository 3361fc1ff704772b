//! The ledger in pages for exports that must not hold it all in memory: a cursor in the
//! ledger's order (found date, then id, newest first) and windows of found dates sized from the
//! density met so far.

use chrono::NaiveDate;

use super::HazardFilter;
use crate::error::Result;
use crate::hazard::Hazard;
use crate::query::Db;
use crate::Ctx;

/// Where an export has got to in the ledger's order (found date, then id, newest first).
#[derive(Debug, Clone, Default)]
pub struct LedgerCursor {
    last: Option<(NaiveDate, i64)>,
    /// Rows already returned that carry the date of `last`.
    at_last_date: i64,
    /// The newest found date the next window may hold (None: not started, no upper bound).
    hi: Option<NaiveDate>,
    /// Days the next window spans, adapted to how many hazards a day the ledger has.
    span: i64,
    done: bool,
}

impl LedgerCursor {
    pub fn done(&self) -> bool {
        self.done
    }

    /// Remembers the rows handed out.
    fn advance(&mut self, fresh: &[Hazard]) {
        let Some(last) = fresh.last() else { return };
        let same = fresh.iter().filter(|h| h.found_on == last.found_on).count() as i64;
        self.at_last_date = match self.last {
            Some((d, _)) if d == last.found_on => self.at_last_date + same,
            _ => same,
        };
        self.last = Some((last.found_on, last.id));
    }
}

/// Days of the first window; later windows follow the density met so far.
const FIRST_SPAN: i64 = 31;

fn days_before(d: NaiveDate, n: i64) -> NaiveDate {
    d.checked_sub_days(chrono::Days::new(n.max(0) as u64))
        .unwrap_or(NaiveDate::MIN)
}

/// The next page of up to `limit` ledger rows after `cur`, in the ledger's order, for exports
/// that must not hold the whole ledger in memory.
///
/// Each query reads a window of found dates `[lo, hi]` sized from the density met so far to hold
/// about one and a half pages, so the database sorts a few thousand rows per page instead of
/// everything below the cursor (an organisation-scoped ledger query sorts all its matches), and no
/// page costs an OFFSET scan. When a window runs dry, one probe finds the newest row below it (or
/// the end), so gaps in the ledger cost one query. Only the rows already returned on the boundary
/// date are read twice; a single day with more hazards than a page is read whole.
pub async fn ledger_page(
    db: &Db,
    ctx: &Ctx,
    f: &HazardFilter,
    cur: &mut LedgerCursor,
    limit: i64,
) -> Result<Vec<Hazard>> {
    let limit = limit.max(1);
    if cur.span == 0 {
        cur.span = FIRST_SPAN;
    }
    while !cur.done {
        let top = cur.hi.or(f.found_to).unwrap_or_else(super::today);
        let mut lo = days_before(top, cur.span - 1);
        let floor_reached = f.found_from.is_some_and(|floor| lo <= floor);
        if let Some(floor) = f.found_from {
            lo = lo.max(floor);
        }
        let mut window = f.clone();
        window.found_from = Some(lo);
        if let Some(hi) = cur.hi {
            window.found_to = Some(f.found_to.map_or(hi, |t| t.min(hi)));
        }
        let extra = match (cur.last, cur.hi) {
            (Some((d, _)), Some(hi)) if d == hi => cur.at_last_date,
            _ => 0,
        };
        let want = limit + extra;
        let rows = super::all(db, ctx, &window, want).await?;
        let full = rows.len() as i64 >= want;
        let fresh: Vec<Hazard> = rows
            .into_iter()
            .filter(|h| match cur.last {
                Some((d, id)) => h.found_on < d || (h.found_on == d && h.id < id),
                None => true,
            })
            .collect();
        cur.advance(&fresh);
        if full {
            // More in this window: the next one starts on the last date handed out, sized so it
            // holds about one and a half pages at this page's density.
            if let (Some(first), Some(last)) = (fresh.first(), fresh.last()) {
                let covered = (first.found_on - last.found_on).num_days() + 1;
                cur.span = (covered * 3 / 2).max(1);
                cur.hi = Some(last.found_on);
            }
            return Ok(fresh);
        }
        // The window is exhausted: find where the ledger goes on below it, widening the window
        // so a sparse ledger needs few probes.
        if floor_reached {
            cur.done = true;
        } else {
            let mut below = f.clone();
            let edge = days_before(lo, 1);
            below.found_to = Some(f.found_to.map_or(edge, |t| t.min(edge)));
            match super::all(db, ctx, &below, 1).await?.first() {
                Some(h) => {
                    cur.hi = Some(h.found_on);
                    cur.span = cur.span.saturating_mul(2).min(36_600);
                }
                None => cur.done = true,
            }
        }
        if !fresh.is_empty() {
            return Ok(fresh);
        }
    }
    Ok(Vec::new())
}
