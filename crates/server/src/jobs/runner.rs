//! Workers: tasks that claim jobs and run them, plus the scheduler tick.

use super::queue::{self, Claimed};
use super::{JobContext, Registry, schedule};
use crate::app::AppState;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// How long an idle worker waits before looking at the queue again.
const IDLE_POLL: Duration = Duration::from_millis(1000);
/// How often recurring schedules are checked.
const SCHEDULE_TICK: Duration = Duration::from_secs(5);

/// Runs one job to its end: the handler, then `done`, a retry or `dead`.
/// Tests call it directly to run a claimed job deterministically.
pub async fn run_claimed(
    state: &AppState,
    registry: &Registry,
    worker: &str,
    job: Claimed,
) -> anyhow::Result<()> {
    let pool = state.db.pool();
    let Some(handler) = registry.handler(&job.name) else {
        let error = format!("no handler for job `{}` in this process", job.name);
        tracing::error!(job_id = job.id, %error);
        queue::fail(pool, &job, worker, &error).await?;
        return Ok(());
    };
    let ctx = JobContext {
        state: state.clone(),
        job_id: job.id,
        port_id: job.port_id,
        attempt: job.attempts,
    };
    let span = tracing::info_span!("job", id = job.id, name = %job.name, attempt = job.attempts);
    let started = std::time::Instant::now();
    // A panicking job must not take the worker down with it; a spawned task
    // turns the panic into an error we can record.
    let outcome = tokio::spawn(tracing::Instrument::instrument(
        handler(ctx, job.payload.clone()),
        span,
    ))
    .await;
    let elapsed = started.elapsed().as_secs_f64();
    let result = match outcome {
        Ok(result) => result,
        Err(join) => Err(anyhow::anyhow!("the job panicked: {join}")),
    };
    match result {
        Ok(()) => {
            metrics::counter!("nimara_jobs_total", "name" => job.name.clone(), "outcome" => "done")
                .increment(1);
            metrics::histogram!("nimara_job_duration_seconds", "name" => job.name.clone())
                .record(elapsed);
            queue::complete(pool, job.id, worker).await?;
        }
        Err(e) => {
            let error = format!("{e:#}");
            tracing::warn!(job_id = job.id, name = %job.name, attempt = job.attempts, %error, "job failed");
            metrics::counter!("nimara_jobs_total", "name" => job.name.clone(), "outcome" => "failed").increment(1);
            queue::fail(pool, &job, worker, &error).await?;
        }
    }
    Ok(())
}

/// Claims and runs one due job. Returns whether there was one.
pub async fn run_next(state: &AppState, registry: &Registry, worker: &str) -> anyhow::Result<bool> {
    match queue::claim(state.db.pool(), worker).await? {
        Some(job) => {
            run_claimed(state, registry, worker, job).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// A set of worker tasks and the scheduler, stopped by a cancellation token.
pub struct WorkerPool {
    tasks: JoinSet<()>,
}

impl WorkerPool {
    pub fn start(
        state: AppState,
        registry: Arc<Registry>,
        workers: usize,
        stop: CancellationToken,
    ) -> WorkerPool {
        let mut tasks = JoinSet::new();
        let process = format!("{}:{}", hostname(), std::process::id());
        for n in 0..workers {
            let (state, registry, stop) = (state.clone(), registry.clone(), stop.clone());
            let worker = format!("{process}:{n}");
            tasks.spawn(async move {
                loop {
                    if stop.is_cancelled() {
                        break;
                    }
                    let ran = match run_next(&state, &registry, &worker).await {
                        Ok(ran) => ran,
                        Err(e) => {
                            tracing::warn!(error = %format!("{e:#}"), "job queue unavailable");
                            false
                        }
                    };
                    if !ran {
                        tokio::select! {
                            _ = stop.cancelled() => break,
                            _ = tokio::time::sleep(IDLE_POLL) => {}
                        }
                    }
                }
            });
        }
        let (state, registry) = (state.clone(), registry.clone());
        tasks.spawn(async move {
            let mut ticks = 0u32;
            loop {
                // New ports appear while we run; re-sync their schedules now and then.
                if ticks % 12 == 11
                    && let Err(e) = schedule::sync(state.db.pool(), &registry).await
                {
                    tracing::warn!(error = %format!("{e:#}"), "schedule sync failed");
                }
                if let Err(e) = schedule::tick(state.db.pool()).await {
                    tracing::warn!(error = %format!("{e:#}"), "scheduler tick failed");
                }
                ticks = ticks.wrapping_add(1);
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = tokio::time::sleep(SCHEDULE_TICK) => {}
                }
            }
        });
        WorkerPool { tasks }
    }

    /// Waits for every worker to finish its current job and stop.
    pub async fn join(mut self) {
        while self.tasks.join_next().await.is_some() {}
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "localhost".into())
}
