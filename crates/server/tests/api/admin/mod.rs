//! Running a port: roles and overrides, members, ports, API tokens, the
//! profile, system settings, and the Settings pages.

mod members;
mod pages;
mod ports;
mod profile;
mod roles;
mod settings;
mod tokens;

pub use crate::helpers::port;
use crate::helpers::{PASSWORD, TestApp};
use reqwest::{Client, Method, StatusCode};
use serde_json::Value;
use uuid::Uuid;

/// Gives an existing user `role` at `slug` as well.
pub async fn grant(app: &TestApp, user_id: &str, slug: &str, role: &str) {
    sqlx::query(
        "INSERT INTO user_port_roles (user_id, port_id, role_id)
         SELECT $1, p.id, r.id FROM ports p, roles r WHERE p.slug = $2 AND r.name = $3",
    )
    .bind(user_id)
    .bind(slug)
    .bind(role)
    .execute(&app.db)
    .await
    .unwrap();
}

/// A request with an optional JSON body; the status and the JSON answer
/// (`Null` when there is none).
pub async fn call(
    client: &Client,
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = client.request(method, app.url(path));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.expect("the request is sent");
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A second browser signed in as a new user with `role` at `slug`; returns
/// the client and the user's id.
pub async fn member(app: &TestApp, role: &str, slug: &str) -> (Client, String) {
    let email = format!("{role}.{}@example.test", Uuid::new_v4().simple());
    let id = app.create_user(&email, false, Some((slug, role))).await;
    let client = signed_in(app, &email).await;
    (client, id)
}

pub async fn signed_in(app: &TestApp, email: &str) -> Client {
    let client = TestApp::client_for(app);
    let res = client
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    client
}

/// The audit rows for `entity_type`: (action, field, old, new).
pub async fn audit_rows(
    app: &TestApp,
    entity_type: &str,
) -> Vec<(String, Option<String>, Option<Value>, Option<Value>)> {
    sqlx::query_as(
        "SELECT action, field_changed, old_value, new_value FROM audit_logs WHERE entity_type = $1 ORDER BY created_at, id",
    )
    .bind(entity_type)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

/// The form token of the page at `path`, as a browser would read it.
pub async fn csrf_of(client: &Client, app: &TestApp, path: &str) -> String {
    let html = client
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = html
        .find("name=\"_csrf\" value=\"")
        .expect("the page has a form")
        + 20;
    html[at..].split('"').next().unwrap().to_owned()
}
