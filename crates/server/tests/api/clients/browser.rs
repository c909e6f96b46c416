//! The client page in a real browser: add a contact inline and see it.

use crate::browser::Browser;
use crate::helpers::{PASSWORD, TestApp};
use crate::pages::insert_port;
use uuid::Uuid;

#[tokio::test]
async fn adding_a_contact_on_the_client_page_shows_it_in_place() {
    let app = TestApp::spawn().await;
    let port = insert_port(&app, "Harbour Lights", "harbour-lights").await;
    app.create_user(
        "harbour.master@example.test",
        false,
        Some(("harbour-lights", "director")),
    )
    .await;
    let client: Uuid = sqlx::query_scalar(
        "INSERT INTO clients (port_id, full_name, yacht_name, yacht_length_ft, yacht_length_m, is_proxy, proxy_type, actual_owner_name)
         VALUES ($1, 'Henrik Lindqvist', 'Aurora', 100, 30.48, true, 'broker', 'Sofia Moreau') RETURNING id",
    )
    .bind(port)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let browser = Browser::start(&app).await;
    let page = format!("/ports/harbour-lights/clients/{client}");
    browser.open(&page).await;
    browser
        .find("#email")
        .await
        .send_keys("harbour.master@example.test")
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
        .wait_until(&format!("location.pathname === '{page}'"))
        .await;

    // The header says who the client acts for; the yacht shows in both units.
    let head = browser.find("[data-proxy]").await.text().await.unwrap();
    assert_eq!(head, "Broker for Sofia Moreau");
    let overview = browser.find("#overview").await.text().await.unwrap();
    assert!(overview.contains("30.48 m · 100 ft"), "{overview}");

    // A bad e-mail is refused beside the field, keeping what was typed.
    browser
        .find("#new-value")
        .await
        .send_keys("not-an-email")
        .await
        .unwrap();
    browser
        .find(".contact-add button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_until("document.querySelector('#new-value-error') !== null")
        .await;
    let kept = browser
        .js("return document.querySelector('#new-value').value")
        .await;
    assert_eq!(kept, "not-an-email");

    // A good one appears in the list, lower-cased, as the primary e-mail,
    // without leaving the page.
    browser
        .js("document.querySelector('#new-value').value = ''; return null")
        .await;
    browser
        .find("#new-value")
        .await
        .send_keys("Henrik@Example.COM")
        .await
        .unwrap();
    browser
        .find(".contact-add button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_until("[...document.querySelectorAll('.contact-value')].some(e => e.textContent === 'henrik@example.com')")
        .await;
    let link = browser
        .js("return document.querySelector('.contact-value').getAttribute('href')")
        .await;
    assert_eq!(link, "mailto:henrik@example.com");
    assert_eq!(browser.path().await, page);
    let stored: String =
        sqlx::query_scalar("SELECT value FROM client_contacts WHERE client_id = $1")
            .bind(client)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(stored, "henrik@example.com");
    browser.close().await;
}
