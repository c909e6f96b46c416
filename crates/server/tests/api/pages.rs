//! The pages over HTTP: the redirect from `/`, the dashboard's numbers, error
//! pages and the embedded assets.

use crate::helpers::TestApp;
use uuid::Uuid;

pub async fn insert_port(app: &TestApp, name: &str, slug: &str) -> Uuid {
    sqlx::query_scalar("INSERT INTO ports (name, slug) VALUES ($1, $2) RETURNING id")
        .bind(name)
        .bind(slug)
        .fetch_one(&app.db)
        .await
        .expect("insert a port")
}

async fn insert_berth(app: &TestApp, port: Uuid, number: &str, status: &str) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO berths (port_id, mooring_number, status) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(port)
    .bind(number)
    .bind(status)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

async fn insert_client(app: &TestApp, port: Uuid, name: &str, archived: bool) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO clients (port_id, full_name, archived_at) VALUES ($1, $2, CASE WHEN $3 THEN now() END) RETURNING id",
    )
    .bind(port)
    .bind(name)
    .bind(archived)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

async fn insert_interest(app: &TestApp, port: Uuid, client: Uuid, stage: &str, archived: bool) {
    sqlx::query(
        "INSERT INTO interests (port_id, client_id, pipeline_stage, archived_at)
         VALUES ($1, $2, $3, CASE WHEN $4 THEN now() END)",
    )
    .bind(port)
    .bind(client)
    .bind(stage)
    .bind(archived)
    .execute(&app.db)
    .await
    .unwrap();
}

/// The text of the element carrying `marker` (an attribute such as
/// `data-stat="clients"`), tags removed and whitespace collapsed.
fn text_of(html: &str, marker: &str) -> String {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} is on the page"));
    let rest = &html[start..];
    let end = rest
        .find("</article>")
        .or_else(|| rest.find("</tr>"))
        .unwrap();
    let mut text = String::new();
    let mut in_tag = true;
    for c in rest[..end].chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn root_redirects_to_the_first_active_port() {
    let app = TestApp::spawn().await;
    app.sign_in_super_admin().await;
    insert_port(&app, "Zephyr Marina", "zephyr").await;
    insert_port(&app, "Anchor Bay", "anchor").await;
    let hidden = insert_port(&app, "Aardvark Harbour", "aardvark").await;
    sqlx::query("UPDATE ports SET is_active = false WHERE id = $1")
        .bind(hidden)
        .execute(&app.db)
        .await
        .unwrap();

    let res = app.get("/").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/ports/anchor");
    assert_eq!(
        app.get("/ports/aardvark").await.status(),
        404,
        "an inactive port is not shown"
    );
}

#[tokio::test]
async fn with_no_port_the_root_explains_how_to_create_one() {
    let app = TestApp::spawn().await;
    app.sign_in_super_admin().await;
    let res = app.get("/").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("No port yet"), "{html}");
    assert!(html.contains("nimara port create") && html.contains("nimara demo"));
}

#[tokio::test]
async fn the_dashboard_counts_this_ports_rows_only() {
    let app = TestApp::spawn().await;
    app.sign_in_super_admin().await;
    let port = insert_port(&app, "Anchor Bay", "anchor").await;
    let other = insert_port(&app, "Other Port", "other").await;
    for (i, status) in [
        "available",
        "available",
        "under_offer",
        "sold",
        "sold",
        "sold",
    ]
    .iter()
    .enumerate()
    {
        insert_berth(&app, port, &format!("A{i}"), status).await;
    }
    insert_berth(&app, other, "Z1", "available").await;
    let ada = insert_client(&app, port, "Ada", false).await;
    insert_client(&app, port, "Old", true).await;
    let stranger = insert_client(&app, other, "Stranger", false).await;
    insert_interest(&app, port, ada, "open", false).await;
    insert_interest(&app, port, ada, "open", false).await;
    insert_interest(&app, port, ada, "contract", false).await;
    insert_interest(&app, port, ada, "visited", true).await;
    insert_interest(&app, other, stranger, "visited", false).await;

    let res = app.get("/ports/anchor").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = res.text().await.unwrap();
    assert!(html.contains("<h1>Anchor Bay</h1>"));
    assert_eq!(
        text_of(&html, "data-stat=\"berths_available\""),
        "Available berths 2 33% of 6 berths"
    );
    assert_eq!(
        text_of(&html, "data-stat=\"berths_under_offer\""),
        "Under offer 1 17% of 6 berths"
    );
    assert_eq!(
        text_of(&html, "data-stat=\"berths_sold\""),
        "Sold 3 50% of 6 berths"
    );
    assert_eq!(
        text_of(&html, "data-stat=\"clients\""),
        "Clients 1 3 active interests"
    );
    assert_eq!(text_of(&html, "data-stage=\"open\""), "Open 2");
    assert_eq!(
        text_of(&html, "data-stage=\"visited\""),
        "Visited 0",
        "archived and other ports' interests are not counted"
    );
    assert_eq!(text_of(&html, "data-stage=\"contract\""), "Contract 1");
    assert_eq!(text_of(&html, "data-stage=\"completed\""), "Completed 0");
    // Stages appear in pipeline order.
    let positions: Vec<usize> = domain::pipeline::Stage::ALL
        .iter()
        .map(|s| {
            html.find(&format!("data-stage=\"{}\"", s.as_str()))
                .unwrap()
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]));
    // The switcher lists both ports, the current one marked.
    assert!(html.contains("href=\"/ports/other\""));
    assert!(html.contains("href=\"/ports/anchor\" aria-current=\"page\""));
}

#[tokio::test]
async fn an_unknown_port_is_a_404_page_in_the_shell() {
    let app = TestApp::spawn().await;
    app.sign_in_super_admin().await;
    let res = app.get("/ports/nowhere").await;
    assert_eq!(res.status(), 404);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = res.text().await.unwrap();
    assert!(html.contains("Page not found"));
    assert!(html.contains("class=\"sidebar\"") && html.contains("Go to the dashboard"));
}

#[tokio::test]
async fn the_port_colour_becomes_the_accent_and_bad_values_are_ignored() {
    let app = TestApp::spawn().await;
    app.sign_in_super_admin().await;
    let port = insert_port(&app, "Anchor Bay", "anchor").await;
    let set = |color: &'static str| {
        sqlx::query("UPDATE ports SET primary_color = $1 WHERE id = $2")
            .bind(color)
            .bind(port)
            .execute(&app.db)
    };
    set("#C0392B").await.unwrap();
    let html = app.get("/ports/anchor").await.text().await.unwrap();
    assert!(
        html.contains("style=\"--accent: #c0392b; --accent-fg: #ffffff\""),
        "{html}"
    );
    set("red;}body{display:none").await.unwrap();
    let html = app.get("/ports/anchor").await.text().await.unwrap();
    assert!(!html.contains("--accent:"), "an invalid colour is not used");
}

#[tokio::test]
async fn pages_link_fingerprinted_assets_served_with_long_caching() {
    let app = TestApp::spawn().await;
    app.sign_in_super_admin().await;
    let html = app.get("/").await.text().await.unwrap();
    let mut urls: Vec<&str> = html
        .split(['"', '#'])
        .filter(|s| s.starts_with("/assets/"))
        .collect();
    urls.sort_unstable();
    urls.dedup();
    for ext in [".css", ".js", ".svg"] {
        assert!(
            urls.iter().any(|u| u.ends_with(ext)),
            "a {ext} asset is linked: {urls:?}"
        );
    }
    for url in urls {
        let res = app.get(url).await;
        assert_eq!(res.status(), 200, "{url}");
        let h = res.headers();
        assert_eq!(
            h["cache-control"], "public, max-age=31536000, immutable",
            "{url}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        let etag = h["etag"].to_str().unwrap().to_owned();
        let ct = h["content-type"].to_str().unwrap();
        let expected = if url.ends_with(".css") {
            "text/css"
        } else if url.ends_with(".js") {
            "text/javascript"
        } else {
            "image/svg+xml"
        };
        assert!(ct.starts_with(expected), "{url}: {ct}");
        assert!(!res.bytes().await.unwrap().is_empty());

        let again = app
            .client
            .get(app.url(url))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{url} revalidates by ETag");
    }
}

#[tokio::test]
async fn plain_asset_names_revalidate_and_unknown_assets_are_404() {
    let app = TestApp::spawn().await;
    app.sign_in_super_admin().await;
    let res = app.get("/assets/app.css").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "public, no-cache");
    assert_eq!(app.get("/assets/app.00000000.css").await.status(), 404);
    assert_eq!(app.get("/assets/../Cargo.toml").await.status(), 404);
}

#[tokio::test]
async fn the_htmx_bundle_is_the_pinned_2_0_line() {
    let app = TestApp::spawn().await;
    app.sign_in_super_admin().await;
    let body = app.get("/assets/htmx.js").await.text().await.unwrap();
    assert!(body.contains("version:\"2.0."), "htmx 2.0.x is embedded");
}

#[tokio::test]
async fn the_theme_in_the_address_is_left_to_the_page_and_other_unknown_keys_are_named() {
    let app = TestApp::spawn().await;
    app.sign_in_super_admin().await;
    insert_port(&app, "Anchor Bay", "anchor").await;
    // theme.js reads ?theme=; the lists' filter checks must let it through.
    for list in ["clients", "berths", "interests", "pipeline"] {
        let res = app.get(&format!("/ports/anchor/{list}?theme=dark")).await;
        assert_eq!(res.status(), 200, "{list}");
        let html = res.text().await.unwrap();
        assert!(!html.contains("is not a filter"), "{list}: {html}");
        let res = app.get(&format!("/ports/anchor/{list}?colour=dark")).await;
        let html = res.text().await.unwrap();
        assert!(
            html.contains("is not a filter"),
            "{list}: an unknown key is still named"
        );
    }
}
