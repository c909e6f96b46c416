//! Failed sign-ins are limited per account and per address: five failures in
//! fifteen minutes, and the sixth attempt is answered 429 with `Retry-After`
//! until the oldest of them leaves the window. Counted in the database, so
//! several nimara processes share one count.

use crate::http::{Error, Result};
use chrono::{Duration, Utc};
use sqlx::PgPool;

pub const WINDOW: Duration = Duration::minutes(15);
pub const MAX_FAILURES: i64 = 5;

/// 429 when the account or the address has used up its failures.
pub async fn check(pool: &PgPool, email: &str, ip: &str) -> Result<()> {
    let since = Utc::now() - WINDOW;
    let row = sqlx::query!(
        r#"SELECT
             (SELECT count(*) FROM login_attempts WHERE email = $1 AND NOT succeeded AND created_at > $3) AS "by_email!",
             (SELECT count(*) FROM login_attempts WHERE ip_address = $2 AND NOT succeeded AND created_at > $3) AS "by_ip!",
             (SELECT min(created_at) FROM (
                 SELECT created_at FROM login_attempts WHERE (email = $1 OR ip_address = $2) AND NOT succeeded
                   AND created_at > $3 ORDER BY created_at DESC LIMIT $4) recent) AS oldest"#,
        email as _,
        ip,
        since,
        MAX_FAILURES,
    )
    .fetch_one(pool)
    .await?;
    if row.by_email >= MAX_FAILURES || row.by_ip >= MAX_FAILURES {
        let oldest = row.oldest.unwrap_or_else(Utc::now);
        let wait = (oldest + WINDOW - Utc::now()).num_seconds().max(1) as u64;
        return Err(Error::TooManyRequests {
            retry_after_secs: wait,
        });
    }
    Ok(())
}

pub async fn record(pool: &PgPool, email: &str, ip: &str, succeeded: bool) -> Result<()> {
    sqlx::query!(
        "INSERT INTO login_attempts (email, ip_address, succeeded) VALUES ($1, $2, $3)",
        email as _,
        ip,
        succeeded
    )
    .execute(pool)
    .await?;
    Ok(())
}
