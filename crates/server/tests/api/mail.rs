//! Outgoing mail reaches the outbox through the job queue, never lost.

use crate::helpers::TestApp;

#[tokio::test]
async fn a_queued_message_is_written_to_the_outbox_when_its_transaction_commits() {
    let app = TestApp::spawn().await;
    let message = nimara::mail::Message {
        to: "skipper@example.test".into(),
        subject: "Your berth A12".into(),
        text: "Welcome aboard.".into(),
        html: Some("<p>Welcome aboard.</p>".into()),
    };

    // Rolled back: nothing is sent.
    let mut tx = app.db.begin().await.unwrap();
    nimara::mail::queue(&mut tx, message.clone()).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(app.run_jobs().await, 0);
    assert!(app.outbox().is_empty());

    let mut tx = app.db.begin().await.unwrap();
    nimara::mail::queue(&mut tx, message).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(app.run_jobs().await, 1);
    let outbox = app.outbox();
    assert_eq!(outbox.len(), 1);
    let eml = &outbox[0];
    assert!(eml.contains("To: skipper@example.test"), "{eml}");
    assert!(eml.contains("Subject: Your berth A12"));
    assert!(eml.contains("Welcome aboard.") && eml.contains("text/html"));
}
