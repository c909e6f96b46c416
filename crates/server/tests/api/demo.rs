//! `nimara demo`: a realistic port, loaded once.

use crate::helpers::TestApp;
use nimara::db::Db;

async fn counts(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for table in [
        "ports",
        "berths",
        "berth_map_data",
        "clients",
        "client_contacts",
        "interests",
    ] {
        let n: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
                .fetch_one(&app.db)
                .await
                .unwrap();
        out.push(n);
    }
    out
}

#[tokio::test]
async fn the_demo_port_is_complete_and_a_second_run_changes_nothing() {
    let app = TestApp::spawn().await;
    let db = Db::from_pool(app.db.clone());
    let report = nimara::demo::load(&db).await.unwrap();
    assert!(report.created);
    let first = counts(&app).await;
    assert_eq!(first[0], 1);
    assert!(first[1] >= 120, "at least 120 berths: {first:?}");
    assert_eq!(first[1], first[2], "every berth has a map shape");

    let (name, tz, currency): (String, String, String) = sqlx::query_as(
        "SELECT name, timezone, default_currency FROM ports WHERE slug = 'port-nimara'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        (name.as_str(), tz.as_str(), currency.as_str()),
        ("Port Nimara", "America/Anguilla", "USD")
    );

    // Feet and metres agree within rounding on every berth.
    let off: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM berths WHERE length_ft IS NULL OR length_m IS NULL OR abs(length_ft * 0.3048 - length_m) > 0.01",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(off, 0);

    // Every pipeline stage is represented, and milestones match their stage.
    let stages: Vec<String> = sqlx::query_scalar("SELECT DISTINCT pipeline_stage FROM interests")
        .fetch_all(&app.db)
        .await
        .unwrap();
    for stage in domain::pipeline::Stage::ALL {
        assert!(
            stages.contains(&stage.as_str().to_owned()),
            "no interest at {stage}"
        );
    }
    let unstamped: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM interests WHERE (pipeline_stage = 'deposit_10pct' AND date_deposit_received IS NULL)
            OR (pipeline_stage = 'completed' AND (date_contract_signed IS NULL OR contract_status <> 'signed'))",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(unstamped, 0);
    let sold_by_rule: i64 =
        sqlx::query_scalar("SELECT count(*) FROM berths WHERE status = 'sold' AND status_last_changed_reason = 'rule:interest_completed'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(sold_by_rule > 0);
    // Early interests leave "under offer" suggestions waiting on available
    // berths; a few berths carry a second, less advanced interest and keep the
    // status of the most advanced.
    let (pending, waiting_on_available): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE b.status = 'available')
         FROM berth_status_suggestions s JOIN berths b ON b.id = s.berth_id WHERE s.status = 'pending'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(
        pending > 0 && pending == waiting_on_available,
        "{pending} {waiting_on_available}"
    );
    let shared: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM berths b WHERE b.status <> 'available'
           AND (SELECT count(*) FROM interests i WHERE i.berth_id = b.id AND i.archived_at IS NULL) > 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(shared > 0);
    let bad_values: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM interests WHERE source NOT IN ('website', 'manual', 'referral', 'broker')
            OR lead_category NOT IN ('general_interest', 'specific_qualified', 'hot_lead')",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(bad_values, 0, "demo values are ones the API accepts");

    // The demo team signs in with the password shown once.
    let password = report
        .password
        .clone()
        .expect("the password is shown when the team is created");
    assert!(password.len() >= 10);
    for (email, _, role) in nimara::demo::TEAM {
        let res = app.login(email, &password).await;
        assert_eq!(res.status(), 200, "{email}");
        let me: serde_json::Value = res.json().await.unwrap();
        assert_eq!(me["ports"][0]["roles"][0], role);
    }

    let again = nimara::demo::load(&db).await.unwrap();
    assert!(again.password.is_none());
    assert!(!again.created);
    assert_eq!(counts(&app).await, first);
}
