//! Tags over HTTP: the port's catalogue (names unique in any case, colours
//! checked, usage counted), tags on clients (add, remove, replace; unknown and
//! other ports' tags refused by field), the settings page and the client panel.

use crate::admin::{call, csrf_of, member};
use crate::helpers::{TestApp, port};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

/// A client of the port `port_id`, inserted directly.
pub async fn client(app: &TestApp, port_id: Uuid, name: &str) -> Uuid {
    sqlx::query_scalar("INSERT INTO clients (port_id, full_name) VALUES ($1, $2) RETURNING id")
        .bind(port_id)
        .bind(name)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

fn ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn tags_are_created_renamed_recoloured_and_deleted_with_names_unique_in_any_case() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    let (dir, _) = member(&app, "director", "anchor").await;
    let base = "/api/v1/ports/anchor/tags";

    let (s, vip) = call(
        &dir,
        &app,
        Method::POST,
        base,
        Some(json!({"name": "  VIP "})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{vip}");
    assert_eq!(vip["name"], "VIP");
    assert_eq!(vip["color"], "#6B7280");

    let (s, body) = call(&dir, &app, Method::POST, base, Some(json!({"name": "vip"}))).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");

    let (s, body) = call(
        &dir,
        &app,
        Method::POST,
        base,
        Some(json!({"name": "Broker", "color": "purple"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["color"].is_array(), "{body}");
    let (s, body) = call(&dir, &app, Method::POST, base, Some(json!({"name": " "}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["name"].is_array(), "{body}");

    let (s, broker) = call(
        &dir,
        &app,
        Method::POST,
        base,
        Some(json!({"name": "Broker", "color": "#7c3aed"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(broker["color"], "#7C3AED");

    let vip_path = format!("{base}/{}", vip["id"].as_str().unwrap());
    let (s, body) = call(
        &dir,
        &app,
        Method::PATCH,
        &vip_path,
        Some(json!({"name": "BROKER"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    let (s, body) = call(
        &dir,
        &app,
        Method::PATCH,
        &vip_path,
        Some(json!({"color": "#12345G"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["color"].is_array());
    let (s, body) = call(
        &dir,
        &app,
        Method::PATCH,
        &vip_path,
        Some(json!({"name": "V.I.P.", "color": "#b45309"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(
        (body["name"].as_str(), body["color"].as_str()),
        (Some("V.I.P."), Some("#B45309"))
    );

    let (_, list) = call(&dir, &app, Method::GET, base, None).await;
    assert_eq!(ids(&list), ["Broker", "V.I.P."]);

    let (s, _) = call(&dir, &app, Method::DELETE, &vip_path, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = call(
        &dir,
        &app,
        Method::PATCH,
        &vip_path,
        Some(json!({"name": "x"})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let audit: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT action, field_changed FROM audit_logs WHERE entity_type = 'tag' ORDER BY created_at, id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let actions: Vec<&str> = audit.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actions, ["create", "create", "update", "update", "delete"]);

    // A sales agent sees the tags but may not make them.
    let (agent, _) = member(&app, "sales_agent", "anchor").await;
    let (s, _) = call(&agent, &app, Method::GET, base, None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = call(
        &agent,
        &app,
        Method::POST,
        base,
        Some(json!({"name": "Mine"})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn tags_go_on_and_off_clients_and_are_counted() {
    let app = TestApp::spawn().await;
    let anchor = port(&app, "anchor").await;
    let bravo = port(&app, "bravo").await;
    let (dir, _) = member(&app, "director", "anchor").await;
    let ann = client(&app, anchor, "Ann Hartley").await;
    let ben = client(&app, anchor, "Ben Okafor").await;
    let theirs = client(&app, bravo, "Bravo Client").await;
    let other_tag: Uuid =
        sqlx::query_scalar("INSERT INTO tags (port_id, name) VALUES ($1, 'Theirs') RETURNING id")
            .bind(bravo)
            .fetch_one(&app.db)
            .await
            .unwrap();

    let mut tag = Vec::new();
    for name in ["VIP", "Broker", "Catamaran"] {
        let (_, t) = call(
            &dir,
            &app,
            Method::POST,
            "/api/v1/ports/anchor/tags",
            Some(json!({"name": name})),
        )
        .await;
        tag.push(t["id"].as_str().unwrap().to_owned());
    }
    let on = |c: Uuid| format!("/api/v1/ports/anchor/clients/{c}/tags");

    // Add, and add again: the same one tag.
    for _ in 0..2 {
        let (s, body) = call(
            &dir,
            &app,
            Method::POST,
            &on(ann),
            Some(json!({"tag_id": tag[0]})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(ids(&body), ["VIP"]);
    }
    // Replace the set; an unknown tag or another port's is named by its place.
    let (s, body) = call(
        &dir,
        &app,
        Method::PUT,
        &on(ann),
        Some(json!({"tag_ids": [tag[1], tag[2], Uuid::new_v4()]})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["tag_ids[2]"].is_array(), "{body}");
    let (s, body) = call(
        &dir,
        &app,
        Method::POST,
        &on(ann),
        Some(json!({"tag_id": other_tag})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["tag_id"].is_array(), "{body}");
    let (s, body) = call(
        &dir,
        &app,
        Method::PUT,
        &on(ann),
        Some(json!({"tag_ids": [tag[2], tag[1]]})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(ids(&body), ["Broker", "Catamaran"]);
    let (_, body) = call(
        &dir,
        &app,
        Method::POST,
        &on(ben),
        Some(json!({"tag_id": tag[1]})),
    )
    .await;
    assert_eq!(ids(&body), ["Broker"]);

    // Remove one.
    let (s, _) = call(
        &dir,
        &app,
        Method::DELETE,
        &format!("{}/{}", on(ann), tag[2]),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, body) = call(&dir, &app, Method::GET, &on(ann), None).await;
    assert_eq!(ids(&body), ["Broker"]);

    // Another port's client is not there, whatever the tag.
    let (s, _) = call(&dir, &app, Method::GET, &on(theirs), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = call(
        &dir,
        &app,
        Method::POST,
        &on(theirs),
        Some(json!({"tag_id": tag[0]})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = call(
        &dir,
        &app,
        Method::DELETE,
        &format!("{}/{}", on(ann), other_tag),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Usage counts per entity type.
    let (_, list) = call(&dir, &app, Method::GET, "/api/v1/ports/anchor/tags", None).await;
    let usage: Vec<(String, i64)> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_owned(),
                t["usage"]["client"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        usage,
        [
            ("Broker".into(), 2),
            ("Catamaran".into(), 0),
            ("VIP".into(), 0)
        ]
    );
    assert_eq!(list["data"][0]["usage"]["berth"], 0);

    // Many clients' tags at once, for list pages.
    let mut conn = app.state.db.begin_port(anchor).await.unwrap();
    let many = nimara::tags::tags_of(&mut conn, nimara::tags::Target::Client, &[ann, ben, theirs])
        .await
        .unwrap();
    assert_eq!(many.len(), 2);
    assert_eq!(many[&ben][0].name, "Broker");

    // Audited on the client, as names.
    let audit: Vec<(Option<Value>, Option<Value>)> = sqlx::query_as(
        "SELECT old_value, new_value FROM audit_logs WHERE entity_type = 'client' AND entity_id = $1 AND field_changed = 'tags' ORDER BY created_at, id",
    )
    .bind(ann)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        audit.len(),
        3,
        "add, replace, remove (the repeated add changed nothing)"
    );
    assert_eq!(
        audit[1],
        (Some(json!(["VIP"])), Some(json!(["Broker", "Catamaran"])))
    );

    // Paging through the catalogue.
    let (_, page) = call(
        &dir,
        &app,
        Method::GET,
        "/api/v1/ports/anchor/tags?limit=2",
        None,
    )
    .await;
    assert_eq!(ids(&page), ["Broker", "Catamaran"]);
    let next = page["next_cursor"].as_str().unwrap();
    let (_, page) = call(
        &dir,
        &app,
        Method::GET,
        &format!("/api/v1/ports/anchor/tags?limit=2&cursor={next}"),
        None,
    )
    .await;
    assert_eq!(ids(&page), ["VIP"]);
    assert!(page["next_cursor"].is_null());
}

#[tokio::test]
async fn the_settings_page_and_the_client_panel_work_without_scripts() {
    let app = TestApp::spawn().await;
    let anchor = port(&app, "anchor").await;
    let (dir, _) = member(&app, "director", "anchor").await;
    let ann = client(&app, anchor, "Ann Hartley").await;
    let page = "/ports/anchor/settings/tags";
    let csrf = csrf_of(&dir, &app, page).await;

    let res = dir
        .post(app.url(page))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "VIP"),
            ("color", "#b45309"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // A repeated name is shown beside the form, as typed.
    let res = dir
        .post(app.url(page))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "vip"),
            ("color", "#000000"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("exists already") && html.contains("value=\"vip\""),
        "{html}"
    );
    let res = dir
        .post(app.url(page))
        .form(&[("_csrf", csrf.as_str()), ("name", "Hot"), ("color", "red")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("new-tag-color-error"));

    let html = dir
        .get(app.url(page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("value=\"#B45309\" aria-label=\"Colour of VIP\"") && html.contains(">Tags<"),
        "{html}"
    );

    // The panel: add by name (a new name makes a tag for a director), remove with ×.
    let add = format!("/ports/anchor/clients/{ann}/tags");
    let res = dir
        .post(app.url(&add))
        .header("hx-request", "true")
        .form(&[("_csrf", csrf.as_str()), ("name", "vip")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("tags-panel-") && html.contains(">VIP<"),
        "{html}"
    );
    let res = dir
        .post(app.url(&add))
        .header("hx-request", "true")
        .form(&[("_csrf", csrf.as_str()), ("name", "Returning")])
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains(">Returning<"));
    let returning: Uuid = sqlx::query_scalar("SELECT id FROM tags WHERE name = 'Returning'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let res = dir
        .post(app.url(&format!("{add}/{returning}/remove")))
        .header("hx-request", "true")
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(
        !html.contains(">Returning</span>") && html.contains(">VIP<"),
        "{html}"
    );

    // A sales agent may tag but not invent tags.
    let (agent, _) = member(&app, "sales_agent", "anchor").await;
    let panel = format!("/ports/anchor/clients/{ann}/tags-panel");
    let acsrf = csrf_of(&agent, &app, &panel).await;
    let res = agent
        .post(app.url(&add))
        .header("hx-request", "true")
        .form(&[("_csrf", acsrf.as_str()), ("name", "Brand new")])
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(
        html.contains("field-error") && html.contains("has no tag"),
        "{html}"
    );
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM tags")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(count, 2);

    // Deleting from the settings page takes the tag off the client.
    let vip: Uuid = sqlx::query_scalar("SELECT id FROM tags WHERE name = 'VIP'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let res = dir
        .post(app.url(&format!("{page}/{vip}/delete")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM client_tags")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn in_a_browser_a_tag_is_added_and_removed_on_the_client_panel() {
    use crate::browser::Browser;
    use crate::helpers::PASSWORD;
    let app = TestApp::spawn().await;
    let anchor = port(&app, "anchor").await;
    app.create_user("tagger@example.test", false, Some(("anchor", "director")))
        .await;
    let ann = client(&app, anchor, "Ann Hartley").await;
    sqlx::query("INSERT INTO tags (port_id, name, color) VALUES ($1, 'Hot lead', '#DC2626')")
        .bind(anchor)
        .execute(&app.db)
        .await
        .unwrap();
    let browser = Browser::start(&app).await;
    browser.open("/login").await;
    browser
        .find("#email")
        .await
        .send_keys("tagger@example.test")
        .await
        .unwrap();
    browser
        .find("#password")
        .await
        .send_keys(PASSWORD)
        .await
        .unwrap();
    browser
        .find("form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_until("location.pathname.startsWith('/ports/')")
        .await;

    browser
        .open(&format!("/ports/anchor/clients/{ann}/tags-panel"))
        .await;
    let input = browser.find(&format!("#tag-add-{ann}")).await;
    input.send_keys("Hot lead").await.unwrap();
    browser.press("\u{E007}").await; // Enter submits through htmx; the panel swaps itself.
    browser
        .wait_until("[...document.querySelectorAll('.tag-chip')].some(c => c.textContent.includes('Hot lead'))")
        .await;
    // The page stayed where it was: only the panel changed.
    assert!(browser.path().await.ends_with("/tags-panel"));
    let on: i64 = sqlx::query_scalar("SELECT count(*) FROM client_tags WHERE client_id = $1")
        .bind(ann)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(on, 1);

    browser.find(".tag-remove").await.click().await.unwrap();
    browser
        .wait_until("document.querySelectorAll('.tag-chip').length === 0")
        .await;
    browser.close().await;
}
