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

/// A real SMTP server (aiosmtpd, from PyPI) on a free loopback port, storing
/// what it receives in a Maildir; stopped when dropped.
struct SmtpServer {
    child: std::process::Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl SmtpServer {
    fn start() -> SmtpServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let maildir = tempfile::tempdir().unwrap();
        let child = std::process::Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("mail"))
            .spawn()
            .expect("python3 runs (aiosmtpd: `python3 -m pip install aiosmtpd`)");
        let mut server = SmtpServer {
            child,
            port,
            maildir,
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!(
                    "aiosmtpd exited with {status}: is it installed? `python3 -m pip install aiosmtpd`"
                );
            }
            assert!(
                std::time::Instant::now() < deadline,
                "aiosmtpd did not start listening"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        server
    }

    /// The messages received so far.
    fn received(&self) -> Vec<String> {
        std::fs::read_dir(self.maildir.path().join("mail").join("new"))
            .map(|d| {
                d.flatten()
                    .map(|e| std::fs::read_to_string(e.path()).unwrap())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn with_smtp_configured_a_message_is_delivered_to_the_smtp_server() {
    let server = SmtpServer::start();
    let data = tempfile::tempdir().unwrap();
    let mut config = nimara::Config::for_tests("postgres://unused/unused".into());
    config.data_dir = data.path().to_owned();
    config.smtp_url = Some(secrecy::SecretString::from(format!(
        "smtp://127.0.0.1:{}",
        server.port
    )));
    let message = nimara::mail::Message {
        to: "skipper@example.test".into(),
        subject: "Your berth A12".into(),
        text: "Welcome aboard.".into(),
        html: Some("<p>Welcome aboard.</p>".into()),
    };
    nimara::mail::send(&config, &message).await.unwrap();

    let received = server.received();
    assert_eq!(received.len(), 1, "the SMTP server received the message");
    let eml = &received[0];
    assert!(eml.contains("To: skipper@example.test"), "{eml}");
    assert!(eml.contains("Subject: Your berth A12") && eml.contains("Welcome aboard."));
    assert!(
        !nimara::mail::outbox_dir(&config).exists(),
        "nothing went to the outbox"
    );
}
