//! Clients: the anchor records of the CRM, and the ways they come in.

use crate::access::Routes;

pub mod import;

/// The clients area's API routes and pages.
pub fn routes(routes: Routes) -> Routes {
    import::routes(routes)
}
