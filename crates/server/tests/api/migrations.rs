//! The schema: every table, column and index of the spec, idempotent
//! migrations, and a failing migration that changes nothing.

use crate::helpers::{TestApp, empty_database};
use nimara::app::BuildOptions;
use nimara::db::migrate::{self, MIGRATOR};
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use std::collections::BTreeMap;
use std::path::Path;

/// Tables of `docs/schema.md` with their columns, and its named indexes.
pub struct Spec {
    pub tables: BTreeMap<String, Vec<String>>,
    pub indexes: Vec<(String, String)>,
}

pub fn spec() -> Spec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/schema.md");
    let text = std::fs::read_to_string(&path).expect("docs/schema.md is readable");
    let mut tables = BTreeMap::new();
    let mut indexes = Vec::new();
    let mut current: Option<(String, Vec<String>)> = None;
    for raw in text.lines() {
        // The spec sometimes puts a table's first column on its CREATE line.
        let line = raw.trim();
        if let Some(rest) = line.strip_prefix("CREATE TABLE ") {
            let name = rest.split([' ', '(']).next().unwrap().to_owned();
            let after = rest.split_once('(').map(|(_, a)| a.trim()).unwrap_or("");
            let mut columns = Vec::new();
            if let Some(col) = column_of(after) {
                columns.push(col);
            }
            current = Some((name, columns));
            continue;
        }
        if let Some(rest) = line
            .strip_prefix("CREATE UNIQUE INDEX ")
            .or_else(|| line.strip_prefix("CREATE INDEX "))
        {
            let mut words = rest.split_whitespace();
            let name = words.next().unwrap().to_owned();
            let table = words.nth(1).unwrap().split('(').next().unwrap().to_owned();
            indexes.push((table, name));
            continue;
        }
        if let Some((_, columns)) = current.as_mut() {
            if line.starts_with(");") {
                let (name, columns) = current.take().unwrap();
                tables.insert(name, columns);
            } else if let Some(col) = column_of(line) {
                columns.push(col);
            }
        }
    }
    Spec { tables, indexes }
}

fn column_of(line: &str) -> Option<String> {
    let word = line.split_whitespace().next()?;
    let keywords = [
        "UNIQUE",
        "UNIQUE(",
        "PRIMARY",
        "CHECK",
        "FOREIGN",
        "CONSTRAINT",
        "--",
        ");",
        ")",
    ];
    if keywords.iter().any(|k| word.starts_with(k)) || !word.chars().next()?.is_ascii_lowercase() {
        return None;
    }
    Some(word.trim_end_matches(',').to_owned())
}

async fn missing_from(pool: &PgPool, spec: &Spec) -> Vec<String> {
    let mut missing = Vec::new();
    for (table, columns) in &spec.tables {
        let present: Vec<String> = sqlx::query_scalar(
            "SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap();
        if present.is_empty() {
            missing.push(format!("table {table}"));
        }
        for column in columns {
            if !present.is_empty() && !present.contains(column) {
                missing.push(format!("column {table}.{column}"));
            }
        }
    }
    for (table, index) in &spec.indexes {
        let exists: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE tablename = $1 AND indexname = $2)",
        )
        .bind(table)
        .bind(index)
        .fetch_one(pool)
        .await
        .unwrap();
        if !exists {
            missing.push(format!("index {index} on {table}"));
        }
    }
    missing
}

#[tokio::test]
async fn the_spec_is_read_whole() {
    let spec = spec();
    assert_eq!(spec.tables.len(), 51, "{:?}", spec.tables.keys());
    assert_eq!(spec.tables["clients"].len(), 25);
    assert!(spec.tables["custom_field_values"].contains(&"entity_id".to_owned()));
    assert!(
        spec.indexes
            .iter()
            .any(|(t, i)| t == "berths" && i == "idx_berths_mooring")
    );
}

#[tokio::test]
async fn migrations_create_every_spec_table_column_and_index() {
    let app = TestApp::spawn().await;
    let missing = missing_from(&app.db, &spec()).await;
    assert!(
        missing.is_empty(),
        "missing from the database: {missing:#?}"
    );
    for extension in ["pg_trgm", "citext"] {
        let installed: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = $1)")
                .bind(extension)
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert!(installed, "{extension} installed");
    }
}

#[tokio::test]
async fn every_table_with_updated_at_keeps_it_current() {
    let app = TestApp::spawn().await;
    let without: Vec<String> = sqlx::query_scalar(
        "SELECT c.table_name::text FROM information_schema.columns c
         WHERE c.table_schema = 'public' AND c.column_name = 'updated_at'
           AND NOT EXISTS (SELECT 1 FROM information_schema.triggers t
                           WHERE t.event_object_table = c.table_name AND t.action_statement ILIKE '%set_updated_at%')",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert!(without.is_empty(), "no updated_at trigger on {without:?}");
    let port: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO ports (name, slug, updated_at) VALUES ('P', 'p', now() - interval '1 day') RETURNING id",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let fresh: bool = sqlx::query_scalar(
        "UPDATE ports SET name = 'Q' WHERE id = $1 RETURNING updated_at > now() - interval '1 minute'",
    )
    .bind(port)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(fresh);
}

#[tokio::test]
async fn migrating_twice_changes_nothing() {
    let url = empty_database().await;
    let pool = PgPool::connect(&url).await.unwrap();
    migrate::run(&pool, &MIGRATOR).await.unwrap();
    let before: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM _sqlx_migrations), (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    migrate::run(&pool, &MIGRATOR).await.unwrap();
    let after: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM _sqlx_migrations), (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(before, after);
    assert!(migrate::is_current(&pool, &MIGRATOR).await.unwrap());
}

#[tokio::test]
async fn a_broken_migration_leaves_the_previous_version_and_the_server_refuses_to_start() {
    // The real migrations plus one that creates a table, then fails.
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for entry in std::fs::read_dir(&source).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    std::fs::write(
        dir.path().join("9999_broken.sql"),
        "CREATE TABLE canary (id int);\nALTER TABLE clients ADD COLUMN canary int;\nSELECT * FROM no_such_table;\n",
    )
    .unwrap();
    let migrator: &'static Migrator = Box::leak(Box::new(Migrator::new(dir.path()).await.unwrap()));

    let url = empty_database().await;
    let options = BuildOptions {
        migrator,
        ..BuildOptions::default()
    };
    let err = match TestApp::spawn_on(url.clone(), options).await {
        Ok(_) => panic!("the server started on a broken migration"),
        Err(e) => format!("{e:#}"),
    };
    assert!(
        err.contains("9999") && err.contains("broken"),
        "names the migration: {err}"
    );
    assert!(
        err.contains("no_such_table"),
        "names the database error: {err}"
    );

    let pool = PgPool::connect(&url).await.unwrap();
    let version: i64 =
        sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(version, migrate::latest_version(&MIGRATOR));
    let canary: Option<String> = sqlx::query_scalar("SELECT to_regclass('canary')::text")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(canary, None, "the failed migration left nothing behind");
    let column: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'clients' AND column_name = 'canary')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(!column);
}
