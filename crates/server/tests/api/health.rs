use crate::helpers::{TestApp, fresh_database};
use nimara::app::BuildOptions;

#[tokio::test]
async fn healthz_and_readyz_answer_on_a_migrated_database() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let res = app.get("/healthz").await;
    let id = res
        .headers()
        .get("x-request-id")
        .expect("x-request-id is set")
        .to_str()
        .unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id} is a UUID");
}

#[tokio::test]
async fn unknown_api_paths_answer_problem_json_and_pages_answer_html() {
    let app = TestApp::spawn().await;
    let res = app.get("/api/v1/no-such-thing").await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let problem: serde_json::Value = res.json().await.unwrap();
    assert_eq!(problem["status"], 404);
    assert_eq!(problem["title"], "Not Found");

    let res = app.get("/no-such-page").await;
    assert_eq!(res.status(), 404);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = res.text().await.unwrap();
    assert!(html.contains("<html"), "an HTML page: {html}");
}

#[tokio::test]
async fn metrics_count_requests_by_route_template() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        app.get("/healthz").await;
    }
    let text = app.get("/metrics").await.text().await.unwrap();
    let line = text
        .lines()
        .find(|l| {
            l.starts_with("http_requests_total{")
                && l.contains("route=\"/healthz\"")
                && l.contains("status=\"200\"")
        })
        .unwrap_or_else(|| panic!("no request counter for /healthz in\n{text}"));
    let count: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 3.0, "{line}");
    assert!(
        text.contains("http_request_duration_seconds_bucket{"),
        "latency histogram present"
    );
}

#[tokio::test]
async fn responses_are_compressed_when_the_client_accepts_it() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        app.get("/healthz").await;
    }
    for encoding in ["gzip", "br"] {
        let res = app
            .client
            .get(app.url("/metrics"))
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(
            res.headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            Some(encoding)
        );
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413() {
    let app = TestApp::spawn().await;
    let body = vec![b'x'; 26 * 1024 * 1024];
    let res = app
        .client
        .post(app.url("/api/v1/anything"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
}

#[tokio::test]
async fn readyz_turns_503_while_the_database_is_gone_and_recovers_by_itself() {
    let db_url = fresh_database().await;
    let app = TestApp::spawn_on(db_url.clone(), BuildOptions::default())
        .await
        .unwrap();
    assert_eq!(app.get("/readyz").await.status(), 200);
    let name = db_url
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    app.db.close().await;

    // The database goes away under the running server: no new connections, every
    // existing one cut.
    let mut admin = crate::helpers::admin_connection().await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "ALTER DATABASE {name} ALLOW_CONNECTIONS false"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
        .bind(&name)
        .execute(&mut admin)
        .await
        .unwrap();
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body = res.text().await.unwrap();
    assert!(
        !body.to_lowercase().contains("sql") && !body.contains(&name),
        "no internals leak: {body}"
    );

    // It comes back; the server reconnects without a restart.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "ALTER DATABASE {name} ALLOW_CONNECTIONS true"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    let mut status = 0;
    for _ in 0..50 {
        status = app.get("/readyz").await.status().as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_openapi_document_lists_every_declared_api_route_with_its_permission() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let (_, declared) = nimara::http::routes(&app.state).into_parts();
    for route in declared.iter().filter(|r| r.path.starts_with("/api/")) {
        let op = &doc["paths"][&route.path][route.method.as_str().to_lowercase()];
        assert!(
            op.is_object(),
            "{} {} is documented",
            route.method,
            route.path
        );
        if let nimara::access::Access::Port(key) = route.access {
            assert_eq!(op["x-permission"], key);
        }
    }
    assert_eq!(
        doc["paths"]["/api/v1/auth/login"]["post"]["security"],
        serde_json::json!([])
    );
}
