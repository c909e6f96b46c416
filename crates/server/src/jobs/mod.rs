//! Background work: a PostgreSQL job queue and the workers that run it.
//!
//! Jobs are named and typed ([`Job`]); a job is queued with [`enqueue`] inside
//! the caller's transaction, so it exists exactly when the change that asked
//! for it committed. Workers claim jobs with `FOR UPDATE SKIP LOCKED`, so any
//! number of `nimara` processes can run side by side and each job runs once.
//! A failed job is retried with exponential backoff until `max_attempts`, then
//! kept as `dead` with its last error. Recurring jobs live in `schedule`.

pub mod maintenance;
pub mod queue;
pub mod runner;
pub mod schedule;

pub use queue::{NewJob, enqueue};
pub use runner::WorkerPool;
pub use schedule::{Recurring, Scope};

use crate::app::AppState;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use uuid::Uuid;

/// What a running job knows about itself.
#[derive(Clone)]
pub struct JobContext {
    pub state: AppState,
    pub job_id: i64,
    /// The port the job acts for, if any; open its transaction with
    /// `state.db.begin_port(port_id)`.
    pub port_id: Option<Uuid>,
    pub attempt: i32,
}

/// A kind of background work. The payload is the job value itself, stored as JSON.
pub trait Job: Serialize + DeserializeOwned + Send + 'static {
    /// Unique, stable: it is stored in the queue table.
    const NAME: &'static str;
    fn run(self, ctx: JobContext) -> impl Future<Output = anyhow::Result<()>> + Send;
}

type BoxFuture = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;
type Handler = Arc<dyn Fn(JobContext, serde_json::Value) -> BoxFuture + Send + Sync>;

/// The jobs a process can run, and the recurring ones it schedules.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: HashMap<&'static str, Handler>,
    recurring: Vec<Recurring>,
}

impl Registry {
    pub fn new() -> Registry {
        Registry::default()
    }

    pub fn register<J: Job>(mut self) -> Registry {
        let handler: Handler = Arc::new(|ctx, payload| {
            Box::pin(async move {
                let job: J = serde_json::from_value(payload).map_err(|e| {
                    anyhow::anyhow!("the payload of a `{}` job does not parse: {e}", J::NAME)
                })?;
                job.run(ctx).await
            })
        });
        self.handlers.insert(J::NAME, handler);
        self
    }

    /// Runs `J` (with its `Default` payload) on `cron`, in the time zone its scope gives.
    pub fn every<J: Job + Default>(mut self, cron: &'static str, scope: Scope) -> Registry {
        let payload = serde_json::to_value(J::default()).expect("job payloads serialize");
        self.recurring.push(Recurring {
            name: J::NAME,
            cron,
            scope,
            payload,
        });
        self.register::<J>()
    }

    pub fn recurring(&self) -> &[Recurring] {
        &self.recurring
    }

    pub(crate) fn handler(&self, name: &str) -> Option<Handler> {
        self.handlers.get(name).cloned()
    }
}

/// The jobs of the product. Domains add theirs here as they land.
pub fn default_registry() -> Registry {
    Registry::new()
        .every::<maintenance::Purge>("0 17 3 * * *", Scope::Installation)
        .every::<crate::notes::LockNotes>("0 * * * * *", Scope::Installation)
        .every::<crate::berths::tenure::TenureCheck>("0 0 8 * * *", Scope::EachPort)
        .register::<crate::mail::SendMail>()
        .register::<crate::notifications::email::NotificationMail>()
        .register::<crate::clients::import::ImportClients>()
}
