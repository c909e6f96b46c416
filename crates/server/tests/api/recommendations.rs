//! Berth recommendations over real HTTP: what is never recommended (too
//! short, too shallow, sold), the order of those that fit, the refresh that
//! keeps the best, manual ones, the panel, and another port's interest.

use crate::helpers::{TestApp, port};
use crate::pipeline::{berth, client, interest};
use serde_json::{Value, json};
use uuid::Uuid;

struct Fixture {
    app: TestApp,
    alpha: Uuid,
    interest: Uuid,
    berths: std::collections::HashMap<&'static str, Uuid>,
}

/// A 60 ft × 18 ft yacht drawing 6 ft, and berths around it.
async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    let alpha = port(&app, "alpha").await;
    port(&app, "bravo").await;
    let owner = client(
        &app,
        alpha,
        "Amelia Hartley",
        json!({"yacht_name": "Sea Breeze", "yacht_length_ft": "60", "yacht_width_ft": "18", "yacht_draft_ft": "6"}),
    )
    .await;
    let interest = interest(&app, alpha, owner, None, "open", json!({})).await;
    let mut berths = std::collections::HashMap::new();
    let fits = |length: &str| json!({"length_ft": length, "width_ft": "22", "water_depth": "10", "area": "Pier A", "price": "300000"});
    for (name, spec) in [
        (
            "short",
            json!({"length_ft": "58", "width_ft": "22", "water_depth": "10"}),
        ),
        (
            "shallow",
            json!({"length_ft": "65", "width_ft": "22", "water_depth": "5.5"}),
        ),
        (
            "narrow",
            json!({"length_ft": "65", "width_ft": "17", "water_depth": "10"}),
        ),
        ("close", fits("63")),
        ("roomy", fits("90")),
        ("huge", fits("160")),
        (
            "sold",
            json!({"length_ft": "62", "width_ft": "22", "water_depth": "10", "status": "sold"}),
        ),
        (
            "offered",
            json!({"length_ft": "63", "width_ft": "22", "water_depth": "10", "status": "under_offer"}),
        ),
        // Measured in metres only: 19.5 m is 64 ft.
        (
            "metric",
            json!({"length_m": "19.5", "width_m": "6.7", "water_depth_m": "3"}),
        ),
    ] {
        berths.insert(name, berth(&app, alpha, name, spec).await);
    }
    app.sign_in_as("director", "alpha").await;
    Fixture {
        app,
        alpha,
        interest,
        berths,
    }
}

async fn get_json(app: &TestApp, path: &str) -> (u16, Value) {
    let res = app.get(path).await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn moorings(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["mooring_number"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn only_berths_the_yacht_fits_are_recommended_closest_size_first() {
    let f = fixture().await;
    let path = format!(
        "/api/v1/ports/alpha/interests/{}/recommendations",
        f.interest
    );
    let (status, list) = get_json(&f.app, &path).await;
    assert_eq!(status, 200, "{list}");
    let got = moorings(&list);
    for never in ["short", "shallow", "narrow", "sold"] {
        assert!(
            !got.contains(&never.to_owned()),
            "{never} recommended: {got:?}"
        );
    }
    // Of the available berths that fit, the closest in size first; the
    // under-offer one, as close as the best, ranks below it.
    let pos = |name: &str| {
        got.iter()
            .position(|m| m == name)
            .unwrap_or_else(|| panic!("{name} missing: {got:?}"))
    };
    assert_eq!(pos("close"), 0, "{got:?}");
    assert!(
        pos("close") < pos("metric") && pos("metric") < pos("roomy") && pos("roomy") < pos("huge")
    );
    assert!(pos("offered") > pos("close"));
    assert_eq!(got.len(), 5);

    let best = &list["data"][0];
    assert_eq!(best["berth_id"], f.berths["close"].to_string());
    assert_eq!(best["source"], "computed");
    assert_eq!(best["fits"], true);
    let score: f64 = best["match_score"].as_str().unwrap().parse().unwrap();
    assert!(score > 80.0 && score <= 100.0, "{score}");
    for reason in [
        "dimensional_fit",
        "depth_fit",
        "availability",
        "waiting_list",
    ] {
        assert!(best["match_reasons"][reason].is_u64(), "{reason}: {best}");
    }
    let fit = |name: &str| {
        list["data"][pos(name)]["match_reasons"]["dimensional_fit"]
            .as_u64()
            .unwrap()
    };
    assert!(fit("huge") < fit("roomy") && fit("roomy") < fit("close"));
    assert!(
        fit("huge") < 40,
        "a berth far larger than the yacht scores low"
    );
    assert_eq!(
        list["data"][pos("offered")]["match_reasons"]["availability"],
        40
    );

    // A waiting list ranks a berth down: two clients waiting for "close".
    for name in ["Waiting One", "Waiting Two"] {
        let c = client(&f.app, f.alpha, name, json!({})).await;
        sqlx::query("INSERT INTO berth_waiting_list (port_id, berth_id, client_id, position) VALUES ($1, $2, $3, 1)")
            .bind(f.alpha)
            .bind(f.berths["close"])
            .bind(c)
            .execute(&f.app.db)
            .await
            .unwrap();
    }
    let (_, again) = get_json(&f.app, &path).await;
    let close = again["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["mooring_number"] == "close")
        .unwrap();
    assert!(close["match_reasons"]["waiting_list"].as_u64().unwrap() < 100);
    let moved: f64 = close["match_score"].as_str().unwrap().parse().unwrap();
    assert!(moved < score);

    // No yacht length: nothing can be matched.
    let unknown = client(&f.app, f.alpha, "No Yacht", json!({})).await;
    let blank = interest(&f.app, f.alpha, unknown, None, "open", json!({})).await;
    let (status, none) = get_json(
        &f.app,
        &format!("/api/v1/ports/alpha/interests/{blank}/recommendations"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(none["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_refresh_keeps_the_best_and_manual_ones_stay() {
    let f = fixture().await;
    let base = format!(
        "/api/v1/ports/alpha/interests/{}/recommendations",
        f.interest
    );
    let kept = |app: &TestApp| {
        let app_db = app.db.clone();
        let interest = f.interest;
        async move {
            sqlx::query_as::<_, (String, String)>(
                "SELECT b.mooring_number, r.source FROM berth_recommendations r JOIN berths b ON b.id = r.berth_id
                 WHERE r.interest_id = $1 ORDER BY r.match_score DESC NULLS LAST, b.mooring_number",
            )
            .bind(interest)
            .fetch_all(&app_db)
            .await
            .unwrap()
        }
    };

    // A manual pick first: 201 with a Location that answers.
    let res = f
        .app
        .post_json(&base, &json!({"berth_id": f.berths["roomy"]}))
        .await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["source"], "manual");
    assert!(created["created_by"].is_string());
    let (status, one) = get_json(&f.app, &location).await;
    assert_eq!(status, 200);
    assert_eq!(one["mooring_number"], "roomy");
    // The same again: 409. A sold berth: 422. Another port's berth: 404.
    let res = f
        .app
        .post_json(&base, &json!({"berth_id": f.berths["roomy"]}))
        .await;
    assert_eq!(res.status(), 409);
    let res = f
        .app
        .post_json(&base, &json!({"berth_id": f.berths["sold"]}))
        .await;
    assert_eq!(res.status(), 422);
    let bravo: Uuid = sqlx::query_scalar("SELECT id FROM ports WHERE slug = 'bravo'")
        .fetch_one(&f.app.db)
        .await
        .unwrap();
    let elsewhere = berth(&f.app, bravo, "X01", json!({"length_ft": "62"})).await;
    let res = f
        .app
        .post_json(&base, &json!({"berth_id": elsewhere}))
        .await;
    assert_eq!(res.status(), 404);
    let res = f.app.post_json(&base, &json!({"berth_id": "nope"})).await;
    assert_eq!(res.status(), 422);

    // A refresh keeps the fitting berths as `ai` rows beside the manual one.
    let res = f
        .app
        .post_json(&format!("{base}/refresh"), &json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let rows = kept(&f.app).await;
    let ai: Vec<&str> = rows
        .iter()
        .filter(|r| r.1 == "ai")
        .map(|r| r.0.as_str())
        .collect();
    assert_eq!(ai, ["close", "metric", "offered", "huge"], "{rows:?}");
    assert!(rows.contains(&("roomy".to_owned(), "manual".to_owned())));

    // The manual pick leads the list; kept rows carry their id.
    let (_, list) = get_json(&f.app, &base).await;
    assert_eq!(moorings(&list)[0], "roomy");
    assert_eq!(list["data"][1]["source"], "ai");
    assert!(list["data"][1]["id"].is_string());

    // "close" is sold meanwhile: a second refresh replaces the ai rows, and
    // the sold berth is gone from both.
    sqlx::query("UPDATE berths SET status = 'sold' WHERE id = $1")
        .bind(f.berths["close"])
        .execute(&f.app.db)
        .await
        .unwrap();
    f.app
        .post_json(&format!("{base}/refresh"), &json!({}))
        .await;
    let rows = kept(&f.app).await;
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(!rows.iter().any(|r| r.0 == "close"));
    let (_, list) = get_json(&f.app, &base).await;
    assert!(!moorings(&list).contains(&"close".to_owned()));

    // Removing one: 204, then 404.
    let rid = created["id"].as_str().unwrap();
    let res = f
        .app
        .client
        .delete(f.app.url(&format!("{base}/{rid}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = f
        .app
        .client
        .delete(f.app.url(&format!("{base}/{rid}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(!kept(&f.app).await.iter().any(|r| r.1 == "manual"));

    // Every change is audited against the interest.
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_logs WHERE entity_type = 'berth_recommendation' AND metadata->>'interest_id' = $1 ORDER BY created_at",
    )
    .bind(f.interest.to_string())
    .fetch_all(&f.app.db)
    .await
    .unwrap();
    assert_eq!(audited, ["create", "update", "update", "delete"]);
}

#[tokio::test]
async fn another_ports_interest_answers_404() {
    let f = fixture().await;
    let bravo: Uuid = sqlx::query_scalar("SELECT id FROM ports WHERE slug = 'bravo'")
        .fetch_one(&f.app.db)
        .await
        .unwrap();
    let c = client(
        &f.app,
        bravo,
        "Bravo Owner",
        json!({"yacht_length_ft": "50"}),
    )
    .await;
    let theirs = interest(&f.app, bravo, c, None, "open", json!({})).await;
    let b = berth(&f.app, bravo, "Z01", json!({"length_ft": "55"})).await;
    let rid: Uuid = sqlx::query_scalar(
        "INSERT INTO berth_recommendations (port_id, interest_id, berth_id, source) VALUES ($1, $2, $3, 'ai') RETURNING id",
    )
    .bind(bravo)
    .bind(theirs)
    .bind(b)
    .fetch_one(&f.app.db)
    .await
    .unwrap();
    let base = format!("/api/v1/ports/alpha/interests/{theirs}/recommendations");
    assert_eq!(f.app.get(&base).await.status(), 404);
    assert_eq!(f.app.get(&format!("{base}/{rid}")).await.status(), 404);
    assert_eq!(
        f.app
            .post_json(&format!("{base}/refresh"), &json!({}))
            .await
            .status(),
        404
    );
    assert_eq!(
        f.app
            .post_json(&base, &json!({"berth_id": b}))
            .await
            .status(),
        404
    );
    let res = f
        .app
        .client
        .delete(f.app.url(&format!("{base}/{rid}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // An alpha interest cannot reach bravo's recommendation either.
    let res = f
        .app
        .client
        .delete(f.app.url(&format!(
            "/api/v1/ports/alpha/interests/{}/recommendations/{rid}",
            f.interest
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let page = f
        .app
        .get(&format!(
            "/ports/alpha/interests/{theirs}/recommendations-panel"
        ))
        .await;
    assert_eq!(page.status(), 404);
    let still: i64 =
        sqlx::query_scalar("SELECT count(*) FROM berth_recommendations WHERE interest_id = $1")
            .bind(theirs)
            .fetch_one(&f.app.db)
            .await
            .unwrap();
    assert_eq!(still, 1);
}

#[tokio::test]
async fn the_panel_lists_the_best_and_adds_refreshes_and_removes_through_its_forms() {
    let f = fixture().await;
    let panel = format!(
        "/ports/alpha/interests/{}/recommendations-panel",
        f.interest
    );
    let html = f
        .app
        .client
        .get(f.app.url(&panel))
        .header("hx-request", "true")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Recommended berths") && html.contains("Sea Breeze: 60"),
        "{html}"
    );
    assert!(
        html.contains("Link this berth")
            && html.contains(&format!("data-link-berth=\"{}\"", f.berths["close"]))
    );
    assert!(html.contains("USD 300,000.00"));
    assert!(!html.contains("<!doctype"), "htmx gets the fragment alone");
    assert!(!html.contains(&format!("data-berth=\"{}\"", f.berths["shallow"])));
    // Opened directly, the panel stands on a page of its own.
    let page = f.app.get(&panel).await.text().await.unwrap();
    assert!(page.contains("<!doctype") && page.contains("Amelia Hartley"));

    let csrf: String =
        sqlx::query_scalar("SELECT csrf_token FROM sessions ORDER BY created_at DESC LIMIT 1")
            .fetch_one(&f.app.db)
            .await
            .unwrap();
    let post = |path: String, form: Vec<(&'static str, String)>| {
        let app = &f.app;
        let csrf = csrf.clone();
        async move {
            let mut form = form;
            form.push(("_csrf", csrf));
            app.client
                .post(app.url(&path))
                .header("hx-request", "true")
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    let base = format!("/ports/alpha/interests/{}/recommendations", f.interest);
    let res = post(
        base.clone(),
        vec![("berth_id", f.berths["huge"].to_string())],
    )
    .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("Picked by hand"));
    // A refused pick comes back beside the picker.
    let res = post(base.clone(), vec![("berth_id", String::new())]).await;
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Pick a berth to recommend.")
    );
    let res = post(
        base.clone(),
        vec![("berth_id", f.berths["huge"].to_string())],
    )
    .await;
    assert!(res.text().await.unwrap().contains("already recommended"));

    let res = post(format!("{base}/refresh"), vec![]).await;
    assert_eq!(res.status(), 200);
    let kept: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM berth_recommendations WHERE interest_id = $1 AND source = 'ai'",
    )
    .bind(f.interest)
    .fetch_one(&f.app.db)
    .await
    .unwrap();
    assert_eq!(kept, 4, "close, metric, offered and roomy; huge is manual");

    let manual: Uuid = sqlx::query_scalar(
        "SELECT id FROM berth_recommendations WHERE interest_id = $1 AND source = 'manual'",
    )
    .bind(f.interest)
    .fetch_one(&f.app.db)
    .await
    .unwrap();
    let res = post(format!("{base}/{manual}/remove"), vec![]).await;
    assert_eq!(res.status(), 200);
    assert!(!res.text().await.unwrap().contains("Picked by hand"));
}

/// The interest page loads the panel, and "Link this berth" links the
/// interest to the berth through the interests API.
#[tokio::test]
async fn link_this_berth_on_the_interest_page_links_it() {
    use crate::browser::Browser;
    let f = fixture().await;
    f.app
        .create_user("linker@example.test", false, Some(("alpha", "director")))
        .await;
    let browser = Browser::start(&f.app).await;
    browser.open("/login").await;
    browser
        .find("#email")
        .await
        .send_keys("linker@example.test")
        .await
        .unwrap();
    browser
        .find("#password")
        .await
        .send_keys(crate::helpers::PASSWORD)
        .await
        .unwrap();
    browser
        .find("form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_until("location.pathname === '/ports/alpha'")
        .await;
    browser
        .open(&format!("/ports/alpha/interests/{}", f.interest))
        .await;
    let link = browser
        .find(&format!(
            "[data-recommendations] [data-link-berth='{}']",
            f.berths["close"]
        ))
        .await;
    link.click().await.unwrap();
    browser
        .wait_until("document.querySelector('[data-recommendations] .recs-linked') !== null")
        .await;
    let linked: Option<Uuid> = sqlx::query_scalar("SELECT berth_id FROM interests WHERE id = $1")
        .bind(f.interest)
        .fetch_one(&f.app.db)
        .await
        .unwrap();
    assert_eq!(linked, Some(f.berths["close"]));
    if let Ok(dir) = std::env::var("NIMARA_SCREENSHOT_DIR") {
        browser
            .js("document.querySelector('[data-recommendations]').scrollIntoView(); return 1")
            .await;
        let png = browser.client.screenshot().await.unwrap();
        std::fs::write(format!("{dir}/recommendations-panel.png"), png).unwrap();
        browser
            .js("document.documentElement.dataset.theme = 'dark'; return 1")
            .await;
        let png = browser.client.screenshot().await.unwrap();
        std::fs::write(format!("{dir}/recommendations-panel-dark.png"), png).unwrap();
        browser.resize(390, 844).await;
        let png = browser.client.screenshot().await.unwrap();
        std::fs::write(format!("{dir}/recommendations-panel-phone.png"), png).unwrap();
    }
    browser.close().await;
}
