//! Clients: the anchor record of the CRM.

pub mod duplicates;
pub mod merge;

use crate::access::Routes;

/// The clients area's API routes and pages.
pub fn routes(routes: Routes) -> Routes {
    merge::routes(duplicates::routes(routes))
}
