//! User journeys in a real browser: headless Chromium driven through
//! chromedriver (Debian's `chromium` and `chromium-driver`; nothing is
//! downloaded). [`Browser`] is the reusable part: later journeys start one
//! against a [`TestApp`] and use its helpers.

use crate::helpers::{PASSWORD, TestApp};
use crate::pages::insert_port;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(10);

fn tool(env: &str, default: &str) -> PathBuf {
    let path = PathBuf::from(std::env::var(env).unwrap_or_else(|_| default.to_owned()));
    assert!(
        path.exists(),
        "{} is missing: the browser tests need Debian's Chromium and its driver; \
         install them with `apt-get install -y chromium chromium-driver` (or point {env} at them)",
        path.display()
    );
    path
}

/// chromedriver, in a process group of its own so the browsers it starts are
/// stopped with it even when a test fails half-way.
struct Driver {
    child: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.child.id()) {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A headless Chromium session pointed at one [`TestApp`].
pub struct Browser {
    pub client: Client,
    base: String,
    // Dropped in this order: the driver (and its browsers) before their profile.
    _driver: Driver,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// A desktop-sized window (1440×900).
    pub async fn start(app: &TestApp) -> Browser {
        Self::start_sized(app, 1440, 900).await
    }

    pub async fn start_sized(app: &TestApp, width: u32, height: u32) -> Browser {
        let driver_bin = tool("NIMARA_CHROMEDRIVER", "/usr/bin/chromedriver");
        let chromium = tool("NIMARA_CHROMIUM", "/usr/bin/chromium");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = {
            use std::os::unix::process::CommandExt;
            Command::new(&driver_bin)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", driver_bin.display()))
        };
        let driver = Driver { child };
        let url = format!("http://127.0.0.1:{port}");
        wait_ready(&url).await;

        let profile = tempfile::tempdir().unwrap();
        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
            format!("--window-size={width},{height}"),
        ];
        let caps = serde_json::json!({
            "goog:chromeOptions": { "binary": chromium, "args": args }
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        // Two rustls crypto providers are compiled in (see Cargo.toml), so name one;
        // a second call in the same test run finds it installed and changes nothing.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = ClientBuilder::rustls()
            .expect("a WebDriver client")
            .capabilities(caps)
            .connect(&url)
            .await
            .unwrap_or_else(|e| panic!("chromedriver could not start Chromium: {e}"));
        Browser {
            client,
            base: app.address.clone(),
            _driver: driver,
            _profile: profile,
        }
    }

    /// Opens `path` of the app (`/ports/x`).
    pub async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    /// The path of the current page.
    pub async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_owned()
    }

    /// The first element matching `css`, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => panic!(
                "no element matches `{css}` on {}: {e}",
                self.path_or_blank().await
            ),
        }
    }

    /// Runs `script` (a function body; `return` gives the value) in the page.
    pub async fn js(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Waits until the JavaScript expression `condition` is true in the page.
    pub async fn wait_until(&self, condition: &str) {
        let script = format!("return Boolean({condition});");
        let started = Instant::now();
        loop {
            if self.client.execute(&script, vec![]).await.ok()
                == Some(serde_json::Value::Bool(true))
            {
                return;
            }
            if started.elapsed() > WAIT {
                panic!(
                    "still not true after {WAIT:?} on {}: {condition}",
                    self.path_or_blank().await
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Types `keys` as key presses to whatever has focus (the page itself when
    /// nothing does), as a person would.
    pub async fn press(&self, keys: &str) {
        let mut actions = KeyActions::new("keyboard".to_owned());
        for c in keys.chars() {
            actions = actions
                .then(KeyAction::Down { value: c })
                .then(KeyAction::Up { value: c });
        }
        self.client
            .perform_actions(actions)
            .await
            .unwrap_or_else(|e| panic!("press {keys:?}: {e}"));
    }

    pub async fn resize(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.unwrap();
    }

    /// Ends the browser session; the driver stops when the value is dropped.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }

    async fn path_or_blank(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default()
    }
}

async fn wait_ready(url: &str) {
    let http = reqwest::Client::new();
    let started = Instant::now();
    while started.elapsed() < WAIT {
        if let Ok(res) = http.get(format!("{url}/status")).send().await {
            let status: serde_json::Value = res.json().await.unwrap_or_default();
            if status["value"]["ready"] == true {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("chromedriver did not answer on {url} within {WAIT:?}");
}

#[tokio::test]
async fn the_shell_journey_dashboard_theme_shortcuts_and_phone_navigation() {
    let app = TestApp::spawn().await;
    insert_port(&app, "Harbour Lights", "harbour-lights").await;
    app.create_user(
        "harbour.master@example.test",
        false,
        Some(("harbour-lights", "director")),
    )
    .await;
    let browser = Browser::start(&app).await;

    // Signed out, `/` leads to the sign-in form; a wrong password keeps the
    // e-mail and says so; the right one leads to the only port's dashboard.
    browser.open("/").await;
    assert_eq!(browser.path().await, "/login");
    browser
        .find("#email")
        .await
        .send_keys("harbour.master@example.test")
        .await
        .unwrap();
    browser
        .find("#password")
        .await
        .send_keys("not the password")
        .await
        .unwrap();
    browser
        .find("form button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_until("document.getElementById('login-error') !== null")
        .await;
    assert_eq!(
        browser
            .find("#email")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("harbour.master@example.test")
    );
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
    assert_eq!(
        browser.find("main h1").await.text().await.unwrap(),
        "Harbour Lights"
    );
    assert_eq!(
        browser
            .client
            .find_all(Locator::Css(".stat"))
            .await
            .unwrap()
            .len(),
        4
    );
    let available = browser
        .find("[data-stat='berths_available'] .stat-value")
        .await;
    assert_eq!(available.text().await.unwrap(), "0");
    assert!(
        browser.find("#sidebar").await.is_displayed().await.unwrap(),
        "the navigation shows on a desktop"
    );

    // The theme toggle flips data-theme and the choice survives a reload.
    let theme = || async {
        browser
            .js("return document.documentElement.dataset.theme")
            .await
    };
    let before = theme().await;
    assert!(
        before == "light" || before == "dark",
        "a theme is set before paint: {before}"
    );
    browser
        .find("[data-theme-toggle]")
        .await
        .click()
        .await
        .unwrap();
    let after = theme().await;
    assert_ne!(after, before, "the toggle switches the theme");
    browser.client.refresh().await.unwrap();
    browser.find("main h1").await;
    assert_eq!(theme().await, after, "the theme is remembered");

    // `?` opens the shortcuts dialog, Escape closes it; `/` focuses search.
    browser.press("?").await;
    browser
        .wait_until("document.getElementById('shortcuts').open")
        .await;
    assert!(
        browser
            .find("#shortcuts")
            .await
            .is_displayed()
            .await
            .unwrap()
    );
    browser.press(&Key::Escape.to_string()).await;
    browser
        .wait_until("!document.getElementById('shortcuts').open")
        .await;
    browser.press("/").await;
    browser
        .wait_until("document.activeElement.id === 'global-search'")
        .await;
    browser.press(&Key::Escape.to_string()).await;

    // From an error page, `g` `d` goes back to the dashboard.
    browser.open("/ports/no-such-port").await;
    assert!(
        browser
            .find("main h1")
            .await
            .text()
            .await
            .unwrap()
            .contains("not found")
    );
    browser.press("gd").await;
    browser
        .wait_until("location.pathname === '/ports/harbour-lights'")
        .await;

    // On a phone the navigation is a drawer behind the menu button.
    browser.resize(390, 844).await;
    browser.open("/ports/harbour-lights").await;
    let sidebar = browser.find("#sidebar").await;
    let toggle = browser.find("[data-nav-toggle]").await;
    assert!(
        !sidebar.is_displayed().await.unwrap(),
        "the navigation starts collapsed on a phone"
    );
    assert_eq!(
        toggle.attr("aria-expanded").await.unwrap().as_deref(),
        Some("false")
    );
    toggle.click().await.unwrap();
    browser
        .wait_until("document.body.classList.contains('nav-open')")
        .await;
    assert_eq!(
        toggle.attr("aria-expanded").await.unwrap().as_deref(),
        Some("true")
    );
    let dashboard = browser.find("#sidebar a[aria-current='page']").await;
    browser
        .wait_until("getComputedStyle(document.getElementById('sidebar')).visibility === 'visible'")
        .await;
    assert!(
        dashboard.is_displayed().await.unwrap(),
        "the drawer shows the navigation"
    );
    let soon = browser.find("#sidebar [aria-disabled='true']").await;
    assert_eq!(
        soon.attr("href").await.unwrap(),
        None,
        "sections still to come are not links"
    );
    browser.press(&Key::Escape.to_string()).await;
    browser
        .wait_until("!document.body.classList.contains('nav-open')")
        .await;

    // Signing out from the user menu ends the session: the dashboard asks to sign in again.
    browser.resize(1440, 900).await;
    browser
        .find(".user-menu summary")
        .await
        .click()
        .await
        .unwrap();
    browser.find("[data-sign-out]").await.click().await.unwrap();
    browser.wait_until("location.pathname === '/login'").await;
    browser.open("/ports/harbour-lights").await;
    assert_eq!(browser.path().await, "/login");

    browser.close().await;
}
