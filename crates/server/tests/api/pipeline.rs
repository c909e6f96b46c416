//! The pipeline board over real HTTP: each column's count and value, the
//! filters, "show more" by keyset, the page and its table view, and what
//! never shows (archived interests, another port's). Berths, clients and
//! interests are inserted through `app.db`: the board reads them, it does
//! not create them.

use crate::helpers::{TestApp, port};
use serde_json::{Value, json};
use uuid::Uuid;

/// A berth of `port_id`: `spec` holds any berth columns (JSON column → value).
pub async fn berth(app: &TestApp, port_id: Uuid, mooring: &str, spec: Value) -> Uuid {
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO berths (port_id, mooring_number) VALUES ($1, $2) RETURNING id",
    )
    .bind(port_id)
    .bind(mooring)
    .fetch_one(&app.db)
    .await
    .unwrap();
    set(app, "berths", id, &spec).await;
    id
}

/// A client of `port_id` with any client columns in `spec`.
pub async fn client(app: &TestApp, port_id: Uuid, name: &str, spec: Value) -> Uuid {
    let id: Uuid =
        sqlx::query_scalar("INSERT INTO clients (port_id, full_name) VALUES ($1, $2) RETURNING id")
            .bind(port_id)
            .bind(name)
            .fetch_one(&app.db)
            .await
            .unwrap();
    set(app, "clients", id, &spec).await;
    id
}

/// An interest of `client_id` at `stage`, with any interest columns in `spec`.
pub async fn interest(
    app: &TestApp,
    port_id: Uuid,
    client_id: Uuid,
    berth_id: Option<Uuid>,
    stage: &str,
    spec: Value,
) -> Uuid {
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO interests (port_id, client_id, berth_id, pipeline_stage) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(port_id)
    .bind(client_id)
    .bind(berth_id)
    .bind(stage)
    .fetch_one(&app.db)
    .await
    .unwrap();
    set(app, "interests", id, &spec).await;
    id
}

/// Sets columns of one row from a JSON object; table and column names come
/// from this file's callers only.
async fn set(app: &TestApp, table: &str, id: Uuid, spec: &Value) {
    for (column, value) in spec.as_object().unwrap() {
        let sql = format!(
            "UPDATE {table} SET {column} = (jsonb_populate_record(NULL::{table}, jsonb_build_object('{column}', $2::jsonb))).{column} WHERE id = $1"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(value)
            .execute(&app.db)
            .await
            .unwrap();
    }
}

async fn get_json(app: &TestApp, path: &str) -> (u16, Value) {
    let res = app.get(path).await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn column<'a>(board: &'a Value, stage: &str) -> &'a Value {
    board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["stage"] == stage)
        .unwrap_or_else(|| panic!("no column {stage}: {board}"))
}

fn names(column: &Value) -> Vec<String> {
    column["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["client_name"].as_str().unwrap().to_owned())
        .collect()
}

fn values(column: &Value) -> Vec<(String, String)> {
    column["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["currency"].as_str().unwrap().to_owned(),
                v["amount"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Port alpha's pipeline: two open interests (one without a berth), three
/// visited ones over berths priced in USD, EUR and not at all, an archived
/// one; and port bravo's own interest on a priced berth.
struct Fixture {
    app: TestApp,
    alpha: Uuid,
    archived: Uuid,
    tag: Uuid,
}

async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    let alpha = port(&app, "alpha").await;
    let bravo = port(&app, "bravo").await;
    let a01 = berth(
        &app,
        alpha,
        "A01",
        json!({"area": "Pier A", "price": "100000", "price_currency": "USD"}),
    )
    .await;
    let a02 = berth(
        &app,
        alpha,
        "A02",
        json!({"area": "Pier A", "price": "250000.50", "price_currency": "USD"}),
    )
    .await;
    let b01 = berth(
        &app,
        alpha,
        "B01",
        json!({"area": "Pier B", "price": "80000", "price_currency": "EUR"}),
    )
    .await;
    let b02 = berth(&app, alpha, "B02", json!({"area": "Pier B"})).await;
    let days_ago = |d: i64| json!((chrono::Utc::now() - chrono::Duration::days(d)).to_rfc3339());

    let amelia = client(
        &app,
        alpha,
        "Amelia Hartley",
        json!({"yacht_name": "Sea Breeze"}),
    )
    .await;
    interest(
        &app,
        alpha,
        amelia,
        None,
        "open",
        json!({"lead_category": "general_interest", "created_at": days_ago(12)}),
    )
    .await;
    let bruno = client(&app, alpha, "Bruno Zeller", json!({})).await;
    interest(
        &app,
        alpha,
        bruno,
        Some(a01),
        "open",
        json!({"date_last_contact": days_ago(1)}),
    )
    .await;
    let carla = client(&app, alpha, "Carla Mendes", json!({})).await;
    let carla_i = interest(
        &app,
        alpha,
        carla,
        Some(a02),
        "visited",
        json!({"lead_category": "hot_lead", "date_last_contact": days_ago(3)}),
    )
    .await;
    let dmitri = client(&app, alpha, "Dmitri Volkov", json!({})).await;
    interest(
        &app,
        alpha,
        dmitri,
        Some(b01),
        "visited",
        json!({"lead_category": "hot_lead", "date_last_contact": days_ago(2)}),
    )
    .await;
    let esther = client(&app, alpha, "Esther Lind", json!({})).await;
    let esther_i = interest(
        &app,
        alpha,
        esther,
        Some(b02),
        "visited",
        json!({"date_last_contact": days_ago(5)}),
    )
    .await;
    let felix = client(&app, alpha, "Felix Archived", json!({})).await;
    let archived = interest(
        &app,
        alpha,
        felix,
        Some(a01),
        "contract",
        json!({"archived_at": days_ago(1)}),
    )
    .await;

    let bravo_berth = berth(
        &app,
        bravo,
        "A01",
        json!({"area": "Pier A", "price": "999999", "price_currency": "USD"}),
    )
    .await;
    let bravo_client = client(&app, bravo, "Bravo Only", json!({})).await;
    interest(
        &app,
        bravo,
        bravo_client,
        Some(bravo_berth),
        "visited",
        json!({}),
    )
    .await;

    // A tag on Carla's interest; open reminders on Esther's (assigned to
    // nobody in particular) and, once the user exists, Carla's (theirs).
    let tag: Uuid =
        sqlx::query_scalar("INSERT INTO tags (port_id, name) VALUES ($1, 'VIP') RETURNING id")
            .bind(alpha)
            .fetch_one(&app.db)
            .await
            .unwrap();
    sqlx::query("INSERT INTO interest_tags (port_id, interest_id, tag_id) VALUES ($1, $2, $3)")
        .bind(alpha)
        .bind(carla_i)
        .bind(tag)
        .execute(&app.db)
        .await
        .unwrap();
    let email = app.sign_in_as("director", "alpha").await;
    let me: String = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(&email)
        .fetch_one(&app.db)
        .await
        .unwrap();
    for (interest, assigned, status) in [
        (carla_i, Some(me.as_str()), "pending"),
        (esther_i, Some("someone-else"), "snoozed"),
        (esther_i, Some(me.as_str()), "completed"),
    ] {
        sqlx::query("INSERT INTO reminders (port_id, title, due_at, created_by, interest_id, assigned_to, status) VALUES ($1, 'Call', now(), 'x', $2, $3, $4)")
            .bind(alpha)
            .bind(interest)
            .bind(assigned)
            .bind(status)
            .execute(&app.db)
            .await
            .unwrap();
    }
    Fixture {
        app,
        alpha,
        archived,
        tag,
    }
}

#[tokio::test]
async fn each_column_counts_its_open_interests_and_adds_their_berths_prices_per_currency() {
    let f = fixture().await;
    let (status, board) = get_json(&f.app, "/api/v1/ports/alpha/pipeline").await;
    assert_eq!(status, 200, "{board}");
    let stages: Vec<&str> = board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["stage"].as_str().unwrap())
        .collect();
    assert_eq!(
        stages,
        [
            "open",
            "details_sent",
            "in_communication",
            "visited",
            "signed_eoi_nda",
            "deposit_10pct",
            "contract",
            "completed"
        ]
    );

    let open = column(&board, "open");
    assert_eq!(open["count"], 2);
    assert_eq!(values(open), [("USD".to_owned(), "100000".to_owned())]);
    // Newest contact first: Bruno was contacted a day ago, Amelia never
    // (her interest is twelve days old).
    assert_eq!(names(open), ["Bruno Zeller", "Amelia Hartley"]);
    assert_eq!(open["cards"][1]["yacht_name"], "Sea Breeze");
    assert_eq!(open["cards"][1]["value"], Value::Null);
    assert_eq!(open["cards"][0]["mooring_number"], "A01");
    assert_eq!(open["cards"][0]["value"]["amount"], "100000");

    let visited = column(&board, "visited");
    assert_eq!(visited["count"], 3, "the berth without a price counts");
    // The port's own currency first.
    assert_eq!(
        values(visited),
        [
            ("USD".to_owned(), "250000.50".to_owned()),
            ("EUR".to_owned(), "80000".to_owned())
        ]
    );
    assert_eq!(visited["values"][0]["display"], "USD 250,000.50");
    assert_eq!(
        names(visited),
        ["Dmitri Volkov", "Carla Mendes", "Esther Lind"]
    );

    // The archived interest and port bravo's are nowhere.
    assert_eq!(column(&board, "contract")["count"], 0);
    let text = board.to_string();
    assert!(!text.contains(&f.archived.to_string()));
    assert!(
        !text.contains("Bravo Only") && !text.contains("999999"),
        "{text}"
    );
    let total: i64 = board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 5);

    // limit=0: the counts and values alone.
    let (_, summary) = get_json(&f.app, "/api/v1/ports/alpha/pipeline?limit=0").await;
    assert_eq!(column(&summary, "visited")["count"], 3);
    assert!(
        column(&summary, "visited")["cards"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn filters_narrow_counts_values_and_cards() {
    let f = fixture().await;
    let count = |board: &Value, stage: &str| column(board, stage)["count"].as_i64().unwrap();

    let (_, b) = get_json(&f.app, "/api/v1/ports/alpha/pipeline?area=Pier+B").await;
    assert_eq!((count(&b, "open"), count(&b, "visited")), (0, 2));
    assert_eq!(
        values(column(&b, "visited")),
        [("EUR".to_owned(), "80000".to_owned())]
    );

    let (_, hot) = get_json(
        &f.app,
        "/api/v1/ports/alpha/pipeline?lead_category=hot_lead",
    )
    .await;
    assert_eq!(
        names(column(&hot, "visited")),
        ["Dmitri Volkov", "Carla Mendes"]
    );
    assert_eq!(count(&hot, "open"), 0);

    let (_, tagged) = get_json(
        &f.app,
        &format!("/api/v1/ports/alpha/pipeline?tag={}", f.tag),
    )
    .await;
    assert_eq!(names(column(&tagged, "visited")), ["Carla Mendes"]);

    // Open reminders only: Carla's is mine; Esther's open one is someone
    // else's (her completed one, mine, does not count).
    let (_, mine) = get_json(&f.app, "/api/v1/ports/alpha/pipeline?reminders=mine").await;
    assert_eq!(names(column(&mine, "visited")), ["Carla Mendes"]);
    let (_, any) = get_json(&f.app, "/api/v1/ports/alpha/pipeline?reminders=any").await;
    assert_eq!(
        names(column(&any, "visited")),
        ["Carla Mendes", "Esther Lind"]
    );
    assert_eq!(count(&any, "open"), 0);

    // Filters combine.
    let (_, both) = get_json(
        &f.app,
        "/api/v1/ports/alpha/pipeline?area=Pier+A&lead_category=hot_lead",
    )
    .await;
    assert_eq!(names(column(&both, "visited")), ["Carla Mendes"]);

    // Bad input names the field; an unknown stage lists the allowed ones.
    let (status, problem) = get_json(
        &f.app,
        "/api/v1/ports/alpha/pipeline?lead_category=warm&reminders=theirs&colour=red",
    )
    .await;
    assert_eq!(status, 422);
    for field in ["lead_category", "reminders", "colour"] {
        assert!(problem["errors"][field].is_array(), "{field}: {problem}");
    }
    let (status, problem) = get_json(&f.app, "/api/v1/ports/alpha/pipeline?stage=won").await;
    assert_eq!(status, 422);
    assert!(
        problem["errors"]["stage"][0]
            .as_str()
            .unwrap()
            .contains("deposit_10pct")
    );
    let (status, problem) = get_json(
        &f.app,
        &format!("/api/v1/ports/alpha/pipeline?tag={}", Uuid::new_v4()),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem["errors"]["tag"].is_array());
    let (status, _) = get_json(&f.app, "/api/v1/ports/alpha/pipeline?limit=201").await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn show_more_continues_one_column_after_its_last_card() {
    let f = fixture().await;
    for i in 0..5 {
        let c = client(&f.app, f.alpha, &format!("Lead {i}"), json!({})).await;
        let at = json!((chrono::Utc::now() - chrono::Duration::hours(i)).to_rfc3339());
        interest(
            &f.app,
            f.alpha,
            c,
            None,
            "details_sent",
            json!({"date_last_contact": at}),
        )
        .await;
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/ports/alpha/pipeline?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let (status, board) = get_json(&f.app, &path).await;
        assert_eq!(status, 200, "{board}");
        let col = column(&board, "details_sent");
        assert_eq!(col["count"], 5);
        seen.extend(names(col));
        pages += 1;
        match col["next_cursor"].as_str() {
            Some(next) => {
                path = format!(
                    "/api/v1/ports/alpha/pipeline?limit=2&stage=details_sent&cursor={next}"
                );
                // The next page answers that column alone.
                let (_, more) = get_json(&f.app, &path).await;
                assert_eq!(more["columns"].as_array().unwrap().len(), 1);
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ["Lead 0", "Lead 1", "Lead 2", "Lead 3", "Lead 4"]);

    let (_, first) = get_json(&f.app, "/api/v1/ports/alpha/pipeline?limit=2").await;
    let next = column(&first, "details_sent")["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, problem) = get_json(
        &f.app,
        &format!("/api/v1/ports/alpha/pipeline?cursor={next}"),
    )
    .await;
    assert_eq!(status, 422);
    assert!(problem["errors"]["cursor"].is_array());

    // The page's "show more" answers the next cards as a fragment.
    let html = f
        .app
        .get(&format!(
            "/ports/alpha/pipeline/cards?limit=2&stage=details_sent&cursor={next}"
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Lead 2") && html.contains("Lead 3") && !html.contains("Lead 1"),
        "{html}"
    );
    assert!(html.contains("data-more"), "a third page follows");
}

#[tokio::test]
async fn the_board_page_shows_columns_cards_and_the_table_sorts() {
    let f = fixture().await;
    let res = f.app.get("/ports/alpha/pipeline").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    for text in [
        "EOI / NDA signed",
        "Amelia Hartley",
        "Sea Breeze",
        "USD 100,000.00",
        "12 d",
        "data-can-move",
        "/ports/alpha/interests/",
        "href=\"/ports/alpha/pipeline\"",
    ] {
        assert!(html.contains(text), "{text} missing");
    }
    assert!(!html.contains("Felix Archived") && !html.contains("Bravo Only"));
    assert!(html.contains("data-column=\"visited\""));

    let filtered = f
        .app
        .get("/ports/alpha/pipeline?area=Pier+B")
        .await
        .text()
        .await
        .unwrap();
    assert!(filtered.contains("Dmitri Volkov") && !filtered.contains("Amelia Hartley"));
    // A bad filter is shown beside its field, not answered with an error page.
    let res = f.app.get("/ports/alpha/pipeline?lead_category=warm").await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("must be one of"));

    // The table: every open interest, sortable by any column.
    let table = f
        .app
        .get("/ports/alpha/pipeline?view=table&sort=client")
        .await
        .text()
        .await
        .unwrap();
    let order: Vec<usize> = [
        "Amelia Hartley",
        "Bruno Zeller",
        "Carla Mendes",
        "Dmitri Volkov",
        "Esther Lind",
    ]
    .iter()
    .map(|n| table.find(n).unwrap_or_else(|| panic!("{n} missing")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    let by_value = f
        .app
        .get("/ports/alpha/pipeline?view=table&sort=-value")
        .await
        .text()
        .await
        .unwrap();
    assert!(by_value.find("Carla Mendes").unwrap() < by_value.find("Bruno Zeller").unwrap());
    assert!(by_value.contains("aria-sort=\"descending\""));
    let res = f
        .app
        .get("/ports/alpha/pipeline?view=table&sort=shoe_size")
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("not a sortable column"));

    // One who may view but not edit interests sees no way to move cards.
    let viewer = TestApp::client_for(&f.app);
    let email = format!("viewer.{}@example.test", Uuid::new_v4().simple());
    f.app
        .create_user(&email, false, Some(("alpha", "viewer")))
        .await;
    viewer
        .post(f.app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": crate::helpers::PASSWORD}))
        .send()
        .await
        .unwrap();
    let html = viewer
        .get(f.app.url("/ports/alpha/pipeline"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Amelia Hartley"));
    assert!(!html.contains("data-can-move") && !html.contains("data-move"));
}

#[tokio::test]
async fn the_table_pages_by_keyset_in_any_order() {
    let f = fixture().await;
    sqlx::query(
        "WITH c AS (INSERT INTO clients (port_id, full_name) SELECT $1, 'Bulk ' || lpad(i::text, 3, '0') FROM generate_series(1, 230) i RETURNING id)
         INSERT INTO interests (port_id, client_id, pipeline_stage) SELECT $1, id, 'visited' FROM c",
    )
    .bind(f.alpha)
    .execute(&f.app.db)
    .await
    .unwrap();
    for sort in ["client", "-stage", "value", "-last_contact"] {
        let mut path = format!("/ports/alpha/pipeline?view=table&sort={sort}");
        let mut rows = Vec::new();
        for _ in 0..10 {
            let html = f.app.get(&path).await.text().await.unwrap();
            let prefix = "<th scope=\"row\"><a href=\"/ports/alpha/interests/";
            rows.extend(
                html.match_indices(prefix)
                    .map(|(i, _)| html[i + prefix.len()..i + prefix.len() + 36].to_owned()),
            );
            match html.find(" rel=\"next\"") {
                Some(rel) => {
                    let start = html[..rel].rfind("href=\"").unwrap() + 6;
                    path = html[start..rel - 1]
                        .replace("&#38;", "&")
                        .replace("&amp;", "&");
                }
                None => break,
            }
        }
        let unique: std::collections::HashSet<&String> = rows.iter().collect();
        assert_eq!(rows.len(), 235, "{sort}");
        assert_eq!(unique.len(), 235, "{sort}: no row twice");
    }
}

async fn stage_of(app: &TestApp, client: &str) -> (String, bool) {
    sqlx::query_as::<_, (String, bool)>(
        "SELECT i.pipeline_stage, i.date_first_contact IS NOT NULL FROM interests i JOIN clients c ON c.id = i.client_id WHERE c.full_name = $1",
    )
    .bind(client)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

/// The board in a real browser: a card moved with the keyboard (its stage
/// select) and one dragged to another column are saved through the
/// interests API at once, the counts follow, and the toast's Undo moves a
/// card back.
#[tokio::test]
async fn cards_move_by_keyboard_and_by_drag_and_the_toast_undoes() {
    use crate::browser::Browser;
    let f = fixture().await;
    f.app
        .create_user("mover@example.test", false, Some(("alpha", "director")))
        .await;
    let browser = Browser::start(&f.app).await;
    browser.open("/login").await;
    browser
        .find("#email")
        .await
        .send_keys("mover@example.test")
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
        .find("#sidebar a[href='/ports/alpha/pipeline']")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_until("location.pathname === '/ports/alpha/pipeline'")
        .await;

    let in_column = |name: &str, stage: &str| {
        format!(
            "Array.from(document.querySelectorAll(\"[data-drop='{stage}'] [data-card]\")).some(c => c.dataset.name === '{name}')"
        )
    };
    let count = |stage: &str| {
        format!(
            "document.querySelector(\"[data-column='{stage}'] [data-count]\").textContent.trim()"
        )
    };

    // The keyboard way: Amelia's stage select, one step down.
    let select = browser
        .find("[data-card][data-name='Amelia Hartley'] select[data-move]")
        .await;
    select.click().await.unwrap();
    browser.press("\u{E015}").await; // ArrowDown: Details sent
    browser.press("\u{E007}").await; // Enter
    browser
        .wait_until(&in_column("Amelia Hartley", "details_sent"))
        .await;
    browser
        .wait_until("document.querySelector('[data-board-toasts] [data-undo]') !== null")
        .await;
    browser
        .wait_until(&format!("{} === '1'", count("details_sent")))
        .await;
    assert_eq!(browser.js(&format!("return {}", count("open"))).await, "1");
    // A hot lead's chip is drawn in red, not the plain chip's grey.
    let rgb = browser
        .js("return getComputedStyle(document.querySelector(\"[data-lead='hot_lead']\")).color.match(/[0-9.]+/g).map(Number)")
        .await;
    // (rgb() in 0–255 or color(srgb …) in 0–1: compared as ratios.)
    let channel = |i: usize| rgb[i].as_f64().unwrap();
    assert!(
        channel(0) > 2.0 * channel(1) && channel(0) > 2.0 * channel(2),
        "{rgb}"
    );
    // Saved as the interests API saves a move: the milestone is stamped.
    assert_eq!(
        stage_of(&f.app, "Amelia Hartley").await,
        ("details_sent".to_owned(), true)
    );

    // Undo moves it back, on the board and in the database.
    browser
        .find("[data-board-toasts] [data-undo]")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_until(&in_column("Amelia Hartley", "open"))
        .await;
    browser
        .wait_until(&format!("{} === '2'", count("open")))
        .await;
    assert_eq!(stage_of(&f.app, "Amelia Hartley").await.0, "open");

    // Dragging Bruno's card onto the Visited column.
    browser
        .js(
            "const card = document.querySelector(\"[data-card][data-name='Bruno Zeller']\");
             const zone = document.querySelector(\"[data-drop='visited']\");
             const dt = new DataTransfer();
             card.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: dt}));
             zone.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: dt}));
             zone.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: dt}));
             card.dispatchEvent(new DragEvent('dragend', {bubbles: true, dataTransfer: dt}));
             return 1;",
        )
        .await;
    browser
        .wait_until(&in_column("Bruno Zeller", "visited"))
        .await;
    browser
        .wait_until(&format!("{} === '4'", count("visited")))
        .await;
    // Its berth's price now counts in Visited.
    browser
        .wait_until("document.querySelector(\"[data-column='visited'] [data-values]\").textContent.includes('USD 350')")
        .await;
    assert_eq!(stage_of(&f.app, "Bruno Zeller").await.0, "visited");

    // On a phone the board scrolls sideways inside itself; the page does not.
    browser.resize(390, 844).await;
    browser
        .wait_until("document.documentElement.scrollWidth <= window.innerWidth")
        .await;
    assert!(
        browser
            .js("const b = document.querySelector('[data-board]'); return b.scrollWidth > b.clientWidth")
            .await
            == true
    );
    browser.resize(1440, 900).await;

    // For looking at the page: NIMARA_SCREENSHOT_DIR=/tmp cargo test … writes
    // the board and the table in light, dark and phone sizes there.
    if let Ok(dir) = std::env::var("NIMARA_SCREENSHOT_DIR") {
        for (view, path) in [
            ("board", "/ports/alpha/pipeline"),
            ("table", "/ports/alpha/pipeline?view=table"),
        ] {
            browser.open(path).await;
            browser.find("main h1").await;
            for theme in ["light", "dark"] {
                browser
                    .js(&format!(
                        "document.documentElement.dataset.theme = '{theme}'; return 1"
                    ))
                    .await;
                let png = browser.client.screenshot().await.unwrap();
                std::fs::write(format!("{dir}/pipeline-{view}-{theme}.png"), png).unwrap();
            }
            browser.resize(390, 844).await;
            // The navigation slides away when the window narrows.
            tokio::time::sleep(std::time::Duration::from_millis(400)).await;
            let png = browser.client.screenshot().await.unwrap();
            std::fs::write(format!("{dir}/pipeline-{view}-phone.png"), png).unwrap();
            browser.resize(1440, 900).await;
            browser
                .js("document.documentElement.dataset.theme = 'light'; return 1")
                .await;
        }
    }
    browser.close().await;
}

/// `nimara demo --interests N`: the benchmark's port, every stage filled,
/// most interests on a priced berth, never filled twice.
#[tokio::test]
async fn the_generator_fills_a_port_the_board_can_show() {
    let app = TestApp::spawn().await;
    let report = nimara::demo::board::generate(&app.state.db, "gen", 120)
        .await
        .unwrap();
    assert_eq!((report.interests, report.berths), (120, 60));
    app.sign_in_as("director", "gen").await;
    let (status, board) = get_json(&app, "/api/v1/ports/gen/pipeline?limit=5").await;
    assert_eq!(status, 200);
    let columns = board["columns"].as_array().unwrap();
    let total: i64 = columns.iter().map(|c| c["count"].as_i64().unwrap()).sum();
    assert_eq!(total, 120);
    assert!(
        columns.iter().all(|c| c["count"].as_i64().unwrap() > 0),
        "every stage holds some"
    );
    assert!(
        columns
            .iter()
            .all(|c| !c["values"].as_array().unwrap().is_empty())
    );
    for filter in ["area=Pier+A", "reminders=any", "lead_category=hot_lead"] {
        let (_, narrow) = get_json(&app, &format!("/api/v1/ports/gen/pipeline?{filter}")).await;
        let narrowed: i64 = narrow["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["count"].as_i64().unwrap())
            .sum();
        assert!(narrowed > 0 && narrowed < 120, "{filter}: {narrowed}");
    }
    assert!(
        nimara::demo::board::generate(&app.state.db, "gen", 10)
            .await
            .is_err(),
        "a filled port is not doubled"
    );
}
