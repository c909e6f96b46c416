//! "Does the server accept connections?", asked in PostgreSQL's own protocol.
//!
//! A socket file that accepts a connection is not enough: during start-up, crash
//! recovery and shutdown the server accepts the connection and then refuses it with
//! SQLSTATE 57P03. So this sends a startup message and reads the answer, like
//! `pg_isready`, without the cost of spawning it on every poll.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ping {
    /// The server accepts connections.
    Ready,
    /// Something answered but is not ready: starting, recovering or shutting down.
    NotReady,
    /// Nothing listens on the socket.
    NoServer,
}

/// The protocol version 3.0 code of a startup message.
const PROTOCOL_3_0: u32 = 196_608;
/// SQLSTATE "cannot connect now": starting up, recovering or shutting down.
const CANNOT_CONNECT_NOW: &str = "57P03";

pub(crate) fn socket_path(socket_dir: &Path, port: u16) -> std::path::PathBuf {
    socket_dir.join(format!(".s.PGSQL.{port}"))
}

pub(crate) fn ping(socket_dir: &Path, port: u16, user: &str) -> Ping {
    let Ok(mut stream) = UnixStream::connect(socket_path(socket_dir, port)) else {
        return Ping::NoServer;
    };
    // A server that accepted the connection answers at once; never hang on one that doesn't.
    let timeout = Some(Duration::from_secs(2));
    if stream.set_read_timeout(timeout).is_err() || stream.set_write_timeout(timeout).is_err() {
        return Ping::NotReady;
    }
    match exchange(&mut stream, user) {
        Ok(ping) => ping,
        // It accepted the connection, so something is there, but it did not answer.
        Err(_) => Ping::NotReady,
    }
}

fn exchange(stream: &mut UnixStream, user: &str) -> std::io::Result<Ping> {
    let mut body = PROTOCOL_3_0.to_be_bytes().to_vec();
    for (key, value) in [
        ("user", user),
        ("database", "postgres"),
        ("application_name", "pgembed"),
    ] {
        body.extend_from_slice(key.as_bytes());
        body.push(0);
        body.extend_from_slice(value.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut message = ((body.len() + 4) as u32).to_be_bytes().to_vec();
    message.extend_from_slice(&body);
    stream.write_all(&message)?;

    loop {
        let mut header = [0u8; 5];
        stream.read_exact(&mut header)?;
        let kind = header[0];
        let len = u32::from_be_bytes([header[1], header[2], header[3], header[4]]) as usize;
        if !(4..=1 << 20).contains(&len) {
            return Ok(Ping::NotReady);
        }
        let mut payload = vec![0u8; len - 4];
        stream.read_exact(&mut payload)?;
        match kind {
            b'E' => {
                // A refusal for another reason (unknown role, too many connections)
                // still means the server is up and accepting connections.
                let starting = error_code(&payload).as_deref() == Some(CANNOT_CONNECT_NOW);
                return Ok(if starting {
                    Ping::NotReady
                } else {
                    Ping::Ready
                });
            }
            // AuthenticationOk is 0; any other request (a password) means it is up.
            b'R' if payload.get(..4) != Some(&[0, 0, 0, 0]) => return Ok(Ping::Ready),
            b'Z' => {
                // ReadyForQuery: say goodbye properly, so the server logs nothing.
                // Then wait for the server to close the connection: a shutdown that
                // arrived before it read the goodbye would log a broken pipe.
                if stream.write_all(&[b'X', 0, 0, 0, 4]).is_ok() {
                    let _ = stream.read(&mut [0u8; 1]);
                }
                return Ok(Ping::Ready);
            }
            // AuthenticationOk, ParameterStatus, BackendKeyData, notices: keep reading.
            _ => {}
        }
    }
}

/// The SQLSTATE ('C' field) of an ErrorResponse body.
fn error_code(payload: &[u8]) -> Option<String> {
    payload.split(|&b| b == 0).find_map(|field| {
        let (&tag, value) = field.split_first()?;
        (tag == b'C').then(|| String::from_utf8_lossy(value).into_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_sqlstate_of_an_error_response() {
        let payload = b"SFATAL\0VFATAL\0C57P03\0Mthe database system is starting up\0\0";
        assert_eq!(error_code(payload).as_deref(), Some("57P03"));
    }

    #[test]
    fn no_socket_is_no_server() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(ping(dir.path(), 5432, "nimara"), Ping::NoServer);
    }
}
