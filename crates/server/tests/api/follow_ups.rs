//! The follow-up job: an interest with reminders on and no contact for its
//! days gets one automatic reminder per cooldown — not one per run — with a
//! `follow_up_created` notification, only inside the port's send window in
//! the port's time zone.

use crate::admin::{call, member};
use crate::helpers::{TestApp, port};
use crate::interests::{create, patch};
use crate::notes::client;
use chrono::{DateTime, Duration, TimeZone, Utc};
use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

/// (title, assigned_to, auto_generated, interest_id, client_id) of the port's reminders.
type Reminder = (String, Option<String>, bool, Option<Uuid>, Option<Uuid>);

async fn reminders(app: &TestApp) -> Vec<Reminder> {
    sqlx::query_as(
        "SELECT title, assigned_to, auto_generated, interest_id, client_id FROM reminders ORDER BY created_at, id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap()
}

async fn run(app: &TestApp, port_id: Uuid, at: DateTime<Utc>) -> usize {
    nimara::interests::follow_ups::run_at(&app.state.db, port_id, at)
        .await
        .expect("the follow-up run succeeds")
}

#[tokio::test]
async fn a_quiet_interest_gets_one_reminder_per_cooldown_and_none_outside_the_window() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    // Tokyo (UTC+9, no summer time): the window 09:00–17:00 there is 00:00–08:00 UTC.
    sqlx::query("UPDATE ports SET timezone = 'Asia/Tokyo' WHERE id = $1")
        .bind(north)
        .execute(&app.db)
        .await
        .unwrap();
    let (director, _) = member(&app, "director", "north").await;
    let (status, body) = call(
        &director,
        &app,
        Method::PUT,
        "/api/v1/ports/north/settings/follow_up_defaults",
        Some(json!({"reminder_days": 7, "cooldown_hours": 24,
                    "send_window": {"start": "09:00", "end": "17:00"}})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ann = client(&app, north, "Ann Hart").await;
    let bo = client(&app, north, "Bo Lind").await;
    let (agent, agent_id) = member(&app, "sales_agent", "north").await;
    let quiet = create(
        &agent,
        &app,
        "north",
        json!({"client_id": ann, "reminder_enabled": true, "reminder_days": 3}),
    )
    .await;
    let quiet_id: Uuid = quiet["id"].as_str().unwrap().parse().unwrap();
    // On the port's default of 7 days; contacted 5 days ago: not due yet.
    let recent = create(
        &agent,
        &app,
        "north",
        json!({"client_id": bo, "reminder_enabled": true}),
    )
    .await;
    // Reminders off; and one archived: never.
    let off = create(&agent, &app, "north", json!({"client_id": bo})).await;
    let gone = create(
        &agent,
        &app,
        "north",
        json!({"client_id": ann, "reminder_enabled": true}),
    )
    .await;
    let t0 = Utc.with_ymd_and_hms(2030, 5, 6, 1, 0, 0).unwrap(); // 10:00 in Tokyo
    sqlx::query(
        "UPDATE interests SET created_at = $2 - interval '30 days',
                date_last_contact = CASE WHEN id = $3 THEN $2 - interval '5 days' ELSE $2 - interval '10 days' END,
                archived_at = CASE WHEN id = $4 THEN now() END
         WHERE port_id = $1",
    )
    .bind(north)
    .bind(t0)
    .bind(Uuid::parse_str(recent["id"].as_str().unwrap()).unwrap())
    .bind(Uuid::parse_str(gone["id"].as_str().unwrap()).unwrap())
    .execute(&app.db)
    .await
    .unwrap();
    assert!(off["reminder_enabled"] == false);

    // Outside the window (06:00 in Tokyo): nothing.
    assert_eq!(run(&app, north, t0 - Duration::hours(4)).await, 0);
    assert!(reminders(&app).await.is_empty());

    // Inside: one reminder, assigned to the member who last changed the interest.
    assert_eq!(run(&app, north, t0).await, 1);
    let made = reminders(&app).await;
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].0, "Follow up with Ann Hart");
    assert_eq!(made[0].1.as_deref(), Some(agent_id.as_str()));
    assert!(made[0].2, "auto_generated");
    assert_eq!((made[0].3, made[0].4), (Some(quiet_id), Some(ann)));
    let fired: Option<DateTime<Utc>> =
        sqlx::query_scalar("SELECT reminder_last_fired FROM interests WHERE id = $1")
            .bind(quiet_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(fired, Some(t0));
    let told: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT user_id, title, link FROM notifications WHERE type = 'follow_up_created'",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        told,
        [(
            agent_id.clone(),
            "Follow up with Ann Hart".into(),
            Some(format!("/ports/north/interests/{quiet_id}"))
        )]
    );

    // Run after run within the cooldown: no more.
    for minutes in [0, 15, 30, 60, 6 * 60] {
        assert_eq!(
            run(&app, north, t0 + Duration::minutes(minutes)).await,
            0,
            "+{minutes} min"
        );
    }
    assert_eq!(reminders(&app).await.len(), 1);
    // A day later (the cooldown) it fires again, once; by then the other one
    // (7 days on the port's default, 5 + 1 days quiet) is still not due.
    let t1 = t0 + Duration::hours(24);
    assert_eq!(run(&app, north, t1).await, 1);
    assert_eq!(run(&app, north, t1 + Duration::minutes(15)).await, 0);
    assert_eq!(reminders(&app).await.len(), 2);
    // Two more days: the other interest is due now too.
    assert_eq!(run(&app, north, t1 + Duration::hours(48)).await, 2);

    // Contact resets the clock: after a contact today, no follow-up until it
    // is quiet again; turning reminders off stops them.
    patch(
        &agent,
        &app,
        "north",
        &recent["id"],
        json!({"reminder_enabled": false}),
    )
    .await;
    sqlx::query("UPDATE interests SET date_last_contact = $2 WHERE id = $1")
        .bind(quiet_id)
        .bind(t1 + Duration::hours(72))
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(run(&app, north, t1 + Duration::hours(96)).await, 0);

    // The recurring job is registered per port.
    let registry = nimara::jobs::default_registry();
    let job = registry
        .recurring()
        .iter()
        .find(|r| r.name == "interests.follow_ups")
        .expect("the follow-up job is scheduled");
    assert_eq!(job.scope, nimara::jobs::Scope::EachPort);
}
