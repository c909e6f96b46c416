//! Client notes over HTTP: the 15-minute window, the lock (409) and its job,
//! mentions and their notifications, the autocomplete, the panel, tenancy.

use crate::admin::{call, member};
use crate::helpers::{TestApp, port};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

/// A client of `port_id`, inserted directly (the client API is built elsewhere).
pub async fn client(app: &TestApp, port_id: Uuid, name: &str) -> Uuid {
    sqlx::query_scalar("INSERT INTO clients (port_id, full_name) VALUES ($1, $2) RETURNING id")
        .bind(port_id)
        .bind(name)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn mentions_of(app: &TestApp, user: &str) -> Vec<(String, Option<String>)> {
    sqlx::query_as("SELECT title, link FROM notifications WHERE user_id = $1 AND type = 'mention'")
        .bind(user)
        .fetch_all(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn notes_are_listed_newest_first_edited_by_their_author_and_locked_after_15_minutes() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let c = client(&app, north, "Ada Lovelace").await;
    let (author, author_id) = member(&app, "sales_agent", "north").await;
    let (other, _) = member(&app, "sales_manager", "north").await;
    let (viewer, _) = member(&app, "viewer", "north").await;
    let notes = format!("/api/v1/ports/north/clients/{c}/notes");

    // Create: 201 with Location; empty content is 422 naming the field.
    let res = author
        .post(app.url(&notes))
        .json(&json!({"content": "  First call went well.  "}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let first: Value = res.json().await.unwrap();
    assert_eq!(first["content"], "First call went well.");
    assert_eq!(first["client_id"], c.to_string());
    assert_eq!(first["author_id"], author_id);
    assert_eq!(first["is_locked"], false);
    assert!(location.ends_with(first["id"].as_str().unwrap()));
    let (status, body) = call(
        &author,
        &app,
        Method::POST,
        &notes,
        Some(json!({"content": " "})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["content"].is_array(), "{body}");
    // A viewer may read but not write.
    let (status, _) = call(
        &viewer,
        &app,
        Method::POST,
        &notes,
        Some(json!({"content": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (_, second) = call(
        &other,
        &app,
        Method::POST,
        &notes,
        Some(json!({"content": "Second"})),
    )
    .await;
    let (status, list) = call(&viewer, &app, Method::GET, &notes, None).await;
    assert_eq!(status, StatusCode::OK);
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["id"], second["id"], "newest first");
    assert!(
        data[0]["author_name"]
            .as_str()
            .unwrap()
            .starts_with("sales_manager")
    );
    // Keyset paging: one per page, each once.
    let (_, page1) = call(
        &viewer,
        &app,
        Method::GET,
        &format!("{notes}?limit=1"),
        None,
    )
    .await;
    let cursor = page1["next_cursor"].as_str().unwrap();
    let (_, page2) = call(
        &viewer,
        &app,
        Method::GET,
        &format!("{notes}?limit=1&cursor={cursor}"),
        None,
    )
    .await;
    assert_eq!(page2["data"][0]["id"], first["id"]);
    assert!(page2["next_cursor"].is_null());

    // The author edits inside the window; someone else gets 403.
    let note = format!("{notes}/{}", first["id"].as_str().unwrap());
    let (status, edited) = call(
        &author,
        &app,
        Method::PATCH,
        &note,
        Some(json!({"content": "Edited"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["content"], "Edited");
    let (status, _) = call(
        &other,
        &app,
        Method::PATCH,
        &note,
        Some(json!({"content": "Mine"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Unknown fields are refused.
    let (status, _) = call(
        &author,
        &app,
        Method::PATCH,
        &note,
        Some(json!({"content": "x", "is_locked": false})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // 16 minutes later: 409 for everyone, saying since when; the flag is set.
    sqlx::query("UPDATE client_notes SET created_at = now() - interval '16 minutes' WHERE id = $1")
        .bind(Uuid::parse_str(first["id"].as_str().unwrap()).unwrap())
        .execute(&app.db)
        .await
        .unwrap();
    for who in [&author, &other] {
        let (status, problem) = call(
            who,
            &app,
            Method::PATCH,
            &note,
            Some(json!({"content": "Too late"})),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(
            problem["detail"].as_str().unwrap().contains("locked since"),
            "{problem}"
        );
    }
    let (status, _) = call(&author, &app, Method::DELETE, &note, None).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a locked note cannot be withdrawn"
    );
    let (locked, content): (bool, String) =
        sqlx::query_as("SELECT is_locked, content FROM client_notes WHERE id = $1")
            .bind(Uuid::parse_str(first["id"].as_str().unwrap()).unwrap())
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(locked, "a refused edit keeps is_locked true");
    assert_eq!(content, "Edited");

    // The author may withdraw a note inside its window.
    let (_, third) = call(
        &author,
        &app,
        Method::POST,
        &notes,
        Some(json!({"content": "Oops"})),
    )
    .await;
    let third_url = format!("{notes}/{}", third["id"].as_str().unwrap());
    let (status, _) = call(&other, &app, Method::DELETE, &third_url, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(&author, &app, Method::DELETE, &third_url, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Audited as client_note.
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_logs WHERE entity_type = 'client_note' AND port_id = $1",
    )
    .bind(north)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(audited >= 5, "create ×3, update, delete: {audited}");
}

#[tokio::test]
async fn the_lock_job_locks_notes_older_than_15_minutes_only() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let c = client(&app, north, "Grace Hopper").await;
    let author = app
        .create_user("writer@example.test", false, Some(("north", "sales_agent")))
        .await;
    let insert = |age: &'static str| {
        let db = app.db.clone();
        let author = author.clone();
        async move {
            sqlx::query_scalar::<_, Uuid>(
                "INSERT INTO client_notes (port_id, client_id, author_id, content, created_at)
                 VALUES ($1, $2, $3, 'n', now() - $4::interval) RETURNING id",
            )
            .bind(north)
            .bind(c)
            .bind(&author)
            .bind(age)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    let old = insert("20 minutes").await;
    let fresh = insert("2 minutes").await;
    nimara::jobs::enqueue(
        &app.db,
        nimara::jobs::NewJob::of(&nimara::notes::LockNotes {}),
    )
    .await
    .unwrap();
    assert!(app.run_jobs().await >= 1);
    let locked = |id: Uuid| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, bool>("SELECT is_locked FROM client_notes WHERE id = $1")
                .bind(id)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    assert!(locked(old).await);
    assert!(!locked(fresh).await);
    // And it is scheduled every minute for the installation.
    let every = nimara::jobs::default_registry()
        .recurring()
        .iter()
        .any(|r| r.name == "notes.lock" && r.cron == "0 * * * * *");
    assert!(every);
}

#[tokio::test]
async fn mentions_notify_members_of_the_port_only_and_never_the_author() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    port(&app, "south").await;
    let c = client(&app, north, "Alan Turing").await;
    let (author, author_id) = member(&app, "sales_agent", "north").await;
    let colleague = app
        .create_user(
            "rita.levi@example.test",
            false,
            Some(("north", "sales_manager")),
        )
        .await;
    let later = app
        .create_user(
            "emmy.noether@example.test",
            false,
            Some(("north", "viewer")),
        )
        .await;
    let outsider = app
        .create_user(
            "marie.curie@example.test",
            false,
            Some(("south", "director")),
        )
        .await;
    let gone = app
        .create_user("old.hand@example.test", false, Some(("north", "viewer")))
        .await;
    sqlx::query("UPDATE user_profiles SET is_active = false WHERE user_id = $1")
        .bind(&gone)
        .execute(&app.db)
        .await
        .unwrap();

    let content =
        "Ask @[Rita](%C) and @[Me](%A), not @[Marie](%O) nor @[Old](%G) nor @[Ghost](nobody)"
            .to_owned()
            .replace("%C", &colleague)
            .replace("%A", &author_id)
            .replace("%O", &outsider)
            .replace("%G", &gone);
    let notes = format!("/api/v1/ports/north/clients/{c}/notes");
    let (status, note) = call(
        &author,
        &app,
        Method::POST,
        &notes,
        Some(json!({"content": content})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{note}");
    assert_eq!(note["mentions"], json!([colleague, author_id]));

    let told = mentions_of(&app, &colleague).await;
    assert_eq!(told.len(), 1);
    assert!(told[0].0.contains("Alan Turing"), "{:?}", told);
    assert_eq!(
        told[0].1.as_deref(),
        Some(format!("/ports/north/clients/{c}").as_str())
    );
    for silent in [&author_id, &outsider, &gone] {
        assert!(
            mentions_of(&app, silent).await.is_empty(),
            "{silent} was notified"
        );
    }

    // An edit notifies only those it newly names; preferences are honoured.
    sqlx::query(
        "INSERT INTO user_notification_preferences (user_id, port_id, notification_type, in_app, email)
         VALUES ($1, $2, 'mention', false, false)",
    )
    .bind(&later)
    .bind(north)
    .execute(&app.db)
    .await
    .unwrap();
    let url = format!("{notes}/{}", note["id"].as_str().unwrap());
    let edited = format!("{content} and @[Emmy]({later})");
    let (status, _) = call(
        &author,
        &app,
        Method::PATCH,
        &url,
        Some(json!({"content": edited})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        mentions_of(&app, &colleague).await.len(),
        1,
        "not told twice"
    );
    assert!(
        mentions_of(&app, &later).await.is_empty(),
        "in-app turned off"
    );
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT unnest(mentions) FROM client_notes WHERE id = $1")
            .bind(Uuid::parse_str(note["id"].as_str().unwrap()).unwrap())
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(
        stored,
        vec![colleague.clone(), author_id.clone(), later.clone()]
    );
}

#[tokio::test]
async fn the_mentionable_list_offers_active_members_of_the_port() {
    let app = TestApp::spawn().await;
    port(&app, "north").await;
    port(&app, "south").await;
    let (asker, _) = member(&app, "viewer", "north").await;
    let rita = app
        .create_user(
            "rita.levi@example.test",
            false,
            Some(("north", "sales_manager")),
        )
        .await;
    app.create_user(
        "rita.south@example.test",
        false,
        Some(("south", "director")),
    )
    .await;
    for i in 0..10 {
        app.create_user(
            &format!("robin.{i}@example.test"),
            false,
            Some(("north", "viewer")),
        )
        .await;
    }
    let (status, hits) = call(
        &asker,
        &app,
        Method::GET,
        "/api/v1/ports/north/mentionable?q=rit",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![rita.as_str()], "members of north only: {hits}");
    assert_eq!(hits[0]["email"], "rita.levi@example.test");
    // A word of the name, a typo, and the limit of eight.
    let (_, hits) = call(
        &asker,
        &app,
        Method::GET,
        "/api/v1/ports/north/mentionable?q=levi",
        None,
    )
    .await;
    assert_eq!(hits[0]["id"], rita);
    let (_, hits) = call(
        &asker,
        &app,
        Method::GET,
        "/api/v1/ports/north/mentionable?q=robin",
        None,
    )
    .await;
    assert_eq!(hits.as_array().unwrap().len(), 8);
    // Another port: 404.
    let (status, _) = call(
        &asker,
        &app,
        Method::GET,
        "/api/v1/ports/south/mentionable?q=r",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn another_ports_client_and_notes_answer_404() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let south = port(&app, "south").await;
    let theirs = client(&app, south, "South Client").await;
    let (agent, _) = member(&app, "director", "north").await;
    let (south_agent, _) = member(&app, "director", "south").await;
    let (_, note) = call(
        &south_agent,
        &app,
        Method::POST,
        &format!("/api/v1/ports/south/clients/{theirs}/notes"),
        Some(json!({"content": "south only"})),
    )
    .await;
    let id = note["id"].as_str().unwrap();
    let ours = client(&app, north, "North Client").await;
    for (method, path, body) in [
        (
            Method::GET,
            format!("/api/v1/ports/north/clients/{theirs}/notes"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/ports/north/clients/{theirs}/notes"),
            Some(json!({"content": "x"})),
        ),
        (
            Method::PATCH,
            format!("/api/v1/ports/north/clients/{theirs}/notes/{id}"),
            Some(json!({"content": "x"})),
        ),
        (
            Method::PATCH,
            format!("/api/v1/ports/north/clients/{ours}/notes/{id}"),
            Some(json!({"content": "x"})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/ports/north/clients/{ours}/notes/{id}"),
            None,
        ),
        (
            Method::GET,
            format!("/api/v1/ports/south/clients/{theirs}/notes"),
            None,
        ),
    ] {
        let (status, _) = call(&agent, &app, method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    let res = agent
        .get(app.url(&format!("/ports/north/clients/{theirs}/notes-panel")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_panel_shows_notes_mentions_and_the_edit_window_and_saves_through_htmx() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let c = client(&app, north, "Hedy Lamarr").await;
    let (author, author_id) = member(&app, "sales_agent", "north").await;
    let colleague = app
        .create_user("rita.levi@example.test", false, Some(("north", "viewer")))
        .await;
    let panel_url = app.url(&format!("/ports/north/clients/{c}/notes-panel"));
    let html = author
        .get(&panel_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("No notes yet."));
    let csrf = {
        let at = html.find("name=\"_csrf\" value=\"").unwrap() + 20;
        html[at..at + html[at..].find('"').unwrap()].to_owned()
    };
    // An empty note keeps the form and says why, as 200 for htmx to swap.
    let res = author
        .post(app.url(&format!("/ports/north/clients/{c}/notes")))
        .header("hx-request", "true")
        .form(&[("_csrf", csrf.as_str()), ("content", "  ")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Write something first."));
    let content = format!("Call @[Rita Levi]({colleague}) <b>tomorrow</b>");
    let res = author
        .post(app.url(&format!("/ports/north/clients/{c}/notes")))
        .header("hx-request", "true")
        .form(&[("_csrf", csrf.as_str()), ("content", content.as_str())])
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(
        html.contains("<span class=\"mention\">@Rita Levi</span>"),
        "{html}"
    );
    assert!(
        html.contains("tomorrow") && !html.contains("<b>tomorrow"),
        "escaped"
    );
    assert!(html.contains("15 min left"), "{html}");
    // Someone else sees no Edit; once old, the author sees a lock.
    let (viewer, _) = member(&app, "viewer", "north").await;
    let seen = viewer
        .get(&panel_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!seen.contains("min left") && !seen.contains("note-compose"));
    sqlx::query(
        "UPDATE client_notes SET created_at = now() - interval '1 hour' WHERE author_id = $1",
    )
    .bind(&author_id)
    .execute(&app.db)
    .await
    .unwrap();
    let html = author
        .get(&panel_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("#lock-closed") && !html.contains("min left"));
}
