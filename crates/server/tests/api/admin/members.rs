//! Members: their roles, keeping a director, deactivation, removal.

use super::{audit_rows, call, grant, member, port};
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn members_are_listed_with_their_roles_a_page_at_a_time() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    port(&app, "bay").await;
    let (dir, dir_id) = member(&app, "director", "anchor").await;
    let (_, agent_id) = member(&app, "sales_agent", "anchor").await;
    grant(&app, &agent_id, "anchor", "finance").await;
    member(&app, "viewer", "bay").await;

    let (status, list) = call(
        &dir,
        &app,
        Method::GET,
        "/api/v1/ports/anchor/members",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), 2, "{list}");
    let agent = data
        .iter()
        .find(|m| m["user_id"] == agent_id.as_str())
        .unwrap();
    assert_eq!(agent["roles"], json!(["finance", "sales_agent"]));
    assert_eq!(agent["is_active"], true);
    assert!(data.iter().any(|m| m["user_id"] == dir_id.as_str()));

    let (_, first) = call(
        &dir,
        &app,
        Method::GET,
        "/api/v1/ports/anchor/members?limit=1",
        None,
    )
    .await;
    let cursor = first["next_cursor"].as_str().expect("a second page");
    let (_, second) = call(
        &dir,
        &app,
        Method::GET,
        &format!("/api/v1/ports/anchor/members?limit=1&cursor={cursor}"),
        None,
    )
    .await;
    assert_eq!(second["data"].as_array().unwrap().len(), 1);
    assert_eq!(second["next_cursor"], Value::Null);
    assert_ne!(first["data"][0]["user_id"], second["data"][0]["user_id"]);
    let (status, _) = call(
        &dir,
        &app,
        Method::GET,
        "/api/v1/ports/anchor/members?limit=500",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_change_that_would_leave_the_port_without_a_director_is_refused() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    let (dir, dir_id) = member(&app, "director", "anchor").await;
    let path = format!("/api/v1/ports/anchor/members/{dir_id}");

    let (status, body) = call(
        &dir,
        &app,
        Method::PUT,
        &format!("{path}/roles"),
        Some(json!({"roles": ["sales_manager"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("director"));
    assert_eq!(
        call(&dir, &app, Method::DELETE, &path, None).await.0,
        StatusCode::CONFLICT
    );
    app.sign_in_super_admin().await;
    let (status, _) = call(
        &app.client,
        &app,
        Method::PATCH,
        &path,
        Some(json!({"is_active": false})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // With a second director, the first may step down.
    let (_, other) = member(&app, "sales_manager", "anchor").await;
    let (status, m) = call(
        &dir,
        &app,
        Method::PUT,
        &format!("/api/v1/ports/anchor/members/{other}/roles"),
        Some(json!({"roles": ["director", "sales_manager"]})),
    )
    .await;
    assert_eq!(status, 200, "{m}");
    assert_eq!(m["roles"], json!(["director", "sales_manager"]));
    let (status, m) = call(
        &dir,
        &app,
        Method::PUT,
        &format!("{path}/roles"),
        Some(json!({"roles": ["sales_manager"]})),
    )
    .await;
    assert_eq!(
        (status, m["roles"].clone()),
        (StatusCode::OK, json!(["sales_manager"]))
    );

    let rows = audit_rows(&app, "user").await;
    let roles: Vec<_> = rows
        .iter()
        .filter(|r| r.1.as_deref() == Some("roles"))
        .collect();
    assert_eq!(roles.len(), 2, "{rows:?}");
    assert_eq!(roles[1].2, Some(json!(["director"])));
    assert_eq!(roles[1].3, Some(json!(["sales_manager"])));
}

#[tokio::test]
async fn roles_given_at_a_port_are_checked() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    port(&app, "bay").await;
    let (dir, _) = member(&app, "director", "anchor").await;
    // An office role that manages members but not roles, and reads everything.
    let mut keys: Vec<String> = [
        "clients",
        "interests",
        "berths",
        "documents",
        "files",
        "expenses",
        "invoices",
        "email",
        "reminders",
        "reports",
        "webhooks",
        "tags",
        "custom_fields",
        "forms",
        "templates",
        "settings",
        "users",
        "roles",
    ]
    .iter()
    .map(|r| format!("{r}.view"))
    .collect();
    keys.push("users.edit".into());
    let (status, _) = call(
        &dir,
        &app,
        Method::POST,
        "/api/v1/ports/anchor/roles",
        Some(json!({"name": "office", "permissions": keys})),
    )
    .await;
    assert_eq!(status, 201);
    let (office, office_id) = member(&app, "viewer", "anchor").await;
    grant(&app, &office_id, "anchor", "office").await;
    let (_, target) = member(&app, "sales_agent", "anchor").await;
    let roles_of = |id: &str| format!("/api/v1/ports/anchor/members/{id}/roles");

    let (status, _) = call(
        &office,
        &app,
        Method::PUT,
        &roles_of(&target),
        Some(json!({"roles": ["director"]})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only holders of roles.edit give director"
    );
    let (status, body) = call(
        &office,
        &app,
        Method::PUT,
        &roles_of(&target),
        Some(json!({"roles": ["super_admin"]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["errors"]["roles"][0]
            .as_str()
            .unwrap()
            .contains("super_admin")
    );
    let (status, body) = call(
        &office,
        &app,
        Method::PUT,
        &roles_of(&target),
        Some(json!({"roles": ["pirate"]})),
    )
    .await;
    assert_eq!(
        (status, body["errors"]["roles"][0].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("`pirate` is not a role")
        )
    );
    let (status, _) = call(
        &office,
        &app,
        Method::PUT,
        &roles_of(&target),
        Some(json!({"roles": []})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Nobody hands out more than they hold: finance grants invoices.create.
    let (status, _) = call(
        &office,
        &app,
        Method::PUT,
        &roles_of(&target),
        Some(json!({"roles": ["finance"]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, m) = call(
        &office,
        &app,
        Method::PUT,
        &roles_of(&target),
        Some(json!({"roles": ["viewer"]})),
    )
    .await;
    assert_eq!(
        (status, m["roles"].clone()),
        (StatusCode::OK, json!(["viewer"]))
    );

    // A user of another port is not a member here.
    let (_, stranger) = member(&app, "viewer", "bay").await;
    let (status, _) = call(
        &dir,
        &app,
        Method::PUT,
        &roles_of(&stranger),
        Some(json!({"roles": ["viewer"]})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(
        &dir,
        &app,
        Method::PATCH,
        &format!("/api/v1/ports/anchor/members/{stranger}"),
        Some(json!({"is_active": false})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn deactivating_a_member_ends_their_sessions() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    let (dir, _) = member(&app, "director", "anchor").await;
    let (agent, agent_id) = member(&app, "sales_agent", "anchor").await;
    assert_eq!(
        call(&agent, &app, Method::GET, "/api/v1/me", None).await.0,
        200
    );

    let path = format!("/api/v1/ports/anchor/members/{agent_id}");
    let (status, m) = call(
        &dir,
        &app,
        Method::PATCH,
        &path,
        Some(json!({"is_active": false})),
    )
    .await;
    assert_eq!(
        (status, m["is_active"].clone()),
        (StatusCode::OK, json!(false))
    );
    assert_eq!(
        call(&agent, &app, Method::GET, "/api/v1/me", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let live: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sessions WHERE user_id = $1 AND revoked_at IS NULL",
    )
    .bind(&agent_id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(live, 0);
    let rows = audit_rows(&app, "user").await;
    assert!(
        rows.iter()
            .any(|r| r.1.as_deref() == Some("is_active") && r.3 == Some(json!(false))),
        "{rows:?}"
    );

    let (status, m) = call(
        &dir,
        &app,
        Method::PATCH,
        &path,
        Some(json!({"is_active": true})),
    )
    .await;
    assert_eq!(
        (status, m["is_active"].clone()),
        (StatusCode::OK, json!(true))
    );
    let (status, _) = call(
        &dir,
        &app,
        Method::PATCH,
        &path,
        Some(json!({"is_admin": true})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn members_of_other_ports_are_deactivated_only_by_a_super_admin() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    port(&app, "bay").await;
    let (dir, dir_id) = member(&app, "director", "anchor").await;
    let (_, both) = member(&app, "sales_agent", "anchor").await;
    grant(&app, &both, "bay", "viewer").await;
    let path = format!("/api/v1/ports/anchor/members/{both}");
    assert_eq!(
        call(
            &dir,
            &app,
            Method::PATCH,
            &path,
            Some(json!({"is_active": false}))
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
            &format!("/api/v1/ports/anchor/members/{dir_id}"),
            Some(json!({"is_active": false}))
        )
        .await
        .0,
        StatusCode::CONFLICT,
        "nobody deactivates themselves"
    );
    app.sign_in_super_admin().await;
    assert_eq!(
        call(
            &app.client,
            &app,
            Method::PATCH,
            &path,
            Some(json!({"is_active": false}))
        )
        .await
        .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn removing_a_member_takes_their_roles_and_tokens_for_the_port() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    let (dir, _) = member(&app, "director", "anchor").await;
    let (agent, agent_id) = member(&app, "sales_agent", "anchor").await;
    let (status, token) = call(
        &agent,
        &app,
        Method::POST,
        "/api/v1/me/tokens",
        Some(json!({"name": "sync", "port": "anchor"})),
    )
    .await;
    assert_eq!(status, 201);

    let (status, _) = call(
        &agent,
        &app,
        Method::DELETE,
        &format!("/api/v1/ports/anchor/members/{agent_id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an agent lacks users.delete");
    let (status, _) = call(
        &dir,
        &app,
        Method::DELETE,
        &format!("/api/v1/ports/anchor/members/{agent_id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        call(&agent, &app, Method::GET, "/api/v1/ports/anchor", None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let res = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(token["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "the token for the port is revoked");
    assert_eq!(audit_rows(&app, "member").await[0].0, "delete");
}
