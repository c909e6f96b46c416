//! Berth status rules (BR-001) over HTTP: linking suggests, accepting sets
//! the status with the rule as the reason, milestones change it at once and
//! only forward, `off` does nothing, a berth follows its most advanced
//! interest, releasing suggests availability; the suggestions API, the berth
//! page's section and the settings page.

use crate::admin::{call, member};
use crate::helpers::{TestApp, port};
use crate::interests::{berth, create, patch};
use crate::notes::client;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

/// The berth's status columns: status, changed by, reason, and whether the
/// time of the change is recorded.
async fn status_of(app: &TestApp, berth: Uuid) -> (String, Option<String>, Option<String>, bool) {
    sqlx::query_as(
        "SELECT status, status_last_changed_by, status_last_changed_reason, status_last_modified IS NOT NULL
         FROM berths WHERE id = $1",
    )
    .bind(berth)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

/// (trigger, target_status, status) of the berth's suggestions, oldest first.
async fn suggestions(app: &TestApp, berth: Uuid) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT trigger, target_status, status FROM berth_status_suggestions WHERE berth_id = $1 ORDER BY created_at, id",
    )
    .bind(berth)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn linking_suggests_under_offer_and_accepting_sets_it_with_the_rule_as_reason() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let ann = client(&app, north, "Ann Hart").await;
    let bo = client(&app, north, "Bo Lind").await;
    let a1 = berth(&app, north, "A1").await;
    let (agent, agent_id) = member(&app, "sales_agent", "north").await;
    let (manager, manager_id) = member(&app, "sales_manager", "north").await;

    // The default rule: interest_linked suggests under_offer.
    let i = create(
        &agent,
        &app,
        "north",
        json!({"client_id": ann, "berth_id": a1}),
    )
    .await;
    assert_eq!(
        status_of(&app, a1).await.0,
        "available",
        "a suggestion changes nothing yet"
    );
    assert_eq!(
        suggestions(&app, a1).await,
        [(
            "interest_linked".into(),
            "under_offer".into(),
            "pending".into()
        )]
    );
    // Those who may change berth statuses are told; the agent may not, and is not.
    let told: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT user_id, title, link FROM notifications WHERE type = 'system_alert' ORDER BY user_id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].0, manager_id);
    assert_eq!(told[0].1, "Berth A1: suggested status Under offer");
    assert_eq!(
        told[0].2.as_deref(),
        Some(format!("/ports/north/berths/{a1}").as_str())
    );
    assert_ne!(told[0].0, agent_id);

    // A second interest linked to the berth adds no second suggestion.
    create(
        &agent,
        &app,
        "north",
        json!({"client_id": bo, "berth_id": a1}),
    )
    .await;
    assert_eq!(suggestions(&app, a1).await.len(), 1);

    // The API lists it; the agent may read, not decide.
    let api = format!("/api/v1/ports/north/berths/{a1}/status-suggestions");
    let (status, list) = call(
        &agent,
        &app,
        Method::GET,
        &format!("{api}?status=pending"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let sid = list["data"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(list["data"][0]["interest_id"], i["id"]);
    assert_eq!(list["data"][0]["client_name"], "Ann Hart");
    let (status, _) = call(
        &agent,
        &app,
        Method::POST,
        &format!("{api}/{sid}/accept"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, accepted) = call(
        &manager,
        &app,
        Method::POST,
        &format!("{api}/{sid}/accept"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["decided_by"], manager_id);
    assert_eq!(
        status_of(&app, a1).await,
        (
            "under_offer".into(),
            Some(manager_id.clone()),
            Some("rule:interest_linked".into()),
            true
        )
    );
    // The berth page says which rule made the change, as people read it.
    let page = manager
        .get(app.url(&format!("/ports/north/berths/{a1}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("by the rule “An interest is linked to the berth”"),
        "{page}"
    );
    assert!(page.contains("by you,"), "{page}");
    // Another member with the permission reads who it was, by name.
    let (director, _) = member(&app, "director", "north").await;
    let name: String =
        sqlx::query_scalar("SELECT display_name FROM user_profiles WHERE user_id = $1")
            .bind(&manager_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    let page = director
        .get(app.url(&format!("/ports/north/berths/{a1}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("by {name},")), "{page}");
    // Audited on the berth and on the suggestion.
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_logs WHERE entity_type = 'berth' AND entity_id = $1 AND field_changed = 'status'
           AND user_id = $2 AND new_value = '\"under_offer\"'",
    )
    .bind(a1)
    .bind(&manager_id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    let (status, _) = call(
        &manager,
        &app,
        Method::POST,
        &format!("{api}/{sid}/accept"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "decided once");
    let (status, _) = call(
        &manager,
        &app,
        Method::POST,
        &format!("{api}/{}/dismiss", Uuid::new_v4()),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_deposit_stamps_its_date_and_completion_sells_the_berth_automatically() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let ann = client(&app, north, "Ann Hart").await;
    let a1 = berth(&app, north, "A1").await;
    let (agent, _) = member(&app, "sales_agent", "north").await;
    let i = create(
        &agent,
        &app,
        "north",
        json!({"client_id": ann, "berth_id": a1}),
    )
    .await;

    let deposit = patch(
        &agent,
        &app,
        "north",
        &i["id"],
        json!({"pipeline_stage": "deposit_10pct"}),
    )
    .await;
    assert!(deposit["date_deposit_received"].is_string(), "{deposit}");
    assert_eq!(
        status_of(&app, a1).await,
        (
            "under_offer".into(),
            Some("system".into()),
            Some("rule:deposit_received".into()),
            true
        )
    );
    // The linking suggestion the deposit outran is closed, not left to accept.
    assert_eq!(
        suggestions(&app, a1).await,
        [(
            "interest_linked".into(),
            "under_offer".into(),
            "dismissed".into()
        )]
    );

    patch(
        &agent,
        &app,
        "north",
        &i["id"],
        json!({"pipeline_stage": "completed"}),
    )
    .await;
    assert_eq!(
        status_of(&app, a1).await,
        (
            "sold".into(),
            Some("system".into()),
            Some("rule:interest_completed".into()),
            true
        )
    );
    let changes: Vec<(Value, Value, Option<String>)> = sqlx::query_as(
        "SELECT old_value, new_value, user_id FROM audit_logs
         WHERE entity_type = 'berth' AND entity_id = $1 AND field_changed = 'status' ORDER BY created_at, id",
    )
    .bind(a1)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        changes,
        [
            (json!("available"), json!("under_offer"), None),
            (json!("under_offer"), json!("sold"), None)
        ]
    );
    // Moving back changes no berth: automatic changes only go forward.
    patch(
        &agent,
        &app,
        "north",
        &i["id"],
        json!({"pipeline_stage": "visited"}),
    )
    .await;
    assert_eq!(status_of(&app, a1).await.0, "sold");
}

#[tokio::test]
async fn with_the_rules_off_nothing_changes() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let ann = client(&app, north, "Ann Hart").await;
    let a1 = berth(&app, north, "A1").await;
    let (director, _) = member(&app, "director", "north").await;
    let off: Vec<Value> = [
        "interest_linked",
        "eoi_sent",
        "eoi_signed",
        "deposit_received",
        "contract_sent",
        "contract_signed",
        "interest_completed",
        "interest_released",
    ]
    .iter()
    .map(|t| json!({"trigger": t, "mode": "off", "target_status": "under_offer"}))
    .collect();
    let (status, body) = call(
        &director,
        &app,
        Method::PUT,
        "/api/v1/ports/north/settings/berth_status_rules",
        Some(Value::Array(off)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let i = create(
        &director,
        &app,
        "north",
        json!({"client_id": ann, "berth_id": a1}),
    )
    .await;
    for stage in ["signed_eoi_nda", "deposit_10pct", "contract", "completed"] {
        patch(
            &director,
            &app,
            "north",
            &i["id"],
            json!({"pipeline_stage": stage}),
        )
        .await;
    }
    let (status, _) = call(
        &director,
        &app,
        Method::DELETE,
        &format!(
            "/api/v1/ports/north/interests/{}",
            i["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        status_of(&app, a1).await,
        ("available".into(), None, None, false)
    );
    assert!(suggestions(&app, a1).await.is_empty());
}

#[tokio::test]
async fn a_berth_follows_its_most_advanced_interest_and_releasing_the_last_suggests_available() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let ann = client(&app, north, "Ann Hart").await;
    let bo = client(&app, north, "Bo Lind").await;
    let a1 = berth(&app, north, "A1").await;
    let b2 = berth(&app, north, "B2").await;
    let (manager, _) = member(&app, "sales_manager", "north").await;
    let first = create(
        &manager,
        &app,
        "north",
        json!({"client_id": ann, "berth_id": a1}),
    )
    .await;
    let second = create(
        &manager,
        &app,
        "north",
        json!({"client_id": bo, "berth_id": a1}),
    )
    .await;

    patch(
        &manager,
        &app,
        "north",
        &first["id"],
        json!({"pipeline_stage": "completed"}),
    )
    .await;
    assert_eq!(status_of(&app, a1).await.0, "sold");
    // The lesser interest's deposit and EOI change nothing on a sold berth.
    patch(
        &manager,
        &app,
        "north",
        &second["id"],
        json!({"pipeline_stage": "signed_eoi_nda"}),
    )
    .await;
    patch(
        &manager,
        &app,
        "north",
        &second["id"],
        json!({"pipeline_stage": "deposit_10pct"}),
    )
    .await;
    assert_eq!(
        status_of(&app, a1).await.2.as_deref(),
        Some("rule:interest_completed")
    );
    assert_eq!(status_of(&app, a1).await.0, "sold");

    // Archiving one of two active interests releases nothing.
    let url = |v: &Value| {
        format!(
            "/api/v1/ports/north/interests/{}",
            v["id"].as_str().unwrap()
        )
    };
    let (status, _) = call(&manager, &app, Method::DELETE, &url(&first), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(
        suggestions(&app, a1)
            .await
            .iter()
            .all(|s| s.0 != "interest_released")
    );
    // Moving the last one to another berth releases A1 (suggest available) and
    // takes its progress along: B2 is under offer at once, nothing left to suggest there.
    patch(
        &manager,
        &app,
        "north",
        &second["id"],
        json!({"berth_id": b2}),
    )
    .await;
    let released: Vec<_> = suggestions(&app, a1)
        .await
        .into_iter()
        .filter(|s| s.0 == "interest_released")
        .collect();
    assert_eq!(
        released,
        [(
            "interest_released".into(),
            "available".into(),
            "pending".into()
        )]
    );
    assert_eq!(
        status_of(&app, b2).await,
        (
            "under_offer".into(),
            Some("system".into()),
            Some("rule:deposit_received".into()),
            true
        )
    );
    assert!(
        suggestions(&app, b2).await.is_empty(),
        "{:?}",
        suggestions(&app, b2).await
    );

    // Going back is a person's decision: accepting the suggestion.
    let api = format!("/api/v1/ports/north/berths/{a1}/status-suggestions");
    let (_, list) = call(
        &manager,
        &app,
        Method::GET,
        &format!("{api}?status=pending"),
        None,
    )
    .await;
    let pending = list["data"].as_array().unwrap();
    assert_eq!(pending.len(), 1, "{list}");
    let sid = pending[0]["id"].as_str().unwrap();
    let (status, _) = call(
        &manager,
        &app,
        Method::POST,
        &format!("{api}/{sid}/accept"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(status_of(&app, a1).await.0, "available");
    assert_eq!(
        status_of(&app, a1).await.2.as_deref(),
        Some("rule:interest_released")
    );

    // Restoring the completed interest links it again: the berth follows it back to sold.
    let (status, _) = call(
        &manager,
        &app,
        Method::POST,
        &format!("{}/restore", url(&first)),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(status_of(&app, a1).await.0, "sold");
}

#[tokio::test]
async fn a_dismissed_suggestion_changes_nothing_and_the_berth_section_offers_the_buttons() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let ann = client(&app, north, "Ann Hart").await;
    let a1 = berth(&app, north, "A1").await;
    let email = app.sign_in_as("sales_manager", "north").await;
    assert!(!email.is_empty());
    let token: String =
        sqlx::query_scalar("SELECT csrf_token FROM sessions ORDER BY created_at DESC LIMIT 1")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let res = app
        .post_json(
            "/api/v1/ports/north/interests",
            &json!({"client_id": ann, "berth_id": a1}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let section = app
        .get(&format!("/ports/north/berths/{a1}/status-suggestions"))
        .await;
    assert_eq!(section.status(), StatusCode::OK);
    let html = section.text().await.unwrap();
    assert!(
        html.contains("Under offer") && html.contains(">Accept<") && html.contains(">Dismiss<"),
        "{html}"
    );
    assert!(html.contains("Ann Hart"));
    // The berth page carries the same section.
    let page = app.get(&format!("/ports/north/berths/{a1}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains(&format!("id=\"status-suggestions-{a1}\""))
    );
    let sid: Uuid = sqlx::query_scalar("SELECT id FROM berth_status_suggestions")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let res = app
        .client
        .post(app.url(&format!(
            "/ports/north/berths/{a1}/status-suggestions/{sid}/dismiss"
        )))
        .header("hx-request", "true")
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("No suggestion is waiting")
    );
    assert_eq!(status_of(&app, a1).await.0, "available");
    assert_eq!(suggestions(&app, a1).await[0].2, "dismissed");
}

#[tokio::test]
async fn the_settings_page_edits_the_rules_and_refuses_an_automatic_move_back() {
    let app = TestApp::spawn().await;
    port(&app, "north").await;
    app.sign_in_as("director", "north").await;
    let token: String =
        sqlx::query_scalar("SELECT csrf_token FROM sessions ORDER BY created_at DESC LIMIT 1")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let page = app.get("/ports/north/settings/berth-rules").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("An interest is linked to the berth") && html.contains("the default rules")
    );

    let triggers = [
        "interest_linked",
        "eoi_sent",
        "eoi_signed",
        "deposit_received",
        "contract_sent",
        "contract_signed",
        "interest_completed",
        "interest_released",
    ];
    let form = |released_mode: &str| {
        let mut f = vec![("_csrf".to_owned(), token.clone())];
        for t in triggers {
            let (mode, target) = match t {
                "interest_linked" => ("auto", "under_offer"),
                "interest_released" => (released_mode, "available"),
                "interest_completed" => ("auto", "sold"),
                _ => ("off", "under_offer"),
            };
            f.push((format!("mode.{t}"), mode.to_owned()));
            f.push((format!("target.{t}"), target.to_owned()));
        }
        f
    };
    let res = app
        .client
        .post(app.url("/ports/north/settings/berth-rules"))
        .form(&form("auto"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("mode-interest_released-error") && html.contains("cannot move a berth back"),
        "{html}"
    );

    let res = app
        .client
        .post(app.url("/ports/north/settings/berth-rules"))
        .form(&form("suggest"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, setting) = call(
        &app.client,
        &app,
        Method::GET,
        "/api/v1/ports/north/settings/berth_status_rules",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(setting["source"], "port");
    let linked = setting["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["trigger"] == "interest_linked")
        .unwrap()
        .clone();
    assert_eq!(
        linked,
        json!({"trigger": "interest_linked", "mode": "auto", "target_status": "under_offer"})
    );
}
