//! The berth map over HTTP: every berth drawn with its colour class and its
//! link, the stage switch colouring by the most advanced open interest, the
//! SVG document, and the import of an SVG plan with its report of skipped
//! shapes and its 422 for a body that is not SVG.

use crate::admin::{call, csrf_of, member};
use crate::helpers::{TestApp, port};
use crate::waiting_list::{berth, client};
use reqwest::{Method, StatusCode};
use uuid::Uuid;

async fn shape(app: &TestApp, port_id: Uuid, berth_id: Uuid, d: &str) {
    sqlx::query("INSERT INTO berth_map_data (port_id, berth_id, svg_path) VALUES ($1, $2, $3)")
        .bind(port_id)
        .bind(berth_id)
        .bind(d)
        .execute(&app.db)
        .await
        .unwrap();
}

async fn interest(app: &TestApp, port_id: Uuid, berth_id: Uuid, stage: &str, archived: bool) {
    let c = client(app, port_id, &format!("Buyer at {stage}"), None).await;
    sqlx::query(
        "INSERT INTO interests (port_id, client_id, berth_id, pipeline_stage, archived_at)
         VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN now() END)",
    )
    .bind(port_id)
    .bind(c)
    .bind(berth_id)
    .bind(stage)
    .bind(archived)
    .execute(&app.db)
    .await
    .unwrap();
}

/// The `<a …>` of berth `id` on the page, up to its closing tag.
fn drawn(html: &str, id: Uuid) -> &str {
    let at = html
        .find(&format!("data-berth=\"{id}\""))
        .unwrap_or_else(|| panic!("berth {id} is not drawn"));
    let start = html[..at].rfind("<a ").unwrap();
    let end = at + html[at..].find("</a>").unwrap();
    &html[start..end]
}

#[tokio::test]
async fn the_map_draws_every_berth_with_its_status_colour_and_link() {
    let app = TestApp::spawn().await;
    let p = port(&app, "mapa").await;
    let (dir, _) = member(&app, "director", "mapa").await;
    let free = berth(&app, p, "A1", "available").await;
    let offer = berth(&app, p, "A2", "under_offer").await;
    let sold = berth(&app, p, "A3", "sold").await;
    let loose = berth(&app, p, "A4", "available").await;
    for (i, b) in [free, offer, sold].into_iter().enumerate() {
        shape(&app, p, b, &format!("M{} 0 h20 v40 h-20 Z", i * 30)).await;
    }

    let res = dir.get(app.url("/ports/mapa/map")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    for (id, mooring, class) in [
        (free, "A1", "berth-available"),
        (offer, "A2", "berth-under-offer"),
        (sold, "A3", "berth-sold"),
    ] {
        let a = drawn(&html, id);
        assert!(
            a.contains(&format!("href=\"/ports/mapa/berths/{id}\"")),
            "{a}"
        );
        assert!(a.contains(&format!("class=\"map-berth {class}\"")), "{a}");
        assert!(a.contains(&format!(">{mooring}</text>")), "{a}");
        assert!(a.contains("data-size=") && a.contains("data-price="), "{a}");
    }
    // The frame holds every shape; the legend counts the statuses.
    assert!(html.contains("viewBox=\""), "{html}");
    assert!(
        html.contains("Available <span class=\"muted\">2</span>"),
        "{html}"
    );
    // A berth without a shape is listed, not drawn.
    assert!(!html.contains(&format!("data-berth=\"{loose}\"")));
    assert!(html.contains("Not on the map"));
    assert!(html.contains(&format!("/ports/mapa/berths/{loose}")));
    // The navigation links the map.
    assert!(html.contains("href=\"/ports/mapa/map\""));

    // The same map as an SVG document.
    let res = dir
        .get(app.url("/api/v1/ports/mapa/berth-map"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("image/svg+xml")
    );
    let svg = res.text().await.unwrap();
    assert!(svg.starts_with("<?xml"), "{svg}");
    assert!(svg.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("class=\"map-berth berth-sold\""));
    assert!(
        svg.contains(".berth-sold .map-berth-shape {"),
        "colours travel with it"
    );

    // And as data.
    let (s, body) = call(
        &dir,
        &app,
        Method::GET,
        "/api/v1/ports/mapa/berth-map/shapes",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["data"].as_array().unwrap().len(), 4);
    assert_eq!(body["data"][0]["svg_path"], "M0 0 h20 v40 h-20 Z");
}

#[tokio::test]
async fn the_stage_switch_colours_by_the_most_advanced_open_interest() {
    let app = TestApp::spawn().await;
    let p = port(&app, "maps").await;
    let (dir, _) = member(&app, "director", "maps").await;
    let busy = berth(&app, p, "S1", "under_offer").await;
    let quiet = berth(&app, p, "S2", "available").await;
    let archived_only = berth(&app, p, "S3", "available").await;
    for b in [busy, quiet, archived_only] {
        shape(&app, p, b, "M0 0 h10 v10 h-10 Z").await;
    }
    interest(&app, p, busy, "visited", false).await;
    interest(&app, p, busy, "contract", false).await;
    interest(&app, p, busy, "details_sent", false).await;
    // An archived interest does not count, however far it went.
    interest(&app, p, busy, "completed", true).await;
    interest(&app, p, archived_only, "completed", true).await;

    let html = dir
        .get(app.url("/ports/maps/map?colour=stage"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(drawn(&html, busy).contains("class=\"map-berth stage-contract\""));
    assert!(drawn(&html, busy).contains("data-stage=\"Contract (most advanced of 3)\""));
    assert!(drawn(&html, quiet).contains("class=\"map-berth stage-none\""));
    assert!(drawn(&html, archived_only).contains("class=\"map-berth stage-none\""));
    assert!(html.contains("aria-current=\"page\">Pipeline stage</a>"));
    assert!(
        html.contains("Contract <span class=\"muted\">1</span>"),
        "{html}"
    );
    // By status, the same berth keeps its status colour.
    let html = dir
        .get(app.url("/ports/maps/map"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(drawn(&html, busy).contains("class=\"map-berth berth-under-offer\""));

    let (s, body) = call(
        &dir,
        &app,
        Method::GET,
        "/api/v1/ports/maps/berth-map?colour=rainbow",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"]["colour"][0], "must be one of status, stage");
    let (_, body) = call(
        &dir,
        &app,
        Method::GET,
        "/api/v1/ports/maps/berth-map/shapes",
        None,
    )
    .await;
    let busy_row = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["mooring_number"] == "S1")
        .unwrap()
        .clone();
    assert_eq!(busy_row["top_stage"], "contract");
    assert_eq!(busy_row["open_interests"], 3);
}

const PLAN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 200">
  <g id="pier" transform="translate(100 0)">
    <rect id="M1" x="0" y="10" width="60" height="20"/>
    <polygon id="M2" points="0,40 60,40 60,60 0,60"/>
  </g>
  <path d="M0 0 h10 v10 h-10 z"/>
  <rect id="X99" x="0" y="100" width="30" height="10"/>
  <line id="M3" x1="0" y1="0" x2="10" y2="10"/>
</svg>
"#;

#[tokio::test]
async fn an_svg_import_upserts_the_shapes_and_reports_every_one_it_skipped() {
    let app = TestApp::spawn().await;
    let p = port(&app, "mapi").await;
    let other = port(&app, "mapj").await;
    let (dir, _) = member(&app, "director", "mapi").await;
    let m1 = berth(&app, p, "M1", "available").await;
    let m2 = berth(&app, p, "M2", "sold").await;
    let m3 = berth(&app, p, "M3", "available").await;
    // Another port's M1..: never touched.
    let theirs = berth(&app, other, "X99", "available").await;
    shape(&app, p, m1, "M0 0 h1 v1 h-1 Z").await;

    let res = dir
        .post(app.url("/api/v1/ports/mapi/berth-map/import"))
        .header("content-type", "image/svg+xml")
        .body(PLAN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let report: serde_json::Value = res.json().await.unwrap();
    assert_eq!(report["imported"], 2, "{report}");
    assert_eq!(report["created"], 1);
    assert_eq!(report["updated"], 1);
    let skipped: Vec<(String, Option<String>, String)> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["element"].as_str().unwrap().to_owned(),
                s["id"].as_str().map(str::to_owned),
                s["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(skipped.len(), 3, "{skipped:?}");
    assert!(skipped[0].0 == "path" && skipped[0].1.is_none() && skipped[0].2.starts_with("no id"));
    assert_eq!(skipped[1].1.as_deref(), Some("X99"));
    assert!(skipped[1].2.starts_with("unknown mooring number"));
    assert!(skipped[2].0 == "line" && skipped[2].2.starts_with("unsupported element"));
    assert_eq!(report["skipped"][0]["line"], 7);

    let stored: Vec<(Uuid, String, Option<String>)> = sqlx::query_as(
        "SELECT berth_id, svg_path, transform FROM berth_map_data WHERE port_id = $1 ORDER BY svg_path",
    )
    .bind(p)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(stored.len(), 2);
    let m1_row = stored.iter().find(|r| r.0 == m1).unwrap();
    assert_eq!(m1_row.1, "M0 10h60v20h-60Z", "the old shape is replaced");
    assert_eq!(m1_row.2.as_deref(), Some("translate(100 0)"));
    assert!(
        stored
            .iter()
            .any(|r| r.0 == m2 && r.1.starts_with("M0 40L60 40"))
    );
    assert!(!stored.iter().any(|r| r.0 == m3));
    let foreign: i64 =
        sqlx::query_scalar("SELECT count(*) FROM berth_map_data WHERE berth_id = $1")
            .bind(theirs)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(foreign, 0);
    let audit: serde_json::Value = sqlx::query_scalar(
        "SELECT metadata FROM audit_logs WHERE entity_type = 'berth_map' AND port_id = $1",
    )
    .bind(p)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(audit["imported"], 2);
    assert_eq!(audit["skipped"], 3);

    // The imported shapes are on the map, with the group's transform.
    let html = dir
        .get(app.url("/ports/mapi/map"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(drawn(&html, m1).contains("transform=\"translate(100 0)\""));

    // The page form does the same and shows the report.
    let csrf = csrf_of(&dir, &app, "/ports/mapi/map/import").await;
    let res = dir
        .post(app.url("/ports/mapi/map/import"))
        .form(&[("_csrf", csrf.as_str()), ("svg", PLAN)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("Imported 2 shapes"), "{html}");
    assert!(html.contains("unknown mooring number"));
}

#[tokio::test]
async fn a_body_that_is_not_svg_is_422_naming_file() {
    let app = TestApp::spawn().await;
    let p = port(&app, "mapn").await;
    let (dir, _) = member(&app, "director", "mapn").await;
    let b = berth(&app, p, "N1", "available").await;
    for body in [
        "",
        "{\"svg\": \"<svg/>\"}",
        "<html><body><svg/></body></html>",
        "<svg><rect id=\"N1\" width=\"2\" height=\"2\"></svg>",
        "M0 0 h10 v10 z",
    ] {
        let res = dir
            .post(app.url("/api/v1/ports/mapn/berth-map/import"))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let problem: serde_json::Value = res.json().await.unwrap();
        assert!(problem["errors"]["file"][0].is_string(), "{problem}");
    }
    let res = dir
        .post(app.url("/api/v1/ports/mapn/berth-map/import"))
        .body(vec![0xff, 0xfe, 0x00, 0x3c])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM berth_map_data WHERE berth_id = $1")
        .bind(b)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, 0);

    // The page form says it beside the text and keeps what was pasted.
    let csrf = csrf_of(&dir, &app, "/ports/mapn/map/import").await;
    let res = dir
        .post(app.url("/ports/mapn/map/import"))
        .form(&[("_csrf", csrf.as_str()), ("svg", "not a map")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("is not an SVG file"), "{html}");
    assert!(html.contains(">not a map</textarea>"));

    // Importing needs berths.edit; the map itself only berths.view.
    let (agent, _) = member(&app, "sales_agent", "mapn").await;
    let res = agent
        .post(app.url("/api/v1/ports/mapn/berth-map/import"))
        .body("<svg/>")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = agent.get(app.url("/ports/mapn/map")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (s, _) = call(
        &agent,
        &app,
        Method::GET,
        "/api/v1/ports/mapn/berth-map",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
}

/// In a real browser: the + button and the keyboard zoom the map, a berth
/// under the mouse or the keyboard shows its card, a click opens the berth,
/// and on the berth page Alt+↓ moves a waiting-list entry down.
#[tokio::test]
async fn in_a_browser_the_map_zooms_shows_cards_and_opens_berths_and_lists_reorder_by_keyboard() {
    use crate::browser::Browser;
    use fantoccini::actions::{InputSource, KeyAction, KeyActions, MouseActions, PointerAction};
    use fantoccini::key::Key;

    let app = TestApp::spawn().await;
    let p = port(&app, "mapb").await;
    app.create_user(
        "map.director@example.test",
        false,
        Some(("mapb", "director")),
    )
    .await;
    let w1 = berth(&app, p, "W1", "sold").await;
    let w2 = berth(&app, p, "W2", "available").await;
    shape(&app, p, w1, "M0 0 h60 v20 h-60 Z").await;
    shape(&app, p, w2, "M0 30 h60 v20 h-60 Z").await;
    for (i, name) in ["Una First", "Vic Second"].into_iter().enumerate() {
        let c = client(&app, p, name, None).await;
        sqlx::query("INSERT INTO berth_waiting_list (port_id, berth_id, client_id, position) VALUES ($1, $2, $3, $4)")
            .bind(p)
            .bind(w1)
            .bind(c)
            .bind(i as i32 + 1)
            .execute(&app.db)
            .await
            .unwrap();
    }

    let browser = Browser::start(&app).await;
    browser.open("/login").await;
    browser
        .find("#email")
        .await
        .send_keys("map.director@example.test")
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
        .wait_until("location.pathname === '/ports/mapb'")
        .await;

    browser.open("/ports/mapb/map").await;
    let width =
        "Number(document.querySelector('[data-map-svg]').getAttribute('viewBox').split(' ')[2])";
    let start = browser
        .js(&format!("return {width};"))
        .await
        .as_f64()
        .unwrap();
    browser
        .find("[data-map-zoom=in]")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_until(&format!("{width} < {start} * 0.8"))
        .await;
    browser
        .js("document.querySelector('[data-map]').focus();")
        .await;
    browser.press("0").await;
    browser
        .wait_until(&format!("Math.abs({width} - {start}) < 0.01"))
        .await;
    browser.press("-").await;
    browser
        .wait_until(&format!("{width} > {start} * 1.2"))
        .await;
    browser.press("0").await;

    // The mouse over a berth shows its card.
    let link = browser
        .find(&format!("a.map-berth-link[data-berth='{w1}']"))
        .await;
    let shape_el = browser
        .find(&format!("a.map-berth-link[data-berth='{w1}'] path"))
        .await;
    browser
        .client
        .perform_actions(
            MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
                element: shape_el,
                duration: None,
                x: 0.0,
                y: 0.0,
            }),
        )
        .await
        .unwrap();
    browser
        .wait_until("!document.querySelector('[data-map-card]').hidden")
        .await;
    let card = browser.find("[data-map-card]").await.text().await.unwrap();
    assert!(card.contains("Berth W1") && card.contains("Sold"), "{card}");

    // A click opens the berth.
    link.click().await.unwrap();
    browser
        .wait_until(&format!("location.pathname === '/ports/mapb/berths/{w1}'"))
        .await;

    // Alt+↓ on the first entry of the waiting list moves it down.
    browser.find("[data-waitlist-list] > li").await;
    browser
        .js("document.querySelector('[data-waitlist-list] > li').focus();")
        .await;
    let alt_down = KeyActions::new("keyboard".to_owned())
        .then(KeyAction::Down {
            value: Key::Alt.into(),
        })
        .then(KeyAction::Down {
            value: Key::Down.into(),
        })
        .then(KeyAction::Up {
            value: Key::Down.into(),
        })
        .then(KeyAction::Up {
            value: Key::Alt.into(),
        });
    browser.client.perform_actions(alt_down).await.unwrap();
    browser
        .wait_until("document.querySelector('[data-waitlist-list] > li').textContent.includes('Vic Second')")
        .await;
    // The moved entry keeps the keyboard.
    browser
        .wait_until(
            "document.activeElement && document.activeElement.textContent.includes('Una First')",
        )
        .await;
    let order: Vec<String> = sqlx::query_scalar(
        "SELECT c.full_name FROM berth_waiting_list w JOIN clients c ON c.id = w.client_id WHERE w.berth_id = $1 ORDER BY w.position",
    )
    .bind(w1)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(order, ["Vic Second", "Una First"]);
    browser.close().await;
}
