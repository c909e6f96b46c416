//! CSV import of clients over HTTP: upload, mapping, dry run, the background
//! import, and what bad files, bad rows and a failing job get.

use crate::helpers::{TestApp, port};
use serde_json::{Value, json};
use uuid::Uuid;

const CSV: &str = "text/csv";

async fn upload(app: &TestApp, slug: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
    app.client
        .post(app.url(&format!(
            "/api/v1/ports/{slug}/clients/import?filename=clients.csv"
        )))
        .header("content-type", CSV)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn uploaded(app: &TestApp, slug: &str, body: impl Into<reqwest::Body>) -> Value {
    let res = upload(app, slug, body).await;
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

async fn dry_run(app: &TestApp, slug: &str, id: &str, body: Value) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/ports/{slug}/clients/imports/{id}/dry-run"),
        &body,
    )
    .await
}

/// An existing client of `port_id` with an e-mail and a phone.
async fn client(app: &TestApp, port_id: Uuid, name: &str, email: &str, phone: &str) -> Uuid {
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO clients (port_id, full_name, company_name) VALUES ($1, $2, 'Old Co') RETURNING id",
    )
    .bind(port_id)
    .bind(name)
    .fetch_one(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO client_contacts (port_id, client_id, channel, value, is_primary)
         VALUES ($1, $2, 'email', $3, true), ($1, $2, 'phone', $4, true)",
    )
    .bind(port_id)
    .bind(id)
    .bind(email)
    .bind(phone)
    .execute(&app.db)
    .await
    .unwrap();
    id
}

async fn count(app: &TestApp, sql: &str, port_id: Uuid) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(port_id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

fn row_at(report: &Value, line: u64) -> &Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["line"] == line)
        .unwrap_or_else(|| panic!("no row for line {line}"))
}

#[tokio::test]
async fn ten_thousand_rows_are_imported_and_planted_duplicates_flagged() {
    let app = TestApp::spawn().await;
    let port_id = port(&app, "harbour").await;
    app.sign_in_as("director", "harbour").await;
    let known = client(
        &app,
        port_id,
        "Amelia Hartley",
        "known@example.com",
        "+12647729990",
    )
    .await;
    client(
        &app,
        port_id,
        "Henrik Lindqvist",
        "henrik@example.com",
        "+12647729991",
    )
    .await;

    // Row i is on line i + 1. Planted: 100 has a known client's e-mail (an
    // update), 200 a known client's phone, 301 and 401 repeat the e-mail and
    // phone of 300 and 400, 500 is a near twin of a known client's name.
    let mut csv = String::from("Full Name,E-mail,Mobile,Length (ft),Nationality\n");
    for i in 1..=10_000u32 {
        let (name, email, phone) = match i {
            100 => (
                "Amelia Hartley".to_owned(),
                "KNOWN@example.com".to_owned(),
                String::new(),
            ),
            200 => (
                format!("Guest {i:05} Zed"),
                format!("g{i}@example.org"),
                "(264) 772-9991".to_owned(),
            ),
            301 => (
                format!("Guest {i:05} Zed"),
                "g300@example.org".to_owned(),
                String::new(),
            ),
            401 => (
                format!("Guest {i:05} Zed"),
                format!("g{i}@example.org"),
                "+1 264 772 0400".to_owned(),
            ),
            500 => (
                "Henrik Lindquist".to_owned(),
                format!("g{i}@example.org"),
                String::new(),
            ),
            // The known clients' numbers (772-9990, 772-9991) stay out of the range.
            _ if i >= 9990 => (
                format!("Guest {i:05} Zed"),
                format!("g{i}@example.org"),
                String::new(),
            ),
            _ => (
                format!("Guest {i:05} Zed"),
                format!("g{i}@example.org"),
                format!("+1 264 772 {i:04}"),
            ),
        };
        csv.push_str(&format!("{name},{email},{phone},{},British\n", 30 + i % 70));
    }
    let up = uploaded(&app, "harbour", csv).await;
    assert_eq!(up["total_rows"], 10_000);
    assert_eq!(up["suggested_mapping"]["Full Name"], "full_name");
    assert_eq!(up["suggested_mapping"]["Mobile"], "phone");
    assert_eq!(up["sample_rows"].as_array().unwrap().len(), 5);
    let id = up["id"].as_str().unwrap().to_owned();

    let res = dry_run(&app, "harbour", &id, json!({})).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let report = &body["report"];
    assert_eq!(
        report["summary"],
        json!({"total_rows": 10000, "create": 9999, "update": 1, "reject": 0, "flagged": 4}),
        "{}",
        report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r.get("duplicates").is_some())
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(row_at(report, 101)["action"], "update");
    assert_eq!(row_at(report, 101)["client_id"], known.to_string());
    assert_eq!(row_at(report, 201)["duplicates"][0]["by"], "phone");
    assert_eq!(row_at(report, 302)["duplicates"][0]["line"], 301);
    assert_eq!(row_at(report, 402)["duplicates"][0]["line"], 401);
    assert_eq!(row_at(report, 501)["duplicates"][0]["by"], "name");
    // A dry run writes no client.
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM clients WHERE port_id = $1",
            port_id
        )
        .await,
        2
    );

    let res = app
        .post_json(
            &format!("/api/v1/ports/harbour/clients/imports/{id}/run"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 202);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "queued");
    // The import, then the e-mail of the duplicate alert it raised.
    assert_eq!(app.run_jobs().await, 2);

    let done: Value = app
        .get(&format!("/api/v1/ports/harbour/clients/imports/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(done["status"], "done", "{}", done["error"]);
    assert_eq!(done["processed_rows"], 10_000);
    assert_eq!(done["created_count"], 9999);
    assert_eq!(done["flagged_count"], 4);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM clients WHERE port_id = $1",
            port_id
        )
        .await,
        2 + 9999
    );
    // The planted duplicates are now candidate pairs, for the duplicates page.
    let pairs: Vec<(String, String, Vec<String>)> = sqlx::query_as(
        "SELECT least(a.full_name, b.full_name), greatest(a.full_name, b.full_name), d.reasons
         FROM client_duplicate_candidates d
         JOIN clients a ON a.id = d.client_a_id
         JOIN clients b ON b.id = d.client_b_id
         WHERE d.port_id = $1",
    )
    .bind(port_id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    for planted in [
        ("Guest 00200 Zed", "Henrik Lindqvist", "phone"),
        ("Guest 00300 Zed", "Guest 00301 Zed", "email"),
        ("Guest 00400 Zed", "Guest 00401 Zed", "phone"),
    ] {
        assert!(
            pairs.iter().any(
                |(a, b, reasons)| (a.as_str(), b.as_str()) == (planted.0, planted.1)
                    && reasons.iter().any(|r| r == planted.2)
            ),
            "{planted:?} not among {pairs:?}"
        );
    }
    // Every new row's e-mail (row 100's is the known client's already), and the
    // phones of rows 1–9989 but 100, 301 and 500.
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM client_contacts WHERE port_id = $1",
            port_id
        )
        .await,
        4 + 9999 + 9986
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM audit_logs WHERE port_id = $1 AND action = 'create' AND entity_type = 'client'", port_id).await,
        9999
    );
    let imported: String = sqlx::query_scalar(
        "SELECT c.source FROM clients c JOIN client_contacts cc ON cc.client_id = c.id WHERE cc.value = 'g7@example.org'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(imported, "import");
    // The created rows name their clients in the final report.
    let created = row_at(&done["report"], 3)["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) FROM clients WHERE port_id = $1 AND id = '{created}'"),
            port_id
        )
        .await,
        1
    );

    let list: Value = app
        .get("/api/v1/ports/harbour/clients/imports")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["data"][0]["id"], id.as_str());
    // Run once only.
    let again = app
        .post_json(
            &format!("/api/v1/ports/harbour/clients/imports/{id}/run"),
            &json!({}),
        )
        .await;
    assert_eq!(again.status(), 409);
}

#[tokio::test]
async fn the_dry_run_names_each_bad_row_by_its_line() {
    let app = TestApp::spawn().await;
    port(&app, "harbour").await;
    app.sign_in_as("director", "harbour").await;
    let csv = "Name,Email,Phone,Length ft,Length m\n\
               Good Person,good@example.com,+1 264 772 1234,100,\n\
               Bad Mail,not-an-email,,,\n\
               Bad Phone,,12,,\n\
               ,nobody@example.com,,,\n\
               Odd Yacht,,,100,40\n\
               Too,Many,Fields,1,2,3\n\
               Stray \"Quote\",,,,\n\
               \"Closed\"after,,,,\n\
               Last Good,last@example.com,,,\n";
    let up = uploaded(&app, "harbour", csv).await;
    let id = up["id"].as_str().unwrap();
    let res = dry_run(&app, "harbour", id, json!({})).await;
    assert_eq!(res.status(), 200);
    let report = res.json::<Value>().await.unwrap()["report"].clone();
    assert_eq!(report["summary"]["create"], 2);
    assert_eq!(report["summary"]["reject"], 7);
    let problem = |line: u64| {
        let row = row_at(&report, line);
        assert_eq!(row["action"], "reject", "line {line}: {row}");
        row["problems"][0].clone()
    };
    assert_eq!(problem(3)["column"], "Email");
    assert_eq!(problem(4)["column"], "Phone");
    assert_eq!(problem(5)["field"], "full_name");
    assert_eq!(problem(6)["field"], "yacht_length_m");
    assert!(problem(7)["message"].as_str().unwrap().contains("6 fields"));
    assert!(problem(8)["message"].as_str().unwrap().contains("quote"));
    assert!(
        problem(9)["message"]
            .as_str()
            .unwrap()
            .contains("closing quote")
    );
    assert_eq!(row_at(&report, 10)["action"], "create");
}

#[tokio::test]
async fn bad_files_and_mappings_are_refused_with_the_field_named() {
    let app = TestApp::spawn().await;
    port(&app, "harbour").await;
    app.sign_in_as("director", "harbour").await;

    // Windows-1252, as spreadsheets save "CSV" on Windows.
    let res = upload(
        &app,
        "harbour",
        b"Name,Email\nAnn,a@x.io\nRen\xe9e,r@x.io\n".to_vec(),
    )
    .await;
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    let message = problem["errors"]["file"][0].as_str().unwrap();
    assert!(
        message.contains("line 3") && message.contains("Windows-1252"),
        "{message}"
    );

    // No column feeds the name.
    let up = uploaded(&app, "harbour", "Name,Email\nAnn,a@x.io\n").await;
    let id = up["id"].as_str().unwrap();
    let res = dry_run(&app, "harbour", id, json!({"mapping": {"Email": "email"}})).await;
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    assert!(problem["errors"]["mapping"].is_array(), "{problem}");
    let res = dry_run(
        &app,
        "harbour",
        id,
        json!({"mapping": {"Name": "full_name", "Nope": "email", "Email": "fax"}}),
    )
    .await;
    let problem: Value = res.json().await.unwrap();
    assert!(
        problem["errors"]["mapping.Nope"].is_array()
            && problem["errors"]["mapping.Email"].is_array(),
        "{problem}"
    );

    // Running before a dry run.
    let res = app
        .post_json(
            &format!("/api/v1/ports/harbour/clients/imports/{id}/run"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 409);

    // Over the limit (20 MiB by default).
    let big = vec![b'a'; 21 * 1024 * 1024];
    assert_eq!(upload(&app, "harbour", big).await.status(), 413);
}

#[tokio::test]
async fn a_known_email_updates_the_client_and_audits_each_change() {
    let app = TestApp::spawn().await;
    let port_id = port(&app, "harbour").await;
    app.sign_in_as("director", "harbour").await;
    let known = client(
        &app,
        port_id,
        "Amelia Hartley",
        "amelia@example.com",
        "+12647729990",
    )
    .await;
    let csv =
        "Name,Email,Phone,Company\nAmelia Hartley, Amelia@Example.com ,+1 264 772 5555,New Co\n";
    let up = uploaded(&app, "harbour", csv).await;
    let id = up["id"].as_str().unwrap();
    let report: Value = dry_run(&app, "harbour", id, json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["report"]["summary"]["update"], 1);
    app.post_json(
        &format!("/api/v1/ports/harbour/clients/imports/{id}/run"),
        &json!({}),
    )
    .await;
    app.run_jobs().await;
    let company: String = sqlx::query_scalar("SELECT company_name FROM clients WHERE id = $1")
        .bind(known)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(company, "New Co");
    let phones: Vec<(String, bool)> = sqlx::query_as(
        "SELECT value, is_primary FROM client_contacts WHERE client_id = $1 AND channel = 'phone' ORDER BY value",
    )
    .bind(known)
    .fetch_all(&app.db)
    .await
    .unwrap();
    // The new phone is added, not primary: the client has one already.
    assert_eq!(
        phones,
        [
            ("+12647725555".to_owned(), false),
            ("+12647729990".to_owned(), true)
        ]
    );
    let emails = count(
        &app,
        "SELECT count(*) FROM client_contacts WHERE port_id = $1 AND channel = 'email'",
        port_id,
    )
    .await;
    assert_eq!(emails, 1);
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT field_changed FROM audit_logs WHERE entity_id = $1 AND action = 'update' ORDER BY field_changed",
    )
    .bind(known)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(audited, ["company_name"]);
}

#[tokio::test]
async fn a_failing_import_writes_nothing_and_says_why() {
    let app = TestApp::spawn().await;
    let port_id = port(&app, "harbour").await;
    app.sign_in_as("director", "harbour").await;
    // The database refuses the last row's contact, after every client is in.
    sqlx::query(
        "CREATE FUNCTION refuse_contact() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF NEW.value = 'boom@example.com' THEN RAISE EXCEPTION 'the mail server list refuses boom'; END IF; RETURN NEW; END $$",
    )
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query("CREATE TRIGGER refuse BEFORE INSERT ON client_contacts FOR EACH ROW EXECUTE FUNCTION refuse_contact()")
        .execute(&app.db)
        .await
        .unwrap();
    let mut csv = String::from("Name,Email\n");
    for i in 0..50 {
        csv.push_str(&format!("Person {i},p{i}@example.com\n"));
    }
    csv.push_str("Last One,boom@example.com\n");
    let up = uploaded(&app, "harbour", csv).await;
    let id = up["id"].as_str().unwrap();
    assert_eq!(dry_run(&app, "harbour", id, json!({})).await.status(), 200);
    app.post_json(
        &format!("/api/v1/ports/harbour/clients/imports/{id}/run"),
        &json!({}),
    )
    .await;
    app.run_jobs().await;
    let state: Value = app
        .get(&format!("/api/v1/ports/harbour/clients/imports/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(state["status"], "failed");
    let error = state["error"].as_str().unwrap();
    assert!(
        error.contains("nothing was written") && error.contains("refuses boom"),
        "{error}"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM clients WHERE port_id = $1",
            port_id
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM audit_logs WHERE port_id = $1 AND entity_type = 'client'",
            port_id
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_viewer_may_not_import_and_another_ports_import_is_not_found() {
    let app = TestApp::spawn().await;
    port(&app, "harbour").await;
    let other = port(&app, "elsewhere").await;
    let theirs: Uuid = sqlx::query_scalar(
        "INSERT INTO client_imports (port_id, content, mapping, status) VALUES ($1, 'Name\nX\n', '{\"Name\": \"full_name\"}', 'validated') RETURNING id",
    )
    .bind(other)
    .fetch_one(&app.db)
    .await
    .unwrap();

    app.sign_in_as("viewer", "harbour").await;
    assert_eq!(upload(&app, "harbour", "Name\nAnn\n").await.status(), 403);

    let director = TestApp::client_for(&app);
    let email = format!("d.{}@example.test", Uuid::new_v4().simple());
    app.create_user(&email, false, Some(("harbour", "director")))
        .await;
    director
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": crate::helpers::PASSWORD}))
        .send()
        .await
        .unwrap();
    for (method, path) in [
        (
            "GET",
            format!("/api/v1/ports/harbour/clients/imports/{theirs}"),
        ),
        (
            "POST",
            format!("/api/v1/ports/harbour/clients/imports/{theirs}/dry-run"),
        ),
        (
            "POST",
            format!("/api/v1/ports/harbour/clients/imports/{theirs}/run"),
        ),
    ] {
        let req = if method == "GET" {
            director.get(app.url(&path))
        } else {
            director.post(app.url(&path)).json(&json!({}))
        };
        assert_eq!(req.send().await.unwrap().status(), 404, "{method} {path}");
    }
    let list: Value = director
        .get(app.url("/api/v1/ports/harbour/clients/imports"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["data"], json!([]));
}

/// `nimara import clients` as an operator runs it.
fn nimara_import(url: &str, args: &[&str]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_nimara"));
    for (key, _) in std::env::vars() {
        if key.starts_with("NIMARA_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("NIMARA_LOG", "warn")
        .env("NIMARA_DATABASE_URL", url)
        .args(["import", "clients"])
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test]
async fn the_command_line_dry_runs_imports_and_fails_with_a_non_zero_exit() {
    let url = crate::helpers::fresh_database().await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::query("INSERT INTO ports (name, slug) VALUES ('Quay', 'quay')")
        .execute(&pool)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clients.csv");
    std::fs::write(
        &file,
        "Name,Email\nAnn Lee,ann@example.com\nBo Ray,not-mail\nCy Fox,cy@example.com\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();

    let out = nimara_import(&url, &[path, "--port", "quay", "--dry-run"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("3 rows: 2 to create, 0 to update, 1 rejected"),
        "{stdout}"
    );
    assert!(stdout.contains("line 3: Email:"), "{stdout}");
    let clients: i64 = sqlx::query_scalar("SELECT count(*) FROM clients")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(clients, 0);

    let out = nimara_import(&url, &[path, "--port", "quay"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("100%"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 created"));
    let clients: i64 = sqlx::query_scalar("SELECT count(*) FROM clients")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(clients, 2);

    let out = nimara_import(
        &url,
        &[path, "--port", "quay", "--mapping", r#"{"Email": "email"}"#],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("mapping"));
    let out = nimara_import(&url, &[path, "--port", "nowhere"]);
    assert_eq!(out.status.code(), Some(1));
}

/// The page's journey in a real browser: upload, mapping, dry-run report,
/// import with its progress bar, summary. Screenshots of each step (desktop,
/// phone, dark) go to `$TMPDIR/nimara-import-screens` for a person to look at.
#[tokio::test]
async fn the_import_page_journey() {
    use crate::browser::Browser;
    let app = TestApp::spawn().await;
    port(&app, "harbour").await;
    let email = "importer@example.test";
    app.create_user(email, false, Some(("harbour", "director")))
        .await;
    let shots = std::env::temp_dir().join("nimara-import-screens");
    std::fs::create_dir_all(&shots).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("marina-clients.csv");
    std::fs::write(
        &file,
        "Full Name,E-mail,Mobile,Length (ft),Length (m),Notes\n\
         Amelia Hartley,amelia@example.com,(264) 772-1234,100,,Met at the boat show\n\
         Henrik Lindqvist,henrik@example.com,+46 70 123 45 67,,24,\n\
         Bad Mail,not-an-email,,,,\n\
         Odd Yacht,odd@example.com,,100,40,\n",
    )
    .unwrap();

    for (width, height, dark, tag) in [
        (1440, 900, false, "desktop"),
        (390, 844, false, "phone"),
        (1440, 900, true, "dark"),
    ] {
        let browser = Browser::start_sized(&app, width, height).await;
        let shot = |name: &str| shots.join(format!("{name}-{tag}.png"));
        browser.open("/login").await;
        browser.find("#email").await.send_keys(email).await.unwrap();
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
            .wait_until("location.pathname.startsWith('/ports/')")
            .await;
        if dark {
            browser
                .js("localStorage.setItem('theme', 'dark'); return true")
                .await;
        }
        browser.open("/ports/harbour/clients/import").await;
        if dark {
            browser
                .js("document.documentElement.dataset.theme = 'dark'; return true")
                .await;
        }
        browser
            .client
            .screenshot()
            .await
            .map(|png| std::fs::write(shot("1-upload"), png))
            .unwrap()
            .unwrap();

        // Choosing the file uploads it and opens the mapping step, pre-filled.
        browser
            .find("#import-file")
            .await
            .send_keys(file.to_str().unwrap())
            .await
            .unwrap();
        browser
            .wait_until("document.getElementById('column-0') !== null")
            .await;
        let chosen = browser
            .js("return [0,1,2,3,4,5].map(i => document.getElementById('column-' + i).value)")
            .await;
        assert_eq!(
            chosen,
            json!([
                "full_name",
                "email",
                "phone",
                "yacht_length_ft",
                "yacht_length_m",
                "ignore"
            ])
        );
        if dark {
            browser
                .js("document.documentElement.dataset.theme = 'dark'; return true")
                .await;
        }
        browser
            .client
            .screenshot()
            .await
            .map(|png| std::fs::write(shot("2-mapping"), png))
            .unwrap()
            .unwrap();

        // The dry run's report: counts, and the rejected rows by line.
        browser
            .find("form[action$='/dry-run'] button[type=submit]")
            .await
            .click()
            .await
            .unwrap();
        browser
            .wait_until("document.getElementById('report') !== null")
            .await;
        let text = browser
            .js("return document.getElementById('report').innerText")
            .await;
        let text = text.as_str().unwrap();
        assert!(
            text.contains("Import 2 clients") || text.contains("IMPORT 2 CLIENTS"),
            "{text}"
        );
        assert!(text.contains("not a valid e-mail"), "{text}");
        browser
            .find("a[href='?show=rejected#report']")
            .await
            .click()
            .await
            .unwrap();
        browser
            .wait_until("location.search === '?show=rejected'")
            .await;
        let rows = browser
            .js("return document.querySelectorAll('.import-rows tbody tr').length")
            .await;
        assert_eq!(rows, json!(2));
        if dark {
            browser
                .js("document.documentElement.dataset.theme = 'dark'; return true")
                .await;
        }
        browser
            .client
            .screenshot()
            .await
            .map(|png| std::fs::write(shot("3-report"), png))
            .unwrap()
            .unwrap();

        // Import: the progress bar, then the summary once the job has run.
        browser
            .find("form.import-run button")
            .await
            .click()
            .await
            .unwrap();
        browser
            .wait_until("document.getElementById('import-progress') !== null")
            .await;
        if dark {
            browser
                .js("document.documentElement.dataset.theme = 'dark'; return true")
                .await;
        }
        browser
            .client
            .screenshot()
            .await
            .map(|png| std::fs::write(shot("4-progress"), png))
            .unwrap()
            .unwrap();
        app.run_jobs().await;
        browser
            .wait_until("document.getElementById('summary-title') !== null")
            .await;
        if dark {
            browser
                .js("document.documentElement.dataset.theme = 'dark'; return true")
                .await;
        }
        browser
            .client
            .screenshot()
            .await
            .map(|png| std::fs::write(shot("5-done"), png))
            .unwrap()
            .unwrap();
        browser.close().await;
    }
    let clients: i64 = sqlx::query_scalar("SELECT count(*) FROM clients")
        .fetch_one(&app.db)
        .await
        .unwrap();
    // Each pass imported the two good rows; the later passes update them by e-mail.
    assert_eq!(clients, 2);
}
