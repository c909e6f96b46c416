//! Interests over HTTP: create for a client with or without a berth, the list
//! (filters, sort, keyset), edit, stage moves (milestones stamped once, the
//! webhook event queued), archive and restore, bad input (422 listing the
//! allowed values, 404 for another port's client or berth), notes with the
//! lock, tags, and the pages.

use crate::admin::{call, member};
use crate::helpers::{TestApp, port};
use crate::notes::client;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

/// A berth of `port_id`, inserted directly (the berth API is built elsewhere).
pub async fn berth(app: &TestApp, port_id: Uuid, number: &str) -> Uuid {
    sqlx::query_scalar("INSERT INTO berths (port_id, mooring_number) VALUES ($1, $2) RETURNING id")
        .bind(port_id)
        .bind(number)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// Creates an interest through the API; its JSON.
pub async fn create(who: &Client, app: &TestApp, slug: &str, body: Value) -> Value {
    let (status, out) = call(
        who,
        app,
        Method::POST,
        &format!("/api/v1/ports/{slug}/interests"),
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{out}");
    out
}

pub async fn patch(who: &Client, app: &TestApp, slug: &str, id: &Value, body: Value) -> Value {
    let (status, out) = call(
        who,
        app,
        Method::PATCH,
        &format!("/api/v1/ports/{slug}/interests/{}", id.as_str().unwrap()),
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    out
}

fn ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn interests_are_created_listed_edited_archived_and_restored() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let ann = client(&app, north, "Ann Hart").await;
    let bo = client(&app, north, "Bo Lind").await;
    let a1 = berth(&app, north, "A1").await;
    let (agent, _) = member(&app, "sales_agent", "north").await;
    let (viewer, _) = member(&app, "viewer", "north").await;

    // With a berth: 201, a Location, the names people read it by.
    let res = agent
        .post(app.url("/api/v1/ports/north/interests"))
        .json(
            &json!({"client_id": ann, "berth_id": a1, "lead_category": "hot_lead",
                      "source": "referral", "notes": "Wants power 63A"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let first: Value = res.json().await.unwrap();
    assert!(location.ends_with(first["id"].as_str().unwrap()));
    assert_eq!(first["client_id"], ann.to_string());
    assert_eq!(first["berth_id"], a1.to_string());
    assert_eq!(first["pipeline_stage"], "open");
    assert_eq!(first["client_name"], "Ann Hart");
    assert_eq!(first["mooring_number"], "A1");
    assert_eq!(first["reminder_enabled"], false);
    // Without a berth: a general inquiry; created at a later stage, its milestone is stamped.
    let second = create(
        &agent,
        &app,
        "north",
        json!({"client_id": bo, "pipeline_stage": "details_sent", "lead_category": "general_interest"}),
    )
    .await;
    assert!(second["berth_id"].is_null());
    assert!(second["date_first_contact"].is_string(), "{second}");
    let third = create(
        &agent,
        &app,
        "north",
        json!({"client_id": ann, "pipeline_stage": "visited"}),
    )
    .await;

    // The list: newest first by default, filters by field, keyset pages.
    let list = |q: &str| {
        let q = q.to_owned();
        let viewer = viewer.clone();
        let app = &app;
        async move {
            let (status, body) = call(
                &viewer,
                app,
                Method::GET,
                &format!("/api/v1/ports/north/interests{q}"),
                None,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{q}: {body}");
            body
        }
    };
    let all = list("").await;
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    assert_eq!(ids(&all), [id(&third), id(&second), id(&first)]);
    assert_eq!(all["data"][2]["client_name"], "Ann Hart");
    assert_eq!(all["data"][2]["mooring_number"], "A1");
    assert_eq!(
        ids(&list(&format!("?client_id={ann}")).await),
        [id(&third), id(&first)]
    );
    assert_eq!(ids(&list(&format!("?berth_id={a1}")).await), [id(&first)]);
    assert_eq!(
        ids(&list("?berth_id=none&sort=created_at").await),
        [id(&second), id(&third)]
    );
    assert_eq!(ids(&list("?pipeline_stage=visited").await), [id(&third)]);
    assert_eq!(ids(&list("?lead_category=hot_lead").await), [id(&first)]);
    assert_eq!(
        ids(&list("?sort=-pipeline_stage").await),
        [id(&third), id(&second), id(&first)]
    );
    let page1 = list("?sort=pipeline_stage&limit=2").await;
    assert_eq!(ids(&page1), [id(&first), id(&second)]);
    let cursor = page1["next_cursor"].as_str().unwrap();
    let page2 = list(&format!("?sort=pipeline_stage&limit=2&cursor={cursor}")).await;
    assert_eq!(ids(&page2), [id(&third)]);
    assert!(page2["next_cursor"].is_null());
    let page1 = list("?sort=date_last_contact&limit=1").await;
    let cursor = page1["next_cursor"].as_str().unwrap();
    let rest = list(&format!("?sort=date_last_contact&cursor={cursor}")).await;
    assert_eq!(ids(&page1).len() + ids(&rest).len(), 3);
    assert!(!ids(&rest).contains(&ids(&page1)[0]));

    // Edit: only what is named changes; the viewer may not.
    let url = format!("/api/v1/ports/north/interests/{}", id(&first));
    let edited = patch(
        &agent,
        &app,
        "north",
        &first["id"],
        json!({"lead_category": null, "reminder_enabled": true, "reminder_days": 5,
               "date_eoi_sent": "2026-03-01"}),
    )
    .await;
    assert!(edited["lead_category"].is_null());
    assert_eq!(edited["reminder_days"], 5);
    assert_eq!(edited["notes"], "Wants power 63A");
    assert_eq!(edited["date_eoi_sent"], "2026-03-01T00:00:00Z");
    let (status, _) = call(
        &viewer,
        &app,
        Method::PATCH,
        &url,
        Some(json!({"notes": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let fields: Vec<String> = sqlx::query_scalar(
        "SELECT field_changed FROM audit_logs WHERE entity_type = 'interest' AND entity_id = $1 AND action = 'update' ORDER BY field_changed",
    )
    .bind(Uuid::parse_str(&id(&first)).unwrap())
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        fields,
        [
            "date_eoi_sent",
            "lead_category",
            "reminder_days",
            "reminder_enabled"
        ]
    );

    // Archive: 204, off the list, still readable; restore brings it back.
    let (manager, _) = member(&app, "sales_manager", "north").await;
    let (status, _) = call(&agent, &app, Method::DELETE, &url, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "agents do not delete");
    let (status, _) = call(&manager, &app, Method::DELETE, &url, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(!ids(&list("").await).contains(&id(&first)));
    assert!(ids(&list("?archived=true").await).contains(&id(&first)));
    assert_eq!(ids(&list("?archived=only").await), [id(&first)]);
    let (status, shown) = call(&viewer, &app, Method::GET, &url, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(shown["archived_at"].is_string());
    let (status, restored) = call(
        &manager,
        &app,
        Method::POST,
        &format!("{url}/restore"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(restored["archived_at"].is_null());
    assert!(ids(&list("").await).contains(&id(&first)));
}

#[tokio::test]
async fn a_stage_move_stamps_its_milestone_once_sets_the_last_contact_and_queues_the_event() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let ann = client(&app, north, "Ann Hart").await;
    let (agent, agent_id) = member(&app, "sales_agent", "north").await;
    // Two webhooks take the event; one is inactive, one listens for something else.
    for (name, events, active) in [
        ("crm-sync", vec!["interest.stage_changed"], true),
        (
            "all",
            vec!["client.created", "interest.stage_changed"],
            true,
        ),
        ("paused", vec!["interest.stage_changed"], false),
        ("invoices", vec!["invoice.paid"], true),
    ] {
        sqlx::query(
            "INSERT INTO webhooks (port_id, name, url, events, is_active, created_by)
             VALUES ($1, $2, 'https://hooks.example.test/x', $3, $4, $5)",
        )
        .bind(north)
        .bind(name)
        .bind(events)
        .bind(active)
        .bind(&agent_id)
        .execute(&app.db)
        .await
        .unwrap();
    }
    let i = create(&agent, &app, "north", json!({"client_id": ann})).await;
    assert!(i["date_last_contact"].is_null());

    let moved = patch(
        &agent,
        &app,
        "north",
        &i["id"],
        json!({"pipeline_stage": "details_sent"}),
    )
    .await;
    let first_contact = moved["date_first_contact"].clone();
    assert!(first_contact.is_string(), "{moved}");
    assert!(moved["date_last_contact"].is_string());

    let deposit = patch(
        &agent,
        &app,
        "north",
        &i["id"],
        json!({"pipeline_stage": "deposit_10pct"}),
    )
    .await;
    assert!(deposit["date_deposit_received"].is_string(), "{deposit}");
    assert_eq!(deposit["deposit_status"], "received");
    assert!(
        deposit["date_eoi_signed"].is_null(),
        "only the stage moved to is stamped"
    );

    // Back: allowed, nothing cleared; forward again: the date is not stamped twice.
    let back = patch(
        &agent,
        &app,
        "north",
        &i["id"],
        json!({"pipeline_stage": "visited"}),
    )
    .await;
    assert_eq!(
        back["date_deposit_received"],
        deposit["date_deposit_received"]
    );
    assert_eq!(back["date_first_contact"], first_contact);
    let again = patch(
        &agent,
        &app,
        "north",
        &i["id"],
        json!({"pipeline_stage": "deposit_10pct"}),
    )
    .await;
    assert_eq!(
        again["date_deposit_received"],
        deposit["date_deposit_received"]
    );
    let done = patch(
        &agent,
        &app,
        "north",
        &i["id"],
        json!({"pipeline_stage": "completed"}),
    )
    .await;
    assert_eq!(done["contract_status"], "signed");
    assert!(done["date_contract_signed"].is_string());
    // An edit that is no move queues nothing.
    patch(
        &agent,
        &app,
        "north",
        &i["id"],
        json!({"notes": "Signed in the office"}),
    )
    .await;

    // Five moves, each audited and queued once per subscribed active webhook.
    let moves: Vec<(Value, Value)> = sqlx::query_as(
        "SELECT old_value, new_value FROM audit_logs
         WHERE entity_type = 'interest' AND field_changed = 'pipeline_stage' ORDER BY created_at, id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        moves
            .iter()
            .map(|(_, n)| n.as_str().unwrap())
            .collect::<Vec<_>>(),
        [
            "details_sent",
            "deposit_10pct",
            "visited",
            "deposit_10pct",
            "completed"
        ]
    );
    let deliveries: Vec<(String, String, Value)> = sqlx::query_as(
        "SELECT w.name, d.status, d.payload FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
         WHERE d.event_type = 'interest.stage_changed' ORDER BY w.name, d.created_at",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(deliveries.len(), 10, "{deliveries:?}");
    assert!(
        deliveries
            .iter()
            .all(|(n, s, _)| (n == "all" || n == "crm-sync") && s == "pending")
    );
    let payload = &deliveries[0].2;
    assert_eq!(payload["event"], "interest.stage_changed");
    assert_eq!(payload["data"]["interest_id"], i["id"]);
    assert_eq!(payload["data"]["from"], "open");
    assert_eq!(payload["data"]["to"], "details_sent");
    assert_eq!(payload["data"]["changed_by"], agent_id);
}

#[tokio::test]
async fn bad_input_is_422_listing_the_allowed_values_and_another_ports_records_are_404() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let south = port(&app, "south").await;
    let ann = client(&app, north, "Ann Hart").await;
    let theirs = client(&app, south, "Southern client").await;
    let their_berth = berth(&app, south, "S1").await;
    let (agent, _) = member(&app, "sales_agent", "north").await;
    let post = |body: Value| {
        call(
            &agent,
            &app,
            Method::POST,
            "/api/v1/ports/north/interests",
            Some(body),
        )
    };

    let (status, body) = post(json!({"client_id": ann, "pipeline_stage": "won"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = body["errors"]["pipeline_stage"][0].as_str().unwrap();
    for stage in [
        "open",
        "details_sent",
        "visited",
        "signed_eoi_nda",
        "deposit_10pct",
        "completed",
    ] {
        assert!(message.contains(stage), "{message}");
    }
    let (status, body) = post(
        json!({"client_id": ann, "lead_category": "warm", "eoi_status": "lost",
                                      "reservation_status": "maybe"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["errors"]["lead_category"][0]
            .as_str()
            .unwrap()
            .contains("hot_lead")
    );
    assert!(
        body["errors"]["eoi_status"][0]
            .as_str()
            .unwrap()
            .contains("waiting_for_signatures")
    );
    assert!(body["errors"]["reservation_status"].is_array());
    let (status, body) = post(json!({"berth_id": null})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["client_id"].is_array());
    let (status, body) = post(json!({"client_id": ann, "colour": "red"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // Another port's client or berth: the same 404 as one that does not exist.
    let (missing_status, missing) = post(json!({"client_id": Uuid::new_v4()})).await;
    let (status, body) = post(json!({"client_id": theirs})).await;
    assert_eq!(
        (status, missing_status),
        (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND)
    );
    assert_eq!(body, missing);
    let (status, body) = post(json!({"client_id": ann, "berth_id": their_berth})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, missing_berth) = post(json!({"client_id": ann, "berth_id": Uuid::new_v4()})).await;
    assert_eq!(body, missing_berth);
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM interests")
            .fetch_one(&app.db)
            .await
            .unwrap(),
        0
    );

    // Linking an existing interest to their berth, or moving it to a stage that does not exist.
    let mine = create(&agent, &app, "north", json!({"client_id": ann})).await;
    let url = format!(
        "/api/v1/ports/north/interests/{}",
        mine["id"].as_str().unwrap()
    );
    let (status, _) = call(
        &agent,
        &app,
        Method::PATCH,
        &url,
        Some(json!({"berth_id": their_berth})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = call(
        &agent,
        &app,
        Method::PATCH,
        &url,
        Some(json!({"pipeline_stage": "signed"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["errors"]["pipeline_stage"][0]
            .as_str()
            .unwrap()
            .contains("deposit_10pct")
    );
    let (status, body) = call(
        &agent,
        &app,
        Method::GET,
        "/api/v1/ports/north/interests?pipeline_stage=won",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["errors"]["pipeline_stage"][0]
            .as_str()
            .unwrap()
            .contains("completed")
    );

    // Their interest, seen from here by someone who may do all of this here.
    let (manager, _) = member(&app, "sales_manager", "north").await;
    let their_interest: Uuid = sqlx::query_scalar(
        "INSERT INTO interests (port_id, client_id) VALUES ($1, $2) RETURNING id",
    )
    .bind(south)
    .bind(theirs)
    .fetch_one(&app.db)
    .await
    .unwrap();
    for (method, path) in [
        (
            Method::GET,
            format!("/api/v1/ports/north/interests/{their_interest}"),
        ),
        (
            Method::PATCH,
            format!("/api/v1/ports/north/interests/{their_interest}"),
        ),
        (
            Method::DELETE,
            format!("/api/v1/ports/north/interests/{their_interest}"),
        ),
        (
            Method::GET,
            format!("/api/v1/ports/north/interests/{their_interest}/notes"),
        ),
        (
            Method::GET,
            format!("/ports/north/interests/{their_interest}"),
        ),
    ] {
        let (status, _) = call(&manager, &app, method.clone(), &path, Some(json!({}))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
    }
}

#[tokio::test]
async fn interest_notes_mention_and_lock_like_client_notes_and_tags_filter_the_list() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let ann = client(&app, north, "Ann Hart").await;
    let a1 = berth(&app, north, "A1").await;
    let (agent, _) = member(&app, "sales_agent", "north").await;
    let (_, manager_id) = member(&app, "sales_manager", "north").await;
    let i = create(
        &agent,
        &app,
        "north",
        json!({"client_id": ann, "berth_id": a1}),
    )
    .await;
    let id = i["id"].as_str().unwrap();
    let notes = format!("/api/v1/ports/north/interests/{id}/notes");

    let (status, note) = call(
        &agent,
        &app,
        Method::POST,
        &notes,
        Some(json!({"content": "Call back on Monday"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{note}");
    assert_eq!(note["interest_id"], id);
    let (status, note) = call(
        &agent,
        &app,
        Method::POST,
        &notes,
        Some(json!({"content": format!("Ask @[Marcus]({manager_id}) about the price")})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(note["mentions"], json!([manager_id]));
    let told: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT title, link FROM notifications WHERE user_id = $1 AND type = 'mention'",
    )
    .bind(&manager_id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(told.len(), 1);
    assert!(
        told[0].0.contains("Ann Hart’s interest in berth A1"),
        "{:?}",
        told
    );
    assert_eq!(
        told[0].1.as_deref(),
        Some(format!("/ports/north/interests/{id}").as_str())
    );

    // Editable for 15 minutes, then locked: 409.
    let one = format!("{notes}/{}", note["id"].as_str().unwrap());
    let (status, _) = call(
        &agent,
        &app,
        Method::PATCH,
        &one,
        Some(json!({"content": "Ask about the price"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    sqlx::query("UPDATE interest_notes SET created_at = now() - interval '16 minutes'")
        .execute(&app.db)
        .await
        .unwrap();
    let (status, body) = call(
        &agent,
        &app,
        Method::PATCH,
        &one,
        Some(json!({"content": "Too late"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = call(&agent, &app, Method::DELETE, &one, None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let locked: bool = sqlx::query_scalar("SELECT is_locked FROM interest_notes WHERE id = $1")
        .bind(Uuid::parse_str(note["id"].as_str().unwrap()).unwrap())
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(locked);

    // Tags: the same machinery as clients'; the list filters by them.
    let tag: Uuid =
        sqlx::query_scalar("INSERT INTO tags (port_id, name) VALUES ($1, 'Priority') RETURNING id")
            .bind(north)
            .fetch_one(&app.db)
            .await
            .unwrap();
    let other = create(&agent, &app, "north", json!({"client_id": ann})).await;
    let (status, tags) = call(
        &agent,
        &app,
        Method::PUT,
        &format!("/api/v1/ports/north/interests/{id}/tags"),
        Some(json!({"tag_ids": [tag]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tags}");
    assert_eq!(tags["data"][0]["name"], "Priority");
    let (_, list) = call(
        &agent,
        &app,
        Method::GET,
        &format!("/api/v1/ports/north/interests?tag={tag}"),
        None,
    )
    .await;
    assert_eq!(ids(&list), [id.to_owned()]);
    assert_eq!(list["data"][0]["tags"][0]["name"], "Priority");
    let (_, shown) = call(
        &agent,
        &app,
        Method::GET,
        &format!(
            "/api/v1/ports/north/interests/{}",
            other["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(shown["tags"], json!([]));
    let (status, _) = call(
        &agent,
        &app,
        Method::GET,
        &format!("/api/v1/ports/north/interests?tag={}", Uuid::new_v4()),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// The `_csrf` token of the newest session (the last sign-in).
async fn csrf(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT csrf_token FROM sessions ORDER BY created_at DESC LIMIT 1")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_pages_create_show_edit_and_move_an_interest() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let ann = client(&app, north, "Ann Hart").await;
    let a1 = berth(&app, north, "A1").await;
    app.sign_in_as("sales_manager", "north").await;
    let token = csrf(&app).await;

    // The client page offers "New interest"; the form names the client.
    let page = app
        .get(&format!("/ports/north/clients/{ann}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("id=\"interests\""),
        "the client page has the interests panel"
    );
    assert!(page.contains(&format!("/ports/north/interests/new?client_id={ann}")));
    let res = app
        .get(&format!("/ports/north/interests/new?client_id={ann}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let form = res.text().await.unwrap();
    assert!(
        form.contains("Ann Hart") && form.contains(">A1 · available<"),
        "{form}"
    );

    // A refused form keeps what was typed and says why beside the field.
    let res = app
        .client
        .post(app.url("/ports/north/interests/new"))
        .form(&[
            ("_csrf", token.as_str()),
            ("client_id", &ann.to_string()),
            ("berth_id", &a1.to_string()),
            ("pipeline_stage", "open"),
            ("reminder_days", "900"),
            ("notes", "Keep me"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("reminder_days-error") && html.contains("Keep me"),
        "{html}"
    );

    let res = app
        .client
        .post(app.url("/ports/north/interests/new"))
        .form(&[
            ("_csrf", token.as_str()),
            ("client_id", &ann.to_string()),
            ("berth_id", &a1.to_string()),
            ("pipeline_stage", "visited"),
            ("lead_category", "hot_lead"),
            ("reminder_enabled", "1"),
            ("reminder_days", "10"),
            ("date_first_contact", "2026-02-03"),
            ("notes", "Met at the boat show"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    let id: Uuid = to.rsplit('/').next().unwrap().parse().unwrap();
    let (stage, category, first, days): (String, String, chrono::DateTime<chrono::Utc>, i32) = sqlx::query_as(
        "SELECT pipeline_stage, lead_category, date_first_contact, reminder_days FROM interests WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        (stage.as_str(), category.as_str(), days),
        ("visited", "hot_lead", 10)
    );
    // A day in the port's time zone (America/Anguilla, UTC-4), stored at its noon.
    assert_eq!(first.to_rfc3339(), "2026-02-03T16:00:00+00:00");

    let page = app.get(&to).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Berth A1") && html.contains("data-stage=\"visited\""),
        "{html}"
    );
    assert!(html.contains("id=\"notes-panel\"") && html.contains("tags-panel-"));
    assert!(html.contains("3 Feb 2026"), "the milestone is shown");

    // A click on a step moves it, as the API would.
    let res = app
        .client
        .post(app.url(&format!("/ports/north/interests/{id}/stage")))
        .form(&[
            ("_csrf", token.as_str()),
            ("pipeline_stage", "signed_eoi_nda"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (stage, eoi): (String, Option<String>) =
        sqlx::query_as("SELECT pipeline_stage, eoi_status FROM interests WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        (stage.as_str(), eoi.as_deref()),
        ("signed_eoi_nda", Some("signed"))
    );

    // Editing: an untouched date keeps its moment; clearing the berth unlinks it.
    let edit = app
        .get(&format!("/ports/north/interests/{id}/edit"))
        .await
        .text()
        .await
        .unwrap();
    assert!(edit.contains("value=\"2026-02-03\""));
    // The days the form shows for the stamped dates, as a browser sends them back.
    let (signed, last): (String, String) = sqlx::query_as(
        "SELECT to_char(date_eoi_signed AT TIME ZONE 'America/Anguilla', 'YYYY-MM-DD'),
                to_char(date_last_contact AT TIME ZONE 'America/Anguilla', 'YYYY-MM-DD')
         FROM interests WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(edit.contains(&format!("value=\"{signed}\"")));
    let res = app
        .client
        .post(app.url(&format!("/ports/north/interests/{id}/edit")))
        .form(&[
            ("_csrf", token.as_str()),
            ("berth_id", ""),
            ("pipeline_stage", "signed_eoi_nda"),
            ("eoi_status", "signed"),
            ("lead_category", "hot_lead"),
            ("date_first_contact", "2026-02-03"),
            ("date_eoi_signed", &signed),
            ("date_last_contact", &last),
            ("reminder_days", "10"),
            ("notes", "Met at the boat show"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (berth, first, eoi_signed, enabled): (Option<Uuid>, chrono::DateTime<chrono::Utc>, Option<chrono::DateTime<chrono::Utc>>, bool) = sqlx::query_as(
        "SELECT berth_id, date_first_contact, date_eoi_signed, reminder_enabled FROM interests WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(berth, None);
    assert_eq!(first.to_rfc3339(), "2026-02-03T16:00:00+00:00");
    assert!(
        eoi_signed.is_some_and(|d| (chrono::Utc::now() - d).num_minutes() < 5),
        "kept as stamped"
    );
    assert!(!enabled, "an unticked box turns reminders off");

    // The client page lists it.
    let page = app
        .get(&format!("/ports/north/clients/{ann}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("/ports/north/interests/{id}")) && page.contains("EOI / NDA signed")
    );
}
