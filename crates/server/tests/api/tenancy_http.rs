//! Cross-port isolation over HTTP: a director of port A, who may do everything
//! at A, gets 404 for every path of port B and for every id of B's records used
//! under A's paths, through the pages and the API alike.

use crate::helpers::TestApp;
use nimara::access::Access;
use reqwest::Method;
use uuid::Uuid;

/// An id of one of port B's records for the path segment before `{…}`, when
/// the test can make one; otherwise a made-up id.
async fn id_of_b(app: &TestApp, collection: &str, b: Uuid) -> String {
    let sql = match collection {
        "audit-logs" | "audit" => "SELECT id::text FROM audit_logs WHERE port_id = $1 LIMIT 1",
        "invitations" => "SELECT id::text FROM verifications WHERE port_id = $1 LIMIT 1",
        "members" => "SELECT user_id FROM user_port_roles WHERE port_id = $1 LIMIT 1",
        "notifications" => "SELECT id::text FROM notifications WHERE port_id = $1 LIMIT 1",
        "tags" => "SELECT id::text FROM tags WHERE port_id = $1 LIMIT 1",
        "custom-fields" => {
            "SELECT id::text FROM custom_field_definitions WHERE port_id = $1 LIMIT 1"
        }
        "clients" => "SELECT id::text FROM clients WHERE port_id = $1 LIMIT 1",
        "contacts" => "SELECT id::text FROM client_contacts WHERE port_id = $1 LIMIT 1",
        "relationships" => "SELECT id::text FROM client_relationships WHERE port_id = $1 LIMIT 1",
        "notes" => "SELECT id::text FROM client_notes WHERE port_id = $1 LIMIT 1",
        "saved-views" | "views" => "SELECT id::text FROM saved_views WHERE port_id = $1 LIMIT 1",
        "duplicates" => {
            "SELECT id::text FROM client_duplicate_candidates WHERE port_id = $1 LIMIT 1"
        }
        "imports" | "import" => "SELECT id::text FROM client_imports WHERE port_id = $1 LIMIT 1",
        "berths" => "SELECT id::text FROM berths WHERE port_id = $1 LIMIT 1",
        "maintenance" => "SELECT id::text FROM berth_maintenance_log WHERE port_id = $1 LIMIT 1",
        "interests" => "SELECT id::text FROM interests WHERE port_id = $1 LIMIT 1",
        "status-suggestions" => {
            "SELECT id::text FROM berth_status_suggestions WHERE port_id = $1 LIMIT 1"
        }
        "recommendations" => {
            "SELECT id::text FROM berth_recommendations WHERE port_id = $1 LIMIT 1"
        }
        "waiting-list" => "SELECT id::text FROM berth_waiting_list WHERE port_id = $1 LIMIT 1",
        _ => return Uuid::new_v4().to_string(),
    };
    sqlx::query_scalar::<_, String>(sql)
        .bind(b)
        .fetch_optional(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| Uuid::new_v4().to_string())
}

async fn concrete(app: &TestApp, path: &str, slug: &str, b: Uuid) -> String {
    let mut out = Vec::new();
    let mut previous = "";
    for seg in path.split('/') {
        let part = match seg {
            "{port}" => slug.to_owned(),
            s if s.starts_with('{') => id_of_b(app, previous, b).await,
            s => s.to_owned(),
        };
        previous = seg;
        out.push(part);
    }
    out.join("/")
}

#[tokio::test]
async fn a_director_of_port_a_gets_404_for_everything_of_port_b() {
    let app = TestApp::spawn().await;
    for slug in ["alpha", "bravo"] {
        sqlx::query("INSERT INTO ports (name, slug) VALUES ($1, $1)")
            .bind(slug)
            .execute(&app.db)
            .await
            .unwrap();
    }
    let b: Uuid = sqlx::query_scalar("SELECT id FROM ports WHERE slug = 'bravo'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    // Port B has records of its own: a member, an audit entry, a notification.
    let b_member = app
        .create_user(
            "bravo.director@example.test",
            false,
            Some(("bravo", "director")),
        )
        .await;
    sqlx::query("INSERT INTO audit_logs (port_id, user_id, action, entity_type, entity_id, field_changed, old_value, new_value) VALUES ($1, $2, 'update', 'port', $1, 'name', '\"x\"', '\"bravo\"')")
        .bind(b)
        .bind(&b_member)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query("INSERT INTO notifications (port_id, user_id, type, title) VALUES ($1, $2, 'system_alert', 'Bravo only')")
        .bind(b)
        .bind(&b_member)
        .execute(&app.db)
        .await
        .unwrap();

    // And a tag and a custom field.
    sqlx::query("INSERT INTO client_imports (port_id, content) VALUES ($1, 'Name\nBravo only\n')")
        .bind(b)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query("INSERT INTO tags (port_id, name) VALUES ($1, 'Bravo tag')")
        .bind(b)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query("INSERT INTO custom_field_definitions (port_id, entity_type, field_name, field_label, field_type) VALUES ($1, 'client', 'bravo_only', 'Bravo only', 'text')")
        .bind(b)
        .execute(&app.db)
        .await
        .unwrap();
    // Two clients of B, related, one with a contact.
    sqlx::query(
        "WITH c AS (INSERT INTO clients (port_id, full_name) VALUES ($1, 'Bravo One'), ($1, 'Bravo Two') RETURNING id),
              k AS (INSERT INTO client_contacts (port_id, client_id, channel, value)
                    SELECT $1, id, 'email', 'one@bravo.example' FROM c LIMIT 1)
         INSERT INTO client_relationships (port_id, client_a_id, client_b_id, relationship_type)
         SELECT $1, min(id::text)::uuid, max(id::text)::uuid, 'family_member' FROM c",
    )
    .bind(b)
    .execute(&app.db)
    .await
    .unwrap();
    // A note on one of them and a shared saved view.
    sqlx::query(
        "INSERT INTO client_notes (port_id, client_id, author_id, content)
         SELECT $1, id, $2, 'Bravo note' FROM clients WHERE port_id = $1 LIMIT 1",
    )
    .bind(b)
    .bind(&b_member)
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO saved_views (port_id, user_id, entity_type, name, filters, is_shared)
         VALUES ($1, $2, 'clients', 'Bravo view', '{}', true)",
    )
    .bind(b)
    .bind(&b_member)
    .execute(&app.db)
    .await
    .unwrap();
    // The same two clients as a possible-duplicate pair.
    sqlx::query(
        "INSERT INTO client_duplicate_candidates (port_id, client_a_id, client_b_id, reasons, score)
         SELECT $1, min(id::text)::uuid, max(id::text)::uuid, '{name}', 0.5
         FROM clients WHERE port_id = $1",
    )
    .bind(b)
    .execute(&app.db)
    .await
    .unwrap();

    // A berth of B with a maintenance entry, an interest on it, a
    // recommendation of it, a note on the interest and a pending status suggestion.
    sqlx::query(
        "WITH b AS (INSERT INTO berths (port_id, mooring_number) VALUES ($1, 'B-1') RETURNING id),
              m AS (INSERT INTO berth_maintenance_log (port_id, berth_id, category, description, performed_date, created_by)
                    SELECT $1, id, 'routine', 'Bravo only', '2026-01-01', 'system' FROM b),
              i AS (INSERT INTO interests (port_id, client_id, berth_id)
                    SELECT $1, (SELECT id FROM clients WHERE port_id = $1 LIMIT 1), b.id FROM b RETURNING id, berth_id),
              r AS (INSERT INTO berth_recommendations (port_id, interest_id, berth_id, source)
                    SELECT $1, id, berth_id, 'ai' FROM i),
              n AS (INSERT INTO interest_notes (port_id, interest_id, author_id, content)
                    SELECT $1, i.id, $2, 'Bravo interest note' FROM i)
         INSERT INTO berth_status_suggestions (port_id, berth_id, interest_id, trigger, target_status)
         SELECT $1, i.berth_id, i.id, 'interest_linked', 'under_offer' FROM i",
    )
    .bind(b)
    .bind(&b_member)
    .execute(&app.db)
    .await
    .unwrap();
    // A berth of B with its map shape and a waiting list of one.
    sqlx::query(
        "WITH b AS (INSERT INTO berths (port_id, mooring_number, status) VALUES ($1, 'B1', 'available') RETURNING id),
              m AS (INSERT INTO berth_map_data (port_id, berth_id, svg_path) SELECT $1, id, 'M0 0h9v9h-9Z' FROM b)
         INSERT INTO berth_waiting_list (port_id, berth_id, client_id, position)
         SELECT $1, b.id, c.id, 1 FROM b, (SELECT id FROM clients WHERE port_id = $1 LIMIT 1) c",
    )
    .bind(b)
    .execute(&app.db)
    .await
    .unwrap();

    app.sign_in_as("director", "alpha").await;
    let csrf: String =
        sqlx::query_scalar("SELECT csrf_token FROM sessions ORDER BY created_at DESC LIMIT 1")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let (_, declared) = nimara::http::routes(&app.state).into_parts();
    let mut leaks = Vec::new();
    for route in declared.iter().filter(|r| {
        matches!(
            r.access,
            Access::Port(_) | Access::AnyOf(_) | Access::Member
        )
    }) {
        let method = Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
        // B's slug, and B's ids under A's slug.
        for slug in ["bravo", "alpha"] {
            let path = concrete(&app, &route.path, slug, b).await;
            // Under A's own slug only the routes naming a record are of interest.
            if slug == "alpha" && route.path.matches('{').count() < 2 {
                continue;
            }
            let mut req = app.client.request(method.clone(), app.url(&path));
            if method != Method::GET {
                req = if path.starts_with("/api/") {
                    req.json(&serde_json::json!({}))
                } else {
                    req.form(&[("_csrf", csrf.as_str())])
                };
            }
            let status = req.send().await.unwrap().status().as_u16();
            // Validation of an empty body may come first (422/400); anything else
            // that is not 404 means B's record or B's port answered.
            if !(status == 404 || ((status == 422 || status == 400) && slug == "alpha")) {
                leaks.push(format!("{} {path}: {status}", route.method));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "port B answered a port-A director:\n{}",
        leaks.join("\n")
    );

    // And nothing of B shows in A's lists.
    let audit = app
        .get("/api/v1/ports/alpha/audit-logs")
        .await
        .text()
        .await
        .unwrap();
    assert!(!audit.contains("bravo"), "{audit}");
    let notes = app.get("/api/v1/notifications").await.text().await.unwrap();
    assert!(!notes.contains("Bravo only"));
}
