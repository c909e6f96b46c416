//! The database: the connection pool, migrations, and the port transaction that
//! every port-scoped query runs in.

pub mod like;
pub mod migrate;

use crate::config::Config;
use anyhow::Context;
use secrecy::ExposeSecret;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool, Postgres, Transaction};
use std::str::FromStr;
use std::time::Duration;
use uuid::Uuid;

/// The database the embedded cluster serves the CRM from.
pub const EMBEDDED_DATABASE: &str = "nimara";

/// A transaction scoped to one port: row-level security sees only that port.
pub type PortTx = Transaction<'static, Postgres>;

#[derive(Clone, Debug)]
pub struct Db {
    pool: PgPool,
}

impl Db {
    pub fn from_pool(pool: PgPool) -> Db {
        Db { pool }
    }

    /// The pool, connected as the role that owns the schema. Use it for tables
    /// without row-level security (users, sessions, jobs); port-scoped tables are
    /// read through [`Db::begin_port`].
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Opens a transaction that acts for `port_id`: the role switches to
    /// `nimara_app` (subject to row-level security, owner of nothing) and
    /// `app.port_id` is set for this transaction only, never the session, so a
    /// pooled connection carries nothing over to its next user.
    pub async fn begin_port(&self, port_id: Uuid) -> Result<PortTx, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        act_for_port(&mut tx, port_id).await?;
        Ok(tx)
    }
}

/// Makes the rest of the open transaction `tx` act for `port_id`, as
/// [`Db::begin_port`] does; for a transaction that first wrote unscoped rows.
pub async fn act_for_port(tx: &mut PortTx, port_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "SELECT set_config('role', 'nimara_app', true) AS role, set_config('app.port_id', $1, true) AS port",
        port_id.to_string()
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(())
}

/// Opens the pool for `url`.
pub async fn connect_url(url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    let options = PgConnectOptions::from_str(url)
        .context("NIMARA_DATABASE_URL is not a valid PostgreSQL URL")?
        .application_name("nimara")
        // Not lower: a migration file is one statement, and its whole text is logged.
        .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_secs(2));
    PgPoolOptions::new()
        .max_connections(max_connections)
        .min_connections(0)
        // Short, so a database that went away answers 503 quickly instead of
        // holding requests until their timeout.
        .acquire_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_secs(300))
        .connect_with(options)
        .await
        .context("cannot connect to PostgreSQL")
}

/// Where the process gets its database: the configured URL, or the embedded
/// cluster it starts (or shares with another `nimara` process already running).
pub struct Database {
    pub db: Db,
    /// Present when the cluster is embedded; dropping it stops the cluster if this
    /// process started it.
    pub cluster: Option<pgembed::Cluster>,
}

pub async fn open(config: &Config) -> anyhow::Result<Database> {
    if let Some(url) = &config.database_url {
        let pool = connect_url(url.expose_secret(), config.database_max_connections).await?;
        return Ok(Database {
            db: Db::from_pool(pool),
            cluster: None,
        });
    }
    let mut options = pgembed::Options::new(config.postgres_dir());
    options.bin_dir = config.postgres_bin_dir.clone();
    let cluster = tokio::task::spawn_blocking(move || pgembed::Cluster::start(options))
        .await
        .context("the PostgreSQL start-up task failed")??;
    ensure_database(&cluster.url("postgres"), EMBEDDED_DATABASE).await?;
    let pool = connect_url(
        &cluster.url(EMBEDDED_DATABASE),
        config.database_max_connections,
    )
    .await?;
    Ok(Database {
        db: Db::from_pool(pool),
        cluster: Some(cluster),
    })
}

/// Creates `name` on the server behind `admin_url` unless it exists.
pub async fn ensure_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    let mut conn = PgConnectOptions::from_str(admin_url)?
        .connect()
        .await
        .context("cannot connect to PostgreSQL")?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(&mut conn)
            .await?;
    if !exists {
        // Identifiers cannot be bound as parameters; `name` is ours, quoted anyway.
        let sql = format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\""));
        if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
        {
            // Another process may have created it between the check and here.
            let raced = e.as_database_error().and_then(|d| d.code()).as_deref() == Some("42P04");
            if !raced {
                return Err(e).context("cannot create the database");
            }
        }
    }
    Ok(())
}
