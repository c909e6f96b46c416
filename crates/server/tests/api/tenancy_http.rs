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
        "imports" | "import" => "SELECT id::text FROM client_imports WHERE port_id = $1 LIMIT 1",
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

    sqlx::query("INSERT INTO client_imports (port_id, content) VALUES ($1, 'Name\nBravo only\n')")
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
