//! Berths over HTTP: create, read, list (filters, sort, keyset pages), edit,
//! delete; mooring numbers unique per port; feet and metres kept together;
//! tenure rules; the manual status change with its permission, its recorded
//! who and why, and its audit row; the maintenance log and its totals; the
//! tenure job's once-per-threshold notices; another port's berth as 404.

use crate::admin::{call, member};
use crate::helpers::{TestApp, port};
use chrono::Duration;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

const API: &str = "/api/v1/ports/marina/berths";

async fn create(dir: &Client, app: &TestApp, body: Value) -> (StatusCode, Value) {
    call(dir, app, Method::POST, API, Some(body)).await
}

fn field_errors(body: &Value) -> Vec<String> {
    let mut f: Vec<String> = body["errors"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    f.sort();
    f
}

fn moorings(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["mooring_number"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn berths_are_created_listed_edited_and_deleted() {
    let app = TestApp::spawn().await;
    port(&app, "marina").await;
    let (dir, _) = member(&app, "director", "marina").await;

    let res = dir
        .post(app.url(API))
        .json(&json!({"mooring_number": "A1", "area": "Pier A", "length_ft": "60", "width_m": 5,
                      "draft_ft": 8, "water_depth_m": "4", "price": "250000", "price_currency": "eur",
                      "power_capacity": "63A", "berth_approved": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let a1: Value = res.json().await.unwrap();
    assert_eq!(location, format!("{API}/{}", a1["id"].as_str().unwrap()));
    assert_eq!(a1["status"], "available");
    assert_eq!(a1["length_m"], "18.29");
    assert_eq!(a1["width_ft"], "16.40");
    assert_eq!(a1["water_depth"], "13.12");
    assert_eq!(a1["price"], "250000");
    assert_eq!(a1["price_currency"], "EUR");
    assert_eq!(a1["tenure_type"], "permanent");
    assert_eq!(a1["tags"], json!([]));

    for (m, area, ft) in [
        ("A2", "Pier A", 45),
        ("A3", "Pier A", 80),
        ("B1", "Pier B", 100),
        ("B2", "Pier B", 120),
    ] {
        let (s, b) = create(
            &dir,
            &app,
            json!({"mooring_number": m, "area": area, "length_ft": ft}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    let (s, got) = call(&dir, &app, Method::GET, &location, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got["mooring_number"], "A1");

    // Filters, sorting and keyset pages.
    let list = |q: &'static str| {
        let dir = dir.clone();
        let app = &app;
        async move { call(&dir, app, Method::GET, &format!("{API}?{q}"), None).await }
    };
    let (s, l) = list("area=pier a").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(moorings(&l), ["A1", "A2", "A3"]);
    let (_, l) = list("length_ft_min=60&length_ft_max=100").await;
    assert_eq!(moorings(&l), ["A1", "A3", "B1"]);
    let (_, l) = list("length_m_min=30").await;
    assert_eq!(moorings(&l), ["B1", "B2"]);
    let (_, l) = list("sort=-length_ft&limit=2").await;
    assert_eq!(moorings(&l), ["B2", "B1"]);
    let cursor = l["next_cursor"].as_str().unwrap().to_owned();
    let (s, l2) = call(
        &dir,
        &app,
        Method::GET,
        &format!("{API}?sort=-length_ft&limit=2&cursor={cursor}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{l2}");
    assert_eq!(moorings(&l2), ["A3", "A1"]);
    let (_, l) = list("q=b").await;
    assert_eq!(moorings(&l), ["B1", "B2"]);
    let (_, l) = list("status=sold").await;
    assert!(moorings(&l).is_empty());
    let (s, e) = list("status=let&colour=red").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&e), ["colour", "status"]);

    // Tags on berths, and the list's tag filter.
    let (_, tag) = call(
        &dir,
        &app,
        Method::POST,
        "/api/v1/ports/marina/tags",
        Some(json!({"name": "Sea view"})),
    )
    .await;
    let (s, tags) = call(
        &dir,
        &app,
        Method::POST,
        &format!("{location}/tags"),
        Some(json!({"tag_id": tag["id"]})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{tags}");
    let (_, l) = call(
        &dir,
        &app,
        Method::GET,
        &format!("{API}?tag={}", tag["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(moorings(&l), ["A1"]);
    assert_eq!(l["data"][0]["tags"][0]["name"], "Sea view");

    // Custom fields for berths.
    let (s, _) = call(
        &dir,
        &app,
        Method::POST,
        "/api/v1/ports/marina/custom-fields",
        Some(json!({"entity_type": "berth", "field_label": "Shore power meter", "field_type": "text"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, cf) = call(
        &dir,
        &app,
        Method::PUT,
        &format!("{location}/custom-fields"),
        Some(json!({"shore_power_meter": "M-17"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{cf}");
    let (_, got) = call(&dir, &app, Method::GET, &location, None).await;
    assert_eq!(got["custom_fields"]["shore_power_meter"], "M-17");

    // An edit: only what is given changes; feet given recompute the metres.
    let (s, edited) = call(
        &dir,
        &app,
        Method::PATCH,
        &location,
        Some(json!({"length_ft": 65, "voltage": "400V"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{edited}");
    assert_eq!(edited["length_m"], "19.81");
    assert_eq!(edited["voltage"], "400V");
    assert_eq!(edited["power_capacity"], "63A");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_logs WHERE entity_type = 'berth' AND entity_id = $1 AND action = 'update'
           AND field_changed IN ('length_ft', 'length_m', 'voltage')",
    )
    .bind(Uuid::parse_str(a1["id"].as_str().unwrap()).unwrap())
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(audited, 3);
    // The status is not a field of PATCH.
    let (s, e) = call(
        &dir,
        &app,
        Method::PATCH,
        &location,
        Some(json!({"status": "sold"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&e), ["status"]);

    // Delete: refused while an interest refers to the berth, then done.
    let client: Uuid = sqlx::query_scalar(
        "INSERT INTO clients (port_id, full_name) SELECT id, 'Ann Owner' FROM ports WHERE slug = 'marina' RETURNING id",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let interest: Uuid = sqlx::query_scalar(
        "INSERT INTO interests (port_id, client_id, berth_id) SELECT port_id, $1, $2 FROM clients WHERE id = $1 RETURNING id",
    )
    .bind(client)
    .bind(Uuid::parse_str(a1["id"].as_str().unwrap()).unwrap())
    .fetch_one(&app.db)
    .await
    .unwrap();
    let (s, e) = call(&dir, &app, Method::DELETE, &location, None).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    sqlx::query("DELETE FROM interests WHERE id = $1")
        .bind(interest)
        .execute(&app.db)
        .await
        .unwrap();
    let (s, _) = call(&dir, &app, Method::DELETE, &location, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = call(&dir, &app, Method::GET, &location, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let deletes: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_logs WHERE entity_type = 'berth' AND action = 'delete' AND old_value->>'mooring_number' = 'A1'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(deletes, 1);

    // A viewer cannot create.
    let (agent, _) = member(&app, "sales_agent", "marina").await;
    let (s, _) = create(&agent, &app, json!({"mooring_number": "Z9"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_mooring_number_is_used_once_per_port() {
    let app = TestApp::spawn().await;
    port(&app, "marina").await;
    port(&app, "other").await;
    let (dir, _) = member(&app, "director", "marina").await;
    let (s, _) = create(&dir, &app, json!({"mooring_number": "C7"})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, e) = create(&dir, &app, json!({"mooring_number": " C7 "})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert!(e["detail"].as_str().unwrap().contains("C7"));

    let (_, c8) = create(&dir, &app, json!({"mooring_number": "C8"})).await;
    let (s, _) = call(
        &dir,
        &app,
        Method::PATCH,
        &format!("{API}/{}", c8["id"].as_str().unwrap()),
        Some(json!({"mooring_number": "C7"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // Another port has its own numbering.
    let (other, _) = member(&app, "director", "other").await;
    let (s, _) = call(
        &other,
        &app,
        Method::POST,
        "/api/v1/ports/other/berths",
        Some(json!({"mooring_number": "C7"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
}

#[tokio::test]
async fn feet_and_metres_are_kept_together_and_must_agree() {
    let app = TestApp::spawn().await;
    port(&app, "marina").await;
    let (dir, _) = member(&app, "director", "marina").await;

    let (s, b) = create(
        &dir,
        &app,
        json!({"mooring_number": "D1", "length_m": "20", "width_ft": 20, "width_m": "6.1",
               "draft_m": "3", "water_depth": 15}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["length_ft"], "65.62");
    assert_eq!(b["width_ft"], "20");
    assert_eq!(b["width_m"], "6.1");
    assert_eq!(b["draft_ft"], "9.84");
    assert_eq!(b["water_depth_m"], "4.57");

    let (s, e) = create(
        &dir,
        &app,
        json!({"mooring_number": "D2", "length_ft": 100, "length_m": 31,
               "water_depth": 10, "water_depth_m": 5, "draft_ft": -2}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&e), ["draft_ft", "length_m", "water_depth_m"]);
    assert!(
        e["errors"]["length_m"][0]
            .as_str()
            .unwrap()
            .contains("differ by more than 1%")
    );
    let (s, e) = create(
        &dir,
        &app,
        json!({"mooring_number": "D2", "length_ft": "long"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&e), ["length_ft"]);

    // Metres given on an edit recompute the feet rather than clash with them.
    let (s, b) = call(
        &dir,
        &app,
        Method::PATCH,
        &format!("{API}/{}", b["id"].as_str().unwrap()),
        Some(json!({"length_m": "25"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["length_ft"], "82.02");
}

#[tokio::test]
async fn tenure_is_permanent_or_a_consistent_fixed_term() {
    let app = TestApp::spawn().await;
    port(&app, "marina").await;
    let (dir, _) = member(&app, "director", "marina").await;

    let (s, b) = create(
        &dir,
        &app,
        json!({"mooring_number": "E1", "tenure_type": "fixed_term", "tenure_years": 30,
               "tenure_start_date": "2001-06-01"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["tenure_end_date"], "2031-06-01");
    let e1 = format!("{API}/{}", b["id"].as_str().unwrap());

    let (s, b) = create(
        &dir,
        &app,
        json!({"mooring_number": "E2", "tenure_type": "fixed_term", "tenure_years": 10,
               "tenure_start_date": "2020-01-01", "tenure_end_date": "2030-01-01"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    let cases = [
        (
            json!({"mooring_number": "E3", "tenure_type": "fixed_term"}),
            vec!["tenure_start_date", "tenure_years"],
        ),
        (
            json!({"mooring_number": "E3", "tenure_type": "fixed_term", "tenure_years": 10,
                   "tenure_start_date": "2020-01-01", "tenure_end_date": "2031-01-01"}),
            vec!["tenure_end_date"],
        ),
        (
            json!({"mooring_number": "E3", "tenure_years": 10}),
            vec!["tenure_years"],
        ),
        (
            json!({"mooring_number": "E3", "tenure_type": "permanent", "tenure_end_date": "2040-01-01"}),
            vec!["tenure_end_date"],
        ),
        (
            json!({"mooring_number": "E3", "tenure_type": "lease"}),
            vec!["tenure_type"],
        ),
        (
            json!({"mooring_number": "E3", "price_currency": "euro", "price": "-5"}),
            vec!["price", "price_currency"],
        ),
        (
            json!({"mooring_number": "E3", "tenure_start_date": "1st May"}),
            vec!["tenure_start_date"],
        ),
    ];
    for (body, fields) in cases {
        let (s, e) = create(&dir, &app, body.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {e}");
        assert_eq!(field_errors(&e), fields, "{body}");
    }
    let (_, e) = create(
        &dir,
        &app,
        json!({"mooring_number": "E3", "tenure_type": "lease"}),
    )
    .await;
    assert_eq!(
        e["errors"]["tenure_type"][0],
        "must be one of permanent, fixed_term"
    );

    // Longer term: the end date follows; back to permanent: the term goes.
    let (_, b) = call(
        &dir,
        &app,
        Method::PATCH,
        &e1,
        Some(json!({"tenure_years": 35})),
    )
    .await;
    assert_eq!(b["tenure_end_date"], "2036-06-01");
    let (s, b) = call(
        &dir,
        &app,
        Method::PATCH,
        &e1,
        Some(json!({"tenure_type": "permanent"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (
            &b["tenure_years"],
            &b["tenure_start_date"],
            &b["tenure_end_date"]
        ),
        (&Value::Null, &Value::Null, &Value::Null)
    );
}

#[tokio::test]
async fn a_manual_status_change_needs_the_permission_and_a_reason_and_is_recorded() {
    let app = TestApp::spawn().await;
    port(&app, "marina").await;
    let (dir, _) = member(&app, "director", "marina").await;
    let (_, b) = create(&dir, &app, json!({"mooring_number": "F1"})).await;
    let id = Uuid::parse_str(b["id"].as_str().unwrap()).unwrap();
    let path = format!("{API}/{id}/status");

    let (agent, _) = member(&app, "sales_agent", "marina").await;
    let (s, _) = call(
        &agent,
        &app,
        Method::POST,
        &path,
        Some(json!({"status": "sold", "reason": "Paid in full"})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (manager, manager_id) = member(&app, "sales_manager", "marina").await;
    let (s, e) = call(
        &manager,
        &app,
        Method::POST,
        &path,
        Some(json!({"status": "let", "reason": " "})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&e), ["reason", "status"]);
    assert_eq!(
        e["errors"]["status"][0],
        "must be one of available, under_offer, sold"
    );

    let (s, b) = call(
        &manager,
        &app,
        Method::POST,
        &path,
        Some(json!({"status": "under_offer", "reason": "Verbal offer from the Hales"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["status"], "under_offer");
    assert_eq!(b["status_last_changed_by"], manager_id.as_str());
    assert_eq!(b["status_last_changed_reason"], "manual");
    assert!(b["status_last_modified"].is_string());

    let rows: Vec<(Option<String>, Value, Value, Value)> = sqlx::query_as(
        "SELECT user_id, old_value, new_value, metadata FROM audit_logs
         WHERE entity_type = 'berth' AND entity_id = $1 AND field_changed = 'status'",
    )
    .bind(id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
    let (user, old, new, meta) = &rows[0];
    assert_eq!(user.as_deref(), Some(manager_id.as_str()));
    assert_eq!((old, new), (&json!("available"), &json!("under_offer")));
    assert_eq!(meta["reason"], "manual");
    assert_eq!(meta["note"], "Verbal offer from the Hales");

    // The same status again changes nothing and audits nothing.
    let (s, _) = call(
        &manager,
        &app,
        Method::POST,
        &path,
        Some(json!({"status": "under_offer", "reason": "Again"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_logs WHERE entity_id = $1 AND field_changed = 'status'",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(n, 1);

    // A rule changes it as the system, with its trigger as the reason.
    let mut tx = app.state.db.begin_port(port_id(&app).await).await.unwrap();
    let changed = nimara::berths::status::change(
        &mut tx,
        &nimara::audit::Actor::system(),
        id,
        domain::settings::BerthStatus::Sold,
        &nimara::berths::status::rule_reason(domain::settings::Trigger::ContractSigned),
    )
    .await
    .unwrap()
    .expect("the status changed");
    tx.commit().await.unwrap();
    assert_eq!(changed.mooring_number, "F1");
    assert_eq!(changed.from, domain::settings::BerthStatus::UnderOffer);
    let (_, b) = call(&manager, &app, Method::GET, &format!("{API}/{id}"), None).await;
    assert_eq!(b["status"], "sold");
    assert_eq!(b["status_last_changed_by"], "system");
    assert_eq!(b["status_last_changed_reason"], "rule:contract_signed");
}

async fn port_id(app: &TestApp) -> Uuid {
    sqlx::query_scalar("SELECT id FROM ports WHERE slug = 'marina'")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_maintenance_log_is_kept_per_berth_and_totalled_by_berth_and_area() {
    let app = TestApp::spawn().await;
    port(&app, "marina").await;
    let (dir, _) = member(&app, "director", "marina").await;
    let (_, a1) = create(
        &dir,
        &app,
        json!({"mooring_number": "A1", "area": "Pier A"}),
    )
    .await;
    let (_, a2) = create(
        &dir,
        &app,
        json!({"mooring_number": "A2", "area": "Pier A"}),
    )
    .await;
    let (_, b1) = create(
        &dir,
        &app,
        json!({"mooring_number": "B1", "area": "Pier B"}),
    )
    .await;
    let log = |b: &Value| format!("{API}/{}/maintenance", b["id"].as_str().unwrap());

    let (s, e) = call(
        &dir,
        &app,
        Method::POST,
        &log(&a1),
        Some(json!({"category": "paint", "description": " ", "cost": "-1"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_errors(&e),
        ["category", "cost", "description", "performed_date"]
    );
    assert_eq!(
        e["errors"]["category"][0],
        "must be one of routine, repair, inspection, upgrade"
    );

    let entries = [
        (&a1, "repair", "1200.50", "USD"),
        (&a1, "inspection", "300", "USD"),
        (&a1, "upgrade", "900", "EUR"),
        (&a2, "routine", "99.50", "USD"),
        (&b1, "repair", "5000", "USD"),
    ];
    let mut first = None;
    for (berth, category, cost, currency) in entries {
        let res = dir
            .post(app.url(&log(berth)))
            .json(
                &json!({"category": category, "description": "Cleats replaced", "cost": cost,
                          "cost_currency": currency, "responsible_party": "Harbour works",
                          "performed_date": "2026-05-04"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        let m: Value = res.json().await.unwrap();
        assert_eq!(m["cost"], cost);
        first.get_or_insert(location);
    }
    let first = first.unwrap();
    let (s, list) = call(&dir, &app, Method::GET, &log(&a1), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["data"].as_array().unwrap().len(), 3);

    let (s, m) = call(
        &dir,
        &app,
        Method::PATCH,
        &first,
        Some(json!({"cost": "1000", "category": "routine"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert_eq!(
        (&m["cost"], &m["category"]),
        (&json!("1000"), &json!("routine"))
    );

    let (s, t) = call(
        &dir,
        &app,
        Method::GET,
        &format!("{API}/maintenance-totals"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let area = |name: &str, cur: &str| {
        t["by_area"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["area"] == name && r["currency"] == cur)
            .map(|r| r["total"].as_str().unwrap().to_owned())
    };
    assert_eq!(area("Pier A", "USD").as_deref(), Some("1399.50"));
    assert_eq!(area("Pier A", "EUR").as_deref(), Some("900"));
    assert_eq!(area("Pier B", "USD").as_deref(), Some("5000"));
    let a1_usd = t["by_berth"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["mooring_number"] == "A1" && r["currency"] == "USD")
        .unwrap();
    assert_eq!(a1_usd["total"], "1300");
    assert_eq!(a1_usd["entries"], 2);

    let (s, _) = call(&dir, &app, Method::DELETE, &first, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = call(&dir, &app, Method::DELETE, &first, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_logs WHERE entity_type = 'berth_maintenance'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    // Five creates, two field changes, one delete.
    assert_eq!(audited, 8);

    // An entry is reached through its own berth only.
    let (s, _) = call(
        &dir,
        &app,
        Method::PATCH,
        &format!("{}/{}", log(&b1), list["data"][1]["id"].as_str().unwrap()),
        Some(json!({"cost": "1"})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_tenure_job_notifies_once_per_threshold() {
    let app = TestApp::spawn().await;
    port(&app, "marina").await;
    let (dir, _) = member(&app, "director", "marina").await;
    let (_, manager_id) = member(&app, "sales_manager", "marina").await;
    let (_, agent_id) = member(&app, "sales_agent", "marina").await;
    let pid = port_id(&app).await;
    // The port's own today (its time zone, not UTC).
    let today = nimara::berths::tenure::today_at(&app.state.db, pid)
        .await
        .unwrap();
    // Fixed terms ending in 80, 20 and 5 days, and one in 200 days.
    for (m, days) in [("T80", 80), ("T20", 20), ("T5", 5), ("T200", 200)] {
        let end = today + Duration::days(days);
        let start = end - chrono::Months::new(12);
        let (s, b) = create(
            &dir,
            &app,
            json!({"mooring_number": m, "tenure_type": "fixed_term", "tenure_years": 1,
                   "tenure_start_date": start.to_string()}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    let run = || async {
        nimara::jobs::enqueue(
            app.state.db.pool(),
            nimara::jobs::NewJob::of(&nimara::berths::tenure::TenureCheck {}).for_port(pid),
        )
        .await
        .unwrap();
        app.run_jobs().await
    };
    assert!(run().await >= 1);
    let notices = || async {
        sqlx::query_as::<_, (String, String)>(
            "SELECT user_id, title FROM notifications WHERE type = 'tenure_expiring' ORDER BY title, user_id",
        )
        .fetch_all(&app.db)
        .await
        .unwrap()
    };
    let first = notices().await;
    // Three berths, told to the director and the manager (berths.edit), not the agent.
    assert_eq!(first.len(), 6, "{first:?}");
    assert!(first.iter().all(|(u, _)| *u != agent_id));
    assert!(first.iter().any(|(u, _)| *u == manager_id));
    assert!(
        first
            .iter()
            .any(|(_, t)| t.contains("T5") && t.contains("in 5 days"))
    );
    assert!(!first.iter().any(|(_, t)| t.contains("T200")));
    let thresholds: Vec<(String, i32)> = sqlx::query_as(
        "SELECT b.mooring_number, n.threshold_days FROM berth_tenure_notices n JOIN berths b ON b.id = n.berth_id
         ORDER BY n.threshold_days",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        thresholds,
        [("T5".into(), 7), ("T20".into(), 30), ("T80".into(), 90)]
    );

    // Running again notifies nobody.
    run().await;
    assert_eq!(notices().await, first);

    // T80 reaches the 30-day threshold: one more notice for it, and only once.
    sqlx::query("UPDATE berths SET tenure_start_date = tenure_start_date - 55, tenure_end_date = tenure_end_date - 55 WHERE mooring_number = 'T80'")
        .execute(&app.db)
        .await
        .unwrap();
    run().await;
    run().await;
    let after = notices().await;
    assert_eq!(after.len(), 8, "{after:?}");
    assert_eq!(after.iter().filter(|(_, t)| t.contains("T80")).count(), 4);
}

#[tokio::test]
async fn another_ports_berth_answers_404() {
    let app = TestApp::spawn().await;
    port(&app, "marina").await;
    port(&app, "other").await;
    let (other, _) = member(&app, "director", "other").await;
    let (_, theirs) = call(
        &other,
        &app,
        Method::POST,
        "/api/v1/ports/other/berths",
        Some(json!({"mooring_number": "X1"})),
    )
    .await;
    let (s, m) = call(
        &other,
        &app,
        Method::POST,
        &format!(
            "/api/v1/ports/other/berths/{}/maintenance",
            theirs["id"].as_str().unwrap()
        ),
        Some(
            json!({"category": "routine", "description": "Hosed", "performed_date": "2026-01-02"}),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);

    let (dir, _) = member(&app, "director", "marina").await;
    let id = theirs["id"].as_str().unwrap();
    let mid = m["id"].as_str().unwrap();
    let checks = [
        (Method::GET, format!("{API}/{id}"), None),
        (
            Method::PATCH,
            format!("{API}/{id}"),
            Some(json!({"area": "Mine"})),
        ),
        (Method::DELETE, format!("{API}/{id}"), None),
        (
            Method::POST,
            format!("{API}/{id}/status"),
            Some(json!({"status": "sold", "reason": "Mine now"})),
        ),
        (Method::GET, format!("{API}/{id}/maintenance"), None),
        (
            Method::POST,
            format!("{API}/{id}/maintenance"),
            Some(
                json!({"category": "routine", "description": "x", "performed_date": "2026-01-02"}),
            ),
        ),
        (
            Method::PATCH,
            format!("{API}/{id}/maintenance/{mid}"),
            Some(json!({"cost": "1"})),
        ),
        (
            Method::DELETE,
            format!("{API}/{id}/maintenance/{mid}"),
            None,
        ),
        (Method::GET, format!("{API}/{id}/tags"), None),
        (Method::GET, format!("{API}/{id}/custom-fields"), None),
        (Method::GET, format!("/ports/marina/berths/{id}"), None),
        (Method::GET, format!("/ports/marina/berths/{id}/edit"), None),
    ];
    for (method, path, body) in checks {
        let (s, _) = call(&dir, &app, method.clone(), &path, body).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{method} {path}");
    }
    let (_, list) = call(&dir, &app, Method::GET, API, None).await;
    assert!(moorings(&list).is_empty());
    let (_, b) = call(
        &other,
        &app,
        Method::GET,
        &format!("/api/v1/ports/other/berths/{id}"),
        None,
    )
    .await;
    assert_eq!(b["status"], "available");
}

#[tokio::test]
async fn the_berth_pages_list_show_create_and_change_status() {
    let app = TestApp::spawn().await;
    port(&app, "marina").await;
    let (dir, _) = member(&app, "director", "marina").await;
    let csrf = crate::admin::csrf_of(&dir, &app, "/ports/marina/berths/new").await;

    // The form: a refused submission keeps what was typed, errors beside fields.
    let form = |pairs: &[(&str, &str)]| {
        let mut v: Vec<(String, String)> = vec![("_csrf".into(), csrf.clone())];
        v.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        v
    };
    let res = dir
        .post(app.url("/ports/marina/berths/new"))
        .form(&form(&[
            ("mooring_number", "G1"),
            ("length_ft", "100"),
            ("length_m", "40"),
            ("tenure_type", "fixed_term"),
            ("price_currency", "USD"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"length_m-error\""), "{html}");
    assert!(html.contains("id=\"tenure_years-error\""));
    assert!(html.contains("value=\"G1\""));

    let res = dir
        .post(app.url("/ports/marina/berths/new"))
        .form(&form(&[
            ("mooring_number", "G1"),
            ("area", "Pier G"),
            ("length_ft", "100"),
            ("tenure_type", "permanent"),
            ("price", "300000"),
            ("price_currency", "USD"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = res.headers()["location"].to_str().unwrap().to_owned();
    let id = page.rsplit('/').next().unwrap().to_owned();

    // A repeated mooring number is said beside the mooring number.
    let res = dir
        .post(app.url("/ports/marina/berths/new"))
        .form(&form(&[
            ("mooring_number", "G1"),
            ("price_currency", "USD"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("id=\"mooring_number-error\"")
    );

    let list = dir
        .get(app.url("/ports/marina/berths?status=available"))
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), StatusCode::OK);
    let html = list.text().await.unwrap();
    assert!(html.contains(&format!("data-berth=\"{id}\"")));
    assert!(html.contains("30.48 m · 100 ft"));
    assert!(html.contains("USD 300,000"));

    let show = dir.get(app.url(&page)).send().await.unwrap();
    assert_eq!(show.status(), StatusCode::OK);
    let html = show.text().await.unwrap();
    for section in [
        "id=\"overview\"",
        "id=\"status\"",
        "id=\"interests\"",
        "id=\"maintenance\"",
    ] {
        assert!(html.contains(section), "{section}");
    }

    // Status by hand from the page: the reason is required.
    let res = dir
        .post(app.url(&format!("{page}/status")))
        .form(&form(&[("status", "sold"), ("reason", "")]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("status-reason-error"));
    let res = dir
        .post(app.url(&format!("{page}/status")))
        .form(&form(&[
            ("status", "sold"),
            ("reason", "Contract completed"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, b) = call(&dir, &app, Method::GET, &format!("{API}/{id}"), None).await;
    assert_eq!(b["status"], "sold");

    // Maintenance from the page.
    let res = dir
        .post(app.url(&format!("{page}/maintenance")))
        .form(&form(&[
            ("category", "repair"),
            ("description", "Fender replaced"),
            ("cost", "1,250.00"),
            ("cost_currency", "USD"),
            ("performed_date", "2026-10-01"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = dir
        .get(app.url(&page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Fender replaced") && html.contains("USD 1,250"));
    let totals = dir
        .get(app.url("/ports/marina/berths/maintenance"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(totals.contains("data-area=\"Pier G\"") && totals.contains("USD 1,250"));

    // A viewer sees the page without the status form.
    let (agent, _) = member(&app, "sales_agent", "marina").await;
    let html = agent
        .get(app.url(&page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"overview\"") && !html.contains("id=\"status\""));

    // The global search finds the berth.
    let (_, found) = call(
        &dir,
        &app,
        Method::GET,
        "/api/v1/ports/marina/search?q=G1",
        None,
    )
    .await;
    assert!(found.to_string().contains("Berth G1"), "{found}");
}
