//! The scratchpad over HTTP: each user's own notes, attaching one to a client
//! only where the user may see it, the client page's panel, and the drawer in
//! a real browser with its shortcut.

use crate::admin::{call, member};
use crate::browser::Browser;
use crate::helpers::{PASSWORD, TestApp, port};
use crate::notes::client;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn scratchpad_notes_belong_to_their_user_only() {
    let app = TestApp::spawn().await;
    port(&app, "north").await;
    let (ann, ann_id) = member(&app, "viewer", "north").await;
    let (bob, _) = member(&app, "viewer", "north").await;

    let res = ann
        .post(app.url("/api/v1/scratchpad"))
        .json(&json!({"content": "Call the harbour master"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert!(res.headers().contains_key("location"));
    let note: serde_json::Value = res.json().await.unwrap();
    assert_eq!(note["user_id"], ann_id);
    let url = format!("/api/v1/scratchpad/{}", note["id"].as_str().unwrap());
    let (status, _) = call(
        &ann,
        &app,
        Method::POST,
        "/api/v1/scratchpad",
        Some(json!({"content": ""})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (_, mine) = call(&ann, &app, Method::GET, "/api/v1/scratchpad", None).await;
    assert_eq!(mine["data"].as_array().unwrap().len(), 1);
    let (_, theirs) = call(&bob, &app, Method::GET, "/api/v1/scratchpad", None).await;
    assert!(theirs["data"].as_array().unwrap().is_empty());

    // Another user's note is missing to them, whatever they try.
    for (method, path, body) in [
        (Method::PATCH, url.clone(), Some(json!({"content": "x"}))),
        (Method::DELETE, url.clone(), None),
        (Method::POST, format!("{url}/unlink"), None),
    ] {
        let (status, _) = call(&bob, &app, method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    let (status, edited) = call(
        &ann,
        &app,
        Method::PATCH,
        &url,
        Some(json!({"content": "Call him at 9"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(edited["content"], "Call him at 9");
    let (status, _) = call(&ann, &app, Method::DELETE, &url, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&ann, &app, Method::DELETE, &url, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Signed out: 401.
    let res = app
        .client_without_cookies()
        .get(app.url("/api/v1/scratchpad"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_note_attaches_only_to_a_client_the_user_can_view_and_shows_on_its_page() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let south = port(&app, "south").await;
    let ours = client(&app, north, "Ada North").await;
    let theirs = client(&app, south, "Bea South").await;
    let (ann, _) = member(&app, "sales_agent", "north").await;
    let (_, note) = call(
        &ann,
        &app,
        Method::POST,
        "/api/v1/scratchpad",
        Some(json!({"content": "Wants a 40 m berth"})),
    )
    .await;
    let url = format!("/api/v1/scratchpad/{}", note["id"].as_str().unwrap());

    // South's client, through south or through north; a made-up client: 404.
    for body in [
        json!({"port": "south", "client_id": theirs}),
        json!({"port": "north", "client_id": theirs}),
        json!({"port": "north", "client_id": uuid::Uuid::new_v4()}),
        json!({"port": "nowhere", "client_id": ours}),
    ] {
        let (status, _) = call(
            &ann,
            &app,
            Method::POST,
            &format!("{url}/link"),
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    }
    let (status, linked) = call(
        &ann,
        &app,
        Method::POST,
        &format!("{url}/link"),
        Some(json!({"port": "north", "client_id": ours})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{linked}");
    assert_eq!(linked["linked_client_id"], ours.to_string());
    assert!(linked["linked_at"].is_string());
    let (_, loose) = call(
        &ann,
        &app,
        Method::GET,
        "/api/v1/scratchpad?linked=false",
        None,
    )
    .await;
    assert!(
        loose["data"].as_array().unwrap().is_empty(),
        "it left the drawer"
    );

    // On the client's panel, to another member who may view the client.
    let (viewer, _) = member(&app, "viewer", "north").await;
    let panel = format!("/ports/north/clients/{ours}/scratchpad-panel");
    let html = viewer
        .get(app.url(&panel))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Wants a 40 m berth"), "{html}");
    assert!(!html.contains("Detach"), "only the owner detaches");
    let html = ann
        .get(app.url(&panel))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Detach"));
    // Not through south's slug, nor under another port's client.
    let (south_viewer, _) = member(&app, "viewer", "south").await;
    let res = south_viewer
        .get(app.url(&format!("/ports/south/clients/{ours}/scratchpad-panel")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Unlinked, it is back in the drawer.
    let (status, _) = call(&ann, &app, Method::POST, &format!("{url}/unlink"), None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, loose) = call(
        &ann,
        &app,
        Method::GET,
        "/api/v1/scratchpad?linked=false",
        None,
    )
    .await;
    assert_eq!(loose["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_scratchpad_opens_with_its_shortcut_and_saves_on_enter() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    client(&app, north, "Ada Lovelace").await;
    app.create_user(
        "sam.writer@example.test",
        false,
        Some(("north", "sales_agent")),
    )
    .await;
    let browser = Browser::start(&app).await;
    browser.open("/login").await;
    browser
        .find("#email")
        .await
        .send_keys("sam.writer@example.test")
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
        .wait_until("location.pathname === '/ports/north'")
        .await;

    // Closed, and nothing of it loaded, until `n`.
    browser
        .wait_until("document.getElementById('scratchpad').hidden")
        .await;
    assert!(
        browser
            .js("return document.getElementById('scratch-new') === null")
            .await
            == true
    );
    browser
        .js("document.activeElement && document.activeElement.blur()")
        .await;
    browser.press("n").await;
    browser
        .wait_until("!document.getElementById('scratchpad').hidden")
        .await;
    browser
        .wait_until("document.activeElement && document.activeElement.id === 'scratch-new'")
        .await;
    assert_eq!(
        browser.js("return document.querySelector('[data-scratchpad-toggle]').getAttribute('aria-expanded')").await,
        "true"
    );
    // Shift+Enter is a new line, Enter saves.
    let input = browser.find("#scratch-new").await;
    input.send_keys("Berth for the Aurora").await.unwrap();
    // Shift held for Enter, released by NULL.
    input.send_keys("\u{E008}\u{E007}\u{E000}").await.unwrap();
    input.send_keys("ask about power").await.unwrap();
    input.send_keys("\u{E007}").await.unwrap();
    browser
        .wait_until("document.querySelector('.scratch-text') !== null")
        .await;
    let text = browser.find(".scratch-text").await.text().await.unwrap();
    assert_eq!(text, "Berth for the Aurora\nask about power");
    let stored: String = sqlx::query_scalar("SELECT content FROM scratchpad_notes")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, "Berth for the Aurora\nask about power");

    // Attach it to a client found by name; it leaves the drawer.
    browser
        .find(".scratch-attach summary")
        .await
        .click()
        .await
        .unwrap();
    browser
        .find(".scratch-attach input")
        .await
        .send_keys("lovel")
        .await
        .unwrap();
    browser.find(".scratch-client").await.click().await.unwrap();
    browser
        .wait_until("document.querySelector('.scratch-text') === null")
        .await;
    let linked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM scratchpad_notes WHERE linked_client_id IS NOT NULL",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(linked, 1);

    // Escape closes it and gives the focus back to the toggle.
    browser.find("#scratch-new").await.click().await.unwrap();
    browser.press("\u{E00C}").await;
    browser
        .wait_until("document.getElementById('scratchpad').hidden")
        .await;
    browser.close().await;
}
