//! Recurring jobs: cron schedules evaluated in a time zone.
//!
//! Each recurring job of the registry has one `job_schedules` row per scope:
//! one for the installation, or one per active port in that port's time zone
//! (a follow-up at 09:00 means 09:00 at the marina). The scheduler tick locks
//! due rows with `SKIP LOCKED`, queues a job and moves `next_run_at` forward in
//! the same transaction, so with several processes each firing happens once.

use super::Registry;
use super::queue::{NewJob, enqueue};
use anyhow::Context;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::Value;
use sqlx::PgPool;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Once for the whole installation, on UTC.
    Installation,
    /// Once per active port, in the port's time zone. This is how work spanning
    /// ports is done: one job per port, each opening that port's transaction.
    EachPort,
}

#[derive(Debug, Clone)]
pub struct Recurring {
    pub name: &'static str,
    /// Six fields with seconds first, as the `cron` crate reads them: `0 0 9 * * *`.
    pub cron: &'static str,
    pub scope: Scope,
    pub payload: Value,
}

/// The first firing of `cron` strictly after `after`, reckoned in `timezone`.
pub fn next_fire(
    cron: &str,
    timezone: &str,
    after: DateTime<Utc>,
) -> anyhow::Result<DateTime<Utc>> {
    let schedule = cron::Schedule::from_str(cron)
        .with_context(|| format!("invalid cron expression `{cron}`"))?;
    let tz =
        Tz::from_str(timezone).map_err(|_| anyhow::anyhow!("unknown time zone `{timezone}`"))?;
    let next = schedule
        .after(&after.with_timezone(&tz))
        .next()
        .with_context(|| format!("`{cron}` never fires again"))?;
    Ok(next.with_timezone(&Utc))
}

/// Makes `job_schedules` match the registry: a row per recurring job and scope,
/// time zones following their ports, rows of jobs no longer known removed.
/// Ports are listed from `ports`, which has no row-level security.
pub async fn sync(pool: &PgPool, registry: &Registry) -> anyhow::Result<()> {
    let now = Utc::now();
    let ports = sqlx::query!("SELECT id, timezone FROM ports WHERE is_active")
        .fetch_all(pool)
        .await?;
    let mut tx = pool.begin().await?;
    let names: Vec<String> = registry
        .recurring()
        .iter()
        .map(|r| r.name.to_owned())
        .collect();
    sqlx::query!(
        "DELETE FROM job_schedules WHERE NOT (name = ANY($1))",
        &names
    )
    .execute(&mut *tx)
    .await?;
    for recurring in registry.recurring() {
        let targets: Vec<(Option<uuid::Uuid>, String)> = match recurring.scope {
            Scope::Installation => vec![(None, "UTC".to_owned())],
            Scope::EachPort => ports
                .iter()
                .map(|p| (Some(p.id), p.timezone.clone()))
                .collect(),
        };
        for (port_id, timezone) in targets {
            let next = next_fire(recurring.cron, &timezone, now)?;
            // A changed cron or time zone recomputes the next run; otherwise it stays.
            sqlx::query!(
                "INSERT INTO job_schedules (name, port_id, cron, timezone, payload, next_run_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (name, port_id) DO UPDATE
                 SET cron = EXCLUDED.cron, timezone = EXCLUDED.timezone, payload = EXCLUDED.payload,
                     next_run_at = CASE WHEN job_schedules.cron = EXCLUDED.cron AND job_schedules.timezone = EXCLUDED.timezone
                                        THEN job_schedules.next_run_at ELSE EXCLUDED.next_run_at END",
                recurring.name,
                port_id,
                recurring.cron,
                timezone,
                recurring.payload,
                next,
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    // Schedules of ports that were deactivated stop firing.
    sqlx::query!(
        "DELETE FROM job_schedules s USING ports p WHERE s.port_id = p.id AND NOT p.is_active"
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Queues every due schedule once and moves it to its next firing. Returns how
/// many jobs were queued.
pub async fn tick(pool: &PgPool) -> anyhow::Result<usize> {
    let now = Utc::now();
    let mut tx = pool.begin().await?;
    let due = sqlx::query!(
        "SELECT id, name, port_id, cron, timezone, payload, next_run_at FROM job_schedules
         WHERE enabled AND next_run_at <= $1 FOR UPDATE SKIP LOCKED",
        now
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut queued = 0;
    for row in due {
        let job = NewJob {
            name: row.name.clone(),
            payload: row.payload,
            port_id: row.port_id,
            run_at: Some(row.next_run_at),
            max_attempts: 3,
            dedup_key: Some(format!(
                "schedule:{}:{}",
                row.id,
                row.next_run_at.timestamp()
            )),
        };
        if enqueue(&mut *tx, job).await?.is_some() {
            queued += 1;
        }
        // Missed firings (the server was down) collapse into the one just queued.
        let next = next_fire(&row.cron, &row.timezone, now)?;
        sqlx::query!(
            "UPDATE job_schedules SET next_run_at = $2, last_run_at = $3, updated_at = now() WHERE id = $1",
            row.id,
            next,
            row.next_run_at
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn nine_in_the_morning_at_the_port_is_utc_thirteen_in_anguilla() {
        let after = Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap();
        let next = next_fire("0 0 9 * * *", "America/Anguilla", after).unwrap();
        assert_eq!(next, Utc.with_ymd_and_hms(2026, 11, 26, 13, 0, 0).unwrap());
        let next = next_fire("0 0 9 * * *", "America/Anguilla", next).unwrap();
        assert_eq!(next, Utc.with_ymd_and_hms(2026, 11, 27, 13, 0, 0).unwrap());
    }

    #[test]
    fn daylight_saving_is_followed() {
        // 09:00 in Paris is 08:00 UTC in winter and 07:00 UTC in summer.
        let winter = next_fire(
            "0 0 9 * * *",
            "Europe/Paris",
            Utc.with_ymd_and_hms(2026, 1, 10, 0, 0, 0).unwrap(),
        );
        assert_eq!(
            winter.unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 10, 8, 0, 0).unwrap()
        );
        let summer = next_fire(
            "0 0 9 * * *",
            "Europe/Paris",
            Utc.with_ymd_and_hms(2026, 7, 10, 0, 0, 0).unwrap(),
        );
        assert_eq!(
            summer.unwrap(),
            Utc.with_ymd_and_hms(2026, 7, 10, 7, 0, 0).unwrap()
        );
    }

    #[test]
    fn bad_expressions_and_zones_are_named() {
        let now = Utc::now();
        assert!(
            next_fire("every day", "UTC", now)
                .unwrap_err()
                .to_string()
                .contains("every day")
        );
        assert!(
            next_fire("0 0 9 * * *", "Mars/Olympus", now)
                .unwrap_err()
                .to_string()
                .contains("Mars/Olympus")
        );
    }
}
