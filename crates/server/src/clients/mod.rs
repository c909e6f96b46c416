//! Clients: the anchor record of the CRM.

pub mod duplicates;

use crate::access::Routes;

/// The clients area's API routes and pages.
pub fn routes(routes: Routes) -> Routes {
    duplicates::routes(routes)
}
