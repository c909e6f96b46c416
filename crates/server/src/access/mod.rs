//! Access: which port a request acts for, and what the user may do there.
//!
//! Every route is declared with its [`Access`] through [`Routes`]; there is no
//! other way to add an API route or a port page, so none can forget its check.
//! `PortCtx` is the one extractor for port-scoped handlers: the user, the port
//! (from the URL's slug), and the user's effective permissions there. A port
//! the user has no role at answers 404, exactly like a missing one.

mod port;
mod routes;
pub mod seed;

pub use port::{PortCtx, permissions_at, ports_of};
pub use routes::{Access, Declared, Routes};
