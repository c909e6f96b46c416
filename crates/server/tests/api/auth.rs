//! Signing in and out, sessions, the rate limit, deactivation and CSRF.

use crate::helpers::port;
use crate::helpers::{PASSWORD, TestApp};
use serde_json::{Value, json};

fn session_cookie(res: &reqwest::Response) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("nimara_session="))
        .expect("a session cookie is set")
}

#[tokio::test]
async fn signing_in_returns_the_user_and_ports_and_a_safe_session_cookie() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    app.create_user("dana@example.test", false, Some(("anchor", "director")))
        .await;

    let res = app.login("  Dana@Example.test ", PASSWORD).await;
    assert_eq!(res.status(), 200);
    let cookie = session_cookie(&res);
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["email"], "dana@example.test");
    assert_eq!(me["ports"][0]["slug"], "anchor");
    assert_eq!(me["ports"][0]["roles"], json!(["director"]));

    let me: Value = app.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["email"], "dana@example.test");

    assert_eq!(
        app.client
            .post(app.url("/api/v1/auth/logout"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(app.get("/api/v1/me").await.status(), 401);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.create_user("dana@example.test", false, None).await;
    let wrong = app.login("dana@example.test", "not the password").await;
    let unknown = app.login("nobody@example.test", PASSWORD).await;
    assert_eq!(
        (wrong.status().as_u16(), unknown.status().as_u16()),
        (401, 401)
    );
    assert_eq!(wrong.headers()["content-type"], "application/problem+json");
    assert_eq!(wrong.text().await.unwrap(), unknown.text().await.unwrap());
}

#[tokio::test]
async fn every_sign_in_opens_a_new_session_and_each_can_be_revoked() {
    let app = TestApp::spawn().await;
    app.create_user("dana@example.test", false, None).await;
    let first = session_cookie(&app.login("dana@example.test", PASSWORD).await);
    // A second device.
    let other = TestApp::client_for(&app);
    let res = other
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "dana@example.test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let second = session_cookie(&res);
    assert_ne!(
        first.split(';').next(),
        second.split(';').next(),
        "a fresh session id each time"
    );

    let list: Value = app.get("/api/v1/me/sessions").await.json().await.unwrap();
    let sessions = list["data"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    let theirs = sessions.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let res = app
        .client
        .delete(app.url(&format!("/api/v1/me/sessions/{theirs}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(
        other
            .get(app.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .status(),
        401,
        "the revoked device is out"
    );
    assert_eq!(
        app.get("/api/v1/me").await.status(),
        200,
        "this device stays in"
    );
    // Someone else's session id (or a revoked one) is not found.
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/me/sessions/{theirs}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn the_sixth_failure_in_fifteen_minutes_is_429_with_retry_after() {
    let app = TestApp::spawn().await;
    app.create_user("dana@example.test", false, None).await;
    for _ in 0..5 {
        assert_eq!(app.login("dana@example.test", "guess").await.status(), 401);
    }
    let res = app.login("dana@example.test", PASSWORD).await;
    assert_eq!(res.status(), 429, "even the right password waits");
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    assert_eq!(res.headers()["content-type"], "application/problem+json");

    // The window passes.
    sqlx::query("UPDATE login_attempts SET created_at = created_at - interval '16 minutes'")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(app.login("dana@example.test", PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn failures_are_also_limited_per_address() {
    let app = TestApp::spawn().await;
    for i in 0..5 {
        assert_eq!(
            app.login(&format!("guess{i}@example.test"), "guess")
                .await
                .status(),
            401
        );
    }
    assert_eq!(
        app.login("another@example.test", "guess").await.status(),
        429
    );
}

#[tokio::test]
async fn a_deactivated_user_cannot_sign_in_and_their_sessions_end() {
    let app = TestApp::spawn().await;
    let id = app.create_user("dana@example.test", false, None).await;
    assert_eq!(app.login("dana@example.test", PASSWORD).await.status(), 200);
    sqlx::query("UPDATE user_profiles SET is_active = false WHERE user_id = $1")
        .bind(&id)
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(app.get("/api/v1/me").await.status(), 401);
    assert_eq!(app.login("dana@example.test", PASSWORD).await.status(), 401);
}

#[tokio::test]
async fn idle_and_absolute_expiry_end_a_session() {
    let app = TestApp::spawn().await;
    app.create_user("dana@example.test", false, None).await;
    app.login("dana@example.test", PASSWORD).await;
    sqlx::query("UPDATE sessions SET idle_expires_at = now() - interval '1 second'")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(app.get("/api/v1/me").await.status(), 401);
    app.login("dana@example.test", PASSWORD).await;
    sqlx::query(
        "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE revoked_at IS NULL",
    )
    .execute(&app.db)
    .await
    .unwrap();
    assert_eq!(app.get("/api/v1/me").await.status(), 401);
}

#[tokio::test]
async fn sign_in_and_sign_out_are_audited_with_address_and_user_agent() {
    let app = TestApp::spawn().await;
    let id = app.create_user("dana@example.test", false, None).await;
    app.client
        .post(app.url("/api/v1/auth/login"))
        .header("user-agent", "HarbourTest/1.0")
        .json(&json!({"email": "dana@example.test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    app.client
        .post(app.url("/api/v1/auth/logout"))
        .header("user-agent", "HarbourTest/1.0")
        .send()
        .await
        .unwrap();
    type Row = (String, Option<String>, Option<String>, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT action, user_id, ip_address, user_agent FROM audit_logs WHERE entity_type = 'user' ORDER BY created_at",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(rows.len(), 2);
    for (row, action) in rows.iter().zip(["login", "logout"]) {
        assert_eq!(row.0, action);
        assert_eq!(row.1.as_deref(), Some(id.as_str()));
        assert_eq!(row.2.as_deref(), Some("127.0.0.1"));
        assert_eq!(row.3.as_deref(), Some("HarbourTest/1.0"));
    }
}

#[tokio::test]
async fn cross_site_requests_riding_on_the_cookie_are_refused() {
    let app = TestApp::spawn().await;
    app.create_user("dana@example.test", false, None).await;
    app.login("dana@example.test", PASSWORD).await;

    let forged = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let forged = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    // A form without the session's token is refused too, even from our own origin.
    let form = app
        .client
        .post(app.url("/logout"))
        .header("origin", &app.address)
        .form(&[("_csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 403);
    assert_eq!(app.get("/api/v1/me").await.status(), 200, "still signed in");

    // Same-origin requests pass.
    let ours = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .header("origin", &app.address)
        .send()
        .await
        .unwrap();
    assert_eq!(ours.status(), 204);
}

#[tokio::test]
async fn the_sign_in_page_signs_in_and_returns_to_where_the_user_was_going() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    app.create_user("dana@example.test", false, Some(("anchor", "viewer")))
        .await;
    let res = app.get("/ports/anchor").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login?next=%2Fports%2Fanchor");

    let wrong = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("email", "dana@example.test"),
            ("password", "nope"),
            ("next", "/ports/anchor"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let html = wrong.text().await.unwrap();
    assert!(
        html.contains("do not match") && html.contains("value=\"dana@example.test\""),
        "{html}"
    );

    let ok = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("email", "dana@example.test"),
            ("password", PASSWORD),
            ("next", "https://evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    assert_eq!(ok.headers()["location"], "/", "never off-site");
    assert_eq!(app.get("/ports/anchor").await.status(), 200);
}

#[tokio::test]
async fn a_member_sees_only_their_ports_and_another_port_does_not_exist_for_them() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    port(&app, "other").await;
    app.sign_in_as("sales_agent", "anchor").await;
    let me: Value = app.get("/api/v1/me").await.json().await.unwrap();
    let slugs: Vec<&str> = me["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["anchor"]);
    assert_eq!(app.get("/ports/anchor").await.status(), 200);
    let res = app.get("/ports/other").await;
    assert_eq!(res.status(), 404, "exactly like a port that does not exist");
    let missing = app.get("/ports/no-such-port").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(res.text().await.unwrap(), missing.text().await.unwrap());
    // Bad JSON to the API is a problem document, not a stack trace.
    let res = app
        .post_json("/api/v1/auth/login", &json!({"email": 5}))
        .await;
    assert_eq!(res.status(), 422);
}
