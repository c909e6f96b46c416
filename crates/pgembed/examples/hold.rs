//! Starts (or shares) a cluster, prints its URL, holds it until standard input closes,
//! then stops it. For trying the crate by hand and timing it:
//!
//! ```text
//! cargo run -p pgembed --example hold -- /tmp/somewhere/postgres < /dev/null
//! ```
//!
//! Killing it with `kill -9` while it holds the cluster leaves the server running; the
//! next run adopts it.

use std::io::Read;
use std::time::Instant;

fn main() {
    let Some(data_dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: hold DATA_DIR");
        std::process::exit(2);
    };
    let started = Instant::now();
    let cluster = match pgembed::Cluster::start(pgembed::Options::new(data_dir)) {
        Ok(cluster) => cluster,
        Err(err) => {
            eprintln!("{err}");
            std::process::exit(1);
        }
    };
    println!(
        "ready in {} ms (owner: {}): {}",
        started.elapsed().as_millis(),
        cluster.is_owner(),
        cluster.url("postgres")
    );
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    let stopping = Instant::now();
    if let Err(err) = cluster.stop() {
        eprintln!("{err}");
        std::process::exit(1);
    }
    println!("stopped in {} ms", stopping.elapsed().as_millis());
}
