//! System settings: defaults, the installation's value, the port's value.

use super::{audit_rows, call, member, port};
use crate::helpers::TestApp;
use domain::settings::{CurrencyDisplay, FollowUpDefaults};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn setting<'a>(list: &'a Value, key: &str) -> &'a Value {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == key)
        .unwrap()
}

#[tokio::test]
async fn a_setting_is_the_ports_value_else_the_installations_else_the_default() {
    let app = TestApp::spawn().await;
    let anchor = port(&app, "anchor").await;
    let bay = port(&app, "bay").await;
    let (dir, _) = member(&app, "director", "anchor").await;

    let (status, list) = call(
        &dir,
        &app,
        Method::GET,
        "/api/v1/ports/anchor/settings",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let follow = setting(&list, "follow_up_defaults");
    assert_eq!(
        (follow["source"].as_str(), follow["scope"].as_str()),
        (Some("default"), Some("port"))
    );
    assert_eq!(
        follow["value"],
        json!({"reminder_days": 7, "send_window": {"start": "08:00", "end": "18:00"}, "cooldown_hours": 72})
    );
    let rules = &setting(&list, "berth_status_rules")["value"];
    assert_eq!(rules.as_array().unwrap().len(), 8);
    assert!(rules.as_array().unwrap().contains(
        &json!({"trigger": "eoi_signed", "mode": "auto", "target_status": "under_offer"})
    ));
    assert_eq!(
        setting(&list, "eoi_reminder_settings")["value"]["max_reminders"],
        3
    );
    assert_eq!(setting(&list, "currency_display")["scope"], "global");

    sqlx::query(
        "INSERT INTO system_settings (key, value, port_id) VALUES ('follow_up_defaults', $1, NULL)",
    )
    .bind(json!({"reminder_days": 10}))
    .execute(&app.db)
    .await
    .unwrap();
    let (_, one) = call(
        &dir,
        &app,
        Method::GET,
        "/api/v1/ports/anchor/settings/follow_up_defaults",
        None,
    )
    .await;
    assert_eq!(
        (
            one["source"].as_str(),
            one["value"]["reminder_days"].as_i64()
        ),
        (Some("global"), Some(10))
    );

    let (status, put) = call(
        &dir,
        &app,
        Method::PUT,
        "/api/v1/ports/anchor/settings/follow_up_defaults",
        Some(json!({"reminder_days": 14, "cooldown_hours": 48})),
    )
    .await;
    assert_eq!(status, 200, "{put}");
    assert_eq!(
        put["value"]["send_window"]["start"], "08:00",
        "fields left out take their defaults"
    );
    let (_, one) = call(
        &dir,
        &app,
        Method::GET,
        "/api/v1/ports/anchor/settings/follow_up_defaults",
        None,
    )
    .await;
    assert_eq!(
        (
            one["source"].as_str(),
            one["value"]["reminder_days"].as_i64()
        ),
        (Some("port"), Some(14))
    );

    // The typed accessor reads the same, for any code that needs a setting.
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let at_anchor = nimara::settings::get::<FollowUpDefaults>(&mut conn, Some(anchor))
        .await
        .unwrap();
    assert_eq!(at_anchor.reminder_days, 14);
    let at_bay = nimara::settings::get::<FollowUpDefaults>(&mut conn, Some(bay))
        .await
        .unwrap();
    assert_eq!((at_bay.reminder_days, at_bay.cooldown_hours), (10, 72));
    let currency = nimara::settings::get::<CurrencyDisplay>(&mut conn, Some(bay))
        .await
        .unwrap();
    assert_eq!(currency, CurrencyDisplay::default());

    let rows = audit_rows(&app, "setting").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].1.as_deref(), rows[0].2.clone()),
        (Some("follow_up_defaults"), Some(Value::Null))
    );
}

#[tokio::test]
async fn a_setting_that_does_not_fit_answers_422_naming_the_field() {
    let app = TestApp::spawn().await;
    port(&app, "anchor").await;
    let (dir, _) = member(&app, "director", "anchor").await;
    let put = |key: &str| format!("/api/v1/ports/anchor/settings/{key}");
    for (key, body, field) in [
        (
            "follow_up_defaults",
            json!({"send_window": {"start": "8am", "end": "18:00"}}),
            "send_window.start",
        ),
        (
            "follow_up_defaults",
            json!({"reminder_days": "seven"}),
            "reminder_days",
        ),
        (
            "follow_up_defaults",
            json!({"reminder_days": 0}),
            "reminder_days",
        ),
        ("follow_up_defaults", json!({"snooze": 1}), "snooze"),
        (
            "eoi_reminder_settings",
            json!({"send_window": {"start": "18:00", "end": "09:00"}}),
            "send_window.end",
        ),
        (
            "berth_status_rules",
            json!([{"trigger": "eoi_sent", "mode": "auto", "target_status": "available"}]),
            "[0].mode",
        ),
        (
            "berth_status_rules",
            json!([{"trigger": "moon_rise", "mode": "off", "target_status": "sold"}]),
            "[0].trigger",
        ),
    ] {
        let (status, body) = call(&dir, &app, Method::PUT, &put(key), Some(body.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{key} {body}");
        assert!(body["errors"][field].is_array(), "{key}: {field} in {body}");
    }
    assert_eq!(
        call(
            &dir,
            &app,
            Method::PUT,
            &put("colour_of_sky"),
            Some(json!({}))
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(&dir, &app, Method::GET, &put("colour_of_sky"), None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // The installation-wide setting changes every port: super admins only.
    let currency =
        json!({"primary_currency": "EUR", "secondary_currency": "USD", "decimal_places": 2});
    assert_eq!(
        call(
            &dir,
            &app,
            Method::PUT,
            &put("currency_display"),
            Some(currency.clone())
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    app.sign_in_super_admin().await;
    let (status, out) = call(
        &app.client,
        &app,
        Method::PUT,
        &put("currency_display"),
        Some(currency),
    )
    .await;
    assert_eq!(
        (status, out["source"].as_str()),
        (StatusCode::OK, Some("global"))
    );
    let port_id: Option<uuid::Uuid> =
        sqlx::query_scalar("SELECT port_id FROM system_settings WHERE key = 'currency_display'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(port_id, None);

    // Viewers read settings and change none.
    let (viewer, _) = member(&app, "viewer", "anchor").await;
    assert_eq!(
        call(
            &viewer,
            &app,
            Method::GET,
            "/api/v1/ports/anchor/settings",
            None
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        call(
            &viewer,
            &app,
            Method::PUT,
            &put("follow_up_defaults"),
            Some(json!({}))
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
}
