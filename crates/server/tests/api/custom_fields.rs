//! Custom fields over HTTP: definitions (select options, unique names, other
//! ports' invisible), values checked by type on clients, the settings page and
//! the client panel.

use crate::admin::{call, csrf_of, member};
use crate::helpers::{TestApp, port};
use crate::tags::client;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

const DEFS: &str = "/api/v1/ports/anchor/custom-fields";

async fn define(dir: &reqwest::Client, app: &TestApp, body: Value) -> Value {
    let (s, def) = call(dir, app, Method::POST, DEFS, Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{def}");
    def
}

#[tokio::test]
async fn definitions_are_checked_unique_and_per_port() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    let bravo = port(&app, "bravo").await;
    let (dir, _) = member(&app, "director", "anchor").await;

    let (s, body) = call(
        &dir,
        &app,
        Method::POST,
        DEFS,
        Some(json!({"entity_type": "client", "field_label": "Side", "field_type": "select"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["select_options"].is_array(), "{body}");
    let (s, body) = call(&dir, &app, Method::POST, DEFS, Some(json!({"entity_type": "client", "field_label": "Side", "field_type": "select", "select_options": ["A", "a"]}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (s, body) = call(&dir, &app, Method::POST, DEFS, Some(json!({"entity_type": "client", "field_label": "Budget", "field_type": "number", "select_options": ["A"]}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["select_options"].is_array(), "{body}");
    let (s, body) = call(
        &dir,
        &app,
        Method::POST,
        DEFS,
        Some(json!({"entity_type": "boat", "field_label": "X", "field_type": "text"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["entity_type"].is_array(), "{body}");
    let (s, body) = call(&dir, &app, Method::POST, DEFS, Some(json!({"entity_type": "client", "field_name": "Bad Name", "field_label": "X", "field_type": "text"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["field_name"].is_array(), "{body}");

    let budget = define(&dir, &app, json!({"entity_type": "client", "field_label": "Annual budget (USD)", "field_type": "number"})).await;
    assert_eq!(budget["field_name"], "annual_budget_usd");
    assert_eq!(budget["sort_order"], 0);
    let (s, _) = call(&dir, &app, Method::POST, DEFS, Some(json!({"entity_type": "client", "field_name": "annual_budget_usd", "field_label": "Again", "field_type": "text"}))).await;
    assert_eq!(s, StatusCode::CONFLICT);
    // The same name on another record type is another field.
    define(&dir, &app, json!({"entity_type": "berth", "field_name": "annual_budget_usd", "field_label": "Upkeep", "field_type": "number"})).await;
    let side = define(&dir, &app, json!({"entity_type": "client", "field_label": "Preferred berth side", "field_type": "select", "select_options": ["Port", "Starboard"], "is_required": true})).await;
    assert_eq!(side["sort_order"], 1);

    // Another port's definitions are invisible.
    sqlx::query("INSERT INTO custom_field_definitions (port_id, entity_type, field_name, field_label, field_type) VALUES ($1, 'client', 'secret', 'Secret', 'text')")
        .bind(bravo)
        .execute(&app.db)
        .await
        .unwrap();
    let theirs: Uuid =
        sqlx::query_scalar("SELECT id FROM custom_field_definitions WHERE field_name = 'secret'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let (_, list) = call(
        &dir,
        &app,
        Method::GET,
        &format!("{DEFS}?entity_type=client"),
        None,
    )
    .await;
    let names: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["annual_budget_usd", "preferred_berth_side"]);
    let (s, _) = call(
        &dir,
        &app,
        Method::PATCH,
        &format!("{DEFS}/{theirs}"),
        Some(json!({"field_label": "Mine"})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = call(
        &dir,
        &app,
        Method::DELETE,
        &format!("{DEFS}/{theirs}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Edit: the type stays; options change, but not away from values in use.
    let side_path = format!("{DEFS}/{}", side["id"].as_str().unwrap());
    let (s, _) = call(
        &dir,
        &app,
        Method::PATCH,
        &side_path,
        Some(json!({"field_type": "text"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, body) = call(&dir, &app, Method::PATCH, &side_path, Some(json!({"select_options": ["Port", "Starboard", "Stern-to"], "field_label": "Berth side"}))).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(
        body["select_options"],
        json!(["Port", "Starboard", "Stern-to"])
    );

    // Paging through all of them.
    let (_, page) = call(&dir, &app, Method::GET, &format!("{DEFS}?limit=2"), None).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let next = page["next_cursor"].as_str().unwrap();
    let (_, page) = call(
        &dir,
        &app,
        Method::GET,
        &format!("{DEFS}?limit=2&cursor={next}"),
        None,
    )
    .await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);

    // A sales agent reads definitions but does not make them.
    let (agent, _) = member(&app, "sales_agent", "anchor").await;
    let (s, _) = call(&agent, &app, Method::GET, DEFS, None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = call(
        &agent,
        &app,
        Method::POST,
        DEFS,
        Some(json!({"entity_type": "client", "field_label": "X", "field_type": "text"})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (s, _) = call(&dir, &app, Method::DELETE, &side_path, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn values_are_checked_by_type_and_audited_on_the_client() {
    let app = TestApp::spawn().await;
    let anchor = port(&app, "anchor").await;
    let bravo = port(&app, "bravo").await;
    let (dir, _) = member(&app, "director", "anchor").await;
    let ann = client(&app, anchor, "Ann Hartley").await;
    let theirs = client(&app, bravo, "Bravo Client").await;
    define(&dir, &app, json!({"entity_type": "client", "field_label": "Side", "field_type": "select", "select_options": ["Port", "Starboard"], "is_required": true})).await;
    define(
        &dir,
        &app,
        json!({"entity_type": "client", "field_label": "Budget", "field_type": "number"}),
    )
    .await;
    define(
        &dir,
        &app,
        json!({"entity_type": "client", "field_label": "Since", "field_type": "date"}),
    )
    .await;
    define(
        &dir,
        &app,
        json!({"entity_type": "client", "field_label": "Consent", "field_type": "boolean"}),
    )
    .await;
    define(
        &dir,
        &app,
        json!({"entity_type": "client", "field_label": "Note", "field_type": "text"}),
    )
    .await;
    let path = format!("/api/v1/ports/anchor/clients/{ann}/custom-fields");

    let (s, body) = call(&dir, &app, Method::GET, &path, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        body,
        json!({"side": null, "budget": null, "since": null, "consent": null, "note": null})
    );

    let (s, body) = call(&dir, &app, Method::PUT, &path, Some(json!({"side": "Bow"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let msg = body["errors"]["custom_fields.side"][0].as_str().unwrap();
    assert!(msg.contains("Port, Starboard"), "{body}");
    for (field, bad) in [
        ("budget", json!("lots")),
        ("since", json!("2026-02-30")),
        ("consent", json!("maybe")),
        ("note", json!(7)),
    ] {
        let (s, body) = call(&dir, &app, Method::PUT, &path, Some(json!({ field: bad }))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(
            body["errors"][format!("custom_fields.{field}")].is_array(),
            "{body}"
        );
    }
    let (s, body) = call(
        &dir,
        &app,
        Method::PUT,
        &path,
        Some(json!({"colour": "red"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["custom_fields.colour"].is_array(), "{body}");

    let (s, body) = call(&dir, &app, Method::PUT, &path, Some(json!({"side": "Port", "budget": "250000", "since": "2024-05-01", "consent": true, "note": "  Prefers mornings "}))).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"side": "Port", "budget": 250000, "since": "2024-05-01", "consent": true, "note": "Prefers mornings"})
    );
    // Nothing half-written by a refused change.
    let (s, _) = call(
        &dir,
        &app,
        Method::PUT,
        &path,
        Some(json!({"budget": 1, "side": "Bow"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // A required field cannot be cleared; others can.
    let (s, body) = call(&dir, &app, Method::PUT, &path, Some(json!({"side": null}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["custom_fields.side"].is_array());
    let (s, body) = call(
        &dir,
        &app,
        Method::PUT,
        &path,
        Some(json!({"note": null, "budget": 12.5})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (body["note"].clone(), body["budget"].clone()),
        (Value::Null, json!(12.5))
    );

    let audit: Vec<(String, Option<Value>, Option<Value>)> = sqlx::query_as(
        "SELECT field_changed, old_value, new_value FROM audit_logs WHERE entity_type = 'client' AND entity_id = $1 ORDER BY created_at, field_changed",
    )
    .bind(ann)
    .fetch_all(&app.db)
    .await
    .unwrap();
    let fields: Vec<&str> = audit.iter().map(|(f, _, _)| f.as_str()).collect();
    assert!(
        fields.contains(&"custom_fields.budget") && fields.contains(&"custom_fields.note"),
        "{fields:?}"
    );
    assert!(audit.contains(&(
        "custom_fields.budget".into(),
        Some(json!(250000)),
        Some(json!(12.5))
    )));

    // Many clients' values at once.
    let mut conn = app.state.db.begin_port(anchor).await.unwrap();
    let many = nimara::custom_fields::values_of(
        &mut conn,
        nimara::custom_fields::EntityType::Client,
        &[ann, theirs],
    )
    .await
    .unwrap();
    assert_eq!(many.len(), 1);
    assert_eq!(many[&ann]["side"], "Port");

    // Another port's client answers 404.
    let theirs_path = format!("/api/v1/ports/anchor/clients/{theirs}/custom-fields");
    let (s, _) = call(&dir, &app, Method::GET, &theirs_path, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = call(
        &dir,
        &app,
        Method::PUT,
        &theirs_path,
        Some(json!({"note": "x"})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_settings_page_defines_fields_and_the_panel_edits_values() {
    let app = TestApp::spawn().await;
    let anchor = port(&app, "anchor").await;
    let (dir, _) = member(&app, "director", "anchor").await;
    let ann = client(&app, anchor, "Ann Hartley").await;
    let page = "/ports/anchor/settings/custom-fields";
    let csrf = csrf_of(&dir, &app, page).await;
    let post = |path: String, form: Vec<(&'static str, &'static str)>| {
        let mut form = form;
        form.push(("_csrf", Box::leak(csrf.clone().into_boxed_str())));
        dir.post(app.url(&path))
            .header("hx-request", "true")
            .form(&form)
            .send()
    };

    let res = post(
        page.into(),
        vec![
            ("entity_type", "client"),
            ("field_label", "Side"),
            ("field_type", "select"),
            ("select_options", ""),
        ],
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("cf-new-options-client-error") && html.contains("value=\"Side\""),
        "{html}"
    );
    let res = post(
        page.into(),
        vec![
            ("entity_type", "client"),
            ("field_label", "Side"),
            ("field_type", "select"),
            ("select_options", "Port\nStarboard\n"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = post(
        page.into(),
        vec![
            ("entity_type", "client"),
            ("field_label", "Budget"),
            ("field_type", "number"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let budget: Uuid =
        sqlx::query_scalar("SELECT id FROM custom_field_definitions WHERE field_name = 'budget'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let res = post(format!("{page}/{budget}/move"), vec![("direction", "up")])
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let order: Vec<String> =
        sqlx::query_scalar("SELECT field_name FROM custom_field_definitions ORDER BY sort_order")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(order, ["budget", "side"]);
    let html = dir
        .get(app.url(page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Choice from a list") && html.contains(">Starboard<"),
        "{html}"
    );

    // The panel: a value out of range is refused beside its field, as typed.
    let submit = format!("/ports/anchor/clients/{ann}/custom-fields");
    let res = post(
        submit.clone(),
        vec![("cf.side", "Port"), ("cf.budget", "a lot")],
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(&format!("cf-{ann}-budget-error")) && html.contains("value=\"a lot\""),
        "{html}"
    );
    let res = post(
        submit,
        vec![("cf.side", "Starboard"), ("cf.budget", "120000")],
    )
    .await
    .unwrap();
    let html = res.text().await.unwrap();
    assert!(
        html.contains("<dd>Starboard</dd>") && html.contains("<dd>120000</dd>"),
        "{html}"
    );
}
