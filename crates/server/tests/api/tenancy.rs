//! Row-level security keeps each port to its own rows even when a query forgets
//! to filter.

use crate::helpers::TestApp;
use crate::helpers::port;
use nimara::db::Db;
use uuid::Uuid;

async fn client(app: &TestApp, port: Uuid, name: &str) -> Uuid {
    sqlx::query_scalar("INSERT INTO clients (port_id, full_name) VALUES ($1, $2) RETURNING id")
        .bind(port)
        .bind(name)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_app_role_acting_for_port_a_sees_none_of_port_bs_clients() {
    let app = TestApp::spawn().await;
    let (a, b) = (port(&app, "port-a").await, port(&app, "port-b").await);
    client(&app, a, "Alice Anchor").await;
    client(&app, b, "Bob Bollard").await;
    client(&app, b, "Bea Buoy").await;
    let db = Db::from_pool(app.db.clone());

    let mut tx = db.begin_port(a).await.unwrap();
    let role: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(role, "nimara_app");
    // No WHERE clause: the policy alone keeps port B out.
    let names: Vec<(String, Uuid)> = sqlx::query_as("SELECT full_name, port_id FROM clients")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(names, vec![("Alice Anchor".to_owned(), a)]);
    tx.rollback().await.unwrap();

    let mut tx = db.begin_port(b).await.unwrap();
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM clients")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(count, 2);
}

#[tokio::test]
async fn with_no_port_set_the_app_role_sees_nothing() {
    let app = TestApp::spawn().await;
    let a = port(&app, "port-a").await;
    client(&app, a, "Alice Anchor").await;
    let mut tx = app.db.begin().await.unwrap();
    sqlx::query("SET LOCAL ROLE nimara_app")
        .execute(&mut *tx)
        .await
        .unwrap();
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM clients")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn the_port_setting_does_not_outlive_its_transaction() {
    let app = TestApp::spawn().await;
    let a = port(&app, "port-a").await;
    let db = Db::from_pool(app.db.clone());
    let mut tx = db.begin_port(a).await.unwrap();
    sqlx::query("SELECT 1").execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    // Every pooled connection is back to the owner role with no port.
    for _ in 0..5 {
        let (role, port): (String, Option<String>) = sqlx::query_as(
            "SELECT current_user::text, nullif(current_setting('app.port_id', true), '')",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_ne!(role, "nimara_app");
        assert_eq!(port, None);
    }
}

#[tokio::test]
async fn acting_for_port_a_cannot_write_into_port_b() {
    let app = TestApp::spawn().await;
    let (a, b) = (port(&app, "port-a").await, port(&app, "port-b").await);
    let bobs = client(&app, b, "Bob Bollard").await;
    let db = Db::from_pool(app.db.clone());

    let mut tx = db.begin_port(a).await.unwrap();
    let err = sqlx::query("INSERT INTO clients (port_id, full_name) VALUES ($1, 'Intruder')")
        .bind(b)
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");
    tx.rollback().await.unwrap();

    // A child row of port A cannot point at port B's client: the composite key refuses it.
    let mut tx = db.begin_port(a).await.unwrap();
    let err = sqlx::query(
        "INSERT INTO client_contacts (client_id, channel, value) VALUES ($1, 'email', 'x@y.z')",
    )
    .bind(bobs)
    .execute(&mut *tx)
    .await
    .unwrap_err();
    assert!(err.to_string().contains("foreign key"), "{err}");
    tx.rollback().await.unwrap();

    // Updates and deletes of B's rows from A touch nothing.
    let mut tx = db.begin_port(a).await.unwrap();
    let updated = sqlx::query("UPDATE clients SET full_name = 'Renamed'")
        .execute(&mut *tx)
        .await
        .unwrap();
    let deleted = sqlx::query("DELETE FROM clients")
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!((updated.rows_affected(), deleted.rows_affected()), (0, 0));
}

#[tokio::test]
async fn every_table_with_a_port_id_has_forced_row_level_security() {
    let app = TestApp::spawn().await;
    let unprotected: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
         WHERE c.relkind = 'r'
           AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'port_id' AND NOT a.attisdropped)
           AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
         ORDER BY 1",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    // These are read before a port is known, or by the job runner across ports;
    // each says why in its migration.
    let exempt = [
        "api_tokens",
        "job_schedules",
        "jobs",
        "port_role_overrides",
        "sessions",
        "user_port_roles",
        "verifications",
    ];
    let unexpected: Vec<_> = unprotected
        .iter()
        .filter(|t| !exempt.contains(&t.as_str()))
        .collect();
    assert!(
        unexpected.is_empty(),
        "tables with port_id but without forced RLS: {unexpected:?}"
    );

    let app_role_is_plain: bool = sqlx::query_scalar(
        "SELECT NOT rolsuper AND NOT rolbypassrls FROM pg_roles WHERE rolname = 'nimara_app'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(app_role_is_plain);
    let owns: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = 'nimara_app')",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(owns, 0, "the request role owns nothing");
}
