//! Invitations and password resets, end to end through the outbox link.

use crate::helpers::port;
use crate::helpers::{PASSWORD, TestApp};
use serde_json::{Value, json};

const NEW_PASSWORD: &str = "a brand new sea shanty";

/// The plain-text bodies of the outbox's messages to `to`.
fn mails_to(app: &TestApp, to: &str) -> Vec<String> {
    app.outbox()
        .iter()
        .filter_map(|raw| {
            let m = mail_parser::MessageParser::default().parse(raw.as_bytes())?;
            let addressed = m
                .to()
                .and_then(|a| a.first())
                .and_then(|a| a.address.as_deref())
                == Some(to);
            addressed.then(|| m.body_text(0).unwrap().into_owned())
        })
        .collect()
}

/// The path of the link in `body` that starts with `prefix` (`/invitations/`).
fn link_path(app: &TestApp, body: &str, prefix: &str) -> String {
    let start = format!("{}{prefix}", app.address);
    let line = body
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(&start))
        .unwrap_or_else(|| panic!("a link to {start}… in {body}"));
    line[app.address.len()..].to_owned()
}

async fn invite(app: &TestApp, slug: &str, email: &str, role: &str) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/ports/{slug}/invitations"),
        &json!({"email": email, "role": role}),
    )
    .await
}

/// Invites `email` as `role` at `slug` (the app's client must be allowed to)
/// and returns the link's path from the outbox.
async fn invitation_link(app: &TestApp, slug: &str, email: &str, role: &str) -> String {
    assert_eq!(invite(app, slug, email, role).await.status(), 201);
    app.run_jobs().await;
    let body = mails_to(app, email)
        .pop()
        .expect("the invitation is mailed");
    link_path(app, &body, "/invitations/")
}

async fn users_named(app: &TestApp, email: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

fn location(res: &reqwest::Response) -> &str {
    res.headers()["location"].to_str().unwrap()
}

#[tokio::test]
async fn an_invitation_is_accepted_end_to_end_through_the_outbox_link_and_works_once() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    app.sign_in_as("director", "anchor").await;

    let res = invite(&app, "anchor", " New.Skipper@Example.test ", "sales_agent").await;
    assert_eq!(res.status(), 201);
    let created_at = location(&res).to_owned();
    let body = res.text().await.unwrap();
    let invitation: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(invitation["email"], "new.skipper@example.test");
    assert_eq!(invitation["role"], "sales_agent");
    assert_eq!(
        created_at,
        format!(
            "/api/v1/ports/anchor/invitations/{}",
            invitation["id"].as_str().unwrap()
        )
    );
    assert!(
        !body.contains("token"),
        "the token never leaves in a response: {body}"
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_logs WHERE entity_type = 'invitation' AND action = 'create'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    let pending: Value = app
        .get("/api/v1/ports/anchor/invitations")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pending["data"].as_array().unwrap().len(), 1);

    assert_eq!(app.run_jobs().await, 1);
    let mail = mails_to(&app, "new.skipper@example.test").pop().unwrap();
    let link = link_path(&app, &mail, "/invitations/");
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM verifications")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let token = link.trim_start_matches("/invitations/");
    assert_ne!(stored, token.as_bytes(), "only a hash is stored");
    assert_eq!(stored.len(), 32);

    // The invitee, in a browser of their own.
    let invitee = TestApp::client_for(&app);
    let page = invitee.get(app.url(&link)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Join anchor") && html.contains("sales agent"),
        "{html}"
    );
    assert!(html.contains("new.skipper@example.test"));

    let res = invitee
        .post(app.url(&link))
        .form(&[
            ("name", "Nia Skipper"),
            ("password", NEW_PASSWORD),
            ("password_confirm", NEW_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/ports/anchor");
    let dashboard = invitee.get(app.url("/ports/anchor")).send().await.unwrap();
    assert_eq!(dashboard.status(), 200);
    let me: Value = invitee
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["display_name"], "Nia Skipper");
    assert_eq!(me["ports"][0]["slug"], "anchor");
    assert_eq!(me["ports"][0]["roles"], json!(["sales_agent"]));
    let signs_in = TestApp::client_for(&app)
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "new.skipper@example.test", "password": NEW_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(signs_in.status(), 200, "with the password chosen");

    // The same link again: it says it was used, and makes no second user.
    let stranger = TestApp::client_for(&app);
    let again = stranger.get(app.url(&link)).send().await.unwrap();
    assert_eq!(again.status(), 410);
    assert!(again.text().await.unwrap().contains("already been used"));
    let resubmit = stranger
        .post(app.url(&link))
        .form(&[
            ("name", "Someone Else"),
            ("password", "another long password"),
            ("password_confirm", "another long password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resubmit.status(), 410);
    assert!(resubmit.text().await.unwrap().contains("already been used"));
    assert_eq!(users_named(&app, "new.skipper@example.test").await, 1);
    let pending: Value = app
        .get("/api/v1/ports/anchor/invitations")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pending["data"], json!([]));
}

#[tokio::test]
async fn unknown_expired_withdrawn_and_replaced_links_say_which() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    let director = app.sign_in_as("director", "anchor").await;

    let unknown = app.get("/invitations/not-a-real-token").await;
    assert_eq!(unknown.status(), 404);
    let html = unknown.text().await.unwrap();
    assert!(html.contains("does not work") && html.contains("ask the person who invited you"));

    // Expired: the page names who invited them, to ask for a new one.
    let link = invitation_link(&app, "anchor", "late@example.test", "viewer").await;
    sqlx::query("UPDATE verifications SET expires_at = now() - interval '1 day'")
        .execute(&app.db)
        .await
        .unwrap();
    let expired = app.get(&link).await;
    assert_eq!(expired.status(), 410);
    let html = expired.text().await.unwrap();
    assert!(html.contains("has expired"), "{html}");
    assert!(html.contains(&director), "names the inviter: {html}");
    let submitted = TestApp::client_for(&app)
        .post(app.url(&link))
        .form(&[
            ("name", "Late"),
            ("password", NEW_PASSWORD),
            ("password_confirm", NEW_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), 410);
    assert_eq!(users_named(&app, "late@example.test").await, 0);

    // Inviting again replaces the pending invitation: the old link is withdrawn.
    let first = invitation_link(&app, "anchor", "twice@example.test", "viewer").await;
    let second = invitation_link(&app, "anchor", "twice@example.test", "finance").await;
    let html = app.get(&first).await.text().await.unwrap();
    assert!(html.contains("withdrawn"), "{html}");
    assert!(
        app.get(&second)
            .await
            .text()
            .await
            .unwrap()
            .contains("finance")
    );

    // Revoked by an admin.
    let pending: Value = app
        .get("/api/v1/ports/anchor/invitations")
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = pending["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 1, "only the newest is pending: {pending}");
    let path = format!("/api/v1/ports/anchor/invitations/{}", ids[0]);
    let res = app.client.delete(app.url(&path)).send().await.unwrap();
    assert_eq!(res.status(), 204);
    let res = app.client.delete(app.url(&path)).send().await.unwrap();
    assert_eq!(res.status(), 404, "revoked once");
    assert!(
        app.get(&second)
            .await
            .text()
            .await
            .unwrap()
            .contains("withdrawn")
    );
}

#[tokio::test]
async fn the_invitation_form_keeps_what_was_typed_and_shows_errors_beside_the_fields() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    app.sign_in_as("director", "anchor").await;
    let link = invitation_link(&app, "anchor", "ann@example.test", "viewer").await;
    let invitee = TestApp::client_for(&app);

    let res = invitee
        .post(app.url(&link))
        .form(&[
            ("name", "Ann <Skipper>"),
            ("password", "short"),
            ("password_confirm", "short"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("value=\"Ann &#60;Skipper&#62;\""),
        "name kept, escaped: {html}"
    );
    assert!(
        html.contains("id=\"password-error\">Use at least 10 characters."),
        "{html}"
    );

    let res = invitee
        .post(app.url(&link))
        .form(&[
            ("name", "  "),
            ("password", NEW_PASSWORD),
            ("password_confirm", "something else"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("id=\"name-error\">Tell us your name."),
        "{html}"
    );
    assert!(html.contains("id=\"password_confirm-error\">The two passwords are not the same."));
    assert_eq!(users_named(&app, "ann@example.test").await, 0);

    // Errors do not spend the link.
    let res = invitee
        .post(app.url(&link))
        .form(&[
            ("name", "Ann"),
            ("password", NEW_PASSWORD),
            ("password_confirm", NEW_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn someone_with_an_account_accepts_with_their_password_and_gains_the_port() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    port(&app, "harbour").await;
    app.create_user("sam@example.test", false, Some(("harbour", "sales_agent")))
        .await;
    app.sign_in_as("director", "anchor").await;
    let link = invitation_link(&app, "anchor", "sam@example.test", "viewer").await;

    let sam = TestApp::client_for(&app);
    let html = sam
        .get(app.url(&link))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("already have an account"), "{html}");
    assert!(!html.contains("name=\"name\""), "no new account to name");

    let res = sam
        .post(app.url(&link))
        .form(&[("password", "not the password")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("id=\"password-error\""));

    let res = sam
        .post(app.url(&link))
        .form(&[("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/ports/anchor");
    let me: Value = sam
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ports: Vec<(&str, &Value)> = me["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["slug"].as_str().unwrap(), &p["roles"]))
        .collect();
    assert_eq!(
        ports,
        vec![
            ("anchor", &json!(["viewer"])),
            ("harbour", &json!(["sales_agent"]))
        ]
    );
    assert_eq!(users_named(&app, "sam@example.test").await, 1);
}

#[tokio::test]
async fn who_may_invite_whom() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;

    // Without users.create: 403.
    app.sign_in_as("sales_agent", "anchor").await;
    assert_eq!(
        invite(&app, "anchor", "x@example.test", "viewer")
            .await
            .status(),
        403
    );

    let director = app.sign_in_as("director", "anchor").await;
    let res = invite(&app, "anchor", "x@example.test", "super_admin").await;
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    assert!(
        problem["errors"]["role"][0]
            .as_str()
            .unwrap()
            .contains("super_admin")
    );
    let res = invite(&app, "anchor", "x@example.test", "captain").await;
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    assert!(problem["errors"]["role"].is_array(), "{problem}");
    let res = invite(&app, "anchor", "not an address", "viewer").await;
    assert_eq!(res.status(), 422);
    // A member already: 409.
    assert_eq!(
        invite(&app, "anchor", &director, "viewer").await.status(),
        409
    );
    // A role by id works as well as by name.
    let viewer: uuid::Uuid = sqlx::query_scalar("SELECT id FROM roles WHERE name = 'viewer'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let res = invite(&app, "anchor", "y@example.test", &viewer.to_string()).await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.json::<Value>().await.unwrap()["role"], "viewer");
    assert_eq!(
        invite(&app, "anchor", "z@example.test", "director")
            .await
            .status(),
        201
    );

    // A custom role that may add members but not edit roles: it invites no
    // director, and no role that grants more than it holds.
    let role: uuid::Uuid = sqlx::query_scalar(
        r#"INSERT INTO roles (name, permissions, is_global) VALUES ('harbour_master',
             '{"users.view": true, "users.create": true, "clients.view": true}', false) RETURNING id"#,
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO port_role_overrides (port_id, role_id) SELECT id, $1 FROM ports WHERE slug = 'anchor'",
    )
    .bind(role)
    .execute(&app.db)
    .await
    .unwrap();
    let master = app.create_user("master@example.test", false, None).await;
    sqlx::query(
        "INSERT INTO user_port_roles (user_id, port_id, role_id) SELECT $1, id, $2 FROM ports WHERE slug = 'anchor'",
    )
    .bind(&master)
    .bind(role)
    .execute(&app.db)
    .await
    .unwrap();
    assert_eq!(
        app.login("master@example.test", PASSWORD).await.status(),
        200
    );
    assert_eq!(
        invite(&app, "anchor", "d@example.test", "director")
            .await
            .status(),
        403
    );
    assert_eq!(
        invite(&app, "anchor", "v@example.test", "viewer")
            .await
            .status(),
        403
    );
    assert_eq!(
        invite(&app, "anchor", "h@example.test", "harbour_master")
            .await
            .status(),
        201
    );
}

async fn reset_link(app: &TestApp, client: &reqwest::Client, email: &str) -> String {
    let res = client
        .post(app.url("/forgot-password"))
        .form(&[("email", email)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("If an account exists for")
    );
    app.run_jobs().await;
    let body = mails_to(app, &email.to_lowercase())
        .pop()
        .expect("a reset mail");
    link_path(app, &body, "/reset-password/")
}

#[tokio::test]
async fn a_password_is_reset_end_to_end_through_the_outbox_link_and_the_link_works_once() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    app.create_user("dana@example.test", false, Some(("anchor", "director")))
        .await;
    // Two devices signed in with the old password.
    assert_eq!(app.login("dana@example.test", PASSWORD).await.status(), 200);
    let laptop = TestApp::client_for(&app);
    let res = laptop
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "dana@example.test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let login_page = TestApp::client_for(&app)
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        login_page.contains("href=\"/forgot-password\""),
        "the sign-in page links to it"
    );

    let browser = TestApp::client_for(&app);
    assert_eq!(
        browser
            .get(app.url("/forgot-password"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let link = reset_link(&app, &browser, "Dana@Example.test").await;
    let form = browser.get(app.url(&link)).send().await.unwrap();
    assert_eq!(form.status(), 200);
    assert!(form.text().await.unwrap().contains("dana@example.test"));

    let res = browser
        .post(app.url(&link))
        .form(&[
            ("password", NEW_PASSWORD),
            ("password_confirm", "not the same at all"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("id=\"password_confirm-error\"")
    );

    let res = browser
        .post(app.url(&link))
        .form(&[
            ("password", NEW_PASSWORD),
            ("password_confirm", NEW_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/");
    let me = browser.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(me.status(), 200, "signed in afresh");

    // Every earlier session ended; the old password no longer works, the new one does.
    assert_eq!(app.get("/api/v1/me").await.status(), 401);
    let on_laptop = laptop.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(on_laptop.status(), 401);
    assert_eq!(app.login("dana@example.test", PASSWORD).await.status(), 401);
    assert_eq!(
        app.login("dana@example.test", NEW_PASSWORD).await.status(),
        200
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_logs WHERE entity_type = 'user' AND action = 'update' AND metadata ? 'password_reset'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(audited, 1);

    // The link works once.
    let again = TestApp::client_for(&app);
    let res = again
        .post(app.url(&link))
        .form(&[
            ("password", "yet another password"),
            ("password_confirm", "yet another password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 410);
    assert!(res.text().await.unwrap().contains("already been used"));
    assert_eq!(
        app.login("dana@example.test", NEW_PASSWORD).await.status(),
        200
    );
}

#[tokio::test]
async fn forgot_password_answers_the_same_for_an_unknown_address_and_sends_nothing() {
    let app = TestApp::spawn().await;
    app.create_user("dana@example.test", false, None).await;
    let client = TestApp::client_for(&app);
    let ask = |email: &'static str| {
        let client = client.clone();
        let url = app.url("/forgot-password");
        async move {
            let res = client
                .post(url)
                .form(&[("email", email)])
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let html = res.text().await.unwrap();
            let html = html
                .replace(email, "ADDRESS")
                .replace(&email.replace('@', "%40"), "ADDRESS");
            (status, html)
        }
    };
    let unknown = ask("nobody@example.test").await;
    assert_eq!(app.run_jobs().await, 0);
    assert!(app.outbox().is_empty(), "no mail for an unknown address");
    let known = ask("dana@example.test").await;
    assert_eq!(unknown, known, "the same page either way");
    assert_eq!(app.run_jobs().await, 1);

    // An empty or malformed address: the error beside the field, what was typed kept.
    let res = client
        .post(app.url("/forgot-password"))
        .form(&[("email", "dana at example")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"email-error\"") && html.contains("value=\"dana at example\""));
}

#[tokio::test]
async fn reset_requests_are_limited_per_address_and_the_api_resets_too() {
    let app = TestApp::spawn().await;
    app.create_user("dana@example.test", false, None).await;
    for _ in 0..3 {
        let res = app
            .post_json(
                "/api/v1/auth/forgot-password",
                &json!({"email": "dana@example.test"}),
            )
            .await;
        assert_eq!(res.status(), 202);
    }
    let res = app
        .post_json(
            "/api/v1/auth/forgot-password",
            &json!({"email": "dana@example.test"}),
        )
        .await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    // The same limit for an address without an account: the answer tells nothing.
    for _ in 0..3 {
        app.post_json(
            "/api/v1/auth/forgot-password",
            &json!({"email": "ghost@example.test"}),
        )
        .await;
    }
    let res = app
        .post_json(
            "/api/v1/auth/forgot-password",
            &json!({"email": "ghost@example.test"}),
        )
        .await;
    assert_eq!(res.status(), 429);

    app.run_jobs().await;
    let mails = mails_to(&app, "dana@example.test");
    assert_eq!(mails.len(), 3);
    // Only the newest link works; the earlier ones say they were replaced.
    let older = link_path(&app, &mails[0], "/reset-password/");
    let newest = link_path(&app, &mails[2], "/reset-password/");
    let html = app.get(&older).await.text().await.unwrap();
    assert!(html.contains("was replaced"), "{html}");

    let token = newest.trim_start_matches("/reset-password/");
    let res = app
        .post_json(
            "/api/v1/auth/reset-password",
            &json!({"token": token, "password": "short"}),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.json::<Value>().await.unwrap()["errors"]["password"].is_array());
    let res = app
        .post_json(
            "/api/v1/auth/reset-password",
            &json!({"token": token, "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let res = app
        .post_json(
            "/api/v1/auth/reset-password",
            &json!({"token": token, "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.json::<Value>().await.unwrap()["errors"]["token"].is_array());
    assert_eq!(
        app.login("dana@example.test", NEW_PASSWORD).await.status(),
        200
    );
}

#[tokio::test]
async fn an_expired_reset_link_says_so_and_offers_a_new_one() {
    let app = TestApp::spawn().await;
    app.create_user("dana@example.test", false, None).await;
    let link = reset_link(&app, &app.client, "dana@example.test").await;
    sqlx::query("UPDATE verifications SET expires_at = now() - interval '1 minute'")
        .execute(&app.db)
        .await
        .unwrap();
    let res = app.get(&link).await;
    assert_eq!(res.status(), 410);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("has expired") && html.contains("href=\"/forgot-password\""),
        "{html}"
    );
    let res = app.get("/reset-password/nothing-like-a-token").await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("does not work"));
}

#[tokio::test]
async fn super_admins_read_the_outbox_as_plain_text() {
    let app = TestApp::spawn().await;
    let mut tx = app.db.begin().await.unwrap();
    nimara::mail::queue(
        &mut tx,
        nimara::mail::Message {
            to: "skipper@example.test".into(),
            subject: "Your berth <A12>".into(),
            text: "Welcome aboard.".into(),
            html: Some("<script>alert(1)</script><p>Welcome aboard.</p>".into()),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.run_jobs().await;

    port(&app, "anchor").await;
    app.sign_in_as("director", "anchor").await;
    assert_eq!(
        app.get("/admin/outbox").await.status(),
        403,
        "super admins only"
    );

    app.sign_in_super_admin().await;
    let html = app.get("/admin/outbox").await.text().await.unwrap();
    assert!(
        html.contains("skipper@example.test") && html.contains("Your berth &#60;A12&#62;"),
        "{html}"
    );
    let href = html
        .split("href=\"/admin/outbox/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to the message");
    let html = app
        .get(&format!("/admin/outbox/{href}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Welcome aboard."));
    assert!(
        !html.contains("<script>alert(1)</script>"),
        "mail HTML is never rendered"
    );
    assert_eq!(
        app.get("/admin/outbox/..%2F..%2Fetc%2Fpasswd")
            .await
            .status(),
        404
    );
    assert_eq!(app.get("/admin/outbox/no-such-message").await.status(), 404);
}

#[tokio::test]
async fn two_submits_at_once_spend_the_invitation_once() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    app.sign_in_as("director", "anchor").await;
    let link = invitation_link(&app, "anchor", "racer@example.test", "viewer").await;
    let submit = || {
        let client = TestApp::client_for(&app);
        let url = app.url(&link);
        async move {
            client
                .post(url)
                .form(&[
                    ("name", "Racer"),
                    ("password", NEW_PASSWORD),
                    ("password_confirm", NEW_PASSWORD),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let (a, b) = tokio::join!(submit(), submit());
    let mut statuses = [a, b];
    statuses.sort();
    assert_eq!(statuses, [303, 410]);
    assert_eq!(users_named(&app, "racer@example.test").await, 1);
}
