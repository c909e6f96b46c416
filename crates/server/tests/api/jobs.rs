//! The job queue: exactly-once under concurrency, retries, dead jobs, dedup,
//! and recurring schedules in a port's time zone.

use crate::helpers::fresh_database;
use chrono::{TimeZone, Utc};
use nimara::app::AppState;
use nimara::config::Config;
use nimara::db::Db;
use nimara::db::migrate::MIGRATOR;
use nimara::jobs::{self, Job, JobContext, NewJob, Registry, Scope, WorkerPool};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Records that it ran; the table has no unique key, so a second run would show.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Record {
    n: i32,
}

impl Job for Record {
    const NAME: &'static str = "test.record";
    async fn run(self, ctx: JobContext) -> anyhow::Result<()> {
        // A little work, so that runs overlap.
        tokio::time::sleep(Duration::from_millis(2)).await;
        sqlx::query("INSERT INTO job_runs (n, job_id, port_id) VALUES ($1, $2, $3)")
            .bind(self.n)
            .bind(ctx.job_id)
            .bind(ctx.port_id)
            .execute(ctx.state.db.pool())
            .await?;
        Ok(())
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Fails;

impl Job for Fails {
    const NAME: &'static str = "test.fails";
    async fn run(self, _ctx: JobContext) -> anyhow::Result<()> {
        anyhow::bail!("the mooring line snapped")
    }
}

async fn state(url: &str) -> AppState {
    let pool = PgPool::connect(url).await.unwrap();
    sqlx::query("CREATE TABLE IF NOT EXISTS job_runs (n INT, job_id BIGINT, port_id UUID)")
        .execute(&pool)
        .await
        .unwrap();
    AppState {
        notifications: nimara::notifications::Hub::new(&pool, Default::default()),
        db: Db::from_pool(pool),
        config: Arc::new(Config::for_tests(url.to_owned())),
        migrator: &MIGRATOR,
    }
}

#[tokio::test]
async fn two_runners_on_one_database_run_each_job_exactly_once() {
    let url = fresh_database().await;
    // Two states with their own pools: two processes, as far as the database knows.
    let (one, two) = (state(&url).await, state(&url).await);
    let total = 300;
    for n in 0..total {
        jobs::enqueue(one.db.pool(), NewJob::of(&Record { n }))
            .await
            .unwrap();
    }
    let registry = Arc::new(Registry::new().register::<Record>());
    let stop = CancellationToken::new();
    let a = WorkerPool::start(one.clone(), registry.clone(), 4, stop.clone());
    let b = WorkerPool::start(two.clone(), registry.clone(), 4, stop.clone());

    let mut done = 0i64;
    for _ in 0..300 {
        done = sqlx::query_scalar("SELECT count(*) FROM jobs WHERE status = 'done'")
            .fetch_one(one.db.pool())
            .await
            .unwrap();
        if done == i64::from(total) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.cancel();
    a.join().await;
    b.join().await;

    assert_eq!(done, i64::from(total));
    let (runs, distinct): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(DISTINCT n) FROM job_runs")
            .fetch_one(one.db.pool())
            .await
            .unwrap();
    assert_eq!(
        (runs, distinct),
        (i64::from(total), i64::from(total)),
        "every job ran, none twice"
    );
}

#[tokio::test]
async fn a_failing_job_backs_off_then_dies_keeping_its_last_error() {
    let url = fresh_database().await;
    let state = state(&url).await;
    let registry = Registry::new().register::<Fails>();
    let id = jobs::enqueue(state.db.pool(), NewJob::of(&Fails).max_attempts(2))
        .await
        .unwrap()
        .unwrap();

    assert!(
        jobs::runner::run_next(&state, &registry, "w1")
            .await
            .unwrap()
    );
    let (status, attempts, error, delay): (String, i32, Option<String>, f64) = sqlx::query_as(
        "SELECT status, attempts, last_error, extract(epoch FROM run_at - now())::float8 FROM jobs WHERE id = $1",
    )
    .bind(id)
    .fetch_one(state.db.pool())
    .await
    .unwrap();
    assert_eq!((status.as_str(), attempts), ("queued", 1));
    assert!(error.unwrap().contains("mooring line snapped"));
    assert!(delay > 5.0, "retried later, not at once ({delay}s)");
    // Not due yet: nothing to run.
    assert!(
        !jobs::runner::run_next(&state, &registry, "w1")
            .await
            .unwrap()
    );

    sqlx::query("UPDATE jobs SET run_at = now() WHERE id = $1")
        .bind(id)
        .execute(state.db.pool())
        .await
        .unwrap();
    assert!(
        jobs::runner::run_next(&state, &registry, "w1")
            .await
            .unwrap()
    );
    let (status, attempts, error): (String, i32, Option<String>) =
        sqlx::query_as("SELECT status, attempts, last_error FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_one(state.db.pool())
            .await
            .unwrap();
    assert_eq!((status.as_str(), attempts), ("dead", 2));
    assert!(error.unwrap().contains("mooring line snapped"));
}

#[tokio::test]
async fn a_job_with_a_taken_dedup_key_is_not_queued_twice() {
    let url = fresh_database().await;
    let state = state(&url).await;
    let first = jobs::enqueue(
        state.db.pool(),
        NewJob::of(&Record { n: 1 }).dedup("berth-7"),
    )
    .await
    .unwrap();
    let second = jobs::enqueue(
        state.db.pool(),
        NewJob::of(&Record { n: 2 }).dedup("berth-7"),
    )
    .await
    .unwrap();
    assert!(first.is_some());
    assert_eq!(second, None);
    // Once it has run, the key is free again.
    let registry = Registry::new().register::<Record>();
    jobs::runner::run_next(&state, &registry, "w")
        .await
        .unwrap();
    let third = jobs::enqueue(
        state.db.pool(),
        NewJob::of(&Record { n: 3 }).dedup("berth-7"),
    )
    .await
    .unwrap();
    assert!(third.is_some());
}

#[tokio::test]
async fn a_recurring_job_fires_once_per_port_at_the_ports_local_time() {
    let url = fresh_database().await;
    let state = state(&url).await;
    let pool = state.db.pool();
    let port: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO ports (name, slug, timezone) VALUES ('Anguilla', 'anguilla', 'America/Anguilla') RETURNING id",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let registry = Registry::new().every::<Record>("0 0 9 * * *", Scope::EachPort);
    jobs::schedule::sync(pool, &registry).await.unwrap();

    let next: chrono::DateTime<Utc> = sqlx::query_scalar(
        "SELECT next_run_at FROM job_schedules WHERE name = 'test.record' AND port_id = $1",
    )
    .bind(port)
    .fetch_one(pool)
    .await
    .unwrap();
    // 09:00 in Anguilla (UTC-4, no daylight saving) is 13:00 UTC.
    assert_eq!(next.format("%H:%M").to_string(), "13:00");
    assert!(next > Utc::now() && next <= Utc::now() + chrono::Duration::days(1));

    // Due now: one tick queues one job for the port, the next tick none.
    let due = Utc.with_ymd_and_hms(2026, 1, 5, 13, 0, 0).unwrap();
    sqlx::query("UPDATE job_schedules SET next_run_at = $1")
        .bind(due)
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(jobs::schedule::tick(pool).await.unwrap(), 1);
    assert_eq!(jobs::schedule::tick(pool).await.unwrap(), 0);
    let (job_port, run_at): (Option<uuid::Uuid>, chrono::DateTime<Utc>) =
        sqlx::query_as("SELECT port_id, run_at FROM jobs WHERE name = 'test.record'")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!((job_port, run_at), (Some(port), due));
    let moved: chrono::DateTime<Utc> = sqlx::query_scalar("SELECT next_run_at FROM job_schedules")
        .fetch_one(pool)
        .await
        .unwrap();
    assert!(moved > Utc::now(), "moved to the next firing");

    // The job runs for that port.
    jobs::runner::run_next(&state, &registry, "w")
        .await
        .unwrap();
    let ran_for: Option<uuid::Uuid> = sqlx::query_scalar("SELECT port_id FROM job_runs")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(ran_for, Some(port));
}
