//! Clients: the anchor record of the CRM, and the ways they come in.

pub mod duplicates;
pub mod import;

use crate::access::Routes;

/// The clients area's API routes and pages.
pub fn routes(routes: Routes) -> Routes {
    import::routes(duplicates::routes(routes))
}
