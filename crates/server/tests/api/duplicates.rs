//! Duplicate detection: the scan pairs clients sharing an e-mail or a phone
//! (whatsapp counts as phone) or with very similar names, never different
//! people or clients of another port; it tells the port's editors once per
//! scan; a dismissed pair stays dismissed; the list and the dismiss route.

use crate::helpers::{TestApp, port};
use serde_json::{Value, json};
use uuid::Uuid;

/// A client of `port` inserted directly.
pub async fn client(app: &TestApp, port: Uuid, name: &str) -> Uuid {
    sqlx::query_scalar("INSERT INTO clients (port_id, full_name) VALUES ($1, $2) RETURNING id")
        .bind(port)
        .bind(name)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// A contact of `client`, stored normalised as the API would store it.
pub async fn contact(app: &TestApp, client: Uuid, channel: &str, value: &str) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO client_contacts (port_id, client_id, channel, value)
         SELECT port_id, id, $2, $3 FROM clients WHERE id = $1 RETURNING id",
    )
    .bind(client)
    .bind(channel)
    .bind(value)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

/// The port's pairs as (a, b, reasons, status), ordered.
async fn pairs(app: &TestApp, port: Uuid) -> Vec<(Uuid, Uuid, Vec<String>, String)> {
    sqlx::query_as(
        "SELECT client_a_id, client_b_id, reasons, status FROM client_duplicate_candidates
         WHERE port_id = $1 ORDER BY client_a_id, client_b_id",
    )
    .bind(port)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

fn pair(a: Uuid, b: Uuid) -> (Uuid, Uuid) {
    (a.min(b), a.max(b))
}

fn reasons_of(
    found: &[(Uuid, Uuid, Vec<String>, String)],
    a: Uuid,
    b: Uuid,
) -> Option<Vec<String>> {
    let (a, b) = pair(a, b);
    found
        .iter()
        .find(|p| p.0 == a && p.1 == b)
        .map(|p| p.2.clone())
}

async fn alerts(app: &TestApp, port: Uuid) -> Vec<(String, Option<String>, Option<String>)> {
    sqlx::query_as(
        "SELECT title, description, link FROM notifications
         WHERE port_id = $1 AND type = 'duplicate_alert' ORDER BY created_at",
    )
    .bind(port)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

struct Fixture {
    north: Uuid,
    jon: Uuid,
    john: Uuid,
    maria: Uuid,
    pedro: Uuid,
    elena: Uuid,
    karl: Uuid,
    zoe: Uuid,
    jane: Uuid,
}

/// Port north with three planted pairs (similar name; same e-mail, one side
/// archived; phone vs whatsapp) and two people who merely share a surname or
/// nothing at all; port south holds a twin of a north client.
async fn fixture(app: &TestApp) -> Fixture {
    let north = port(app, "north").await;
    let south = port(app, "south").await;
    let jon = client(app, north, "Jon Smith").await;
    let john = client(app, north, "John Smith").await;
    let maria = client(app, north, "Maria Lopez").await;
    contact(app, maria, "email", "shared@example.test").await;
    let pedro = client(app, north, "Pedro Alvarez").await;
    contact(app, pedro, "email", "shared@example.test").await;
    sqlx::query("UPDATE clients SET archived_at = now() WHERE id = $1")
        .bind(pedro)
        .execute(&app.db)
        .await
        .unwrap();
    let elena = client(app, north, "Elena Rossi").await;
    contact(app, elena, "phone", "+12642351234").await;
    let karl = client(app, north, "Karl Weber").await;
    contact(app, karl, "whatsapp", "+12642351234").await;
    let zoe = client(app, north, "Zoe Chan").await;
    contact(app, zoe, "email", "zoe@example.test").await;
    contact(app, zoe, "phone", "+12642359999").await;
    let jane = client(app, north, "Jane Smith").await;
    // Another port: same name and e-mail as north's clients, never paired with them.
    let twin = client(app, south, "Maria Lopez").await;
    contact(app, twin, "email", "shared@example.test").await;
    Fixture {
        north,
        jon,
        john,
        maria,
        pedro,
        elena,
        karl,
        zoe,
        jane,
    }
}

#[tokio::test]
async fn a_scan_pairs_same_email_same_phone_and_similar_names_only() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    app.sign_in_as("director", "north").await;

    let res = app
        .post_json("/api/v1/ports/north/clients/duplicates/scan", &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["clients"], 8, "{body}");
    assert_eq!(body["new"], 3, "{body}");

    let found = pairs(&app, f.north).await;
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(reasons_of(&found, f.jon, f.john), Some(vec!["name".into()]));
    assert_eq!(
        reasons_of(&found, f.maria, f.pedro),
        Some(vec!["email".into()])
    );
    assert_eq!(
        reasons_of(&found, f.elena, f.karl),
        Some(vec!["phone".into()])
    );
    for other in [f.zoe, f.jane] {
        assert!(
            found.iter().all(|p| p.0 != other && p.1 != other),
            "{other} paired: {found:?}"
        );
    }
    let similarity: f32 = sqlx::query_scalar(
        "SELECT name_similarity FROM client_duplicate_candidates WHERE 'name' = ANY(reasons)",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!((0.6..0.7).contains(&similarity), "{similarity}");

    // One notification for the whole scan, counting the pairs, to the duplicates page.
    let told = alerts(&app, f.north).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].0, "3 possible duplicate clients");
    assert_eq!(
        told[0].2.as_deref(),
        Some("/ports/north/clients/duplicates")
    );

    // Scanning again finds the same pairs, none new, and tells nobody again.
    let again: Value = app
        .post_json("/api/v1/ports/north/clients/duplicates/scan", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (again["pairs"].as_i64(), again["new"].as_i64()),
        (Some(3), Some(0))
    );
    assert_eq!(alerts(&app, f.north).await.len(), 1);
}

#[tokio::test]
async fn a_scan_of_one_client_names_it_keeps_dismissals_and_drops_stale_pairs() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let editor = app
        .create_user("editor@example.test", false, Some(("north", "sales_agent")))
        .await;
    let scan = |ids: Vec<Uuid>| {
        let state = app.state.clone();
        let north = f.north;
        async move {
            let mut tx = state.db.begin_port(north).await.unwrap();
            let found = nimara::clients::duplicates::scan(&mut tx, north, &ids)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            found
        }
    };

    // A new client sharing Zoe's phone and e-mail: one alert naming it.
    let zoey = client(&app, f.north, "Zoey Chan").await;
    contact(&app, zoey, "email", "zoe@example.test").await;
    contact(&app, zoey, "whatsapp", "+12642359999").await;
    let found = scan(vec![zoey]).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].reasons, ["email", "name", "phone"]);
    assert!(found[0].is_new && found[0].score >= 0.99);
    assert_eq!(found[0].other(zoey).0, f.zoe);
    let told = alerts(&app, f.north).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].0, "Zoey Chan may be a duplicate");
    assert_eq!(
        told[0].1.as_deref(),
        Some("Possible duplicate of Zoe Chan (same e-mail, similar name, same phone).")
    );
    assert_eq!(told[0].2, Some(format!("/ports/north/clients/{zoey}")));
    // Sent to holders of clients.edit: the sales agent is one.
    let to: Vec<String> =
        sqlx::query_scalar("SELECT user_id FROM notifications WHERE type = 'duplicate_alert'")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(to, [editor.clone()]);

    // "Not a duplicate" holds through later scans.
    sqlx::query(
        "UPDATE client_duplicate_candidates SET status = 'dismissed', resolved_at = now(), resolved_by = $1",
    )
    .bind(&editor)
    .execute(&app.db)
    .await
    .unwrap();
    assert!(scan(vec![zoey, f.zoe]).await.is_empty());
    let kept = pairs(&app, f.north).await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].3, "dismissed");
    assert_eq!(alerts(&app, f.north).await.len(), 1);

    // A pending pair whose reason went away is dropped by the next scan of either side.
    contact(&app, f.jane, "email", "jane@example.test").await;
    contact(&app, f.jon, "email", "jane@example.test").await;
    let found = scan(vec![f.jon]).await;
    assert_eq!(found.len(), 2, "{found:?}");
    sqlx::query("UPDATE client_contacts SET value = 'jon@example.test' WHERE client_id = $1")
        .bind(f.jon)
        .execute(&app.db)
        .await
        .unwrap();
    let found = scan(vec![f.jon]).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].other(f.jon).0, f.john);
    assert!(
        reasons_of(&pairs(&app, f.north).await, f.jon, f.jane).is_none(),
        "the stale pair stays"
    );
}

#[tokio::test]
async fn scanning_takes_clients_merge() {
    let app = TestApp::spawn().await;
    fixture(&app).await;
    app.sign_in_as("sales_agent", "north").await;
    let res = app
        .post_json("/api/v1/ports/north/clients/duplicates/scan", &json!({}))
        .await;
    assert_eq!(res.status(), 403);
    let none: i64 = sqlx::query_scalar("SELECT count(*) FROM client_duplicate_candidates")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(none, 0);
}
