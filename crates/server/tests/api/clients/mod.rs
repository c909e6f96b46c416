//! Clients over real HTTP: the record, its contacts, its relationships, its
//! history, tenancy, and the client page in a browser.

mod browser;
mod contacts;
mod crud;
mod relationships;

use crate::helpers::{TestApp, port};
use serde_json::{Value, json};

/// An app with ports `alpha` and `bravo` and a director of `alpha` signed in.
pub async fn setup() -> TestApp {
    let app = TestApp::spawn().await;
    port(&app, "alpha").await;
    port(&app, "bravo").await;
    app.sign_in_as("director", "alpha").await;
    app
}

pub const BASE: &str = "/api/v1/ports/alpha/clients";

pub async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app.client.request(method, app.url(path));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Creates a client at alpha from `body`; returns its JSON.
pub async fn create(app: &TestApp, body: Value) -> Value {
    let (status, client) = send(app, reqwest::Method::POST, BASE, Some(body)).await;
    assert_eq!(status, 201, "{client}");
    client
}

pub async fn named(app: &TestApp, name: &str) -> String {
    create(app, json!({ "full_name": name })).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The fields a 422 names.
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// A client of port bravo, written straight to the database.
pub async fn bravo_client(app: &TestApp) -> uuid::Uuid {
    sqlx::query_scalar(
        "INSERT INTO clients (port_id, full_name) SELECT id, 'Bravo Only' FROM ports WHERE slug = 'bravo' RETURNING id",
    )
    .fetch_one(&app.db)
    .await
    .unwrap()
}
