//! The client list over real HTTP: keyset paging under every order, filters,
//! typo-tolerant search, global search, saved views, CSV export and the page
//! in a real browser. Clients are inserted through `app.db` (set-based), as
//! the create API is not what is tested here.

use crate::browser::Browser;
use crate::helpers::{PASSWORD, TestApp, port};
use serde_json::{Value, json};
use std::collections::HashSet;
use uuid::Uuid;

/// `n` clients at `port_id`: "Client 0001"…, every third with no yacht length,
/// every fourth with a company, sources and nationalities in turn.
async fn many(app: &TestApp, port_id: Uuid, n: i32) {
    sqlx::query(
        "INSERT INTO clients (port_id, full_name, company_name, nationality, source, yacht_name, yacht_length_ft, yacht_length_m, created_at)
         SELECT $1, 'Client ' || lpad(i::text, 4, '0'),
                CASE WHEN i % 4 = 0 THEN 'Company ' || (i % 7) END,
                (ARRAY['British', 'French', 'Italian'])[1 + i % 3],
                (ARRAY['website', 'broker', 'referral'])[1 + i % 3],
                'Yacht ' || (i % 13),
                CASE WHEN i % 3 <> 0 THEN 40 + i % 50 END,
                CASE WHEN i % 3 <> 0 THEN round((40 + i % 50) * 0.3048, 2) END,
                now() - make_interval(secs => (i % 17)::int)
         FROM generate_series(1, $2) AS i",
    )
    .bind(port_id)
    .bind(n)
    .execute(&app.db)
    .await
    .unwrap();
}

/// One client with the given columns (JSON object of column → value).
async fn client(app: &TestApp, port_id: Uuid, name: &str, extra: Value) -> Uuid {
    let id: Uuid =
        sqlx::query_scalar("INSERT INTO clients (port_id, full_name) VALUES ($1, $2) RETURNING id")
            .bind(port_id)
            .bind(name)
            .fetch_one(&app.db)
            .await
            .unwrap();
    for (column, value) in extra.as_object().unwrap() {
        // Column names come from this file only.
        let sql = format!(
            "UPDATE clients SET {column} = (jsonb_populate_record(NULL::clients, jsonb_build_object('{column}', $2::jsonb))).{column} WHERE id = $1"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(value)
            .execute(&app.db)
            .await
            .unwrap();
    }
    id
}

async fn contact(app: &TestApp, port_id: Uuid, client: Uuid, channel: &str, value: &str) {
    sqlx::query("INSERT INTO client_contacts (port_id, client_id, channel, value, is_primary) VALUES ($1, $2, $3, $4, true)")
        .bind(port_id)
        .bind(client)
        .bind(channel)
        .bind(value)
        .execute(&app.db)
        .await
        .unwrap();
}

async fn get_json(app: &TestApp, path: &str) -> (u16, Value) {
    let res = app.get(path).await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Every id of the list at `query`, page by page with `limit=50`.
async fn walk(app: &TestApp, query: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let mut path = format!("/api/v1/ports/alpha/clients?limit=50&{query}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let (status, body) = get_json(app, &path).await;
        assert_eq!(status, 200, "{path}: {body}");
        let data = body["data"].as_array().unwrap();
        assert!(data.len() <= 50);
        ids.extend(data.iter().map(|r| r["id"].as_str().unwrap().to_owned()));
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return ids,
        }
    }
    panic!("{query}: more than 100 pages");
}

fn names(body: &Value) -> Vec<String> {
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["full_name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn paging_through_1000_clients_returns_each_exactly_once_in_every_order() {
    let app = TestApp::spawn().await;
    let alpha = port(&app, "alpha").await;
    let bravo = port(&app, "bravo").await;
    many(&app, alpha, 1000).await;
    many(&app, bravo, 30).await;
    app.sign_in_as("director", "alpha").await;
    let all: HashSet<String> =
        sqlx::query_scalar::<_, Uuid>("SELECT id FROM clients WHERE port_id = $1")
            .bind(alpha)
            .fetch_all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.to_string())
            .collect();
    // Default order, a column with NULLs both ways, a text column with NULLs,
    // equal timestamps, and a search sorted by a column, which reaches every
    // match (a ranked search pools them: see the next test).
    for query in [
        "",
        "sort=-yacht_length_ft",
        "sort=yacht_length_ft",
        "sort=company_name",
        "sort=-created_at",
        "q=Client&sort=-created_at",
    ] {
        let ids = walk(&app, query).await;
        let unique: HashSet<String> = ids.iter().cloned().collect();
        assert_eq!(ids.len(), 1000, "{query}: every row once");
        assert_eq!(unique, all, "{query}: exactly this port's clients");
    }
    // The NULL lengths come last ascending and first descending.
    let (_, body) = get_json(
        &app,
        "/api/v1/ports/alpha/clients?sort=-yacht_length_ft&limit=5",
    )
    .await;
    assert!(body["data"][0]["yacht_length_ft"].is_null());
    let (_, body) = get_json(
        &app,
        "/api/v1/ports/alpha/clients?sort=yacht_length_ft&limit=5",
    )
    .await;
    assert_eq!(body["data"][0]["yacht_length_ft"], "40");
    // A cursor of another order is refused, naming it.
    let (_, first) = get_json(&app, "/api/v1/ports/alpha/clients?limit=5").await;
    let c = first["next_cursor"].as_str().unwrap();
    let (status, body) = get_json(
        &app,
        &format!("/api/v1/ports/alpha/clients?sort=-full_name&cursor={c}"),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body["errors"]["cursor"].is_array());
}

#[tokio::test]
async fn each_filter_and_sort_narrows_and_orders_the_list() {
    let app = TestApp::spawn().await;
    let alpha = port(&app, "alpha").await;
    let bravo = port(&app, "bravo").await;
    let anna = client(&app, alpha, "Anna Berg", json!({"nationality": "Swedish", "source": "broker", "is_proxy": true, "proxy_type": "broker", "preferred_contact_method": "whatsapp", "preferred_language": "sv", "company_name": "Berg Marine"})).await;
    let carl = client(&app, alpha, "Carl Dahl", json!({"nationality": "Danish", "source": "website", "preferred_contact_method": "email", "preferred_language": "da"})).await;
    let old = client(
        &app,
        alpha,
        "Olga Old",
        json!({"nationality": "Swedish", "archived_at": "2026-01-01T00:00:00Z"}),
    )
    .await;
    client(
        &app,
        bravo,
        "Bravo Swede",
        json!({"nationality": "Swedish", "source": "broker"}),
    )
    .await;
    let vip: Uuid = sqlx::query_scalar(
        "INSERT INTO tags (port_id, name, color) VALUES ($1, 'VIP', '#b45309') RETURNING id",
    )
    .bind(alpha)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let bravo_tag: Uuid =
        sqlx::query_scalar("INSERT INTO tags (port_id, name) VALUES ($1, 'Bravo') RETURNING id")
            .bind(bravo)
            .fetch_one(&app.db)
            .await
            .unwrap();
    sqlx::query("INSERT INTO client_tags (port_id, client_id, tag_id) VALUES ($1, $2, $3)")
        .bind(alpha)
        .bind(carl)
        .bind(vip)
        .execute(&app.db)
        .await
        .unwrap();
    let hull: Uuid = sqlx::query_scalar("INSERT INTO custom_field_definitions (port_id, entity_type, field_name, field_label, field_type) VALUES ($1, 'client', 'hull', 'Hull', 'text') RETURNING id")
        .bind(alpha).fetch_one(&app.db).await.unwrap();
    sqlx::query("INSERT INTO custom_field_values (port_id, field_id, entity_id, value) VALUES ($1, $2, $3, '\"Steel\"')")
        .bind(alpha).bind(hull).bind(anna).execute(&app.db).await.unwrap();
    contact(&app, alpha, carl, "email", "carl@dahl.example").await;
    app.sign_in_as("sales_agent", "alpha").await;

    let list = |q: &'static str| {
        let app = &app;
        async move { get_json(app, &format!("/api/v1/ports/alpha/clients?{q}")).await }
    };
    for (query, want) in [
        ("nationality=swedish", vec!["Anna Berg"]),
        ("source=broker", vec!["Anna Berg"]),
        ("is_proxy=true", vec!["Anna Berg"]),
        ("is_proxy=false", vec!["Carl Dahl"]),
        ("proxy_type=broker", vec!["Anna Berg"]),
        ("preferred_contact_method=email", vec!["Carl Dahl"]),
        ("preferred_language=sv", vec!["Anna Berg"]),
        ("cf.hull=steel", vec!["Anna Berg"]),
        ("archived=only", vec!["Olga Old"]),
        (
            "archived=true&nationality=Swedish",
            vec!["Anna Berg", "Olga Old"],
        ),
        ("sort=full_name", vec!["Anna Berg", "Carl Dahl"]),
        ("sort=-full_name", vec!["Carl Dahl", "Anna Berg"]),
        ("sort=company_name", vec!["Anna Berg", "Carl Dahl"]),
        ("sort=-company_name", vec!["Carl Dahl", "Anna Berg"]),
    ] {
        let (status, body) = list(query).await;
        assert_eq!(status, 200, "{query}: {body}");
        assert_eq!(names(&body), want, "{query}");
    }
    let (_, body) = get_json(&app, &format!("/api/v1/ports/alpha/clients?tag={vip}")).await;
    assert_eq!(names(&body), ["Carl Dahl"]);
    let row = &body["data"][0];
    assert_eq!(row["email"], "carl@dahl.example");
    assert_eq!(
        row["tags"],
        json!([{"id": vip, "name": "VIP", "color": "#b45309"}])
    );
    assert_eq!(old.to_string().len(), 36);

    // Unknown names, values and another port's tag: 422 naming the field.
    for (query, field) in [
        ("shoe_size=9".to_owned(), "shoe_size"),
        ("sort=shoe_size".to_owned(), "sort"),
        ("source=carrier-pigeon".to_owned(), "source"),
        ("is_proxy=perhaps".to_owned(), "is_proxy"),
        ("archived=sometimes".to_owned(), "archived"),
        (format!("tag={bravo_tag}"), "tag"),
        ("tag=not-an-id".to_owned(), "tag"),
        ("cf.colour=red".to_owned(), "cf.colour"),
        ("limit=500".to_owned(), "limit"),
    ] {
        let (status, body) = get_json(&app, &format!("/api/v1/ports/alpha/clients?{query}")).await;
        assert_eq!(status, 422, "{query}: {body}");
        assert!(body["errors"][field].is_array(), "{query}: {body}");
    }
}

#[tokio::test]
async fn search_forgives_typos_and_finds_partial_words_emails_and_local_phones() {
    let app = TestApp::spawn().await;
    let alpha = port(&app, "alpha").await;
    let bravo = port(&app, "bravo").await;
    let hartley = client(
        &app,
        alpha,
        "Amelia Hartley",
        json!({"yacht_name": "Sea Breeze"}),
    )
    .await;
    contact(
        &app,
        alpha,
        hartley,
        "email",
        "amelia.hartley@oceanmail.example",
    )
    .await;
    contact(&app, alpha, hartley, "phone", "+12647721234").await;
    let other = client(
        &app,
        alpha,
        "Henrik Lindqvist",
        json!({"company_name": "Nordic Charters"}),
    )
    .await;
    contact(&app, alpha, other, "email", "henrik@nordic.example").await;
    client(&app, alpha, "Laurent Moreau", json!({})).await;
    let b = client(&app, bravo, "Amelia Hartley", json!({})).await;
    contact(&app, bravo, b, "email", "amelia.hartley@oceanmail.example").await;
    app.sign_in_as("viewer", "alpha").await;

    for (q, want) in [
        ("Hartly", "Amelia Hartley"),
        ("hart", "Amelia Hartley"),
        ("Amelia Hartley", "Amelia Hartley"),
        ("oceanmail", "Amelia Hartley"),
        ("hartley@ocean", "Amelia Hartley"),
        ("264 772 1234", "Amelia Hartley"),
        ("(264) 772-1234", "Amelia Hartley"),
        ("Nordik Charters", "Henrik Lindqvist"),
        ("Lindqvst", "Henrik Lindqvist"),
        ("sea breez", "Amelia Hartley"),
    ] {
        let path = format!(
            "/api/v1/ports/alpha/clients?{}",
            serde_urlencoded::to_string([("q", q)]).unwrap()
        );
        let (status, body) = get_json(&app, &path).await;
        assert_eq!(status, 200, "{q}: {body}");
        let found = names(&body);
        assert_eq!(
            found.first().map(String::as_str),
            Some(want),
            "{q}: {found:?}"
        );
        assert!(
            body["data"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["port_id"] == json!(alpha)),
            "{q}: another port's client"
        );
        assert!(body["data"][0]["rank"].as_f64().unwrap() > 0.0);
    }
    let (_, body) = get_json(&app, "/api/v1/ports/alpha/clients?q=zzqqxx").await;
    assert!(body["data"].as_array().unwrap().is_empty());

    // The global search groups the same hits.
    let (status, body) = get_json(&app, "/api/v1/ports/alpha/search?q=Hartly").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["groups"][0]["kind"], "clients");
    let items = body["groups"][0]["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{body}");
    assert_eq!(items[0]["id"], json!(hartley));
    assert_eq!(items[0]["url"], format!("/ports/alpha/clients/{hartley}"));
    let (status, _) = get_json(&app, "/api/v1/ports/alpha/search?q=").await;
    assert_eq!(status, 422);
    let (status, _) = get_json(&app, "/api/v1/ports/bravo/search?q=Hartley").await;
    assert_eq!(
        status, 404,
        "another port's search does not exist for this user"
    );
    // The top bar's suggestions and the results page.
    let html = app
        .get("/ports/alpha/search/suggest?q=hartly")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Amelia Hartley")
            && html.contains(&format!("/ports/alpha/clients/{hartley}"))
    );
    let page = app.get("/ports/alpha/search?q=hartly").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Amelia Hartley"));
}

/// A ranked search takes at most 200 matches per field (migration 0047), so a
/// type-ahead over a huge port stays fast; sorting by a column or filtering
/// reaches every match. Either way each page holds new clients only.
#[tokio::test]
async fn a_broad_search_ranks_a_pool_and_a_sort_or_a_filter_reaches_every_match() {
    let app = TestApp::spawn().await;
    let alpha = port(&app, "alpha").await;
    many(&app, alpha, 600).await;
    app.sign_in_as("viewer", "alpha").await;

    let ranked = walk(&app, "q=Client").await;
    assert_eq!(
        ranked.iter().collect::<HashSet<_>>().len(),
        ranked.len(),
        "a ranked search repeats a client across pages"
    );
    assert_eq!(ranked.len(), 200, "the names' matches are pooled at 200");
    let by_name = walk(&app, "q=Client&sort=full_name").await;
    assert_eq!(by_name.iter().collect::<HashSet<_>>().len(), 600);
    let french = walk(&app, "q=Client&nationality=French").await;
    assert_eq!(french.iter().collect::<HashSet<_>>().len(), 200);

    let html = app
        .get("/ports/alpha/clients?q=Client")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("The best 200 matches"),
        "the page says the search was pooled"
    );
}

#[tokio::test]
async fn saved_views_are_shared_defaulted_and_changed_by_their_owner_only() {
    let app = TestApp::spawn().await;
    port(&app, "alpha").await;
    app.sign_in_as("sales_agent", "alpha").await;
    let base = "/api/v1/ports/alpha/saved-views";
    let make = |name: &str, default: bool, shared: bool| {
        json!({"entity_type": "clients", "name": name, "filters": {"source": "broker"},
               "sort_config": {"sort": "-created_at"}, "column_config": {"columns": ["email"]},
               "is_default": default, "is_shared": shared})
    };
    let res = app.post_json(base, &make("Brokers", true, false)).await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let first: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("{base}/{}", first["id"].as_str().unwrap())
    );
    let second: Value = app
        .post_json(base, &make("Mine", true, false))
        .await
        .json()
        .await
        .unwrap();
    let private: Value = app
        .post_json(base, &make("Private", false, false))
        .await
        .json()
        .await
        .unwrap();
    // One default per user and list: the newer one took over.
    let (_, list) = get_json(&app, &format!("{base}?entity_type=clients")).await;
    let defaults: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["is_default"] == true)
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(defaults, ["Mine"]);
    let res = app
        .client
        .patch(app.url(&format!("{base}/{}", first["id"].as_str().unwrap())))
        .json(&json!({"is_default": true, "is_shared": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (_, list) = get_json(&app, &format!("{base}?entity_type=clients")).await;
    let defaults: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["is_default"] == true)
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(defaults, ["Brokers"]);
    // Bad bodies name the field.
    let res = app
        .post_json(base, &json!({"entity_type": "boats", "name": "x"}))
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post_json(base, &json!({"entity_type": "clients", "name": " "}))
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post_json(
            base,
            &json!({"entity_type": "clients", "name": "x", "port_id": "y"}),
        )
        .await;
    assert_eq!(res.status(), 422);

    // The page opens the default view when it has no query of its own.
    let html = app.get("/ports/alpha/clients").await.text().await.unwrap();
    assert!(
        html.contains("aria-current=\"page\">Brokers"),
        "the default view is current"
    );

    // Another member sees the shared view only, and may change nothing.
    let other = TestApp::client_for(&app);
    let email = format!("other.{}@example.test", Uuid::new_v4().simple());
    app.create_user(&email, false, Some(("alpha", "sales_manager")))
        .await;
    let res = other
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let list: Value = other
        .get(app.url(&format!("{base}?entity_type=clients")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let seen: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(seen, ["Brokers"]);
    let shared = format!("{base}/{}", first["id"].as_str().unwrap());
    let hidden = format!("{base}/{}", private["id"].as_str().unwrap());
    let res = other
        .patch(app.url(&shared))
        .json(&json!({"name": "Mine now"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(
        other
            .delete(app.url(&shared))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        other
            .delete(app.url(&hidden))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        other.get(app.url(&hidden)).send().await.unwrap().status(),
        404
    );
    // The owner deletes.
    assert_eq!(
        app.client
            .delete(app.url(&hidden))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(app.get(&hidden).await.status(), 404);
    assert_eq!(second["name"], "Mine");
}

#[tokio::test]
async fn csv_export_quotes_guards_formulas_and_honours_the_filters() {
    let app = TestApp::spawn().await;
    let alpha = port(&app, "alpha").await;
    let bravo = port(&app, "bravo").await;
    let evil = client(
        &app,
        alpha,
        "=HYPERLINK(\"http://x\")",
        json!({"company_name": "Smith, Jones & \"Co\"", "source": "broker"}),
    )
    .await;
    contact(&app, alpha, evil, "phone", "+12647721234").await;
    client(
        &app,
        alpha,
        "Zoë Ångström",
        json!({"source": "broker", "company_name": "Line\nbreak"}),
    )
    .await;
    client(&app, alpha, "Website Person", json!({"source": "website"})).await;
    client(&app, bravo, "Bravo Broker", json!({"source": "broker"})).await;
    app.sign_in_as("director", "alpha").await;

    let res = app
        .get("/api/v1/ports/alpha/clients/export.csv?source=broker&sort=full_name")
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"clients-alpha-20")
            && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    let bytes = res.bytes().await.unwrap();
    assert!(
        bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
        "UTF-8 with a byte order mark"
    );
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(
        text.starts_with("id,full_name,company_name,email,phone,"),
        "{text}"
    );
    assert!(
        text.ends_with("\r\n") && text.matches("\r\n").count() == 3,
        "CRLF after each of 3 records: {text:?}"
    );
    assert!(
        text.contains(
            ",\"'=HYPERLINK(\"\"http://x\"\")\",\"Smith, Jones & \"\"Co\"\"\",,'+12647721234,"
        ),
        "{text}"
    );
    assert!(text.contains("Zoë Ångström,\"Line\nbreak\""), "{text}");
    assert!(!text.contains("Website Person") && !text.contains("Bravo Broker"));
    // A search narrows the export too; a bad filter is refused before any byte.
    let res = app
        .get("/api/v1/ports/alpha/clients/export.csv?q=%C3%85ngstr")
        .await;
    let text = res.text().await.unwrap();
    assert!(
        text.contains("Zoë Ångström") && !text.contains("HYPERLINK"),
        "{text}"
    );
    assert_eq!(
        app.get("/api/v1/ports/alpha/clients/export.csv?colour=red")
            .await
            .status(),
        422
    );
    // The list page links to the export with its filters.
    let html = app
        .get("/ports/alpha/clients?source=broker")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("/api/v1/ports/alpha/clients/export.csv?source=broker"),
        "export link"
    );

    // Without clients.export: 403.
    let viewer = TestApp::client_for(&app);
    let email = format!("viewer.{}@example.test", Uuid::new_v4().simple());
    app.create_user(&email, false, Some(("alpha", "viewer")))
        .await;
    viewer
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let res = viewer
        .get(app.url("/api/v1/ports/alpha/clients/export.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let html = viewer
        .get(app.url("/ports/alpha/clients"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("export.csv") && !html.contains("New client"));
}

#[tokio::test]
async fn the_generator_makes_clients_with_valid_phones_and_unique_emails() {
    let app = TestApp::spawn().await;
    let report = nimara::demo::bulk::generate(&app.state.db, "gen", 400)
        .await
        .unwrap();
    assert_eq!((report.clients, report.contacts), (400, 800));
    let phones: Vec<String> =
        sqlx::query_scalar("SELECT value FROM client_contacts WHERE channel = 'phone'")
            .fetch_all(&app.db)
            .await
            .unwrap();
    for p in &phones {
        assert_eq!(
            domain::contacts::normalise_phone(p, "AI").as_deref(),
            Ok(p.as_str()),
            "{p} is valid E.164"
        );
    }
    let emails: HashSet<String> =
        sqlx::query_scalar("SELECT value FROM client_contacts WHERE channel = 'email'")
            .fetch_all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .collect();
    assert_eq!(emails.len(), 400);
    assert!(
        emails
            .iter()
            .all(|e| domain::contacts::normalise_email(e).as_deref() == Ok(e.as_str()))
    );
    assert!(
        nimara::demo::bulk::generate(&app.state.db, "gen", 10)
            .await
            .is_err(),
        "a filled port is not doubled"
    );
}

#[tokio::test]
async fn the_list_page_sorts_filters_and_the_top_bar_searches_as_you_type() {
    let app = TestApp::spawn().await;
    let alpha = port(&app, "alpha").await;
    let hartley = client(
        &app,
        alpha,
        "Amelia Hartley",
        json!({"source": "broker", "nationality": "British"}),
    )
    .await;
    client(
        &app,
        alpha,
        "Bruno Zeller",
        json!({"source": "website", "nationality": "Swiss"}),
    )
    .await;
    client(&app, alpha, "Carla Mendes", json!({"source": "broker"})).await;
    app.create_user("lister@example.test", false, Some(("alpha", "director")))
        .await;
    let browser = Browser::start(&app).await;
    browser.open("/login").await;
    browser
        .find("#email")
        .await
        .send_keys("lister@example.test")
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
        .wait_until("location.pathname === '/ports/alpha'")
        .await;

    // The navigation leads to the list, sorted by name.
    browser
        .find("#sidebar a[href='/ports/alpha/clients']")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_until("location.pathname === '/ports/alpha/clients'")
        .await;
    let first = "document.querySelector('tbody tr th.client-name a').textContent";
    assert_eq!(
        browser.js(&format!("return {first}")).await,
        "Amelia Hartley"
    );
    // A click on the Name header sorts descending.
    browser
        .find("thead th:first-child a.sort-link")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_until("location.search.includes('sort=-full_name')")
        .await;
    assert_eq!(browser.js(&format!("return {first}")).await, "Carla Mendes");
    // Filter by source.
    browser.js("document.getElementById('f-source').value = 'website'; document.querySelector('.client-filters').submit(); return 1").await;
    browser
        .wait_until("location.search.includes('source=website')")
        .await;
    browser
        .wait_until("document.querySelectorAll('.client-table tbody tr').length === 1")
        .await;
    assert_eq!(browser.js(&format!("return {first}")).await, "Bruno Zeller");

    // For looking at the page: NIMARA_SCREENSHOT_DIR=/tmp cargo test … writes
    // the list in light, dark and phone sizes there.
    if let Ok(dir) = std::env::var("NIMARA_SCREENSHOT_DIR") {
        browser.open("/ports/alpha/clients?view=all").await;
        browser.find(".client-table").await;
        let shot = |name: &'static str| {
            let (browser, dir) = (&browser, dir.clone());
            async move {
                let png = browser.client.screenshot().await.unwrap();
                std::fs::write(format!("{dir}/lists-{name}.png"), png).unwrap();
            }
        };
        shot("light").await;
        browser
            .js("document.documentElement.dataset.theme = 'dark'; return 1")
            .await;
        shot("dark").await;
        browser.resize(390, 844).await;
        shot("phone").await;
        browser.resize(1440, 900).await;
        browser
            .js("document.documentElement.dataset.theme = 'light'; return 1")
            .await;
        browser.open("/ports/alpha/clients?source=website").await;
    }

    // `/` focuses the top bar; typing a typo drops down the match; arrow and Enter open it.
    browser.find("main h1").await.click().await.unwrap();
    browser.press("/").await;
    browser
        .wait_until("document.activeElement.id === 'global-search'")
        .await;
    browser.press("Hartly").await;
    browser.wait_until("!document.getElementById('search-results').hidden && document.getElementById('search-results').textContent.includes('Amelia Hartley')").await;
    browser.press("\u{E015}").await; // ArrowDown
    browser
        .wait_until("document.querySelector('#search-results [aria-selected=true]') !== null")
        .await;
    browser.press("\u{E007}").await; // Enter
    browser
        .wait_until(&format!(
            "location.pathname === '/ports/alpha/clients/{hartley}'"
        ))
        .await;
    // Escape closes the list; Ctrl+K focuses the box from anywhere.
    browser.open("/ports/alpha/clients").await;
    browser
        .find("#global-search")
        .await
        .send_keys("mendes")
        .await
        .unwrap();
    browser
        .wait_until("!document.getElementById('search-results').hidden")
        .await;
    browser.press("\u{E00C}").await; // Escape
    browser
        .wait_until("document.getElementById('search-results').hidden")
        .await;
    browser.close().await;
}
