//! The user's profile and preferences.

use super::{audit_rows, call, member, port};
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn the_profile_is_checked_saved_and_followed_by_the_pages() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    let (me, _) = member(&app, "sales_agent", "anchor").await;

    let (status, p) = call(&me, &app, Method::GET, "/api/v1/me/profile", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        p["preferences"],
        json!({"theme": "system", "locale": "en", "date_format": "YYYY-MM-DD"})
    );

    for (body, field) in [
        (
            json!({"preferences": {"colour": "blue"}}),
            "preferences.colour",
        ),
        (
            json!({"preferences": {"theme": "blue"}}),
            "preferences.theme",
        ),
        (
            json!({"preferences": {"locale": "English"}}),
            "preferences.locale",
        ),
        (
            json!({"preferences": {"date_format": "dd-mm"}}),
            "preferences.date_format",
        ),
        (json!({"phone": "call me"}), "phone"),
        (json!({"display_name": "  "}), "display_name"),
        (json!({"avatar_url": "javascript:alert(1)"}), "avatar_url"),
        (json!({"is_super_admin": true}), "is_super_admin"),
    ] {
        let (status, err) = call(
            &me,
            &app,
            Method::PATCH,
            "/api/v1/me/profile",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(err["errors"][field].is_array(), "{body} → {err}");
    }

    let (status, p) = call(
        &me,
        &app,
        Method::PATCH,
        "/api/v1/me/profile",
        Some(json!({
            "display_name": "Sam Seaward", "phone": "+1 (264) 497-2000",
            "preferences": {"theme": "dark", "date_format": "DD/MM/YYYY"}
        })),
    )
    .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(
        (p["display_name"].as_str(), p["phone"].as_str()),
        (Some("Sam Seaward"), Some("+1 (264) 497-2000"))
    );
    assert_eq!(
        p["preferences"],
        json!({"theme": "dark", "locale": "en", "date_format": "DD/MM/YYYY"})
    );
    let (_, p) = call(
        &me,
        &app,
        Method::PATCH,
        "/api/v1/me/profile",
        Some(json!({"phone": null})),
    )
    .await;
    assert!(p["phone"].is_null() && p["preferences"]["theme"] == "dark");

    // One row per changed field: three from the first change, one from the second.
    let mut fields: Vec<String> = audit_rows(&app, "user_profile")
        .await
        .into_iter()
        .filter_map(|r| r.1)
        .collect();
    fields.sort();
    assert_eq!(fields, ["display_name", "phone", "phone", "preferences"]);

    let html = me
        .get(app.url("/ports/anchor"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(r#"data-theme-pref="dark""#),
        "the chosen theme follows the user"
    );
    let html = me
        .get(app.url("/ports/anchor"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Sam Seaward"));
}
