//! API tokens: shown once, work at their port only, end when revoked or expired.

use super::{call, grant, member, port};
use crate::helpers::TestApp;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

async fn bearer(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> StatusCode {
    let mut req = Client::new()
        .request(method, app.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send().await.unwrap().status()
}

#[tokio::test]
async fn a_token_is_shown_once_and_works_at_its_port_only() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    port(&app, "bay").await;
    let (dir, dir_id) = member(&app, "director", "anchor").await;
    grant(&app, &dir_id, "bay", "director").await;

    let res = dir
        .post(app.url("/api/v1/me/tokens"))
        .json(&json!({"name": "Website sync", "port": "anchor"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = res.json().await.unwrap();
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with(created["token_prefix"].as_str().unwrap()) && token.len() >= 43);
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_ne!(stored, token.as_bytes(), "only the hash is stored");

    assert_eq!(
        bearer(&app, &token, Method::GET, "/api/v1/ports/anchor", None).await,
        StatusCode::OK
    );
    assert_eq!(
        bearer(
            &app,
            &token,
            Method::GET,
            "/api/v1/ports/anchor/members",
            None
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(
        bearer(&app, &token, Method::GET, "/api/v1/ports/bay", None).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        bearer(&app, &token, Method::GET, "/api/v1/ports/bay/members", None).await,
        StatusCode::NOT_FOUND
    );

    let (_, list) = call(&dir, &app, Method::GET, "/api/v1/me/tokens", None).await;
    let listed = &list["data"][0];
    assert_eq!(
        (listed["name"].as_str(), listed["port"].as_str()),
        (Some("Website sync"), Some("anchor"))
    );
    assert!(
        listed.get("token").is_none() && listed.get("token_hash").is_none(),
        "{listed}"
    );
    assert!(
        listed["last_used_at"].is_string(),
        "last use is recorded: {listed}"
    );
    let (status, one) = call(&dir, &app, Method::GET, &location, None).await;
    assert_eq!(
        (status, one["id"].clone()),
        (StatusCode::OK, created["id"].clone())
    );
}

#[tokio::test]
async fn revoked_or_expired_tokens_answer_401() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    let (dir, _) = member(&app, "director", "anchor").await;
    let mut tokens = Vec::new();
    for name in ["one", "two"] {
        let (status, t) = call(
            &dir,
            &app,
            Method::POST,
            "/api/v1/me/tokens",
            Some(json!({"name": name, "port": "anchor", "expires_at": "2999-01-01T00:00:00Z"})),
        )
        .await;
        assert_eq!(status, 201);
        tokens.push(t);
    }
    let secret = |i: usize| tokens[i]["token"].as_str().unwrap().to_owned();
    assert_eq!(
        bearer(&app, &secret(0), Method::GET, "/api/v1/me", None).await,
        200
    );

    let (status, _) = call(
        &dir,
        &app,
        Method::DELETE,
        &format!("/api/v1/me/tokens/{}", tokens[0]["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        bearer(&app, &secret(0), Method::GET, "/api/v1/me", None).await,
        401
    );

    sqlx::query(
        "UPDATE api_tokens SET expires_at = now() - interval '1 minute' WHERE name = 'two'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    assert_eq!(
        bearer(&app, &secret(1), Method::GET, "/api/v1/ports/anchor", None).await,
        401
    );

    let (_, list) = call(&dir, &app, Method::GET, "/api/v1/me/tokens", None).await;
    let revoked = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "one")
        .unwrap();
    assert!(revoked["revoked_at"].is_string());

    let (status, body) = call(
        &dir,
        &app,
        Method::POST,
        "/api/v1/me/tokens",
        Some(json!({"name": "old", "port": "anchor", "expires_at": "2001-01-01T00:00:00Z"})),
    )
    .await;
    assert_eq!(
        (status, body["errors"]["expires_at"].is_array()),
        (StatusCode::UNPROCESSABLE_ENTITY, true)
    );
    let (status, body) = call(
        &dir,
        &app,
        Method::POST,
        "/api/v1/me/tokens",
        Some(json!({"name": "", "port": "anchor"})),
    )
    .await;
    assert_eq!(
        (status, body["errors"]["name"].is_array()),
        (StatusCode::UNPROCESSABLE_ENTITY, true)
    );
}

#[tokio::test]
async fn tokens_are_made_only_for_ports_of_the_user_and_only_from_a_session() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    port(&app, "bay").await;
    let (agent, _) = member(&app, "sales_agent", "anchor").await;
    let (status, _) = call(
        &agent,
        &app,
        Method::POST,
        "/api/v1/me/tokens",
        Some(json!({"name": "x", "port": "bay"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, created) = call(
        &agent,
        &app,
        Method::POST,
        "/api/v1/me/tokens",
        Some(json!({"name": "x", "port": "anchor"})),
    )
    .await;
    let token = created["token"].as_str().unwrap();
    let id = created["id"].as_str().unwrap();

    // A token acts for its port's data; the account is managed from a session.
    assert_eq!(
        bearer(
            &app,
            token,
            Method::POST,
            "/api/v1/me/tokens",
            Some(json!({"name": "y", "port": "anchor"}))
        )
        .await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        bearer(&app, token, Method::GET, "/api/v1/me/tokens", None).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        bearer(
            &app,
            token,
            Method::DELETE,
            &format!("/api/v1/me/tokens/{id}"),
            None
        )
        .await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        bearer(&app, token, Method::GET, "/api/v1/me/sessions", None).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        bearer(
            &app,
            token,
            Method::PATCH,
            "/api/v1/me/profile",
            Some(json!({"display_name": "Token"}))
        )
        .await,
        StatusCode::FORBIDDEN
    );
    // Within its port it has its user's role and no more.
    assert_eq!(
        bearer(
            &app,
            token,
            Method::GET,
            "/api/v1/ports/anchor/members",
            None
        )
        .await,
        StatusCode::FORBIDDEN
    );

    // Another user's token is not found.
    let (other, _) = member(&app, "sales_agent", "anchor").await;
    assert_eq!(
        call(
            &other,
            &app,
            Method::DELETE,
            &format!("/api/v1/me/tokens/{id}"),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
}
