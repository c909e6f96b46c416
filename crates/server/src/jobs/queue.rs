//! The queue table's operations: enqueue, claim, finish, fail.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgExecutor, PgPool};
use std::time::Duration;
use uuid::Uuid;

use super::Job;

/// A job to queue. Build it with [`NewJob::of`], adjust, then [`enqueue`].
#[derive(Debug, Clone)]
pub struct NewJob {
    pub name: String,
    pub payload: Value,
    pub port_id: Option<Uuid>,
    pub run_at: Option<DateTime<Utc>>,
    pub max_attempts: i32,
    /// While a job with this key is queued or running, another is not queued.
    pub dedup_key: Option<String>,
}

impl NewJob {
    pub fn of<J: Job>(job: &J) -> NewJob {
        NewJob {
            name: J::NAME.to_owned(),
            payload: serde_json::to_value(job).expect("job payloads serialize"),
            port_id: None,
            run_at: None,
            max_attempts: 5,
            dedup_key: None,
        }
    }

    pub fn for_port(mut self, port_id: Uuid) -> NewJob {
        self.port_id = Some(port_id);
        self
    }

    pub fn at(mut self, run_at: DateTime<Utc>) -> NewJob {
        self.run_at = Some(run_at);
        self
    }

    pub fn max_attempts(mut self, n: i32) -> NewJob {
        self.max_attempts = n.max(1);
        self
    }

    pub fn dedup(mut self, key: impl Into<String>) -> NewJob {
        self.dedup_key = Some(key.into());
        self
    }
}

/// Queues `job` with the caller's executor, usually the transaction of the change
/// that asks for it. Returns the job id, or `None` when its dedup key is taken.
pub async fn enqueue<'e>(
    exec: impl PgExecutor<'e>,
    job: NewJob,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO jobs (name, payload, port_id, run_at, max_attempts, dedup_key)
         VALUES ($1, $2, $3, coalesce($4, now()), $5, $6)
         ON CONFLICT (dedup_key) WHERE dedup_key IS NOT NULL AND status IN ('queued', 'running') DO NOTHING
         RETURNING id",
        job.name,
        job.payload,
        job.port_id,
        job.run_at,
        job.max_attempts,
        job.dedup_key,
    )
    .fetch_optional(exec)
    .await
}

/// A job claimed by one worker.
#[derive(Debug)]
pub struct Claimed {
    pub id: i64,
    pub name: String,
    pub payload: Value,
    pub port_id: Option<Uuid>,
    pub attempts: i32,
    pub max_attempts: i32,
}

/// How long a claim lasts. A worker that dies mid-job loses its claim after this,
/// and another worker picks the job up again.
pub const LEASE: Duration = Duration::from_secs(15 * 60);

/// Claims the next due job, or a running one whose worker's lease ran out.
/// `SKIP LOCKED` lets concurrent workers pass over rows another is claiming.
pub async fn claim(pool: &PgPool, worker: &str) -> Result<Option<Claimed>, sqlx::Error> {
    sqlx::query_as!(
        Claimed,
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $1,
                locked_until = now() + make_interval(secs => $2), updated_at = now()
         WHERE id = (
             SELECT id FROM jobs
             WHERE (status = 'queued' AND run_at <= now())
                OR (status = 'running' AND locked_until < now())
             ORDER BY run_at, id
             FOR UPDATE SKIP LOCKED
             LIMIT 1)
         RETURNING id, name, payload, port_id, attempts, max_attempts",
        worker,
        LEASE.as_secs_f64(),
    )
    .fetch_optional(pool)
    .await
}

pub async fn complete(pool: &PgPool, id: i64, worker: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE jobs SET status = 'done', finished_at = now(), locked_by = NULL, locked_until = NULL,
                last_error = NULL, updated_at = now()
         WHERE id = $1 AND locked_by = $2",
        id,
        worker,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Records a failure: back to the queue after a backoff, or `dead` once the
/// attempts are spent. The error is kept either way.
pub async fn fail(
    pool: &PgPool,
    job: &Claimed,
    worker: &str,
    error: &str,
) -> Result<(), sqlx::Error> {
    let dead = job.attempts >= job.max_attempts;
    let delay = backoff(job.attempts);
    sqlx::query!(
        "UPDATE jobs SET status = CASE WHEN $3 THEN 'dead' ELSE 'queued' END,
                run_at = CASE WHEN $3 THEN run_at ELSE now() + make_interval(secs => $4) END,
                finished_at = CASE WHEN $3 THEN now() END,
                last_error = $5, locked_by = NULL, locked_until = NULL, updated_at = now()
         WHERE id = $1 AND locked_by = $2",
        job.id,
        worker,
        dead,
        delay.as_secs_f64(),
        error,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The wait before attempt `attempts + 1`: 10 s doubling each time, at most 1 h.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = attempts.clamp(1, 16) as u32 - 1;
    Duration::from_secs((10u64 << exponent).min(3600))
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_secs(10));
        assert_eq!(backoff(2), Duration::from_secs(20));
        assert_eq!(backoff(5), Duration::from_secs(160));
        assert_eq!(backoff(12), Duration::from_secs(3600));
        assert_eq!(backoff(100), Duration::from_secs(3600));
    }
}
