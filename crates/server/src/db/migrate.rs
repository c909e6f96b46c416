//! Schema migrations (`crates/server/migrations/`), embedded in the binary.
//!
//! Each migration runs in its own transaction, so one that fails leaves the
//! schema at the previous version; the server then refuses to start and names
//! the migration and the database's error.

use sqlx::PgPool;
use sqlx::migrate::{MigrateError, Migrator};

pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error("migration {version} ({description}) failed: {message}")]
    Failed {
        version: i64,
        description: String,
        message: String,
    },
    #[error("migrations cannot run: {0}")]
    Other(String),
}

/// Applies every pending migration of `migrator`.
pub async fn run(pool: &PgPool, migrator: &Migrator) -> Result<(), MigrationError> {
    migrator.run(pool).await.map_err(|e| describe(migrator, e))
}

fn describe(migrator: &Migrator, e: MigrateError) -> MigrationError {
    match e {
        MigrateError::ExecuteMigration(source, version) => {
            let description = migrator
                .iter()
                .find(|m| m.version == version)
                .map(|m| m.description.to_string())
                .unwrap_or_default();
            let message = match source.as_database_error() {
                Some(db) => db.message().to_owned(),
                None => source.to_string(),
            };
            MigrationError::Failed {
                version,
                description,
                message,
            }
        }
        other => MigrationError::Other(other.to_string()),
    }
}

/// The newest migration this binary knows.
pub fn latest_version(migrator: &Migrator) -> i64 {
    migrator.iter().map(|m| m.version).max().unwrap_or(0)
}

/// True when the database has applied every migration this binary knows.
pub async fn is_current(pool: &PgPool, migrator: &Migrator) -> Result<bool, sqlx::Error> {
    let applied: Option<i64> =
        sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(pool)
            .await?;
    Ok(applied == Some(latest_version(migrator)))
}
