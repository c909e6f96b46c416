//! The permission matrix: every declared route, called by each system role.
//!
//! The routes come from `nimara::http::routes`, the one list every route must
//! be declared in, so a new route is in this test the moment it exists. A role
//! whose permissions include the route's permission must get through the check
//! (any answer but 401/403: the handler may still say 404 or 422 for the
//! made-up ids and empty bodies); any other role must get 403.

use crate::helpers::TestApp;
use domain::permissions::{SYSTEM_ROLES, system_role};
use nimara::access::{Access, Declared};
use reqwest::Method;

/// Fills a route's parameters: the port's slug, made-up ids elsewhere.
fn concrete(path: &str, slug: &str) -> String {
    path.split('/')
        .map(|seg| match seg {
            "{port}" => slug.to_owned(),
            s if s.starts_with('{') => uuid::Uuid::new_v4().to_string(),
            s => s.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// What a role should get: through the check, or 403.
fn allowed(access: Access, role: &str) -> bool {
    match access {
        Access::Public | Access::SignedIn | Access::Member => true,
        Access::SuperAdmin => false,
        Access::Port(key) => system_role(role).expect("a system role").contains(key),
        Access::AnyOf(keys) => {
            let held = system_role(role).expect("a system role");
            keys.iter().any(|k| held.contains(*k))
        }
    }
}

async fn call(
    app: &TestApp,
    route: &Declared,
    path: &str,
    session: &nimara::auth::session::Live,
    token: &str,
) -> (u16, String) {
    let method = Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
    let mut req = app
        .client_without_cookies()
        .request(method.clone(), app.url(path))
        .header("cookie", format!("nimara_session={token}"));
    if method != Method::GET {
        req = if path.starts_with("/api/") {
            req.json(&serde_json::json!({}))
        } else {
            req.form(&[("_csrf", session.csrf_token.as_str())])
        };
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    // The problem's detail says why, when the answer is not the expected one.
    let detail = if status == 403 {
        res.text()
            .await
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect()
    } else {
        String::new()
    };
    (status, detail)
}

#[tokio::test]
async fn every_route_allows_exactly_the_roles_holding_its_permission() {
    let app = TestApp::spawn().await;
    sqlx::query("INSERT INTO ports (name, slug) VALUES ('Anchor Bay', 'anchor')")
        .execute(&app.db)
        .await
        .unwrap();
    let (_, declared) = nimara::http::routes(&app.state).into_parts();
    assert!(declared.len() >= 8, "the routes are listed: {declared:?}");

    let mut users = Vec::new();
    for role in SYSTEM_ROLES {
        let id = app
            .create_user(
                &format!("{role}@example.test"),
                false,
                Some(("anchor", role)),
            )
            .await;
        users.push((role, id));
    }
    let mut wrong = Vec::new();
    for route in &declared {
        if route.access == Access::Public {
            continue;
        }
        let path = concrete(&route.path, "anchor");
        for (role, user_id) in &users {
            // A session of its own per call: some routes (sign-out) end the one they use.
            let origin = nimara::auth::session::Origin::default();
            let (token, live) = nimara::auth::session::create(&app.db, user_id, &origin)
                .await
                .unwrap();
            let (status, detail) = call(&app, route, &path, &live, &token).await;
            let expect_allowed = allowed(route.access, role);
            let got_allowed = status != 403 && status != 401;
            if expect_allowed != got_allowed {
                let expected = if expect_allowed { "through" } else { "403" };
                wrong.push(format!(
                    "{} {} as {role}: {status}, expected {expected} {detail}",
                    route.method, route.path
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "routes answering against their declared access:\n{}",
        wrong.join("\n")
    );
}

#[tokio::test]
async fn every_route_but_the_public_ones_refuses_a_stranger() {
    let app = TestApp::spawn().await;
    sqlx::query("INSERT INTO ports (name, slug) VALUES ('Anchor Bay', 'anchor')")
        .execute(&app.db)
        .await
        .unwrap();
    let (_, declared) = nimara::http::routes(&app.state).into_parts();
    for route in declared.iter().filter(|r| r.access != Access::Public) {
        let method = Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
        let path = concrete(&route.path, "anchor");
        let res = app
            .client_without_cookies()
            .request(method, app.url(&path))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        // The API says 401; a page sends the visitor to the sign-in form.
        let ok = if path.starts_with("/api/") {
            status == 401
        } else {
            status == 303
                && res.headers()["location"]
                    .to_str()
                    .unwrap()
                    .starts_with("/login")
        };
        assert!(
            ok,
            "{} {} without signing in: {status}",
            route.method, route.path
        );
    }
}
