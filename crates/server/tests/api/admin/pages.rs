//! The Settings area and the account pages, through forms as a browser sends them.

use super::{call, csrf_of, member, port};
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};

async fn html(client: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let res = client.get(app.url(path)).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

#[tokio::test]
async fn settings_are_linked_for_those_who_may_see_them_and_hidden_from_others() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    let (dir, _) = member(&app, "director", "anchor").await;
    let (agent, _) = member(&app, "sales_agent", "anchor").await;
    let (viewer, _) = member(&app, "viewer", "anchor").await;

    let (_, page) = html(&dir, &app, "/ports/anchor").await;
    assert!(page.contains(r#"href="/ports/anchor/settings""#));
    let (_, page) = html(&agent, &app, "/ports/anchor").await;
    assert!(!page.contains("/ports/anchor/settings") && !page.contains(">Settings<"));
    assert_eq!(
        html(&agent, &app, "/ports/anchor/settings/members").await.0,
        StatusCode::FORBIDDEN
    );

    let res = dir
        .get(app.url("/ports/anchor/settings"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/ports/anchor/settings/members");
    for path in ["members", "roles", "port", "reminders"] {
        let (status, page) = html(&dir, &app, &format!("/ports/anchor/settings/{path}")).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            page.contains("name=\"_csrf\""),
            "{path} has forms for a director"
        );
    }
    // A viewer sees the pages but no way to change them.
    let (status, page) = html(&viewer, &app, "/ports/anchor/settings/roles").await;
    assert_eq!(status, 200);
    assert!(!page.contains("type=\"checkbox\"") && !page.contains("Save permissions"));
    let (_, page) = html(&viewer, &app, "/ports/anchor/settings/members").await;
    assert!(!page.contains("Deactivate") && !page.contains("Save roles"));
    for path in ["/me/profile", "/me/tokens", "/me/sessions"] {
        assert_eq!(html(&agent, &app, path).await.0, 200, "{path}");
    }
}

#[tokio::test]
async fn a_refused_role_change_shows_in_the_members_row() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    let (dir, dir_id) = member(&app, "director", "anchor").await;
    let (_, agent_id) = member(&app, "sales_agent", "anchor").await;
    let csrf = csrf_of(&dir, &app, "/ports/anchor/settings/members").await;

    let res = dir
        .post(app.url(&format!("/ports/anchor/settings/members/{agent_id}/roles")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("role:sales_agent", "on"),
            ("role:finance", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, m) = call(
        &dir,
        &app,
        Method::GET,
        "/api/v1/ports/anchor/members",
        None,
    )
    .await;
    let agent = m["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["user_id"] == agent_id.as_str())
        .unwrap();
    assert_eq!(
        agent["roles"],
        serde_json::json!(["finance", "sales_agent"])
    );

    let res = dir
        .post(app.url(&format!("/ports/anchor/settings/members/{dir_id}/roles")))
        .form(&[("_csrf", csrf.as_str()), ("role:viewer", "on")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    let page = res.text().await.unwrap();
    let row = page
        .split(&format!("data-member=\"{dir_id}\""))
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(row.contains("without an active director"), "{row}");
    assert!(
        row.contains(r#"name="role:viewer" checked"#),
        "what was ticked is kept"
    );

    let res = dir
        .post(app.url(&format!("/ports/anchor/settings/members/{agent_id}/roles")))
        .form(&[("_csrf", "forged"), ("role:viewer", "on")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn the_roles_matrix_saves_overrides_for_this_port() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    let (dir, _) = member(&app, "director", "anchor").await;
    let (_, roles) = call(&dir, &app, Method::GET, "/api/v1/ports/anchor/roles", None).await;
    let csrf = csrf_of(&dir, &app, "/ports/anchor/settings/roles").await;
    // Every cell as it is, plus reports.view for viewers taken away.
    let mut form = vec![("_csrf".to_owned(), csrf.clone())];
    for r in roles["data"].as_array().unwrap() {
        form.push((
            format!("shown:{}", r["id"].as_str().unwrap()),
            "1".to_owned(),
        ));
        for key in r["effective"].as_array().unwrap() {
            let key = key.as_str().unwrap();
            if !(r["name"] == "viewer" && key == "reports.view") {
                form.push((
                    format!("p:{}:{key}", r["id"].as_str().unwrap()),
                    "on".to_owned(),
                ));
            }
        }
    }
    let res = dir
        .post(app.url("/ports/anchor/settings/roles/overrides"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, roles) = call(&dir, &app, Method::GET, "/api/v1/ports/anchor/roles", None).await;
    let changed: Vec<(&str, &serde_json::Value)> = roles["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["permission_overrides"] != serde_json::json!({}))
        .map(|r| (r["name"].as_str().unwrap(), &r["permission_overrides"]))
        .collect();
    assert_eq!(
        changed,
        [("viewer", &serde_json::json!({"reports.view": false}))]
    );
    // A post that shows no role (an empty form) changes nothing.
    let res = dir
        .post(app.url("/ports/anchor/settings/roles/overrides"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, after) = call(&dir, &app, Method::GET, "/api/v1/ports/anchor/roles", None).await;
    assert_eq!(after, roles, "nothing was wiped");
    let (_, page) = html(&dir, &app, "/ports/anchor/settings/roles").await;
    assert!(page.contains("is-overridden"));
}

#[tokio::test]
async fn forms_keep_what_was_typed_and_name_what_is_wrong() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    let (dir, _) = member(&app, "director", "anchor").await;

    let csrf = csrf_of(&dir, &app, "/me/profile").await;
    let res = dir
        .post(app.url("/me/profile"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("display_name", "Dana"),
            ("phone", "call me maybe"),
            ("theme", "dark"),
            ("locale", "en"),
            ("date_format", "YYYY-MM-DD"),
            ("avatar_url", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains(r#"value="call me maybe""#) && page.contains(r#"id="phone-error""#));

    let csrf = csrf_of(&dir, &app, "/ports/anchor/settings/port").await;
    let res = dir
        .post(app.url("/ports/anchor/settings/port"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "Anchor"),
            ("primary_color", "#12345"),
            ("timezone", "Europe/Monaco"),
            ("default_currency", "EUR"),
            ("logo_url", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains(r#"id="primary_color-error""#) && page.contains(r##"value="#12345""##));

    let csrf = csrf_of(&dir, &app, "/ports/anchor/settings/reminders").await;
    let res = dir
        .post(app.url("/ports/anchor/settings/reminders"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("reminder_days", "x"),
            ("cooldown_hours", "72"),
            ("follow_up_start", "08:00"),
            ("follow_up_end", "18:00"),
            ("first_after_days", "3"),
            ("interval_days", "3"),
            ("max_reminders", "3"),
            ("eoi_start", "18:00"),
            ("eoi_end", "08:00"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains(r#"id="reminder_days-error""#) && page.contains("later than the start"));
}

#[tokio::test]
async fn a_token_made_on_its_page_is_shown_once() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    let (dir, _) = member(&app, "director", "anchor").await;
    let csrf = csrf_of(&dir, &app, "/me/tokens").await;
    let res = dir
        .post(app.url("/me/tokens"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "Sync"),
            ("port", "anchor"),
            ("expires_on", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let page = res.text().await.unwrap();
    let at = page.find("id=\"new-token\"").unwrap();
    let token = page[at..]
        .split("value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let me = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let (_, again) = html(&dir, &app, "/me/tokens").await;
    assert!(!again.contains(&token) && again.contains("Sync"));
    let (_, sessions) = html(&dir, &app, "/me/sessions").await;
    assert!(sessions.contains("this device"));
}

#[tokio::test]
async fn the_members_page_invites_by_email_and_keeps_what_was_typed_on_a_refusal() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    let (dir, _) = member(&app, "director", "anchor").await;
    let (viewer, _) = member(&app, "viewer", "anchor").await;
    let (_, page) = html(&viewer, &app, "/ports/anchor/settings/members").await;
    assert!(!page.contains("Send invitation"), "viewers cannot invite");

    let csrf = csrf_of(&dir, &app, "/ports/anchor/settings/members").await;
    let res = dir
        .post(app.url("/ports/anchor/settings/members/invite"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", "not an address"),
            ("role", "sales_agent"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("id=\"invite-email-error\""),
        "the error sits beside the field"
    );
    assert!(
        page.contains("value=\"not an address\""),
        "what was typed is kept"
    );

    let res = dir
        .post(app.url("/ports/anchor/settings/members/invite"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", "Skipper@Example.test"),
            ("role", "sales_agent"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        "/ports/anchor/settings/members?done=invited"
    );
    app.run_jobs().await;
    let outbox = app.outbox();
    assert_eq!(outbox.len(), 1);
    assert!(outbox[0].contains("skipper@example.test") && outbox[0].contains("/invitations/"));
}
