//! Creating, reading, editing, archiving and restoring clients; their audit
//! rows and reverting a field.

use super::{BASE, bravo_client, create, fields, send, setup};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn creating_a_client_with_contacts_answers_201_with_a_location() {
    let app = setup().await;
    let res = app
        .post_json(
            BASE,
            &json!({
                "full_name": "  Amelia   Hartley ",
                "company_name": "Hartley Holdings",
                "yacht_name": "Aurora",
                "yacht_length_ft": 100,
                "yacht_width_m": "6",
                "preferred_contact_method": "whatsapp",
                "preferred_language": "en-GB",
                "timezone": "Europe/London",
                "source": "referral",
                "source_details": "Met at the boat show",
                "nationality": "British",
                "berth_size_desired": "35 m",
                "contacts": [
                    {"channel": "email", "value": " Amelia.Hartley@Example.COM ", "label": "personal"},
                    {"channel": "phone", "value": "(264) 772-1234", "label": "mobile"},
                    {"channel": "whatsapp", "value": "+44 7911 123456"}
                ]
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let created: serde_json::Value = res.json().await.unwrap();
    let id = created["id"].as_str().unwrap();
    assert_eq!(location, format!("{BASE}/{id}"));
    assert_eq!(created["full_name"], "Amelia Hartley");
    // Units: the one not given is computed, 2 decimals.
    assert_eq!(created["yacht_length_m"], "30.48");
    assert_eq!(created["yacht_width_ft"], "19.69");
    assert_eq!(created["yacht_draft_ft"], serde_json::Value::Null);

    let (status, fetched) = send(&app, Method::GET, &location, None).await;
    assert_eq!(status, 200);
    for column in [
        "port_id",
        "is_proxy",
        "proxy_type",
        "actual_owner_name",
        "relationship_notes",
        "yacht_length_ft",
        "yacht_draft_m",
        "archived_at",
        "created_at",
        "updated_at",
    ] {
        assert!(fetched.get(column).is_some(), "{column} missing: {fetched}");
    }
    let contacts = fetched["contacts"].as_array().unwrap();
    let value_of = |channel: &str| {
        contacts
            .iter()
            .find(|c| c["channel"] == channel)
            .map(|c| c["value"].as_str().unwrap().to_owned())
            .unwrap()
    };
    // E-mail lower-cased and trimmed; phones E.164, read in the port's region (AI).
    assert_eq!(value_of("email"), "amelia.hartley@example.com");
    assert_eq!(value_of("phone"), "+12647721234");
    assert_eq!(value_of("whatsapp"), "+447911123456");
    assert!(contacts.iter().all(|c| c["is_primary"] == true));
}

#[tokio::test]
async fn every_bad_field_is_named_in_the_422() {
    let app = setup().await;
    let cases = [
        (json!({"company_name": "No name"}), "full_name"),
        (json!({"full_name": "   "}), "full_name"),
        (
            json!({"full_name": "A", "is_proxy": true, "proxy_type": "uncle"}),
            "proxy_type",
        ),
        (json!({"full_name": "A", "source": "tv"}), "source"),
        (
            json!({"full_name": "A", "preferred_contact_method": "fax"}),
            "preferred_contact_method",
        ),
        (
            json!({"full_name": "A", "timezone": "Mars/Olympus"}),
            "timezone",
        ),
        (
            json!({"full_name": "A", "yacht_length_ft": 100, "yacht_length_m": 20}),
            "yacht_length_m",
        ),
        (
            json!({"full_name": "A", "contacts": [{"channel": "email", "value": "jane@example.com"}, {"channel": "email", "value": "not-an-email"}]}),
            "contacts[1].value",
        ),
        (
            json!({"full_name": "A", "contacts": [{"channel": "phone", "value": "call me"}]}),
            "contacts[0].value",
        ),
        (json!({"full_name": "A", "port_id": "x"}), "port_id"),
    ];
    for (body, field) in cases {
        let (status, problem) = send(&app, Method::POST, BASE, Some(body.clone())).await;
        assert_eq!(status, 422, "{body} → {problem}");
        assert_eq!(fields(&problem), [field], "{body} → {problem}");
    }
    // A closed set lists what it accepts.
    let (_, problem) = send(
        &app,
        Method::POST,
        BASE,
        Some(json!({"full_name": "A", "is_proxy": true, "proxy_type": "uncle"})),
    )
    .await;
    let message = problem["errors"]["proxy_type"][0].as_str().unwrap();
    assert!(message.contains("broker, representative"), "{message}");
    // Nothing was written by any refused request.
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM clients")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn a_patch_changes_only_what_it_names_and_recomputes_the_other_unit() {
    let app = setup().await;
    let c = create(
        &app,
        json!({"full_name": "Henrik Lindqvist", "nationality": "Swedish", "yacht_length_m": "30"}),
    )
    .await;
    let path = format!("{BASE}/{}", c["id"].as_str().unwrap());
    let (status, after) = send(
        &app,
        Method::PATCH,
        &path,
        Some(json!({"yacht_length_ft": "50", "is_proxy": true, "proxy_type": "broker", "actual_owner_name": "Sofia Moreau"})),
    )
    .await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["yacht_length_m"], "15.24");
    assert_eq!(after["nationality"], "Swedish");
    assert_eq!(after["actual_owner_name"], "Sofia Moreau");

    let (status, problem) = send(
        &app,
        Method::PATCH,
        &path,
        Some(json!({"yacht_draft_ft": "10", "yacht_draft_m": "5"})),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&problem), ["yacht_draft_m"]);
    let (status, problem) =
        send(&app, Method::PATCH, &path, Some(json!({"full_name": null}))).await;
    assert_eq!(
        (status, fields(&problem)),
        (422, vec!["full_name".to_owned()])
    );
}

#[tokio::test]
async fn archived_clients_still_answer_and_can_be_restored() {
    let app = setup().await;
    let id = super::named(&app, "Camila Castellano").await;
    let path = format!("{BASE}/{id}");
    let res = app.client.delete(app.url(&path)).send().await.unwrap();
    assert_eq!(res.status(), 204);
    let (status, c) = send(&app, Method::GET, &path, None).await;
    assert_eq!(status, 200);
    assert!(c["archived_at"].is_string());
    // Archiving twice changes nothing.
    assert_eq!(
        app.client
            .delete(app.url(&path))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let (status, c) = send(&app, Method::POST, &format!("{path}/restore"), None).await;
    assert_eq!(status, 200);
    assert!(c["archived_at"].is_null());
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_logs WHERE entity_type = 'client' AND entity_id = $1::uuid ORDER BY created_at",
    )
    .bind(&id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(actions, ["create", "archive", "restore"]);
}

#[tokio::test]
async fn each_changed_field_is_audited_and_can_be_reverted() {
    let app = setup().await;
    let c = create(
        &app,
        json!({"full_name": "Yuki Tanaka", "nationality": "Japanese"}),
    )
    .await;
    let id = c["id"].as_str().unwrap();
    let path = format!("{BASE}/{id}");
    let (status, _) = send(
        &app,
        Method::PATCH,
        &path,
        Some(json!({"nationality": "French", "yacht_length_ft": 80, "company_name": "Tanaka KK"})),
    )
    .await;
    assert_eq!(status, 200);
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT id::text, field_changed FROM audit_logs WHERE entity_type = 'client' AND entity_id = $1::uuid AND action = 'update' ORDER BY field_changed",
    )
    .bind(id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    let changed: Vec<&str> = rows.iter().map(|(_, f)| f.as_str()).collect();
    assert_eq!(
        changed,
        [
            "company_name",
            "nationality",
            "yacht_length_ft",
            "yacht_length_m"
        ]
    );

    let nationality = &rows.iter().find(|(_, f)| f == "nationality").unwrap().0;
    let (status, reverted) = send(
        &app,
        Method::POST,
        &format!("/api/v1/ports/alpha/audit-logs/{nationality}/revert"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{reverted}");
    let (_, c) = send(&app, Method::GET, &path, None).await;
    assert_eq!(c["nationality"], "Japanese");
    // A numeric field reverts too: the JSON string goes back into NUMERIC.
    let length = &rows.iter().find(|(_, f)| f == "yacht_length_ft").unwrap().0;
    let (status, _) = send(
        &app,
        Method::POST,
        &format!("/api/v1/ports/alpha/audit-logs/{length}/revert"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (_, c) = send(&app, Method::GET, &path, None).await;
    assert!(c["yacht_length_ft"].is_null());

    // The timeline holds it all, newest first, and pages by keyset.
    let (status, page) = send(&app, Method::GET, &format!("{path}/timeline?limit=2"), None).await;
    assert_eq!(status, 200);
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert_eq!(page["data"][0]["action"], "revert");
    let cursor = page["next_cursor"].as_str().unwrap();
    let (_, rest) = send(
        &app,
        Method::GET,
        &format!("{path}/timeline?limit=200&cursor={cursor}"),
        None,
    )
    .await;
    let total = 2 + rest["data"].as_array().unwrap().len();
    // create + 4 updates + 2 reverts
    assert_eq!(total, 7);
}

#[tokio::test]
async fn another_ports_client_answers_404_on_every_route() {
    let app = setup().await;
    let b = bravo_client(&app).await;
    let own = super::named(&app, "Own Client").await;
    let contact: String = sqlx::query_scalar(
        "INSERT INTO client_contacts (port_id, client_id, channel, value) SELECT port_id, id, 'email', 'b@example.com' FROM clients WHERE id = $1 RETURNING id::text",
    )
    .bind(b)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let cases = [
        (Method::GET, format!("{BASE}/{b}"), None),
        (
            Method::PATCH,
            format!("{BASE}/{b}"),
            Some(json!({"full_name": "X"})),
        ),
        (Method::DELETE, format!("{BASE}/{b}"), None),
        (Method::POST, format!("{BASE}/{b}/restore"), None),
        (Method::GET, format!("{BASE}/{b}/timeline"), None),
        (Method::GET, format!("{BASE}/{b}/contacts"), None),
        (
            Method::POST,
            format!("{BASE}/{b}/contacts"),
            Some(json!({"channel": "email", "value": "x@example.com"})),
        ),
        (
            Method::PATCH,
            format!("{BASE}/{b}/contacts/{contact}"),
            Some(json!({"label": "x"})),
        ),
        (
            Method::DELETE,
            format!("{BASE}/{b}/contacts/{contact}"),
            None,
        ),
        // B's contact under A's own client.
        (
            Method::PATCH,
            format!("{BASE}/{own}/contacts/{contact}"),
            Some(json!({"label": "x"})),
        ),
        (
            Method::DELETE,
            format!("{BASE}/{own}/contacts/{contact}"),
            None,
        ),
        (Method::GET, format!("{BASE}/{b}/relationships"), None),
        (
            Method::POST,
            format!("{BASE}/{own}/relationships"),
            Some(json!({"client_b_id": b, "relationship_type": "referred_by"})),
        ),
        (Method::GET, format!("/ports/alpha/clients/{b}"), None),
        (Method::GET, format!("/ports/alpha/clients/{b}/edit"), None),
        (Method::GET, format!("{BASE}/not-a-uuid"), None),
    ];
    for (method, path, body) in cases {
        let (status, _) = send(&app, method.clone(), &path, body).await;
        assert_eq!(status, 404, "{method} {path}");
    }
    let name: String = sqlx::query_scalar("SELECT full_name FROM clients WHERE id = $1")
        .bind(b)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(name, "Bravo Only");
}

#[tokio::test]
async fn a_viewer_reads_but_cannot_write() {
    let app = setup().await;
    let id = super::named(&app, "Matteo Rossi").await;
    let viewer = crate::helpers::TestApp::client_for(&app);
    let email = format!("viewer.{}@example.test", uuid::Uuid::new_v4().simple());
    app.create_user(&email, false, Some(("alpha", "viewer")))
        .await;
    let login = viewer
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": crate::helpers::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let get = viewer
        .get(app.url(&format!("{BASE}/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 200);
    let patch = viewer
        .patch(app.url(&format!("{BASE}/{id}")))
        .json(&json!({"full_name": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), 403);
}
