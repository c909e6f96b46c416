//! Contacts: normalised values, one primary per channel, 409 on a repeat, audited.

use super::{BASE, fields, named, send, setup};
use reqwest::Method;
use serde_json::{Value, json};

fn primaries(list: &Value, channel: &str) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["channel"] == channel && c["is_primary"] == true)
        .map(|c| c["value"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn one_primary_per_channel_is_kept_through_every_change() {
    let app = setup().await;
    let id = named(&app, "Olivia Whitfield").await;
    let path = format!("{BASE}/{id}/contacts");
    let add = |value: &str, primary: bool| json!({"channel": "email", "value": value, "is_primary": primary, "label": "work"});
    let (s1, first) = send(
        &app,
        Method::POST,
        &path,
        Some(add("one@example.com", false)),
    )
    .await;
    assert_eq!(s1, 201, "{first}");
    assert_eq!(
        first["is_primary"], true,
        "the first of a channel is primary"
    );
    let (_, second) = send(
        &app,
        Method::POST,
        &path,
        Some(add("two@example.com", false)),
    )
    .await;
    assert_eq!(second["is_primary"], false);
    let (_, third) = send(
        &app,
        Method::POST,
        &path,
        Some(add("three@example.com", true)),
    )
    .await;
    assert_eq!(third["is_primary"], true);
    let (_, list) = send(&app, Method::GET, &path, None).await;
    assert_eq!(primaries(&list, "email"), ["three@example.com"]);

    // Making the second primary unsets the third.
    let second_path = format!("{path}/{}", second["id"].as_str().unwrap());
    let (status, _) = send(
        &app,
        Method::PATCH,
        &second_path,
        Some(json!({"is_primary": true})),
    )
    .await;
    assert_eq!(status, 200);
    let (_, list) = send(&app, Method::GET, &path, None).await;
    assert_eq!(primaries(&list, "email"), ["two@example.com"]);

    // Deleting the primary promotes the oldest remaining one.
    let res = app
        .client
        .delete(app.url(&second_path))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let (_, list) = send(&app, Method::GET, &path, None).await;
    assert_eq!(primaries(&list, "email"), ["one@example.com"]);
    assert_eq!(list["data"].as_array().unwrap().len(), 2);

    // Audited, and on the client's timeline.
    let (_, timeline) = send(
        &app,
        Method::GET,
        &format!("{BASE}/{id}/timeline?limit=200"),
        None,
    )
    .await;
    let kinds: Vec<&str> = timeline["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["entity_type"].as_str().unwrap())
        .collect();
    assert!(
        kinds.iter().filter(|k| **k == "client_contact").count() >= 5,
        "{kinds:?}"
    );
}

#[tokio::test]
async fn values_are_normalised_and_a_repeat_is_a_conflict() {
    let app = setup().await;
    let id = named(&app, "Rafael Vasquez").await;
    let path = format!("{BASE}/{id}/contacts");
    let (status, phone) = send(
        &app,
        Method::POST,
        &path,
        Some(json!({"channel": "phone", "value": "264-772-5555", "label": "mobile"})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(phone["value"], "+12647725555");
    // The same number written another way is the same contact.
    let (status, _) = send(
        &app,
        Method::POST,
        &path,
        Some(json!({"channel": "phone", "value": "+1 (264) 772 5555"})),
    )
    .await;
    assert_eq!(status, 409);
    // The port's region decides how a number without country code is read.
    sqlx::query("INSERT INTO system_settings (port_id, key, value) SELECT id, 'contact_defaults', '{\"phone_region\": \"GB\"}' FROM ports WHERE slug = 'alpha'")
        .execute(&app.db)
        .await
        .unwrap();
    let (status, uk) = send(
        &app,
        Method::POST,
        &path,
        Some(json!({"channel": "whatsapp", "value": "07911 123456"})),
    )
    .await;
    assert_eq!(status, 201, "{uk}");
    assert_eq!(uk["value"], "+447911123456");

    let (status, email) = send(
        &app,
        Method::POST,
        &path,
        Some(json!({"channel": "email", "value": "  Rafael@Example.COM"})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(email["value"], "rafael@example.com");
    for (body, field) in [
        (json!({"channel": "email", "value": "rafael@"}), "value"),
        (json!({"channel": "phone", "value": "12"}), "value"),
        (json!({"channel": "fax", "value": "1"}), "channel"),
    ] {
        let (status, problem) = send(&app, Method::POST, &path, Some(body)).await;
        assert_eq!((status, fields(&problem)), (422, vec![field.to_owned()]));
    }
    let (status, problem) = send(
        &app,
        Method::PATCH,
        &format!("{path}/{}", email["id"].as_str().unwrap()),
        Some(json!({"value": "nope"})),
    )
    .await;
    assert_eq!((status, fields(&problem)), (422, vec!["value".to_owned()]));
}
