//! Ports: listing, creating (super admins), reading and changing one.

use super::{audit_rows, call, member, port};
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn only_super_admins_create_ports() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    let (dir, _) = member(&app, "director", "anchor").await;
    let new = json!({"name": "Blue Bay", "slug": "blue-bay", "timezone": "Europe/Monaco", "default_currency": "eur"});
    assert_eq!(
        call(&dir, &app, Method::POST, "/api/v1/ports", Some(new.clone()))
            .await
            .0,
        StatusCode::FORBIDDEN
    );

    app.sign_in_super_admin().await;
    let res = app
        .client
        .post(app.url("/api/v1/ports"))
        .json(&new)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["location"], "/api/v1/ports/blue-bay");
    let created: Value = res.json().await.unwrap();
    assert_eq!(
        (
            created["default_currency"].as_str(),
            created["timezone"].as_str()
        ),
        (Some("EUR"), Some("Europe/Monaco"))
    );
    let rows = audit_rows(&app, "port").await;
    assert_eq!(rows[0].0, "create");

    let (status, _) = call(&app.client, &app, Method::POST, "/api/v1/ports", Some(new)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, body) = call(&app.client, &app, Method::POST, "/api/v1/ports",
        Some(json!({"name": "", "slug": "Bad Slug", "timezone": "Mars/Olympus", "default_currency": "EURO"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&String> = body["errors"].as_object().unwrap().keys().collect();
    assert_eq!(fields, ["default_currency", "name", "slug", "timezone"]);
}

#[tokio::test]
async fn a_user_lists_their_own_ports() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    port(&app, "bay").await;
    let (agent, _) = member(&app, "sales_agent", "anchor").await;
    let (status, list) = call(&agent, &app, Method::GET, "/api/v1/ports", None).await;
    assert_eq!(status, 200);
    let slugs: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["anchor"]);
    assert_eq!(list["next_cursor"], Value::Null);
    let (status, one) = call(&agent, &app, Method::GET, "/api/v1/ports/anchor", None).await;
    assert_eq!(
        (status, one["slug"].as_str()),
        (StatusCode::OK, Some("anchor"))
    );
    assert_eq!(
        call(&agent, &app, Method::GET, "/api/v1/ports/bay", None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // Changing the port needs settings.edit.
    assert_eq!(
        call(
            &agent,
            &app,
            Method::PATCH,
            "/api/v1/ports/anchor",
            Some(json!({"name": "x"}))
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn changing_a_port_is_checked_audited_and_shown_on_its_pages() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    let (dir, _) = member(&app, "director", "anchor").await;
    let path = "/api/v1/ports/anchor";

    let (status, body) = call(
        &dir,
        &app,
        Method::PATCH,
        path,
        Some(json!({"primary_color": "red", "timezone": "Nowhere"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["errors"]["primary_color"].is_array() && body["errors"]["timezone"].is_array(),
        "{body}"
    );
    let (status, _) = call(
        &dir,
        &app,
        Method::PATCH,
        path,
        Some(json!({"settings": [1]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (status, out) = call(&dir, &app, Method::PATCH, path,
        Some(json!({"name": "Anchor Marina", "primary_color": "#12AB9F", "settings": {"welcome": "hi"}}))).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(
        (out["name"].as_str(), out["primary_color"].as_str()),
        (Some("Anchor Marina"), Some("#12ab9f"))
    );
    let rows = audit_rows(&app, "port").await;
    let mut fields: Vec<&str> = rows.iter().filter_map(|r| r.1.as_deref()).collect();
    fields.sort();
    assert_eq!(fields, ["name", "primary_color", "settings"]);
    let colour = rows
        .iter()
        .find(|r| r.1.as_deref() == Some("primary_color"))
        .unwrap();
    assert_eq!(
        (colour.2.clone(), colour.3.clone()),
        (Some(Value::Null), Some(json!("#12ab9f")))
    );

    let html = dir
        .get(app.url("/ports/anchor"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("--accent: #12ab9f"),
        "the pages use the colour"
    );

    // The slug and whether the port is active: super admins only.
    assert_eq!(
        call(
            &dir,
            &app,
            Method::PATCH,
            path,
            Some(json!({"slug": "anchorage"}))
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(
            &dir,
            &app,
            Method::PATCH,
            path,
            Some(json!({"is_active": false}))
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    app.sign_in_super_admin().await;
    let (status, out) = call(
        &app.client,
        &app,
        Method::PATCH,
        path,
        Some(json!({"slug": "anchorage", "primary_color": null})),
    )
    .await;
    assert_eq!(
        (status, out["slug"].as_str(), out["primary_color"].clone()),
        (StatusCode::OK, Some("anchorage"), Value::Null)
    );
    assert_eq!(
        call(&dir, &app, Method::GET, "/api/v1/ports/anchorage", None)
            .await
            .0,
        StatusCode::OK
    );
}
