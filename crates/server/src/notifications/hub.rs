//! Live delivery across processes: one PostgreSQL `LISTEN` per process, fanned
//! out to the open event streams of that process.
//!
//! [`super::notify`] calls `pg_notify` in the transaction that creates the
//! notifications, so every `nimara` process on the database hears of them
//! when, and only when, that transaction commits. Each process holds one
//! listening connection (its own one-connection pool, so the request pool
//! never loses a connection to it, and shutting that pool down never waits on
//! it) and passes each signal to its streams through a broadcast channel; a
//! stream keeps the signals for its own user.
//!
//! The listener starts with the first stream and reconnects by itself: when
//! its connection drops it connects again with backoff, and tells the streams
//! to [`Signal::Resync`], since signals sent meanwhile are lost.

use serde::Deserialize;
use sqlx::PgPool;
use sqlx::postgres::{PgListener, PgPoolOptions};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// The channel [`super::notify`] signals on.
pub const CHANNEL: &str = "nimara_notifications";

/// What a stream hears.
#[derive(Debug, Clone)]
pub enum Signal {
    /// A notification for `user_id` was committed.
    Created {
        user_id: Arc<str>,
        port_id: Uuid,
        id: Uuid,
    },
    /// Signals may have been missed: clients should read their state again.
    Resync,
}

#[derive(Deserialize)]
struct Payload {
    user_id: String,
    id: Uuid,
    port_id: Uuid,
}

/// The process's listener and its fan-out. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    pool: PgPool,
    sender: broadcast::Sender<Signal>,
    listening: watch::Sender<bool>,
    started: OnceLock<()>,
    shutdown: CancellationToken,
}

/// Signals a slow stream may fall behind by before it is told to resync.
const BUFFER: usize = 1024;
/// How long a new stream waits for the listener to be listening, so a
/// notification committed right after the stream opened is not missed.
const READY_WAIT: Duration = Duration::from_secs(5);
const BACKOFF_MIN: Duration = Duration::from_millis(200);
const BACKOFF_MAX: Duration = Duration::from_secs(10);

impl Hub {
    /// A hub listening on the database of `pool` once first subscribed to,
    /// until `shutdown` is triggered; then every stream ends.
    pub fn new(pool: &PgPool, shutdown: CancellationToken) -> Hub {
        let options = (*pool.connect_options())
            .clone()
            .application_name("nimara-notifications");
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(5))
            .max_lifetime(None)
            .idle_timeout(None)
            .connect_lazy_with(options);
        Hub {
            inner: Arc::new(Inner {
                pool,
                sender: broadcast::channel(BUFFER).0,
                listening: watch::channel(false).0,
                started: OnceLock::new(),
                shutdown,
            }),
        }
    }

    /// Signals from now on; starts the listener if this is the first
    /// subscriber, and waits (briefly) until it listens.
    pub async fn subscribe(&self) -> broadcast::Receiver<Signal> {
        let receiver = self.inner.sender.subscribe();
        self.inner.started.get_or_init(|| {
            tokio::spawn(run(self.inner.clone()));
        });
        let mut listening = self.inner.listening.subscribe();
        // Not listening within the wait (the database is away): the stream opens
        // anyway and is told to resync once the listener is back.
        let _ = tokio::time::timeout(READY_WAIT, listening.wait_for(|on| *on)).await;
        receiver
    }

    /// Triggered when the server stops: streams end so it can.
    pub fn shutdown(&self) -> &CancellationToken {
        &self.inner.shutdown
    }

    pub fn is_listening(&self) -> bool {
        *self.inner.listening.borrow()
    }
}

/// The listener task: listens, and after any failure waits and listens again.
async fn run(inner: Arc<Inner>) {
    let mut backoff = BACKOFF_MIN;
    let mut first = true;
    loop {
        let outcome = tokio::select! {
            _ = inner.shutdown.cancelled() => break,
            outcome = listen(&inner, &mut first, &mut backoff) => outcome,
        };
        inner.listening.send_replace(false);
        if let Err(e) = outcome {
            tracing::warn!(error = %e, retry_in = ?backoff, "notification listener lost the database");
        }
        tokio::select! {
            _ = inner.shutdown.cancelled() => break,
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
    inner.listening.send_replace(false);
    inner.pool.close().await;
}

/// One listening connection, until it fails.
async fn listen(
    inner: &Inner,
    first: &mut bool,
    backoff: &mut Duration,
) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(&inner.pool).await?;
    listener.listen(CHANNEL).await?;
    inner.listening.send_replace(true);
    *backoff = BACKOFF_MIN;
    if !std::mem::take(first) {
        tracing::info!("notification listener is back");
        let _ = inner.sender.send(Signal::Resync);
    }
    loop {
        match listener.try_recv().await? {
            Some(n) => match serde_json::from_str::<Payload>(n.payload()) {
                // No receivers is fine: no stream is open in this process.
                Ok(p) => {
                    let _ = inner.sender.send(Signal::Created {
                        user_id: p.user_id.into(),
                        port_id: p.port_id,
                        id: p.id,
                    });
                }
                Err(e) => tracing::warn!(error = %e, "an unreadable notification signal"),
            },
            // The connection dropped and was re-established in place.
            None => {
                tracing::info!("notification listener reconnected");
                let _ = inner.sender.send(Signal::Resync);
            }
        }
    }
}
