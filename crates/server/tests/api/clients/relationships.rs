//! Relationships: shown on both clients with the label of each side; never to
//! oneself; never to another port's client.

use super::{BASE, bravo_client, fields, named, send, setup};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_relationship_shows_on_both_clients_read_from_each_side() {
    let app = setup().await;
    let amelia = named(&app, "Amelia Hartley").await;
    let james = named(&app, "James Brennan").await;
    let (status, rel) = send(
        &app,
        Method::POST,
        &format!("{BASE}/{amelia}/relationships"),
        Some(json!({"client_b_id": james, "relationship_type": "referred_by", "description": "Boat show"})),
    )
    .await;
    assert_eq!(status, 201, "{rel}");
    assert_eq!(rel["label"], "Referred by");
    assert_eq!(rel["other_client_name"], "James Brennan");

    let (_, theirs) = send(
        &app,
        Method::GET,
        &format!("{BASE}/{james}/relationships"),
        None,
    )
    .await;
    let row = &theirs["data"][0];
    assert_eq!(row["other_client_id"], amelia.as_str());
    assert_eq!(row["other_client_name"], "Amelia Hartley");
    assert_eq!(row["label"], "Referred");

    // The same relationship twice is a conflict.
    let (status, _) = send(
        &app,
        Method::POST,
        &format!("{BASE}/{amelia}/relationships"),
        Some(json!({"client_b_id": james, "relationship_type": "referred_by"})),
    )
    .await;
    assert_eq!(status, 409);

    // Either side may remove it; it is gone from both.
    let rel_id = rel["id"].as_str().unwrap();
    let res = app
        .client
        .delete(app.url(&format!("{BASE}/{james}/relationships/{rel_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let (_, mine) = send(
        &app,
        Method::GET,
        &format!("{BASE}/{amelia}/relationships"),
        None,
    )
    .await;
    assert!(mine["data"].as_array().unwrap().is_empty());
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_logs WHERE entity_type = 'client_relationship'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(audited, 2);
}

#[tokio::test]
async fn a_client_cannot_relate_to_itself_or_to_another_ports_client() {
    let app = setup().await;
    let id = named(&app, "Sofia Moreau").await;
    let path = format!("{BASE}/{id}/relationships");
    let (status, problem) = send(
        &app,
        Method::POST,
        &path,
        Some(json!({"client_b_id": id, "relationship_type": "family_member"})),
    )
    .await;
    assert_eq!(
        (status, fields(&problem)),
        (422, vec!["client_b_id".to_owned()])
    );
    let (status, problem) = send(
        &app,
        Method::POST,
        &path,
        Some(json!({"client_b_id": uuid::Uuid::new_v4(), "relationship_type": "cousin"})),
    )
    .await;
    assert_eq!(
        (status, fields(&problem)),
        (422, vec!["relationship_type".to_owned()])
    );
    let b = bravo_client(&app).await;
    let (status, _) = send(
        &app,
        Method::POST,
        &path,
        Some(json!({"client_b_id": b, "relationship_type": "same_vessel"})),
    )
    .await;
    assert_eq!(status, 404);
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM client_relationships")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(n, 0);
}
