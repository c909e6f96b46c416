//! Assembles the server: database, migrations, workers and the HTTP router.
//!
//! `Application::build` does everything that can fail at start-up and binds the
//! listener, so tests can bind port 0, read `port()` and drive the real thing.

use crate::config::Config;
use crate::db::{self, Db, migrate};
use crate::jobs::{self, Registry};
use anyhow::Context;
use axum::serve::ListenerExt as _;
use sqlx::migrate::Migrator;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub migrator: &'static Migrator,
    /// Live notifications: this process's listener and its open streams.
    pub notifications: crate::notifications::Hub,
}

pub struct Application {
    listener: TcpListener,
    state: AppState,
    workers: Option<jobs::WorkerPool>,
    cluster: Option<pgembed::Cluster>,
    shutdown: CancellationToken,
}

/// Start-up options beyond the configuration; tests swap the migrations.
pub struct BuildOptions {
    pub migrator: &'static Migrator,
    pub registry: Registry,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            migrator: &migrate::MIGRATOR,
            registry: jobs::default_registry(),
        }
    }
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        Self::build_with(config, BuildOptions::default()).await
    }

    pub async fn build_with(config: Config, options: BuildOptions) -> anyhow::Result<Application> {
        // The metrics recorder must exist before the first request is counted.
        crate::telemetry::metrics();
        // Bind first: a port in use is the most common start-up failure and needs
        // no database to report.
        let listener = TcpListener::bind(config.http_addr).await.with_context(|| {
            format!(
                "cannot listen on {}: the address is in use or not available",
                config.http_addr
            )
        })?;
        let database = db::open(&config).await?;
        migrate::run(database.db.pool(), options.migrator)
            .await
            .context(
                "the database schema could not be brought up to date; the server will not start",
            )?;
        jobs::schedule::sync(database.db.pool(), &options.registry).await?;
        crate::access::seed::sync_system_roles(database.db.pool()).await?;

        let shutdown = CancellationToken::new();
        let state = AppState {
            notifications: crate::notifications::Hub::new(database.db.pool(), shutdown.clone()),
            db: database.db,
            config: Arc::new(config),
            migrator: options.migrator,
        };
        let workers = (state.config.workers > 0).then(|| {
            jobs::WorkerPool::start(
                state.clone(),
                Arc::new(options.registry),
                state.config.workers,
                shutdown.clone(),
            )
        });
        Ok(Application {
            listener,
            state,
            workers,
            cluster: database.cluster,
            shutdown,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// A handle that stops the server when triggered (SIGINT/SIGTERM trigger it too).
    pub fn shutdown_handle(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Serves until SIGINT, SIGTERM or the shutdown handle; then drains requests,
    /// stops the workers, closes the pool and stops an embedded cluster we own.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let Application {
            listener,
            state,
            workers,
            cluster,
            shutdown,
        } = self;
        let router = crate::http::router(state.clone());
        tracing::info!(addr = %listener.local_addr()?, "serving");
        let signal_shutdown = shutdown.clone();
        tokio::spawn(async move {
            crate::telemetry::wait_for_signal().await;
            signal_shutdown.cancel();
        });
        let wait = shutdown.clone();
        // Nagle's algorithm would hold the last small segment of a response
        // until the client acknowledged the one before, and clients delay that
        // acknowledgement by up to 40 ms on a kept-alive connection.
        let listener = listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "cannot set TCP_NODELAY");
            }
        });
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(async move { wait.cancelled().await })
        .await
        .context("the HTTP server failed")?;
        tracing::info!("stopping");
        if let Some(workers) = workers {
            workers.join().await;
        }
        state.db.pool().close().await;
        if let Some(cluster) = cluster {
            tokio::task::spawn_blocking(move || cluster.stop()).await??;
        }
        Ok(())
    }
}
