//! Housekeeping that keeps the installation's own tables small.

use super::{Job, JobContext};
use serde::{Deserialize, Serialize};

/// Deletes finished jobs after two weeks, dead ones after ninety days (long
/// enough to read their errors), sessions past their absolute expiry, and
/// invitation and reset tokens a month after they expired (until then their
/// link still explains itself: used, withdrawn or expired).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Purge {}

impl Job for Purge {
    const NAME: &'static str = "maintenance.purge";

    async fn run(self, ctx: JobContext) -> anyhow::Result<()> {
        let pool = ctx.state.db.pool();
        let jobs = sqlx::query!(
            "DELETE FROM jobs WHERE (status = 'done' AND finished_at < now() - interval '14 days')
                OR (status = 'dead' AND finished_at < now() - interval '90 days')"
        )
        .execute(pool)
        .await?
        .rows_affected();
        let sessions =
            sqlx::query!("DELETE FROM sessions WHERE expires_at < now() - interval '1 day'")
                .execute(pool)
                .await?
                .rows_affected();
        let verifications =
            sqlx::query!("DELETE FROM verifications WHERE expires_at < now() - interval '30 days'")
                .execute(pool)
                .await?
                .rows_affected();
        tracing::info!(jobs, sessions, verifications, "purged");
        Ok(())
    }
}
