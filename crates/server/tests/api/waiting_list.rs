//! Waiting lists over HTTP: positions 1..n with high priority first after
//! every add, move, change and removal; moves out of range refused; the same
//! client twice and other ports' records refused; an available berth tells
//! its first entries by their preference; the berth section and client panel.

use crate::admin::{call, csrf_of, member};
use crate::helpers::{TestApp, port};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

/// A berth of `port_id` with `status`, inserted directly.
pub async fn berth(app: &TestApp, port_id: Uuid, mooring: &str, status: &str) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO berths (port_id, mooring_number, area, status) VALUES ($1, $2, 'Pier W', $3) RETURNING id",
    )
    .bind(port_id)
    .bind(mooring)
    .bind(status)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

/// A client of `port_id`, with an e-mail address when given.
pub async fn client(app: &TestApp, port_id: Uuid, name: &str, email: Option<&str>) -> Uuid {
    let id: Uuid =
        sqlx::query_scalar("INSERT INTO clients (port_id, full_name) VALUES ($1, $2) RETURNING id")
            .bind(port_id)
            .bind(name)
            .fetch_one(&app.db)
            .await
            .unwrap();
    if let Some(email) = email {
        sqlx::query("INSERT INTO client_contacts (port_id, client_id, channel, value, is_primary) VALUES ($1, $2, 'email', $3, true)")
            .bind(port_id)
            .bind(id)
            .bind(email)
            .execute(&app.db)
            .await
            .unwrap();
    }
    id
}

/// (client name, position, priority) of a list answer.
fn rows(list: &Value) -> Vec<(String, i64, String)> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["client_name"].as_str().unwrap().to_owned(),
                e["position"].as_i64().unwrap(),
                e["priority"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The list as stored, checked against the rule: positions 1..n, high first.
async fn stored(app: &TestApp, berth_id: Uuid) -> Vec<String> {
    let rows: Vec<(String, i32, String)> = sqlx::query_as(
        "SELECT c.full_name, w.position, w.priority FROM berth_waiting_list w JOIN clients c ON c.id = w.client_id
         WHERE w.berth_id = $1 ORDER BY w.position",
    )
    .bind(berth_id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    let positions: Vec<i32> = rows.iter().map(|r| r.1).collect();
    let expected: Vec<i32> = (1..=rows.len() as i32).collect();
    assert_eq!(positions, expected, "positions are 1..n: {rows:?}");
    let first_normal = rows
        .iter()
        .position(|r| r.2 == "normal")
        .unwrap_or(rows.len());
    assert!(
        rows[first_normal..].iter().all(|r| r.2 == "normal"),
        "high before normal: {rows:?}"
    );
    rows.into_iter().map(|r| r.0).collect()
}

async fn add(dir: &Client, app: &TestApp, base: &str, client: Uuid, priority: &str) -> Value {
    let (s, body) = call(
        dir,
        app,
        Method::POST,
        base,
        Some(json!({"client_id": client, "priority": priority})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    body
}

#[tokio::test]
async fn positions_stay_1_to_n_with_high_priority_first_after_every_change() {
    let app = TestApp::spawn().await;
    let p = port(&app, "wl").await;
    let (dir, _) = member(&app, "director", "wl").await;
    let b = berth(&app, p, "W1", "sold").await;
    let base = format!("/api/v1/ports/wl/berths/{b}/waiting-list");
    let ann = client(&app, p, "Ann", None).await;
    let ben = client(&app, p, "Ben", None).await;
    let cai = client(&app, p, "Cai", None).await;
    let dee = client(&app, p, "Dee", None).await;

    let first = add(&dir, &app, &base, ann, "normal").await;
    assert_eq!(first["position"], 1);
    assert_eq!(first["notify_pref"], "email");
    add(&dir, &app, &base, ben, "normal").await;
    assert_eq!(stored(&app, b).await, ["Ann", "Ben"]);
    // A high-priority entry goes before every normal one…
    let cai_entry = add(&dir, &app, &base, cai, "high").await;
    assert_eq!(cai_entry["position"], 1);
    assert_eq!(stored(&app, b).await, ["Cai", "Ann", "Ben"]);
    // …and after the high ones already there.
    let dee_entry = add(&dir, &app, &base, dee, "high").await;
    assert_eq!(dee_entry["position"], 2);
    assert_eq!(stored(&app, b).await, ["Cai", "Dee", "Ann", "Ben"]);

    let (s, list) = call(&dir, &app, Method::GET, &base, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        rows(&list),
        [
            ("Cai".into(), 1, "high".into()),
            ("Dee".into(), 2, "high".into()),
            ("Ann".into(), 3, "normal".into()),
            ("Ben".into(), 4, "normal".into()),
        ]
    );
    assert!(list["next_cursor"].is_null());

    let entry = |name: &str| {
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["client_name"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (ann_id, ben_id, dee_id) = (entry("Ann"), entry("Ben"), entry("Dee"));

    // Within its band an entry goes where it is asked.
    let (s, moved) = call(
        &dir,
        &app,
        Method::POST,
        &format!("{base}/{ben_id}/move"),
        Some(json!({"position": 3})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{moved}");
    assert_eq!(
        rows(&moved)
            .iter()
            .map(|r| r.0.as_str())
            .collect::<Vec<_>>(),
        ["Cai", "Dee", "Ben", "Ann"]
    );
    assert_eq!(stored(&app, b).await, ["Cai", "Dee", "Ben", "Ann"]);
    // A normal entry asked to the top stops below the high ones (clamped).
    let (s, moved) = call(
        &dir,
        &app,
        Method::POST,
        &format!("{base}/{ann_id}/move"),
        Some(json!({"position": 1})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(rows(&moved)[2], ("Ann".into(), 3, "normal".into()));
    assert_eq!(stored(&app, b).await, ["Cai", "Dee", "Ann", "Ben"]);

    // Out of range: 422 naming the position, nothing changes.
    for bad in [json!({"position": 0}), json!({"position": 5}), json!({})] {
        let (s, body) = call(
            &dir,
            &app,
            Method::POST,
            &format!("{base}/{ann_id}/move"),
            Some(bad.clone()),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert!(body["errors"]["position"].is_array(), "{body}");
    }
    let (_, body) = call(
        &dir,
        &app,
        Method::POST,
        &format!("{base}/{ann_id}/move"),
        Some(json!({"position": 9})),
    )
    .await;
    assert_eq!(body["errors"]["position"][0], "must be between 1 and 4");
    assert_eq!(stored(&app, b).await, ["Cai", "Dee", "Ann", "Ben"]);

    // Removing renumbers.
    let res = dir
        .delete(app.url(&format!("{base}/{dee_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(stored(&app, b).await, ["Cai", "Ann", "Ben"]);

    // Promoting an entry puts it last among the high ones; demoting, first
    // among the normal ones.
    let (s, ben_after) = call(
        &dir,
        &app,
        Method::PATCH,
        &format!("{base}/{ben_id}"),
        Some(json!({"priority": "high", "notify_pref": "both", "notes": " Keen "})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{ben_after}");
    assert_eq!(ben_after["position"], 2);
    assert_eq!(ben_after["notify_pref"], "both");
    assert_eq!(ben_after["notes"], "Keen");
    assert_eq!(stored(&app, b).await, ["Cai", "Ben", "Ann"]);
    let cai_id = cai_entry["id"].as_str().unwrap();
    let (s, _) = call(
        &dir,
        &app,
        Method::PATCH,
        &format!("{base}/{cai_id}"),
        Some(json!({"priority": "normal"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(stored(&app, b).await, ["Ben", "Cai", "Ann"]);

    // A client deleted outright (as a merge does) leaves no gap either.
    sqlx::query("DELETE FROM clients WHERE id = $1")
        .bind(cai)
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(stored(&app, b).await, ["Ben", "Ann"]);

    // Every change is audited, naming the client for its timeline.
    let audited: Vec<(String, Option<String>, Value)> = sqlx::query_as(
        "SELECT action, field_changed, metadata FROM audit_logs WHERE entity_type = 'waiting_list_entry' ORDER BY created_at, id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let actions: Vec<&str> = audited.iter().map(|a| a.0.as_str()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "create").count(), 4);
    assert_eq!(actions.iter().filter(|a| **a == "delete").count(), 1);
    assert!(audited.iter().any(|a| a.1.as_deref() == Some("position")));
    assert!(audited.iter().any(|a| a.1.as_deref() == Some("priority")));
    assert!(
        audited
            .iter()
            .all(|a| a.2["client_id"].is_string() && a.2["mooring_number"] == "W1")
    );
}

#[tokio::test]
async fn repeats_conflict_and_other_ports_records_are_not_found() {
    let app = TestApp::spawn().await;
    let p = port(&app, "wla").await;
    let other = port(&app, "wlb").await;
    let (dir, _) = member(&app, "director", "wla").await;
    let b = berth(&app, p, "A1", "available").await;
    let b2 = berth(&app, p, "A2", "available").await;
    let foreign_berth = berth(&app, other, "B1", "available").await;
    let mine = client(&app, p, "Mine", None).await;
    let foreign_client = client(&app, other, "Foreign", None).await;
    let base = format!("/api/v1/ports/wla/berths/{b}/waiting-list");

    let entry = add(&dir, &app, &base, mine, "normal").await;
    let (s, body) = call(
        &dir,
        &app,
        Method::POST,
        &base,
        Some(json!({"client_id": mine})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");

    let (s, _) = call(
        &dir,
        &app,
        Method::POST,
        &base,
        Some(json!({"client_id": foreign_client})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, body) = call(&dir, &app, Method::POST, &base, Some(json!({}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["client_id"].is_array(), "{body}");
    let other_client = client(&app, p, "Other", None).await;
    let (s, body) = call(
        &dir,
        &app,
        Method::POST,
        &base,
        Some(json!({"client_id": other_client, "priority": "urgent"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let message = body["errors"]["priority"][0].as_str().unwrap_or_default();
    assert!(message.contains("high, normal"), "{body}");

    // Another port's berth, under this port's path: 404 for every route.
    let foreign = format!("/api/v1/ports/wla/berths/{foreign_berth}/waiting-list");
    for (method, path, body) in [
        (Method::GET, foreign.clone(), None),
        (
            Method::POST,
            foreign.clone(),
            Some(json!({"client_id": mine})),
        ),
        (Method::POST, format!("{foreign}/notify"), None),
    ] {
        let (s, _) = call(&dir, &app, method.clone(), &path, body).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{method} {path}");
    }
    // An entry asked for under another berth of the same port: 404.
    let id = entry["id"].as_str().unwrap();
    let wrong = format!("/api/v1/ports/wla/berths/{b2}/waiting-list/{id}");
    let (s, _) = call(&dir, &app, Method::GET, &wrong, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = call(
        &dir,
        &app,
        Method::POST,
        &format!("{wrong}/move"),
        Some(json!({"position": 1})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A sales agent reads the list but does not change it.
    let (agent, _) = member(&app, "sales_agent", "wla").await;
    let (s, _) = call(&agent, &app, Method::GET, &base, None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = call(
        &agent,
        &app,
        Method::POST,
        &format!("{base}/{id}/move"),
        Some(json!({"position": 1})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_available_berth_tells_its_first_three_entries_by_their_preference() {
    let app = TestApp::spawn().await;
    let p = port(&app, "wln").await;
    let (dir, dir_id) = member(&app, "director", "wln").await;
    let b = berth(&app, p, "N7", "under_offer").await;
    let base = format!("/api/v1/ports/wln/berths/{b}/waiting-list");
    let by_email = client(&app, p, "Erin Email", Some("erin@example.test")).await;
    let in_app = client(&app, p, "Ian App", Some("ian@example.test")).await;
    let both = client(&app, p, "Bo Both", Some("bo@example.test")).await;
    let fourth = client(&app, p, "Fay Fourth", Some("fay@example.test")).await;
    let no_address = client(&app, p, "Ned Noaddress", None).await;
    for (c, pref) in [
        (by_email, "email"),
        (in_app, "in_app"),
        (both, "both"),
        (fourth, "both"),
    ] {
        let (s, body) = call(
            &dir,
            &app,
            Method::POST,
            &base,
            Some(json!({"client_id": c, "notify_pref": pref})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
    }

    // Not available yet: nothing to tell.
    let (s, _) = call(&dir, &app, Method::POST, &format!("{base}/notify"), None).await;
    assert_eq!(s, StatusCode::CONFLICT);

    sqlx::query("UPDATE berths SET status = 'available' WHERE id = $1")
        .bind(b)
        .execute(&app.db)
        .await
        .unwrap();
    let (s, body) = call(&dir, &app, Method::POST, &format!("{base}/notify"), None).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["notified"], 3);

    // In the app: the team, for the in_app and both entries only.
    let told: Vec<(Uuid, String, String)> = sqlx::query_as(
        "SELECT entity_id, user_id, title FROM notifications WHERE type = 'waiting_list' ORDER BY title",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let mut clients: Vec<Uuid> = told.iter().map(|t| t.0).collect();
    clients.sort();
    let mut expected = vec![in_app, both];
    expected.sort();
    assert_eq!(clients, expected, "{told:?}");
    assert!(told.iter().all(|t| t.1 == dir_id));
    assert!(
        told.iter()
            .any(|t| t.2 == "Berth N7 is available for Ian App")
    );

    // By e-mail: the clients who asked for it, among the first three.
    app.run_jobs().await;
    let outbox = app.outbox();
    let to = |addr: &str| {
        outbox
            .iter()
            .filter(|m| m.contains(&format!("To: {addr}")))
            .count()
    };
    assert_eq!(to("erin@example.test"), 1, "{outbox:?}");
    assert_eq!(to("bo@example.test"), 1);
    assert_eq!(to("ian@example.test"), 0);
    assert_eq!(to("fay@example.test"), 0, "the fourth entry is not told");
    let erin = outbox
        .iter()
        .find(|m| m.contains("To: erin@example.test"))
        .unwrap();
    assert!(erin.contains("Berth N7 is available"), "{erin}");

    // A client who wants e-mail but has none: the team is told instead.
    let b2 = berth(&app, p, "N8", "available").await;
    let base2 = format!("/api/v1/ports/wln/berths/{b2}/waiting-list");
    call(
        &dir,
        &app,
        Method::POST,
        &base2,
        Some(json!({"client_id": no_address})),
    )
    .await;
    let (_, body) = call(&dir, &app, Method::POST, &format!("{base2}/notify"), None).await;
    assert_eq!(body["notified"], 1);
    let description: String = sqlx::query_scalar(
        "SELECT description FROM notifications WHERE entity_id = $1 AND type = 'waiting_list'",
    )
    .bind(no_address)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(description.contains("no e-mail address"), "{description}");

    // A status change to available tells the list by itself, whoever makes it.
    let b3 = berth(&app, p, "N9", "sold").await;
    let waiting = client(&app, p, "Wanda Waiting", None).await;
    call(
        &dir,
        &app,
        Method::POST,
        &format!("/api/v1/ports/wln/berths/{b3}/waiting-list"),
        Some(json!({"client_id": waiting, "notify_pref": "in_app"})),
    )
    .await;
    let told_of = |c: Uuid| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM notifications WHERE entity_id = $1 AND type = 'waiting_list'",
            )
            .bind(c)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    let status = format!("/api/v1/ports/wln/berths/{b3}/status");
    let (s, body) = call(
        &dir,
        &app,
        Method::POST,
        &status,
        Some(json!({"status": "under_offer", "reason": "A new buyer"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(
        told_of(waiting).await,
        0,
        "only a change to available tells"
    );
    let (s, body) = call(
        &dir,
        &app,
        Method::POST,
        &status,
        Some(json!({"status": "available", "reason": "The sale fell through"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(told_of(waiting).await, 1);
}

#[tokio::test]
async fn the_berth_section_reorders_and_adds_and_the_client_page_lists_the_berths() {
    let app = TestApp::spawn().await;
    let p = port(&app, "wlp").await;
    let (dir, _) = member(&app, "director", "wlp").await;
    let b = berth(&app, p, "P3", "sold").await;
    let first = client(&app, p, "Pia First", None).await;
    let second = client(&app, p, "Quinn Second", None).await;
    let page = format!("/ports/wlp/berths/{b}/waiting-list");
    let csrf = csrf_of(&dir, &app, &page).await;

    // Adding from the page: a form post, back to the section's page.
    for c in [first, second] {
        let res = dir
            .post(app.url(&page))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("client_id", &c.to_string()),
                ("priority", "normal"),
                ("notify_pref", "in_app"),
                ("notes", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(stored(&app, b).await, ["Pia First", "Quinn Second"]);
    // Nobody picked: the error beside the picker.
    let res = dir
        .post(app.url(&page))
        .header("hx-request", "true")
        .form(&[("_csrf", csrf.as_str()), ("client_id", "")])
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("Search for a client and pick one."), "{html}");

    // The section: in order, draggable, with ↑/↓ forms.
    let html = dir
        .get(app.url(&page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (pia, quinn) = (
        html.find("Pia First").unwrap(),
        html.find("Quinn Second").unwrap(),
    );
    assert!(pia < quinn);
    assert!(html.contains("draggable=\"true\""));
    assert!(html.contains("data-waitlist-list"));

    // ↓ on the first entry, through htmx: the section comes back reordered.
    let entry: Uuid = sqlx::query_scalar("SELECT id FROM berth_waiting_list WHERE client_id = $1")
        .bind(first)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let res = dir
        .post(app.url(&format!("{page}/{entry}/move")))
        .header("hx-request", "true")
        .form(&[("_csrf", csrf.as_str()), ("position", "2")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.find("Quinn Second").unwrap() < html.find("Pia First").unwrap());
    assert_eq!(stored(&app, b).await, ["Quinn Second", "Pia First"]);
    // A position out of range is said in the section, not an error page.
    let res = dir
        .post(app.url(&format!("{page}/{entry}/move")))
        .header("hx-request", "true")
        .form(&[("_csrf", csrf.as_str()), ("position", "7")])
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("must be between 1 and 2"), "{html}");

    // The berth page carries the section.
    let html = dir
        .get(app.url(&format!("/ports/wlp/berths/{b}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"waiting-list\"") && html.contains("Quinn Second"));

    // The picker offers clients not on the list yet.
    let third = client(&app, p, "Pia Third", None).await;
    let html = dir
        .get(app.url(&format!("{page}/picker?q=pia")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&third.to_string()) && !html.contains(&first.to_string()));

    // The client page lists the berth with the client's place.
    let html = dir
        .get(app.url(&format!("/ports/wlp/clients/{first}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Waiting lists"), "{html}");
    assert!(html.contains("Berth P3") && html.contains("2 of 2"));
    let (s, body) = call(
        &dir,
        &app,
        Method::GET,
        &format!("/api/v1/ports/wlp/clients/{first}/waiting-lists"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["data"][0]["mooring_number"], "P3");
    assert_eq!(body["data"][0]["position"], 2);
    assert_eq!(body["data"][0]["list_length"], 2);
}
