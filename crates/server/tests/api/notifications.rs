//! Notifications: the one call honours preferences and permissions, a user
//! sees and marks only their own, and a notification committed by one
//! `nimara` process reaches an event stream held open by another.

use crate::helpers::port;
use crate::helpers::{PASSWORD, TestApp, fresh_database};
use nimara::app::{Application, BuildOptions};
use nimara::config::Config;
use nimara::notifications::{self, Kind, Notice, Recipients};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

async fn add_role(app: &TestApp, user: &str, port: Uuid, role: &str) {
    sqlx::query(
        "INSERT INTO user_port_roles (user_id, port_id, role_id) SELECT $1, $2, id FROM roles WHERE name = $3",
    )
    .bind(user)
    .bind(port)
    .bind(role)
    .execute(&app.db)
    .await
    .unwrap();
}

/// Calls `notify` the way a handler does: in a transaction acting for the port.
async fn notify(
    state: &nimara::AppState,
    port: Uuid,
    recipients: Recipients,
    notice: Notice,
) -> Vec<Uuid> {
    let mut tx = state.db.begin_port(port).await.unwrap();
    let ids = notifications::notify(&mut tx, port, recipients, notice)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    ids
}

fn notice(title: &str) -> Notice {
    Notice::new(Kind::ReminderDue, title)
        .description("Call the owner of Aurora about the deposit.")
        .link("/ports/north/reminders/1")
}

async fn user_id(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// A reader of a Server-Sent Events response.
struct EventStream {
    res: reqwest::Response,
    buf: String,
}

impl EventStream {
    async fn open(client: &reqwest::Client, url: String) -> EventStream {
        let res = client
            .get(url)
            .header("accept", "text/event-stream")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        EventStream {
            res,
            buf: String::new(),
        }
    }

    /// The next event (comments skipped) as (name, data), or `None` when
    /// nothing arrives within `wait` or the stream ends.
    async fn next(&mut self, wait: Duration) -> Option<(String, Value)> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut name = None;
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = Some(v.trim().to_owned());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                match name {
                    Some(name) => return Some((name, serde_json::from_str(&data).unwrap())),
                    None => continue, // a keep-alive comment
                }
            }
            match tokio::time::timeout_at(deadline, self.res.chunk()).await {
                Ok(Ok(Some(bytes))) => self.buf.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }

    /// The next event named `name`, skipping others.
    async fn expect(&mut self, name: &str, wait: Duration) -> Value {
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left).await {
                Some((n, data)) if n == name => return data,
                Some(_) => continue,
                None => panic!("no `{name}` event within {wait:?}"),
            }
        }
    }
}

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn each_recipient_gets_what_their_preferences_ask_for() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let both = app
        .create_user("both@example.test", false, Some(("north", "director")))
        .await;
    let mail_only = app
        .create_user("mail.only@example.test", false, Some(("north", "viewer")))
        .await;
    let app_only = app
        .create_user("app.only@example.test", false, Some(("north", "viewer")))
        .await;
    let outsider = app.create_user("outsider@example.test", false, None).await;
    // Preferences set through the API, as the user would.
    for (email, in_app, email_on) in [
        ("mail.only@example.test", false, true),
        ("app.only@example.test", true, false),
    ] {
        let c = TestApp::client_for(&app);
        let res = c
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let res = c
            .put(app.url("/api/v1/me/notification-preferences"))
            .json(&json!([{"port": "north", "notification_type": "reminder_due", "in_app": in_app, "email": email_on}]))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }

    let ids = notify(
        &app.state,
        north,
        Recipients::Users(vec![
            both.clone(),
            mail_only.clone(),
            app_only.clone(),
            outsider.clone(),
        ]),
        notice("Reminder: call the owner of Aurora"),
    )
    .await;
    assert_eq!(ids.len(), 2, "in-app rows for `both` and `app_only` only");

    let rows: Vec<(String, String, bool, bool)> = sqlx::query_as(
        "SELECT user_id, type, email_sent, is_read FROM notifications WHERE port_id = $1 ORDER BY user_id",
    )
    .bind(north)
    .fetch_all(&app.db)
    .await
    .unwrap();
    let mut expected = vec![
        (both.clone(), "reminder_due".to_owned(), true, false),
        (app_only.clone(), "reminder_due".to_owned(), false, false),
    ];
    expected.sort();
    assert_eq!(rows, expected);

    // Nothing is mailed before the jobs run; then one message each to `both` and `mail_only`.
    assert!(app.outbox().is_empty());
    assert_eq!(app.run_jobs().await, 2);
    let outbox = app.outbox();
    assert_eq!(outbox.len(), 2);
    let to: Vec<bool> = ["both@example.test", "mail.only@example.test"]
        .iter()
        .map(|a| outbox.iter().any(|m| m.contains(&format!("To: {a}"))))
        .collect();
    assert_eq!(to, [true, true]);
    assert!(
        !outbox
            .iter()
            .any(|m| m.contains("app.only@") || m.contains("outsider@"))
    );
    let mail = &outbox[0];
    assert!(
        mail.contains("Subject: [north] Reminder: call the owner of Aurora"),
        "{mail}"
    );
    assert!(mail.contains("Call the owner of Aurora about the deposit."));
    assert!(mail.contains("/ports/north/reminders/1"));
}

#[tokio::test]
async fn a_rolled_back_change_notifies_no_one() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let dana = app
        .create_user("dana@example.test", false, Some(("north", "director")))
        .await;
    let mut tx = app.state.db.begin_port(north).await.unwrap();
    notifications::notify(
        &mut tx,
        north,
        Recipients::Users(vec![dana]),
        notice("Never"),
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM notifications")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(count, 0);
    assert_eq!(app.run_jobs().await, 0);
}

#[tokio::test]
async fn with_permission_picks_the_active_members_holding_it_at_that_port() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let south = port(&app, "south").await;
    let director = app
        .create_user("director@example.test", false, Some(("north", "director")))
        .await;
    let manager = app
        .create_user(
            "manager@example.test",
            false,
            Some(("north", "sales_manager")),
        )
        .await;
    let agent = app
        .create_user("agent@example.test", false, Some(("north", "sales_agent")))
        .await;
    let viewer = app
        .create_user("viewer@example.test", false, Some(("north", "viewer")))
        .await;
    let two_roles = app
        .create_user("two.roles@example.test", false, Some(("north", "viewer")))
        .await;
    add_role(&app, &two_roles, north, "sales_manager").await;
    let gone = app
        .create_user("gone@example.test", false, Some(("north", "director")))
        .await;
    sqlx::query("UPDATE user_profiles SET is_active = false WHERE user_id = $1")
        .bind(&gone)
        .execute(&app.db)
        .await
        .unwrap();
    let elsewhere = app
        .create_user(
            "south.director@example.test",
            false,
            Some(("south", "director")),
        )
        .await;
    let _admin_not_member = app.create_user("admin@example.test", true, None).await;
    let admin_member = app
        .create_user("admin.member@example.test", true, Some(("north", "viewer")))
        .await;
    // At north, agents may change berth statuses and managers may not; at south the reverse.
    for (port_id, role, value) in [
        (north, "sales_agent", true),
        (north, "sales_manager", false),
        (south, "sales_agent", false),
        (south, "sales_manager", true),
    ] {
        sqlx::query(
            "INSERT INTO port_role_overrides (port_id, role_id, permission_overrides)
             SELECT $1, id, jsonb_build_object('berths.change_status', $3::boolean) FROM roles WHERE name = $2",
        )
        .bind(port_id)
        .bind(role)
        .bind(value)
        .execute(&app.db)
        .await
        .unwrap();
    }

    notify(
        &app.state,
        north,
        Recipients::WithPermission("berths.change_status"),
        Notice::new(Kind::WaitingList, "Berth A-12 is available"),
    )
    .await;
    let mut told: Vec<String> =
        sqlx::query_scalar("SELECT user_id FROM notifications WHERE port_id = $1")
            .bind(north)
            .fetch_all(&app.db)
            .await
            .unwrap();
    told.sort();
    let mut expected = vec![director, agent, admin_member];
    expected.sort();
    assert_eq!(told, expected);
    for not_told in [manager, viewer, two_roles, gone, elsewhere] {
        assert!(!told.contains(&not_told));
    }
}

#[tokio::test]
async fn a_user_reads_and_marks_only_their_own_notifications() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let south = port(&app, "south").await;
    let dana = app
        .create_user("dana@example.test", false, Some(("north", "director")))
        .await;
    add_role(&app, &dana, south, "viewer").await;
    let eric = app
        .create_user("eric@example.test", false, Some(("north", "director")))
        .await;
    let mut danas = Vec::new();
    for i in 0..3 {
        danas.extend(
            notify(
                &app.state,
                north,
                Recipients::Users(vec![dana.clone()]),
                notice(&format!("north {i}")),
            )
            .await,
        );
    }
    danas.extend(
        notify(
            &app.state,
            south,
            Recipients::Users(vec![dana.clone()]),
            notice("south 0"),
        )
        .await,
    );
    let erics = notify(
        &app.state,
        north,
        Recipients::Users(vec![eric.clone()]),
        notice("for eric"),
    )
    .await;

    assert_eq!(app.login("dana@example.test", PASSWORD).await.status(), 200);
    let list: Value = app.get("/api/v1/notifications").await.json().await.unwrap();
    let titles: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["south 0", "north 2", "north 1", "north 0"],
        "newest first, both ports"
    );
    assert_eq!(list["next_cursor"], Value::Null);
    let first = &list["data"][0];
    for field in [
        "id",
        "port_id",
        "user_id",
        "type",
        "title",
        "description",
        "link",
        "entity_type",
        "entity_id",
        "is_read",
        "email_sent",
        "created_at",
    ] {
        assert!(first.get(field).is_some(), "field {field}");
    }
    assert_eq!(first["type"], "reminder_due");
    assert_eq!(first["user_id"], dana.as_str());

    // Keyset pages of two.
    let page: Value = app
        .get("/api/v1/notifications?limit=2")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let rest: Value = app
        .get(&format!("/api/v1/notifications?limit=2&cursor={cursor}"))
        .await
        .json()
        .await
        .unwrap();
    let titles: Vec<&str> = rest["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["north 1", "north 0"]);
    assert_eq!(rest["next_cursor"], Value::Null);
    assert_eq!(app.get("/api/v1/notifications?limit=0").await.status(), 422);
    assert_eq!(
        app.get("/api/v1/notifications?cursor=nonsense")
            .await
            .status(),
        422
    );
    assert_eq!(
        app.get("/api/v1/notifications?colour=red").await.status(),
        400
    );

    // One port; a port that is not hers does not exist.
    let south_only: Value = app
        .get("/api/v1/notifications?port=south")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(south_only["data"].as_array().unwrap().len(), 1);
    port(&app, "west").await;
    assert_eq!(
        app.get("/api/v1/notifications?port=west").await.status(),
        404
    );
    assert_eq!(
        app.get("/api/v1/notifications?port=nowhere").await.status(),
        404
    );

    // Eric's notification is not there for her: not listed, not markable.
    let res = app
        .post_json(
            &format!("/api/v1/notifications/{}/read", erics[0]),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 404);
    let res = app
        .post_json(
            &format!("/api/v1/notifications/{}/read", Uuid::new_v4()),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 404);

    // Mark one read, then all at north; south's stays unread; Eric's is untouched.
    let res = app
        .post_json(
            &format!("/api/v1/notifications/{}/read", danas[0]),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let marked: Value = res.json().await.unwrap();
    assert_eq!(marked["is_read"], true);
    assert_eq!(marked["id"], danas[0].to_string());
    let unread: Value = app
        .get("/api/v1/notifications?unread=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unread["data"].as_array().unwrap().len(), 3);
    let res = app
        .post_json("/api/v1/notifications/read-all?port=north", &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["updated"], 2);
    let unread: Value = app
        .get("/api/v1/notifications?unread=true")
        .await
        .json()
        .await
        .unwrap();
    let titles: Vec<&str> = unread["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["south 0"]);
    let res = app
        .post_json("/api/v1/notifications/read-all", &json!({}))
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["updated"], 1);
    let eric_read: bool = sqlx::query_scalar("SELECT is_read FROM notifications WHERE id = $1")
        .bind(erics[0])
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(!eric_read);

    // Signed out: nothing.
    let stranger = TestApp::client_for(&app);
    let res = stranger
        .get(app.url("/api/v1/notifications"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = stranger
        .get(app.url("/api/v1/notifications/stream"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn preferences_list_every_kind_at_every_port_and_refuse_what_is_not_theirs() {
    let app = TestApp::spawn().await;
    port(&app, "north").await;
    port(&app, "south").await;
    app.create_user("dana@example.test", false, Some(("north", "director")))
        .await;
    assert_eq!(app.login("dana@example.test", PASSWORD).await.status(), 200);

    let list: Value = app
        .get("/api/v1/me/notification-preferences")
        .await
        .json()
        .await
        .unwrap();
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), Kind::ALL.len(), "one port, every kind");
    assert!(
        data.iter()
            .all(|p| p["port"] == "north" && p["in_app"] == true && p["email"] == true)
    );
    assert!(data.iter().any(|p| p["notification_type"] == "mention"));

    let put = |body: Value| {
        app.client
            .put(app.url("/api/v1/me/notification-preferences"))
            .json(&body)
            .send()
    };
    let res = put(json!([{"port": "north", "notification_type": "carrier_pigeon", "in_app": true, "email": false}])).await.unwrap();
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    assert!(
        problem["errors"]["notification_type"][0]
            .as_str()
            .unwrap()
            .contains("carrier_pigeon"),
        "{problem}"
    );
    let res = put(
        json!([{"port": "south", "notification_type": "mention", "in_app": true, "email": false}]),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 404);
    let res = put(json!([{"port": "north", "notification_type": "mention", "in_app": true, "email": false, "user_id": "x"}])).await.unwrap();
    assert_eq!(res.status(), 422, "unknown fields are refused");

    let res = put(
        json!([{"port": "north", "notification_type": "mention", "in_app": true, "email": false}]),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    let list: Value = res.json().await.unwrap();
    let mention = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["notification_type"] == "mention")
        .unwrap()
        .clone();
    assert_eq!(
        mention,
        json!({"port": "north", "notification_type": "mention", "in_app": true, "email": false})
    );
    // Setting it again changes nothing more; the change was audited once.
    put(json!([{"port": "north", "notification_type": "mention", "in_app": true, "email": false}]))
        .await
        .unwrap();
    let audited: Vec<(String, Value, Value)> = sqlx::query_as(
        "SELECT field_changed, old_value, new_value FROM audit_logs WHERE entity_type = 'user_notification_preferences'",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        audited,
        vec![("email".to_owned(), json!(true), json!(false))]
    );
}

#[tokio::test]
async fn a_notification_from_one_process_reaches_a_stream_on_another() {
    let url = fresh_database().await;
    let one = TestApp::spawn_on(url.clone(), BuildOptions::default())
        .await
        .unwrap();
    let two = TestApp::spawn_on(url, BuildOptions::default())
        .await
        .unwrap();
    let north = port(&one, "north").await;
    one.create_user("dana@example.test", false, Some(("north", "director")))
        .await;
    let eric = one
        .create_user("eric@example.test", false, Some(("north", "director")))
        .await;
    let dana = user_id(&one, "dana@example.test").await;
    assert_eq!(two.login("dana@example.test", PASSWORD).await.status(), 200);

    let mut stream = EventStream::open(&two.client, two.url("/api/v1/notifications/stream")).await;
    assert_eq!(stream.expect("ready", WAIT).await, json!({}));

    // Eric's, and Dana's rolled-back one, never reach Dana's stream; her committed one does.
    notify(
        &one.state,
        north,
        Recipients::Users(vec![eric]),
        notice("for eric"),
    )
    .await;
    let mut tx = one.state.db.begin_port(north).await.unwrap();
    notifications::notify(
        &mut tx,
        north,
        Recipients::Users(vec![dana.clone()]),
        notice("rolled back"),
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    let ids = notify(
        &one.state,
        north,
        Recipients::Users(vec![dana.clone()]),
        notice("Reminder: call Aurora"),
    )
    .await;

    let (name, event) = stream.next(WAIT).await.expect("an event arrives");
    assert_eq!(name, "notification");
    assert_eq!(event["id"], ids[0].to_string());
    assert_eq!(event["title"], "Reminder: call Aurora");
    assert_eq!(event["port_id"], north.to_string());
    assert_eq!(event["user_id"], dana.as_str());
    assert_eq!(event["is_read"], false);
    assert_eq!(event["unread_count"], 1);
    // Nothing else is on its way.
    assert!(stream.next(Duration::from_millis(700)).await.is_none());
}

/// A server whose requests time out after one second.
async fn spawn_impatient(url: &str) -> (String, CancellationToken, tempfile::TempDir) {
    let data = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(url.to_owned());
    config.data_dir = data.path().to_owned();
    config.request_timeout_secs = 1;
    let app = Application::build_with(config, BuildOptions::default())
        .await
        .unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    let stop = app.shutdown_handle();
    tokio::spawn(app.run_until_stopped());
    (address, stop, data)
}

#[tokio::test]
async fn the_stream_outlives_the_request_timeout_and_the_listener_reconnects() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let dana = app
        .create_user("dana@example.test", false, Some(("north", "director")))
        .await;
    let url: String = {
        let name: String = sqlx::query_scalar("SELECT current_database()::text")
            .fetch_one(&app.db)
            .await
            .unwrap();
        crate::helpers::database_url(&name)
    };
    let (address, stop, _data) = spawn_impatient(&url).await;
    let client = TestApp::client_for(&app);
    let res = client
        .post(format!("{address}/api/v1/auth/login"))
        .json(&json!({"email": "dana@example.test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let mut stream =
        EventStream::open(&client, format!("{address}/api/v1/notifications/stream")).await;
    stream.expect("ready", WAIT).await;

    // Well past the one-second timeout, the stream still delivers.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    notify(
        &app.state,
        north,
        Recipients::Users(vec![dana.clone()]),
        notice("after the timeout"),
    )
    .await;
    assert_eq!(
        stream.expect("notification", WAIT).await["title"],
        "after the timeout"
    );

    // The database drops the listening connection: the listener comes back by
    // itself, tells the stream to resync, and delivers again.
    let killed: i64 = sqlx::query_scalar(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
         WHERE application_name = 'nimara-notifications' AND datname = current_database()",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(killed >= 1, "the server's listener was connected");
    stream.expect("resync", WAIT).await;
    notify(
        &app.state,
        north,
        Recipients::Users(vec![dana]),
        notice("after the reconnect"),
    )
    .await;
    assert_eq!(
        stream.expect("notification", WAIT).await["title"],
        "after the reconnect"
    );

    // Stopping the server ends the stream rather than holding the shutdown.
    stop.cancel();
    let deadline = Instant::now() + WAIT;
    while stream
        .next(deadline.saturating_duration_since(Instant::now()))
        .await
        .is_some()
    {}
    assert!(
        Instant::now() < deadline,
        "the stream ended with the server"
    );
}

#[tokio::test]
async fn the_bell_the_panel_and_the_page_show_and_mark_notifications() {
    let app = TestApp::spawn().await;
    let north = port(&app, "north").await;
    let dana = app
        .create_user("dana@example.test", false, Some(("north", "director")))
        .await;
    assert_eq!(app.login("dana@example.test", PASSWORD).await.status(), 200);
    notify(
        &app.state,
        north,
        Recipients::Users(vec![dana.clone()]),
        notice("First <b>thing</b>"),
    )
    .await;
    let ids = notify(
        &app.state,
        north,
        Recipients::Users(vec![dana.clone()]),
        notice("Second thing"),
    )
    .await;

    let dashboard = app.get("/ports/north").await.text().await.unwrap();
    assert!(
        dashboard.contains("data-bell"),
        "the bell is in the top bar"
    );
    assert!(dashboard.contains("/notifications/badge?port=north"));

    let badge = app
        .get("/notifications/badge?port=north")
        .await
        .text()
        .await
        .unwrap();
    assert!(badge.contains("data-count=\"2\""), "{badge}");
    let panel = app
        .get("/notifications/panel?port=north")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        panel.contains("Second thing") && panel.contains("thing&#60;/b&#62;"),
        "{panel}"
    );
    assert!(!panel.contains("<b>thing</b>"), "titles are escaped");
    assert_eq!(
        app.get("/notifications/panel?port=elsewhere")
            .await
            .status(),
        404
    );

    let page = app
        .get("/notifications?port=north")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("2 unread") && page.contains("Second thing"));
    let csrf = page
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();

    // A forged form is refused; a real one marks read and goes on to the record.
    let res = app
        .client
        .post(app.url(&format!("/notifications/{}/read", ids[0])))
        .form(&[("_csrf", "forged"), ("next", "/ports/north")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = app
        .client
        .post(app.url(&format!("/notifications/{}/read", ids[0])))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("next", "/ports/north/reminders/1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/ports/north/reminders/1");
    let badge = app
        .get("/notifications/badge?port=north")
        .await
        .text()
        .await
        .unwrap();
    assert!(badge.contains("data-count=\"1\""), "{badge}");
    // Elsewhere is not a place a form sends anyone.
    let res = app
        .client
        .post(app.url("/notifications/read-all"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("port", "north"),
            ("next", "https://evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/notifications");
    let page = app
        .get("/notifications?port=north&unread=true")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Nothing unread"), "{page}");
    assert_eq!(app.get("/notifications?port=elsewhere").await.status(), 404);
}

/// Saves what the browser shows as `<name>.png` in `$NIMARA_SCREENSHOTS`, when
/// set: for looking at the pages by eye.
async fn snapshot(browser: &crate::browser::Browser, name: &str) {
    if let Ok(dir) = std::env::var("NIMARA_SCREENSHOTS") {
        let png = browser.client.screenshot().await.unwrap();
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).unwrap();
    }
}

#[tokio::test]
async fn the_bell_counts_live_shows_a_toast_and_marks_all_read_in_a_browser() {
    let app = TestApp::spawn().await;
    let port_id = crate::pages::insert_port(&app, "Harbour Lights", "harbour-lights").await;
    let dana = app
        .create_user(
            "dana@example.test",
            false,
            Some(("harbour-lights", "director")),
        )
        .await;
    let to_dana = || Recipients::Users(vec![dana.clone()]);
    notify(
        &app.state,
        port_id,
        to_dana(),
        Notice::new(Kind::EoiSigned, "EOI signed for berth A-12")
            .description("Marguerite Lalande signed; the deposit is next.")
            .link("/ports/harbour-lights"),
    )
    .await;
    notify(
        &app.state,
        port_id,
        to_dana(),
        Notice::new(Kind::DuplicateAlert, "Possible duplicate: J. Whitcombe"),
    )
    .await;

    let browser = crate::browser::Browser::start(&app).await;
    browser.open("/login?next=/ports/harbour-lights").await;
    browser
        .find("#email")
        .await
        .send_keys("dana@example.test")
        .await
        .unwrap();
    browser
        .find("#password")
        .await
        .send_keys(PASSWORD)
        .await
        .unwrap();
    browser
        .find("form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_until("location.pathname === '/ports/harbour-lights'")
        .await;
    browser
        .wait_until("document.getElementById('bell-badge').dataset.count === '2'")
        .await;
    snapshot(&browser, "bell").await;

    // The panel loads when the bell opens.
    browser
        .find("[data-bell] summary")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_until("document.querySelectorAll('.bell-panel .notif').length === 2")
        .await;
    snapshot(&browser, "panel").await;

    // A new one arrives over the stream: the count goes up, the open panel
    // shows it, and a toast says what it is.
    notify(
        &app.state,
        port_id,
        to_dana(),
        Notice::new(Kind::ReminderDue, "Call the owner of Aurora").description("Due at 15:00."),
    )
    .await;
    browser
        .wait_until("document.getElementById('bell-badge').dataset.count === '3'")
        .await;
    browser
        .wait_until("document.querySelectorAll('.bell-panel .notif').length === 3")
        .await;
    let toast = browser.find(".toast .toast-title").await;
    assert_eq!(toast.text().await.unwrap(), "Call the owner of Aurora");
    snapshot(&browser, "toast").await;

    // Mark all read from the panel: back on the same page, the bell at zero.
    browser
        .find(".bell-head button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    browser.wait_until("document.getElementById('bell-badge') && document.getElementById('bell-badge').dataset.count === '0'").await;
    assert_eq!(browser.path().await, "/ports/harbour-lights");

    browser.open("/notifications?port=harbour-lights").await;
    assert_eq!(
        browser
            .client
            .find_all(fantoccini::Locator::Css(".notif"))
            .await
            .unwrap()
            .len(),
        3
    );
    assert!(
        browser
            .client
            .find_all(fantoccini::Locator::Css(".notif.is-unread"))
            .await
            .unwrap()
            .is_empty()
    );
    snapshot(&browser, "page").await;
    if std::env::var("NIMARA_SCREENSHOTS").is_ok() {
        // More to look at: unread ones, in the dark theme and on a phone.
        sqlx::query(
            "UPDATE notifications SET is_read = false WHERE title <> 'Call the owner of Aurora'",
        )
        .execute(&app.db)
        .await
        .unwrap();
        browser
            .open("/notifications?port=harbour-lights&theme=dark")
            .await;
        browser.find(".notif").await;
        snapshot(&browser, "page-dark").await;
        browser.open("/ports/harbour-lights?theme=dark").await;
        browser
            .wait_until("document.getElementById('bell-badge').dataset.count === '2'")
            .await;
        browser
            .find("[data-bell] summary")
            .await
            .click()
            .await
            .unwrap();
        browser
            .wait_until("document.querySelectorAll('.bell-panel .notif').length === 3")
            .await;
        snapshot(&browser, "panel-dark").await;
        browser.resize(390, 844).await;
        browser.open("/notifications?port=harbour-lights").await;
        browser.find(".notif").await;
        snapshot(&browser, "page-phone").await;
        browser.open("/ports/harbour-lights").await;
        browser
            .wait_until("document.getElementById('bell-badge').dataset.count === '2'")
            .await;
        browser
            .find("[data-bell] summary")
            .await
            .click()
            .await
            .unwrap();
        browser
            .wait_until("document.querySelectorAll('.bell-panel .notif').length === 3")
            .await;
        snapshot(&browser, "panel-phone").await;
        notify(
            &app.state,
            port_id,
            to_dana(),
            Notice::new(Kind::WaitingList, "Berth C-04 is available")
                .description("Two clients are waiting for it."),
        )
        .await;
        browser.find(".toast").await;
        snapshot(&browser, "toast-phone").await;
    }
    browser.close().await;
}

#[tokio::test]
async fn the_preferences_page_sets_each_kind_per_port_and_changes_only_the_grids_it_showed() {
    let app = TestApp::spawn().await;
    for slug in ["anchor", "bay"] {
        sqlx::query("INSERT INTO ports (name, slug) VALUES ($1, $1)")
            .bind(slug)
            .execute(&app.db)
            .await
            .unwrap();
    }
    let email = app.sign_in_as("sales_agent", "anchor").await;
    let user: String = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(&email)
        .fetch_one(&app.db)
        .await
        .unwrap();
    sqlx::query("INSERT INTO user_port_roles (user_id, port_id, role_id) SELECT $1, p.id, r.id FROM ports p, roles r WHERE p.slug = 'bay' AND r.name = 'viewer'")
        .bind(&user)
        .execute(&app.db)
        .await
        .unwrap();
    let page = app.get("/me/notifications").await.text().await.unwrap();
    assert!(
        page.contains("name=\"anchor:duplicate_alert:email\"")
            && page.contains("name=\"bay:waiting_list:in_app\"")
    );
    let csrf: String = sqlx::query_scalar("SELECT csrf_token FROM sessions WHERE user_id = $1")
        .bind(&user)
        .fetch_one(&app.db)
        .await
        .unwrap();

    // Everything ticked at anchor but e-mail for duplicate alerts; bay not shown.
    let mut form = vec![
        ("_csrf".to_owned(), csrf.clone()),
        ("shown:anchor".to_owned(), "1".to_owned()),
    ];
    for kind in [
        "reminder_due",
        "reminder_overdue",
        "new_registration",
        "eoi_signed",
        "eoi_completed",
        "email_received",
        "duplicate_alert",
        "invoice_overdue",
        "waiting_list",
        "system_alert",
        "follow_up_created",
        "tenure_expiring",
        "mention",
    ] {
        form.push((format!("anchor:{kind}:in_app"), "on".to_owned()));
        if kind != "duplicate_alert" {
            form.push((format!("anchor:{kind}:email"), "on".to_owned()));
        }
    }
    let res = app
        .client
        .post(app.url("/me/notifications"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let prefs: serde_json::Value = app
        .get("/api/v1/me/notification-preferences")
        .await
        .json()
        .await
        .unwrap();
    let find = |port: &str, kind: &str| {
        prefs["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["port"] == port && p["notification_type"] == kind)
            .unwrap()
            .clone()
    };
    assert_eq!(find("anchor", "duplicate_alert")["email"], false);
    assert_eq!(find("anchor", "duplicate_alert")["in_app"], true);
    assert_eq!(find("anchor", "waiting_list")["email"], true);
    assert_eq!(
        find("bay", "duplicate_alert")["email"],
        true,
        "a port the form did not show keeps its choices"
    );
}
