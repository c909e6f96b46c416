//! The audit log: one row per changed field, the filtered keyset list, the
//! revert with its compare-and-set, the entity timeline and the audit page.

use crate::helpers::TestApp;
use crate::helpers::port;
use nimara::audit::{self, Action, Actor, Entry};
use nimara::auth::session::Origin;
use nimara::db::Db;
use serde_json::{Value, json};
use std::collections::HashSet;
use uuid::Uuid;

async fn user_id(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn new_client(app: &TestApp, port: Uuid) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO clients (port_id, full_name, nationality, yacht_length_ft, is_proxy)
         VALUES ($1, 'Ann Anchor', 'British', 45.50, false) RETURNING id",
    )
    .bind(port)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

/// Changes a client the way a domain handler does: in the port's transaction,
/// the row read before and after as JSON, the difference audited by the helper.
/// Returns how many audit rows were written.
async fn update_client(app: &TestApp, port: Uuid, id: Uuid, actor: &str, set: &str) -> usize {
    let db = Db::from_pool(app.db.clone());
    let mut tx = db.begin_port(port).await.unwrap();
    let old: Value = sqlx::query_scalar("SELECT to_jsonb(c) FROM clients c WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let sql = format!("UPDATE clients c SET {set} WHERE id = $1 RETURNING to_jsonb(c)");
    let new: Value = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let actor = Actor::user(actor, &Origin::default());
    let n = audit::record_update(&mut tx, &actor, Some(port), "client", id, &old, &new)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    n
}

async fn client_field(app: &TestApp, id: Uuid, field: &str) -> Value {
    let sql = format!("SELECT to_jsonb(c) -> '{field}' FROM clients c WHERE id = $1");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// The id of the latest update entry of `field`.
async fn entry_of(app: &TestApp, entity: Uuid, field: &str) -> Uuid {
    sqlx::query_scalar(
        "SELECT id FROM audit_logs WHERE entity_id = $1 AND field_changed = $2 AND action = 'update'
         ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(entity)
    .bind(field)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

/// field_changed, old_value, new_value, port_id, user_id.
type FieldRow = (String, Value, Value, Option<Uuid>, Option<String>);

/// The rows `GET …/audit-logs?{query}` lists at north.
async fn listed(app: &TestApp, query: String) -> Vec<Value> {
    let res = app
        .get(&format!("/api/v1/ports/north/audit-logs?{query}"))
        .await;
    assert_eq!(res.status(), 200, "{query}");
    let body: Value = res.json().await.unwrap();
    body["data"].as_array().unwrap().clone()
}

struct World {
    app: TestApp,
    north: Uuid,
    south: Uuid,
    director: String,
}

/// Ports north and south, and a director of north signed in.
async fn world() -> World {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let south = port(&app, "south").await;
    let email = app.sign_in_as("director", "north").await;
    sqlx::query("UPDATE user_profiles p SET display_name = 'Dana Director' FROM users u WHERE u.id = p.user_id AND u.email = $1")
        .bind(&email)
        .execute(&app.db)
        .await
        .unwrap();
    let director = user_id(&app, &email).await;
    World {
        app,
        north,
        south,
        director,
    }
}

async fn revert(app: &TestApp, slug: &str, id: Uuid) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/ports/{slug}/audit-logs/{id}/revert"),
        &json!({}),
    )
    .await
}

#[tokio::test]
async fn an_update_writes_one_row_per_changed_field() {
    let w = world().await;
    let client = new_client(&w.app, w.north).await;

    let n = update_client(
        &w.app,
        w.north,
        client,
        &w.director,
        "nationality = 'French', yacht_name = 'Aurora', full_name = full_name",
    )
    .await;

    assert_eq!(n, 2, "updated_at changed too, but is bookkeeping");
    let rows: Vec<FieldRow> = sqlx::query_as(
        "SELECT field_changed, old_value, new_value, port_id, user_id FROM audit_logs
         WHERE entity_type = 'client' AND entity_id = $1 AND action = 'update' ORDER BY field_changed",
    )
    .bind(client)
    .fetch_all(&w.app.db)
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            (
                "nationality".into(),
                json!("British"),
                json!("French"),
                Some(w.north),
                Some(w.director.clone())
            ),
            (
                "yacht_name".into(),
                json!(null),
                json!("Aurora"),
                Some(w.north),
                Some(w.director.clone())
            ),
        ]
    );
}

#[tokio::test]
async fn the_list_filters_and_pages_by_keyset_without_repeats() {
    let w = world().await;
    let app = &w.app;
    let client = new_client(app, w.north).await;
    // Seven entries in one transaction share one created_at: the id breaks ties.
    let db = Db::from_pool(app.db.clone());
    let mut tx = db.begin_port(w.north).await.unwrap();
    let me = Actor::user(&w.director, &Origin::default());
    let berth = Uuid::new_v4();
    for (action, kind, entity) in [
        (Action::Create, "client", client),
        (Action::Update, "client", client),
        (Action::Update, "client", client),
        (Action::Create, "berth", berth),
        (Action::Update, "berth", berth),
        (Action::Archive, "client", client),
        (Action::Restore, "client", client),
    ] {
        audit::record(
            &mut tx,
            &me,
            Entry::new(Some(w.north), action, kind, Some(entity)),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    // The system wrote one more, and port south has its own.
    let mut tx = db.begin_port(w.north).await.unwrap();
    audit::record(
        &mut tx,
        &Actor::system(),
        Entry::new(Some(w.north), Action::Update, "berth", Some(berth)),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.begin_port(w.south).await.unwrap();
    audit::record(
        &mut tx,
        &me,
        Entry::new(
            Some(w.south),
            Action::Create,
            "client",
            Some(Uuid::new_v4()),
        ),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // Every page of three, following the cursor.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/ports/north/audit-logs?limit=3&cursor={c}"),
            None => "/api/v1/ports/north/audit-logs?limit=3".to_owned(),
        };
        let res = app.get(&path).await;
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.unwrap();
        for row in body["data"].as_array().unwrap() {
            assert_eq!(row["port_id"], json!(w.north));
            seen.push((
                row["created_at"].as_str().unwrap().to_owned(),
                row["id"].as_str().unwrap().to_owned(),
            ));
        }
        pages += 1;
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 8);
    let unique: HashSet<_> = seen.iter().map(|(_, id)| id.clone()).collect();
    assert_eq!(unique.len(), 8, "no entry twice");
    let ordered: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM audit_logs WHERE port_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(w.north)
    .fetch_all(&app.db)
    .await
    .unwrap();
    let paged: Vec<Uuid> = seen.iter().map(|(_, id)| id.parse().unwrap()).collect();
    assert_eq!(paged, ordered, "newest first, ties by id");

    let count = |query: String| listed(app, query);
    assert_eq!(count("action=update".into()).await.len(), 4);
    assert_eq!(count("entity_type=berth".into()).await.len(), 3);
    assert_eq!(
        count(format!("entity_id={berth}&action=update"))
            .await
            .len(),
        2
    );
    let mine = count(format!("user_id={}", w.director)).await;
    assert_eq!(mine.len(), 7);
    assert!(mine.iter().all(|r| r["user_name"] == "Dana Director"));
    let system = count("entity_type=berth&action=update".into()).await;
    assert!(
        system
            .iter()
            .any(|r| r["user_id"].is_null() && r["user_name"].is_null())
    );

    // Dates are whole days of the port's zone (America/Anguilla, UTC−4).
    sqlx::query("UPDATE audit_logs SET created_at = '2025-01-10T03:30:00Z' WHERE id = $1")
        .bind(ordered[0])
        .execute(&app.db)
        .await
        .unwrap();
    let on_ninth = count("from=2025-01-09&to=2025-01-09".into()).await;
    assert_eq!(on_ninth.len(), 1);
    assert_eq!(on_ninth[0]["id"], json!(ordered[0]));
    assert!(
        count("from=2025-01-10&to=2025-01-10".into())
            .await
            .is_empty()
    );
    assert_eq!(count("to=2025-01-31".into()).await.len(), 1);
    assert_eq!(count("from=2025-02-01".into()).await.len(), 7);

    let res = app
        .get("/api/v1/ports/north/audit-logs?action=explode&from=2025-13-01&entity_id=7")
        .await;
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    for field in ["action", "from", "entity_id"] {
        assert!(problem["errors"][field].is_array(), "{field}: {problem}");
    }
    // A value out of range, or a cursor this list did not give out, is a
    // validation error naming its parameter, as on every other list; a limit
    // that is not a number at all is a malformed request.
    for (bad, field) in [
        ("cursor=nope", "cursor"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
    ] {
        let res = app
            .get(&format!("/api/v1/ports/north/audit-logs?{bad}"))
            .await;
        assert_eq!(res.status(), 422, "{bad}");
        let problem: Value = res.json().await.unwrap();
        assert!(problem["errors"][field].is_array(), "{bad}: {problem}");
    }
    let res = app.get("/api/v1/ports/north/audit-logs?limit=ten").await;
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn revert_restores_the_value_and_writes_an_entry_pointing_at_the_original() {
    let w = world().await;
    let client = new_client(&w.app, w.north).await;
    update_client(
        &w.app,
        w.north,
        client,
        &w.director,
        "nationality = 'French', yacht_length_ft = NULL, is_proxy = true",
    )
    .await;

    for (field, before) in [
        ("nationality", json!("British")),
        ("yacht_length_ft", json!(45.50)),
        ("is_proxy", json!(false)),
    ] {
        let original = entry_of(&w.app, client, field).await;
        let res = revert(&w.app, "north", original).await;
        assert_eq!(res.status(), 200, "{field}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["revert_of"], json!(original));
        assert_eq!(client_field(&w.app, client, field).await, before, "{field}");

        let (by, at): (Option<String>, Option<chrono::DateTime<chrono::Utc>>) =
            sqlx::query_as("SELECT reverted_by, reverted_at FROM audit_logs WHERE id = $1")
                .bind(original)
                .fetch_one(&w.app.db)
                .await
                .unwrap();
        assert_eq!(by.as_deref(), Some(w.director.as_str()));
        assert!(at.is_some());
        let (action, field_changed, old, new, of, user): (
            String,
            String,
            Value,
            Value,
            Uuid,
            String,
        ) = sqlx::query_as(
            "SELECT action, field_changed, old_value, new_value, revert_of, user_id
                 FROM audit_logs WHERE id = $1",
        )
        .bind(body["id"].as_str().unwrap().parse::<Uuid>().unwrap())
        .fetch_one(&w.app.db)
        .await
        .unwrap();
        assert_eq!(
            (
                action.as_str(),
                field_changed.as_str(),
                &new,
                of,
                user.as_str()
            ),
            ("revert", field, &before, original, w.director.as_str())
        );
        assert_ne!(old, before);
    }
}

#[tokio::test]
async fn a_stale_revert_answers_409_and_changes_nothing() {
    let w = world().await;
    let client = new_client(&w.app, w.north).await;
    update_client(
        &w.app,
        w.north,
        client,
        &w.director,
        "nationality = 'French'",
    )
    .await;
    let first = entry_of(&w.app, client, "nationality").await;
    update_client(
        &w.app,
        w.north,
        client,
        &w.director,
        "nationality = 'German'",
    )
    .await;

    let res = revert(&w.app, "north", first).await;

    assert_eq!(res.status(), 409);
    let problem: Value = res.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("changed again")
    );
    assert_eq!(
        client_field(&w.app, client, "nationality").await,
        json!("German")
    );
    let (reverted, reverts): (bool, i64) = sqlx::query_as(
        "SELECT (SELECT reverted_at IS NOT NULL FROM audit_logs WHERE id = $1),
                (SELECT count(*) FROM audit_logs WHERE action = 'revert')",
    )
    .bind(first)
    .fetch_one(&w.app.db)
    .await
    .unwrap();
    assert_eq!((reverted, reverts), (false, 0));
}

#[tokio::test]
async fn a_second_revert_of_the_same_change_answers_409() {
    let w = world().await;
    let client = new_client(&w.app, w.north).await;
    update_client(
        &w.app,
        w.north,
        client,
        &w.director,
        "nationality = 'French'",
    )
    .await;
    let entry = entry_of(&w.app, client, "nationality").await;

    assert_eq!(revert(&w.app, "north", entry).await.status(), 200);
    let again = revert(&w.app, "north", entry).await;

    assert_eq!(again.status(), 409);
    let reverts: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_logs WHERE action = 'revert'")
            .fetch_one(&w.app.db)
            .await
            .unwrap();
    assert_eq!(reverts, 1);
}

#[tokio::test]
async fn only_field_updates_of_revertable_kinds_can_be_reverted() {
    let w = world().await;
    let client = new_client(&w.app, w.north).await;
    let db = Db::from_pool(w.app.db.clone());
    let me = Actor::user(&w.director, &Origin::default());
    let mut tx = db.begin_port(w.north).await.unwrap();
    let created = audit::record(
        &mut tx,
        &me,
        Entry::new(Some(w.north), Action::Create, "client", Some(client)),
    )
    .await
    .unwrap();
    let field_entry = |kind: &'static str, field: &'static str| {
        let mut e = Entry::new(Some(w.north), Action::Update, kind, Some(client));
        e.field = Some(field);
        e.old = Some(json!("x"));
        e.new = Some(json!("y"));
        e
    };
    let of_a_user = audit::record(&mut tx, &me, field_entry("user", "name"))
        .await
        .unwrap();
    let of_port_id = audit::record(&mut tx, &me, field_entry("client", "port_id"))
        .await
        .unwrap();
    let of_no_column = audit::record(&mut tx, &me, field_entry("client", "no_such_column"))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    for id in [created, of_a_user, of_port_id, of_no_column] {
        let res = revert(&w.app, "north", id).await;
        assert_eq!(res.status(), 422, "{id}");
    }
    let not_an_id = w
        .app
        .post_json(
            "/api/v1/ports/north/audit-logs/not-a-uuid/revert",
            &json!({}),
        )
        .await;
    assert_eq!(not_an_id.status(), 404);
}

#[tokio::test]
async fn a_member_without_audit_revert_gets_403_and_one_without_audit_view_too() {
    let w = world().await;
    let client = new_client(&w.app, w.north).await;
    update_client(
        &w.app,
        w.north,
        client,
        &w.director,
        "nationality = 'French'",
    )
    .await;
    let entry = entry_of(&w.app, client, "nationality").await;

    // A sales manager may read the log but not revert.
    w.app.sign_in_as("sales_manager", "north").await;
    assert_eq!(
        w.app.get("/api/v1/ports/north/audit-logs").await.status(),
        200
    );
    assert_eq!(revert(&w.app, "north", entry).await.status(), 403);

    // A sales agent may do neither.
    w.app.sign_in_as("sales_agent", "north").await;
    assert_eq!(
        w.app.get("/api/v1/ports/north/audit-logs").await.status(),
        403
    );
    assert_eq!(revert(&w.app, "north", entry).await.status(), 403);
    assert_eq!(
        client_field(&w.app, client, "nationality").await,
        json!("French")
    );
}

#[tokio::test]
async fn a_user_of_another_port_gets_404_for_this_ports_entries() {
    let w = world().await;
    let client = new_client(&w.app, w.north).await;
    update_client(
        &w.app,
        w.north,
        client,
        &w.director,
        "nationality = 'French'",
    )
    .await;
    let entry = entry_of(&w.app, client, "nationality").await;

    // A director of south, at south's own address, and at north's.
    w.app.sign_in_as("director", "south").await;
    assert_eq!(revert(&w.app, "south", entry).await.status(), 404);
    assert_eq!(revert(&w.app, "north", entry).await.status(), 404);
    assert_eq!(
        w.app.get("/api/v1/ports/north/audit-logs").await.status(),
        404
    );
    let south: Value = w
        .app
        .get("/api/v1/ports/south/audit-logs")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(south["data"], json!([]));
    assert_eq!(
        client_field(&w.app, client, "nationality").await,
        json!("French")
    );
}

#[tokio::test]
async fn the_timeline_tells_an_entitys_story_in_its_port_only() {
    let w = world().await;
    let client = new_client(&w.app, w.north).await;
    update_client(
        &w.app,
        w.north,
        client,
        &w.director,
        "nationality = 'French'",
    )
    .await;
    let db = Db::from_pool(w.app.db.clone());

    let mut tx = db.begin_port(w.north).await.unwrap();
    let items = audit::timeline(&mut tx, "client", client, 10)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let now = chrono::Utc::now();
    let line = audit::Timeline::new(&items, now, chrono_tz::Tz::UTC).entries[0].sentence();
    assert_eq!(
        line,
        "Dana Director changed Nationality from British to French"
    );

    let mut tx = db.begin_port(w.south).await.unwrap();
    let elsewhere = audit::timeline(&mut tx, "client", client, 10)
        .await
        .unwrap();
    assert!(elsewhere.is_empty());
    tx.rollback().await.unwrap();
    // Without a port there is none to read, even for the owner.
    let mut conn = w.app.db.acquire().await.unwrap();
    assert!(
        audit::timeline(&mut conn, "client", client, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// The value of the first `name="_csrf"` field of a page.
fn csrf_in(html: &str) -> String {
    let at = html
        .find("name=\"_csrf\" value=\"")
        .expect("a form with a token");
    let rest = &html[at + "name=\"_csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn the_audit_page_renders_for_a_director_and_is_403_for_a_sales_agent() {
    let w = world().await;
    let client = new_client(&w.app, w.north).await;
    update_client(
        &w.app,
        w.north,
        client,
        &w.director,
        "nationality = 'French'",
    )
    .await;

    let res = w.app.get("/ports/north/audit").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    for needle in [
        "<h1>Audit log</h1>",
        "href=\"/ports/north/audit\" aria-current=\"page\"",
        "Dana Director",
        "Nationality",
        "British",
        "French",
        "data-revert",
    ] {
        assert!(html.contains(needle), "{needle}");
    }

    // Narrowed to the client: its timeline reads as a sentence.
    let res = w
        .app
        .get(&format!(
            "/ports/north/audit?entity_type=client&entity_id={client}"
        ))
        .await;
    let html = res.text().await.unwrap();
    assert!(html.contains("History of this record"));
    assert!(html.contains("timeline-field\">Nationality</span>"));

    // Filters that match nothing, and one that is wrong, named beside its field.
    let html = w
        .app
        .get("/ports/north/audit?action=delete")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("No entries match these filters"));
    let html = w
        .app
        .get("/ports/north/audit?from=someday")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"f-from-error\""));

    w.app.sign_in_as("sales_agent", "north").await;
    assert_eq!(w.app.get("/ports/north/audit").await.status(), 403);
    let dashboard = w.app.get("/ports/north").await.text().await.unwrap();
    assert!(!dashboard.contains("Audit log"), "the nav hides it");
}

#[tokio::test]
async fn the_page_reverts_with_its_token_and_says_when_a_revert_is_stale() {
    let w = world().await;
    let client = new_client(&w.app, w.north).await;
    update_client(
        &w.app,
        w.north,
        client,
        &w.director,
        "nationality = 'French'",
    )
    .await;
    let first = entry_of(&w.app, client, "nationality").await;
    update_client(
        &w.app,
        w.north,
        client,
        &w.director,
        "yacht_name = 'Aurora'",
    )
    .await;
    let html = w.app.get("/ports/north/audit").await.text().await.unwrap();
    let token = csrf_in(&html);
    let form = |csrf: &str| {
        vec![
            ("_csrf".to_owned(), csrf.to_owned()),
            (
                "back".to_owned(),
                "action=update&evil=https://x.test".to_owned(),
            ),
        ]
    };
    let path = w.app.url(&format!("/ports/north/audit/{first}/revert"));

    // A forged form (no token) does nothing.
    let res = w
        .app
        .client
        .post(&path)
        .form(&form("wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(
        client_field(&w.app, client, "nationality").await,
        json!("French")
    );

    // Without JavaScript: back to the same view with a message.
    let res = w
        .app
        .client
        .post(&path)
        .form(&form(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(to, "/ports/north/audit?action=update&notice=reverted");
    assert_eq!(
        client_field(&w.app, client, "nationality").await,
        json!("British")
    );
    let html = w.app.get(&to).await.text().await.unwrap();
    assert!(html.contains("Change reverted."));
    assert!(html.contains("Reverted by Dana Director"));

    // Again, with htmx: the row comes back saying why nothing happened.
    let res = w
        .app
        .client
        .post(&path)
        .header("HX-Request", "true")
        .form(&form(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let row = res.text().await.unwrap();
    assert!(row.starts_with("<tr"), "{row}");
    assert!(row.contains("already been reverted"));

    // A stale one, without JavaScript.
    let aurora = entry_of(&w.app, client, "yacht_name").await;
    update_client(
        &w.app,
        w.north,
        client,
        &w.director,
        "yacht_name = 'Boreas'",
    )
    .await;
    let res = w
        .app
        .client
        .post(w.app.url(&format!("/ports/north/audit/{aurora}/revert")))
        .form(&form(&token))
        .send()
        .await
        .unwrap();
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.ends_with("notice=stale"), "{to}");
    let html = w.app.get(&to).await.text().await.unwrap();
    assert!(html.contains("changed again since; nothing was reverted"));
    assert_eq!(
        client_field(&w.app, client, "yacht_name").await,
        json!("Boreas")
    );
}

#[tokio::test]
async fn load_more_swaps_in_the_next_rows() {
    let w = world().await;
    let db = Db::from_pool(w.app.db.clone());
    let me = Actor::user(&w.director, &Origin::default());
    let mut tx = db.begin_port(w.north).await.unwrap();
    for _ in 0..55 {
        audit::record(
            &mut tx,
            &me,
            Entry::new(
                Some(w.north),
                Action::Create,
                "client",
                Some(Uuid::new_v4()),
            ),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    let html = w
        .app
        .get("/ports/north/audit?action=create")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(html.matches("data-entry=").count(), 50);
    // The page's own load-more link, not the bell's panel in the top bar.
    let at = html.find("hx-get=\"/ports/north/audit").unwrap() + "hx-get=\"".len();
    let more = html[at..at + html[at..].find('"').unwrap()].replace("&#38;", "&");
    assert!(
        more.starts_with("/ports/north/audit?action=create&cursor="),
        "{more}"
    );

    let res = w
        .app
        .client
        .get(w.app.url(&more))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    let rows = res.text().await.unwrap();
    assert!(!rows.contains("<html"), "a fragment");
    assert_eq!(rows.matches("data-entry=").count(), 5);
    assert!(
        !rows.contains("data-load-more"),
        "nothing after the last page"
    );
    let first_page: HashSet<&str> = html
        .split("data-entry=\"")
        .skip(1)
        .map(|s| &s[..36])
        .collect();
    assert!(
        rows.split("data-entry=\"")
            .skip(1)
            .all(|s| !first_page.contains(&s[..36]))
    );
}

/// A port with a week of varied history, for the browser journey.
async fn history(w: &World) -> (Uuid, Uuid) {
    let app = &w.app;
    let sam = app
        .create_user(
            "sam.sales@example.test",
            false,
            Some(("north", "sales_manager")),
        )
        .await;
    sqlx::query("UPDATE user_profiles SET display_name = 'Sam Sales' WHERE user_id = $1")
        .bind(&sam)
        .execute(&app.db)
        .await
        .unwrap();
    let client = new_client(app, w.north).await;
    let berth: Uuid = sqlx::query_scalar(
        "INSERT INTO berths (port_id, mooring_number, status) VALUES ($1, 'A-12', 'available') RETURNING id",
    )
    .bind(w.north)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let db = Db::from_pool(app.db.clone());
    let mut tx = db.begin_port(w.north).await.unwrap();
    let dana = Actor::user(&w.director, &Origin::default());
    let sam = Actor::user(&sam, &Origin::default());
    for i in 0..60 {
        audit::record(
            &mut tx,
            &sam,
            Entry::new(
                Some(w.north),
                Action::Create,
                "client",
                Some(Uuid::new_v4()),
            ),
        )
        .await
        .unwrap();
        let _ = i;
    }
    audit::record(
        &mut tx,
        &dana,
        Entry::new(Some(w.north), Action::Create, "client", Some(client)),
    )
    .await
    .unwrap();
    let mut status = Entry::new(Some(w.north), Action::Update, "berth", Some(berth));
    status.field = Some("status");
    status.old = Some(json!("available"));
    status.new = Some(json!("under_offer"));
    audit::record(&mut tx, &Actor::system(), status)
        .await
        .unwrap();
    audit::record(
        &mut tx,
        &sam,
        Entry::new(
            Some(w.north),
            Action::Archive,
            "interest",
            Some(Uuid::new_v4()),
        ),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // Spread over the past week, oldest first.
    sqlx::query(
        "UPDATE audit_logs a SET created_at = now() - (o.n * interval '97 minutes')
         FROM (SELECT id, row_number() OVER (ORDER BY created_at DESC, id DESC) AS n FROM audit_logs) o
         WHERE o.id = a.id AND a.port_id = $1",
    )
    .bind(w.north)
    .execute(&app.db)
    .await
    .unwrap();
    update_client(
        app,
        w.north,
        client,
        &w.director,
        "nationality = 'French', yacht_name = 'Aurora of the Southern Seas', yacht_length_ft = 52",
    )
    .await;
    (client, berth)
}

#[tokio::test]
async fn the_audit_journey_load_more_and_revert_in_a_browser() {
    use crate::browser::Browser;
    use fantoccini::Locator;

    let w = world().await;
    let (client, berth) = history(&w).await;
    let email: String = sqlx::query_scalar("SELECT email::text FROM users WHERE id = $1")
        .bind(&w.director)
        .fetch_one(&w.app.db)
        .await
        .unwrap();
    let browser = Browser::start(&w.app).await;
    browser.open("/login?next=/ports/north/audit").await;
    browser
        .find("#email")
        .await
        .send_keys(&email)
        .await
        .unwrap();
    browser
        .find("#password")
        .await
        .send_keys(crate::helpers::PASSWORD)
        .await
        .unwrap();
    browser
        .find("form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_until("location.pathname === '/ports/north/audit'")
        .await;
    let rows = "document.querySelectorAll('tr[data-entry]').length";
    assert_eq!(browser.js(&format!("return {rows}")).await, json!(50));
    shoot(
        &browser,
        "audit-desktop",
        &["light", "dark"],
        "/ports/north/audit",
    )
    .await;

    // Load more swaps the button's row for the remaining ones.
    browser
        .js("document.querySelector('[data-load-more]').scrollIntoView({block: 'center'})")
        .await;
    shoot_here(&browser, "audit-more").await;
    browser
        .find("[data-load-more]")
        .await
        .click()
        .await
        .unwrap();
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_logs WHERE port_id = $1")
        .bind(w.north)
        .fetch_one(&w.app.db)
        .await
        .unwrap();
    browser.wait_until(&format!("{rows} === {total}")).await;
    assert_eq!(
        browser
            .client
            .find_all(Locator::Css("[data-load-more]"))
            .await
            .unwrap()
            .len(),
        0
    );

    // Revert the nationality change: confirm, and the row says so in place.
    let nationality = entry_of(&w.app, client, "nationality").await;
    let button = format!("tr[data-entry='{nationality}'] [data-revert]");
    // Clear of the sticky top bar, as a person would scroll it.
    browser
        .js(&format!(
            "document.querySelector(\"{button}\").scrollIntoView({{block: 'center'}})"
        ))
        .await;
    browser.find(&button).await.click().await.unwrap();
    browser.client.accept_alert().await.unwrap();
    browser
        .wait_until(&format!(
            "document.querySelector(\"tr[data-entry='{nationality}'] .row-notice\") !== null"
        ))
        .await;
    assert_eq!(
        client_field(&w.app, client, "nationality").await,
        json!("British")
    );
    let notice = browser
        .find(&format!("tr[data-entry='{nationality}'] .row-notice"))
        .await;
    assert_eq!(
        notice.text().await.unwrap(),
        "Reverted: Nationality is “British” again."
    );
    shoot_here(&browser, "audit-reverted").await;

    // One record's story, and the phone layout.
    let one = format!("/ports/north/audit?entity_type=client&entity_id={client}");
    browser.open(&one).await;
    browser.find(".timeline").await;
    shoot(&browser, "audit-entity", &["light"], &one).await;
    shoot(
        &browser,
        "audit-nomatch",
        &["light"],
        "/ports/north/audit?action=delete",
    )
    .await;
    shoot(
        &browser,
        "audit-bad",
        &["dark"],
        "/ports/north/audit?from=2025-02-30",
    )
    .await;
    browser.resize(390, 844).await;
    shoot(
        &browser,
        "audit-phone",
        &["light", "dark"],
        "/ports/north/audit",
    )
    .await;
    let _ = berth;
    browser.close().await;
}

/// Saves a screenshot of the page as it is to `$NIMARA_SHOTS` when it is set.
async fn shoot_here(browser: &crate::browser::Browser, name: &str) {
    if let Ok(dir) = std::env::var("NIMARA_SHOTS") {
        let png = browser.client.screenshot().await.unwrap();
        std::fs::write(format!("{dir}/{name}.png"), png).unwrap();
    }
}

/// Saves screenshots of `path` in each theme to `$NIMARA_SHOTS` when it is
/// set, so the pages can be looked at; does nothing otherwise.
async fn shoot(browser: &crate::browser::Browser, name: &str, themes: &[&str], path: &str) {
    let Ok(dir) = std::env::var("NIMARA_SHOTS") else {
        return;
    };
    for theme in themes {
        let sep = if path.contains('?') { '&' } else { '?' };
        browser.open(&format!("{path}{sep}theme={theme}")).await;
        browser.find("main h1").await;
        let png = browser.client.screenshot().await.unwrap();
        std::fs::write(format!("{dir}/{name}-{theme}.png"), png).unwrap();
    }
}
