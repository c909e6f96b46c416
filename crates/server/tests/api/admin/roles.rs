//! Roles: custom roles, system roles' protection, per-port overrides.

use super::{audit_rows, call, grant, member, port};
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn role<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("role {name} is listed"))
}

#[tokio::test]
async fn a_director_creates_custom_roles_and_unknown_keys_are_named() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    let (dir, _) = member(&app, "director", "anchor").await;
    let path = "/api/v1/ports/anchor/roles";

    let (status, body) = call(
        &dir,
        &app,
        Method::POST,
        path,
        Some(json!({
            "name": "Dock office", "permissions": ["clients.view", "clients.fly", "boats.view"]
        })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let named = body["errors"]["permissions"].to_string();
    assert!(
        named.contains("clients.fly")
            && named.contains("boats.view")
            && !named.contains("clients.view"),
        "{body}"
    );

    let res = dir
        .post(app.url(path))
        .json(&json!({"name": "Dock office", "description": "Front desk",
                      "permissions": {"clients.view": true, "berths.view": true, "clients.edit": false}}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("{path}/{}", created["id"].as_str().unwrap())
    );
    assert_eq!(
        created["permissions"],
        json!(["berths.view", "clients.view"])
    );
    assert_eq!(created["is_system"], false);

    let (_, list) = call(&dir, &app, Method::GET, path, None).await;
    assert_eq!(
        role(&list, "Dock office")["effective"],
        json!(["berths.view", "clients.view"])
    );
    // System roles first, in the catalogue's order; super_admin is not a port role.
    let names: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "director",
            "sales_manager",
            "sales_agent",
            "finance",
            "viewer",
            "Dock office"
        ]
    );

    for taken in ["Dock office", "dock OFFICE", "director"] {
        let (status, _) = call(
            &dir,
            &app,
            Method::POST,
            path,
            Some(json!({"name": taken, "permissions": []})),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{taken}");
    }
    let (status, body) = call(
        &dir,
        &app,
        Method::POST,
        path,
        Some(json!({"name": " ", "permissions": [], "port_id": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let id = created["id"].as_str().unwrap();
    let (status, patched) = call(
        &dir,
        &app,
        Method::PATCH,
        &format!("{path}/{id}"),
        Some(json!({"permissions": ["clients.view", "clients.edit"], "description": null})),
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(
        patched["permissions"],
        json!(["clients.edit", "clients.view"])
    );
    assert_eq!(patched["description"], Value::Null);
    let (status, body) = call(
        &dir,
        &app,
        Method::PATCH,
        &format!("{path}/{id}"),
        Some(json!({"permissions": {"nope": true}})),
    )
    .await;
    assert_eq!(
        (status, body["errors"]["permissions"][0].as_str().unwrap()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "`nope` is not a permission"
        )
    );

    let rows = audit_rows(&app, "role").await;
    assert_eq!(rows[0].0, "create");
    assert!(
        rows.iter()
            .any(|r| r.0 == "update" && r.1.as_deref() == Some("permissions")),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.0 == "update" && r.1.as_deref() == Some("description")),
        "{rows:?}"
    );
}

#[tokio::test]
async fn system_roles_and_roles_in_use_are_not_edited_or_deleted() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    let (dir, _) = member(&app, "director", "anchor").await;
    let path = "/api/v1/ports/anchor/roles";
    let (_, list) = call(&dir, &app, Method::GET, path, None).await;
    let agent = role(&list, "sales_agent")["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let (status, body) = call(
        &dir,
        &app,
        Method::PATCH,
        &format!("{path}/{agent}"),
        Some(json!({"permissions": ["clients.view"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["detail"].as_str().unwrap().contains("overrides"),
        "{body}"
    );
    let (status, _) = call(&dir, &app, Method::DELETE, &format!("{path}/{agent}"), None).await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (_, custom) = call(
        &dir,
        &app,
        Method::POST,
        path,
        Some(json!({"name": "Night watch", "permissions": ["berths.view"]})),
    )
    .await;
    let custom_id = custom["id"].as_str().unwrap().to_owned();
    let (_, holder) = member(&app, "viewer", "anchor").await;
    grant(&app, &holder, "anchor", "Night watch").await;
    let (status, body) = call(
        &dir,
        &app,
        Method::DELETE,
        &format!("{path}/{custom_id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    sqlx::query("DELETE FROM user_port_roles WHERE user_id = $1 AND role_id = $2::uuid")
        .bind(&holder)
        .bind(&custom_id)
        .execute(&app.db)
        .await
        .unwrap();
    let (status, _) = call(
        &dir,
        &app,
        Method::DELETE,
        &format!("{path}/{custom_id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(
        &dir,
        &app,
        Method::DELETE,
        &format!("{path}/{custom_id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(audit_rows(&app, "role").await.last().unwrap().0, "delete");

    // Roles are managed by holders of roles.*: an agent is refused.
    let (agent_client, _) = member(&app, "sales_agent", "anchor").await;
    let (status, _) = call(
        &agent_client,
        &app,
        Method::POST,
        path,
        Some(json!({"name": "x", "permissions": []})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_custom_role_used_at_another_port_is_changed_only_by_a_super_admin() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    port(&app, "bay").await;
    let (dir, _) = member(&app, "director", "anchor").await;
    let (_, created) = call(
        &dir,
        &app,
        Method::POST,
        "/api/v1/ports/anchor/roles",
        Some(json!({"name": "Crew", "permissions": ["berths.view"]})),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let (_, someone) = member(&app, "viewer", "bay").await;
    grant(&app, &someone, "bay", "Crew").await;
    let (status, body) = call(
        &dir,
        &app,
        Method::PATCH,
        &format!("/api/v1/ports/anchor/roles/{id}"),
        Some(json!({"permissions": ["berths.view", "clients.view"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    app.sign_in_super_admin().await;
    let (status, _) = call(
        &app.client,
        &app,
        Method::PATCH,
        &format!("/api/v1/ports/anchor/roles/{id}"),
        Some(json!({"permissions": ["berths.view", "clients.view"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn overrides_change_what_a_role_may_do_at_one_port_only() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    port(&app, "bay").await;
    let (dir, _) = member(&app, "director", "anchor").await;
    let (agent, agent_id) = member(&app, "sales_agent", "anchor").await;
    grant(&app, &agent_id, "bay", "sales_agent").await;
    let (viewer, viewer_id) = member(&app, "viewer", "anchor").await;
    grant(&app, &viewer_id, "bay", "viewer").await;
    let (_, list) = call(&dir, &app, Method::GET, "/api/v1/ports/anchor/roles", None).await;
    let agent_role = role(&list, "sales_agent")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let viewer_role = role(&list, "viewer")["id"].as_str().unwrap().to_owned();

    assert_eq!(
        call(
            &agent,
            &app,
            Method::GET,
            "/api/v1/ports/anchor/members",
            None
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(
            &viewer,
            &app,
            Method::GET,
            "/api/v1/ports/anchor/settings",
            None
        )
        .await
        .0,
        StatusCode::OK
    );

    // Agents gain users.view at anchor; viewers lose settings.view there.
    let (status, out) = call(
        &dir,
        &app,
        Method::PUT,
        &format!("/api/v1/ports/anchor/roles/{agent_role}/overrides"),
        Some(json!({"users.view": true, "clients.view": true})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    // An entry equal to what the role grants anyway is not kept.
    assert_eq!(out["permission_overrides"], json!({"users.view": true}));
    assert!(
        out["effective"]
            .as_array()
            .unwrap()
            .contains(&json!("users.view"))
    );
    let (status, _) = call(
        &dir,
        &app,
        Method::PUT,
        &format!("/api/v1/ports/anchor/roles/{viewer_role}/overrides"),
        Some(json!({"settings.view": false})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    assert_eq!(
        call(
            &agent,
            &app,
            Method::GET,
            "/api/v1/ports/anchor/members",
            None
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        call(&agent, &app, Method::GET, "/api/v1/ports/bay/members", None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(
            &viewer,
            &app,
            Method::GET,
            "/api/v1/ports/anchor/settings",
            None
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(
            &viewer,
            &app,
            Method::GET,
            "/api/v1/ports/bay/settings",
            None
        )
        .await
        .0,
        StatusCode::OK
    );

    // An empty map takes the overrides away again.
    call(
        &dir,
        &app,
        Method::PUT,
        &format!("/api/v1/ports/anchor/roles/{agent_role}/overrides"),
        Some(json!({})),
    )
    .await;
    assert_eq!(
        call(
            &agent,
            &app,
            Method::GET,
            "/api/v1/ports/anchor/members",
            None
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let rows = audit_rows(&app, "role").await;
    assert!(
        rows.iter()
            .filter(|r| r.1.as_deref() == Some("permission_overrides"))
            .count()
            == 3,
        "{rows:?}"
    );
}

#[tokio::test]
async fn overrides_are_checked() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    let (dir, _) = member(&app, "director", "anchor").await;
    let (_, list) = call(&dir, &app, Method::GET, "/api/v1/ports/anchor/roles", None).await;
    let agent_role = role(&list, "sales_agent")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let director_role = role(&list, "director")["id"].as_str().unwrap().to_owned();

    let (status, body) = call(
        &dir,
        &app,
        Method::PUT,
        &format!("/api/v1/ports/anchor/roles/{agent_role}/overrides"),
        Some(json!({"clients.view": true, "clients.teleport": true})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["errors"]["permission_overrides"],
        json!(["`clients.teleport` is not a permission"])
    );
    let (status, _) = call(
        &dir,
        &app,
        Method::PUT,
        &format!("/api/v1/ports/anchor/roles/{agent_role}/overrides"),
        Some(json!({"clients.view": "yes"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Directors always keep the means to manage roles.
    let (status, _) = call(
        &dir,
        &app,
        Method::PUT,
        &format!("/api/v1/ports/anchor/roles/{director_role}/overrides"),
        Some(json!({"roles.edit": false})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = call(
        &dir,
        &app,
        Method::PUT,
        "/api/v1/ports/anchor/roles/00000000-0000-0000-0000-000000000000/overrides",
        Some(json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
