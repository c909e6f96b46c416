//! The 15-minute edit window and the job that locks notes past it.

use super::subject::{ClientNotes, InterestNotes};
use crate::http::Error;
use crate::jobs::{Job, JobContext};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

pub const EDIT_WINDOW_MINUTES: i64 = 15;

pub fn window() -> Duration {
    Duration::minutes(EDIT_WINDOW_MINUTES)
}

/// When a note written at `created_at` locks.
pub fn locks_at(created_at: DateTime<Utc>) -> DateTime<Utc> {
    created_at + window()
}

/// Why an edit is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Past the window (or flagged): nobody edits it.
    Locked { since: DateTime<Utc> },
    /// Inside the window, but not the author's note.
    NotAuthor,
}

impl Refusal {
    pub fn into_error(self) -> Error {
        match self {
            Refusal::Locked { since } => Error::Conflict(format!(
                "This note is locked since {}: notes can be changed for {EDIT_WINDOW_MINUTES} minutes after they are written.",
                since.format("%Y-%m-%d %H:%M UTC")
            )),
            Refusal::NotAuthor => Error::Forbidden,
        }
    }
}

/// May `user` change a note of `author` written at `created_at`? Locked comes
/// first: a locked note answers the same to everyone.
pub fn may_edit(
    user: &str,
    author: &str,
    created_at: DateTime<Utc>,
    is_locked: bool,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    let since = locks_at(created_at);
    if is_locked || now >= since {
        return Err(Refusal::Locked {
            since: since.min(now),
        });
    }
    if user != author {
        return Err(Refusal::NotAuthor);
    }
    Ok(())
}

/// Whole minutes left to edit (at least 1 while the window is open).
pub fn minutes_left(created_at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let secs = (locks_at(created_at) - now).num_seconds();
    if secs <= 0 { 0 } else { (secs + 59) / 60 }
}

/// Every minute: sets `is_locked` on notes past the window, port by port (the
/// notes tables are under row-level security, so each port's transaction).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct LockNotes {}

impl Job for LockNotes {
    const NAME: &'static str = "notes.lock";

    async fn run(self, ctx: JobContext) -> anyhow::Result<()> {
        let ports = sqlx::query_scalar!("SELECT id FROM ports")
            .fetch_all(ctx.state.db.pool())
            .await?;
        let mut locked = 0;
        for port_id in ports {
            let mut tx = ctx.state.db.begin_port(port_id).await?;
            locked += super::store::lock_old::<ClientNotes>(&mut tx).await?;
            locked += super::store::lock_old::<InterestNotes>(&mut tx).await?;
            tx.commit().await?;
        }
        if locked > 0 {
            tracing::info!(locked, "notes locked");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_author_edits_inside_the_window_and_nobody_after() {
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let at = |m: i64| t0 + Duration::minutes(m);
        assert_eq!(may_edit("a", "a", t0, false, at(14)), Ok(()));
        assert_eq!(
            may_edit("b", "a", t0, false, at(14)),
            Err(Refusal::NotAuthor)
        );
        assert_eq!(
            may_edit("a", "a", t0, false, at(15)),
            Err(Refusal::Locked { since: at(15) })
        );
        assert_eq!(
            may_edit("b", "a", t0, false, at(60)),
            Err(Refusal::Locked { since: at(15) })
        );
        assert!(matches!(
            may_edit("a", "a", t0, true, at(1)),
            Err(Refusal::Locked { .. })
        ));
        assert_eq!(minutes_left(t0, at(0)), 15);
        assert_eq!(minutes_left(t0, t0 + Duration::seconds(61)), 14);
        assert_eq!(minutes_left(t0, at(20)), 0);
    }
}
