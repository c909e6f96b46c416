//! Merging clients over HTTP: everything related moves to the survivor (no
//! repeated contact, tag or relationship), the chosen fields apply, the merge
//! is logged and audited, the merged id is gone; bad input, another port's
//! client and a missing permission change nothing, and neither does a merge
//! that fails half-way.

use crate::duplicates::{client, contact};
use crate::helpers::{TestApp, port};
use serde_json::{Value, json};
use uuid::Uuid;

async fn exec(app: &TestApp, sql: &'static str, ids: &[Uuid]) {
    let mut q = sqlx::query(sql);
    for id in ids {
        q = q.bind(id);
    }
    q.execute(&app.db).await.unwrap();
}

async fn count(app: &TestApp, sql: &'static str, id: Uuid) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

fn merge_path(surviving: Uuid) -> String {
    format!("/api/v1/ports/north/clients/{surviving}/merge")
}

#[tokio::test]
async fn a_merge_moves_everything_once_applies_choices_and_leaves_no_merged_client() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let user = app.sign_in_as("director", "north").await;
    let s = client(&app, north, "John Smith").await;
    let m = client(&app, north, "Jon Smith").await;
    let friend = client(&app, north, "Ada Friend").await;
    exec(
        &app,
        "UPDATE clients SET company_name = 'Smith Holdings' WHERE id = $1",
        &[s],
    )
    .await;
    exec(
        &app,
        "UPDATE clients SET company_name = 'JS Ltd', yacht_name = 'Aurora' WHERE id = $1",
        &[m],
    )
    .await;
    // Contacts: a shared e-mail (kept once), a second primary e-mail (moved, no longer primary).
    let shared = contact(&app, s, "email", "john@example.test").await;
    exec(
        &app,
        "UPDATE client_contacts SET is_primary = true WHERE id = $1",
        &[shared],
    )
    .await;
    contact(&app, m, "email", "john@example.test").await;
    let work = contact(&app, m, "email", "jon@work.example.test").await;
    exec(
        &app,
        "UPDATE client_contacts SET is_primary = true WHERE id = $1",
        &[work],
    )
    .await;
    contact(&app, m, "phone", "+12642351234").await;
    // A note, tags (one on both), relationships (one to the survivor, one to a friend).
    exec(
        &app,
        "INSERT INTO client_notes (port_id, client_id, author_id, content) SELECT port_id, id, 'u', 'Met at the boat show' FROM clients WHERE id = $1",
        &[m],
    )
    .await;
    for (name, who) in [("vip", vec![s, m]), ("broker-lead", vec![m])] {
        let tag: Uuid =
            sqlx::query_scalar("INSERT INTO tags (port_id, name) VALUES ($1, $2) RETURNING id")
                .bind(north)
                .bind(name)
                .fetch_one(&app.db)
                .await
                .unwrap();
        for c in who {
            exec(&app, "INSERT INTO client_tags (port_id, client_id, tag_id) SELECT port_id, id, $2 FROM clients WHERE id = $1", &[c, tag]).await;
        }
    }
    exec(&app, "INSERT INTO client_relationships (port_id, client_a_id, client_b_id, relationship_type) SELECT port_id, $1, $2, 'same_vessel' FROM clients WHERE id = $1", &[m, s]).await;
    exec(&app, "INSERT INTO client_relationships (port_id, client_a_id, client_b_id, relationship_type) SELECT port_id, $1, $2, 'referred_by' FROM clients WHERE id = $1", &[m, friend]).await;
    // An interest, a custom field value, a scratchpad note, a pending pair with a third client.
    exec(
        &app,
        "INSERT INTO interests (port_id, client_id) SELECT port_id, id FROM clients WHERE id = $1",
        &[m],
    )
    .await;
    let field: Uuid = sqlx::query_scalar("INSERT INTO custom_field_definitions (port_id, entity_type, field_name, field_label, field_type) VALUES ($1, 'client', 'budget', 'Budget', 'number') RETURNING id")
        .bind(north)
        .fetch_one(&app.db)
        .await
        .unwrap();
    exec(&app, "INSERT INTO custom_field_values (port_id, field_id, entity_id, value) SELECT $3, $1, $2, '250000'::jsonb", &[field, m, north]).await;
    exec(&app, "INSERT INTO scratchpad_notes (user_id, content, linked_client_id) VALUES ('u', 'call back', $1)", &[m]).await;
    let third = client(&app, north, "Jonny Smith").await;
    let (a, b) = (m.min(third), m.max(third));
    exec(&app, "INSERT INTO client_duplicate_candidates (port_id, client_a_id, client_b_id, reasons, score) SELECT port_id, $1, $2, '{name}', 0.4 FROM clients WHERE id = $1", &[a, b]).await;

    let res = app
        .post_json(
            &merge_path(s),
            &json!({"merged_client_id": m, "fields": {"full_name": "merged"}}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let out: Value = res.json().await.unwrap();
    assert_eq!(out["moved"]["contacts"], 2, "{out}");
    assert_eq!(out["dropped"]["contacts"], 1, "{out}");
    assert_eq!(out["fields"]["full_name"], "merged");
    assert_eq!(
        out["fields"]["yacht_name"], "merged",
        "an empty survivor field is filled"
    );
    assert_eq!(out["fields"]["company_name"], "surviving");

    // Fields.
    let (name, company, yacht): (String, Option<String>, Option<String>) =
        sqlx::query_as("SELECT full_name, company_name, yacht_name FROM clients WHERE id = $1")
            .bind(s)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        (name.as_str(), company.as_deref(), yacht.as_deref()),
        ("Jon Smith", Some("Smith Holdings"), Some("Aurora"))
    );
    // Contacts: the shared one once, one primary e-mail.
    let contacts: Vec<(String, String, bool)> = sqlx::query_as(
        "SELECT channel, value, is_primary FROM client_contacts WHERE client_id = $1 ORDER BY channel, value",
    )
    .bind(s)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        contacts,
        [
            ("email".into(), "john@example.test".into(), true),
            ("email".into(), "jon@work.example.test".into(), false),
            ("phone".into(), "+12642351234".into(), false),
        ]
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM client_notes WHERE client_id = $1",
            s
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM client_tags WHERE client_id = $1",
            s
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM interests WHERE client_id = $1",
            s
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM custom_field_values WHERE entity_id = $1",
            s
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM scratchpad_notes WHERE linked_client_id = $1",
            s
        )
        .await,
        1
    );
    // The relationship to the survivor itself is gone; the friend's now points at the survivor.
    let rels: Vec<(Uuid, Uuid, String)> = sqlx::query_as(
        "SELECT client_a_id, client_b_id, relationship_type FROM client_relationships",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(rels, [(s, friend, "referred_by".to_owned())]);
    // The pair with the third client now names the survivor.
    assert_eq!(
        count(&app, "SELECT count(*) FROM client_duplicate_candidates WHERE (client_a_id = $1 OR client_b_id = $1)", s).await,
        1
    );

    // The merged client is gone, with nothing of it left behind.
    assert_eq!(
        count(&app, "SELECT count(*) FROM clients WHERE id = $1", m).await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM custom_field_values WHERE entity_id = $1",
            m
        )
        .await,
        0
    );
    // Logged and audited.
    let details: Value = sqlx::query_scalar(
        "SELECT merge_details FROM client_merge_log WHERE surviving_client_id = $1 AND merged_client_id = $2 AND merged_by IS NOT NULL",
    )
    .bind(s)
    .bind(m)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(details["moved"]["notes"], 1, "{details}");
    assert_eq!(details["moved"]["interests"], 1);
    assert_eq!(details["moved"]["tags"], 1);
    assert_eq!(details["fields"]["full_name"], "merged");
    let audit: Vec<(String, Option<String>, Option<String>, Value)> = sqlx::query_as(
        "SELECT action, field_changed, user_id, metadata FROM audit_logs WHERE entity_type = 'client' AND entity_id = $1 ORDER BY action, field_changed",
    )
    .bind(s)
    .fetch_all(&app.db)
    .await
    .unwrap();
    let actions: Vec<(&str, Option<&str>)> = audit
        .iter()
        .map(|r| (r.0.as_str(), r.1.as_deref()))
        .collect();
    assert_eq!(
        actions,
        [
            ("merge", None),
            ("update", Some("full_name")),
            ("update", Some("yacht_name"))
        ]
    );
    assert_eq!(audit[0].3["merged_client_id"], json!(m));
    let user_id: String = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(&user)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .all(|r| r.2.as_deref() == Some(user_id.as_str()))
    );

    // The merged id answers 404 from here on.
    let again = app
        .post_json(&merge_path(s), &json!({"merged_client_id": m}))
        .await;
    assert_eq!(again.status(), 404);
    let as_survivor = app
        .post_json(&merge_path(m), &json!({"merged_client_id": s}))
        .await;
    assert_eq!(as_survivor.status(), 404);
    for path in ["", "/contacts", "/notes", "/tags", "/timeline"] {
        let res = app
            .get(&format!("/api/v1/ports/north/clients/{m}{path}"))
            .await;
        assert_eq!(res.status(), 404, "GET …/clients/<merged>{path}");
    }
    let page = app.get(&format!("/ports/north/clients/{m}")).await;
    assert_eq!(page.status(), 404);
    let list = app
        .get("/api/v1/ports/north/clients/duplicates")
        .await
        .text()
        .await
        .unwrap();
    assert!(!list.contains(&m.to_string()), "{list}");
}

#[tokio::test]
async fn bad_merges_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let south = port(&app, "south").await;
    let s = client(&app, north, "John Smith").await;
    let m = client(&app, north, "Jon Smith").await;
    contact(&app, m, "email", "jon@example.test").await;
    let elsewhere = client(&app, south, "Jon Smith").await;

    // Without clients.merge (a sales agent): 403.
    app.sign_in_as("sales_agent", "north").await;
    let res = app
        .post_json(&merge_path(s), &json!({"merged_client_id": m}))
        .await;
    assert_eq!(res.status(), 403);

    let app_director = TestApp::client_for(&app);
    let email = "director@example.test";
    app.create_user(email, false, Some(("north", "director")))
        .await;
    let login = app_director
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": crate::helpers::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let post = |path: String, body: Value| {
        let c = app_director.clone();
        let url = app.url(&path);
        async move { c.post(url).json(&body).send().await.unwrap() }
    };

    // Unknown field and unknown choice: 422 naming each.
    let res = post(
        merge_path(s),
        json!({"merged_client_id": m, "fields": {"shoe_size": "merged", "full_name": "both"}}),
    )
    .await;
    assert_eq!(res.status(), 422);
    let problem = res.text().await.unwrap();
    assert!(
        problem.contains("fields.shoe_size") && problem.contains("fields.full_name"),
        "{problem}"
    );
    // The same client twice: 422.
    let res = post(merge_path(s), json!({"merged_client_id": s})).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("merged_client_id"));
    // Another port's client, either way round, or one that does not exist: 404.
    for (surv, merged) in [(s, elsewhere), (elsewhere, m), (s, Uuid::new_v4())] {
        let res = post(merge_path(surv), json!({"merged_client_id": merged})).await;
        assert_eq!(res.status(), 404, "{surv} <- {merged}");
    }
    assert_eq!(
        count(&app, "SELECT count(*) FROM clients WHERE id = $1", m).await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM clients WHERE id = $1",
            elsewhere
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM client_merge_log WHERE merged_client_id = $1",
            m
        )
        .await,
        0
    );

    // A merge failing half-way (here: a record of the merged client that
    // forbids deleting it) leaves both clients exactly as they were.
    exec(
        &app,
        "CREATE TABLE merge_blocker (client_id uuid REFERENCES clients(id))",
        &[],
    )
    .await;
    exec(&app, "INSERT INTO merge_blocker VALUES ($1)", &[m]).await;
    let res = post(
        merge_path(s),
        json!({"merged_client_id": m, "fields": {"full_name": "merged"}}),
    )
    .await;
    assert_eq!(res.status(), 500);
    let name: String = sqlx::query_scalar("SELECT full_name FROM clients WHERE id = $1")
        .bind(s)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(name, "John Smith");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM client_contacts WHERE client_id = $1",
            m
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM client_contacts WHERE client_id = $1",
            s
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM client_merge_log WHERE surviving_client_id = $1",
            s
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM audit_logs WHERE entity_id = $1",
            s
        )
        .await,
        0
    );
}

#[tokio::test]
async fn the_pages_list_pairs_compare_side_by_side_and_merge_into_the_survivor() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    app.sign_in_as("director", "north").await;
    let s = client(&app, north, "John Smith").await;
    let m = client(&app, north, "Jon Smith").await;
    exec(
        &app,
        "UPDATE clients SET yacht_name = 'Aurora', nationality = 'British' WHERE id = $1",
        &[m],
    )
    .await;
    exec(
        &app,
        "UPDATE clients SET nationality = 'British' WHERE id = $1",
        &[s],
    )
    .await;
    contact(&app, m, "email", "jon@example.test").await;
    let csrf: String =
        sqlx::query_scalar("SELECT csrf_token FROM sessions ORDER BY created_at DESC LIMIT 1")
            .fetch_one(&app.db)
            .await
            .unwrap();

    // Scan again from the page: the pair shows with its reason and a Compare link.
    let res = app
        .client
        .post(app.url("/ports/north/clients/duplicates/scan"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let list = app.get("/ports/north/clients/duplicates?scanned=1").await;
    assert_eq!(list.status(), 200);
    let html = list.text().await.unwrap();
    assert!(
        html.contains("Similar name") && html.contains("Compare"),
        "{html}"
    );

    // Side by side: a differing field has a radio per side, an equal one is shown once.
    let page = app
        .get(&format!("/ports/north/clients/{s}/merge?with={m}"))
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Merge into John Smith"), "{html}");
    assert!(
        html.contains(r#"name="field.yacht_name" value="merged" checked"#),
        "{html}"
    );
    assert!(!html.contains(r#"name="field.nationality""#));
    assert!(html.contains("<strong>1</strong> contact<"));

    // Confirm with the merged name chosen: the survivor's page next.
    let res = app
        .client
        .post(app.url(&format!("/ports/north/clients/{s}/merge")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("merged_client_id", &m.to_string()),
            ("field.full_name", "merged"),
            ("field.yacht_name", "merged"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("/ports/north/clients/{s}")
    );
    let name: String = sqlx::query_scalar("SELECT full_name FROM clients WHERE id = $1")
        .bind(s)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(name, "Jon Smith");
    assert_eq!(
        app.get(&format!("/ports/north/clients/{s}/merge?with={m}"))
            .await
            .status(),
        404
    );
}
