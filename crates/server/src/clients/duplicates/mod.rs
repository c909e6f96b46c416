//! Possible duplicate clients: detection ([`scan`]), the pairs waiting for
//! review, and dismissing a pair that is not a duplicate.

mod api;
mod scan;

pub use scan::{Candidate, NAME_THRESHOLD, scan};

use crate::access::{Access, Routes};

pub fn routes(routes: Routes) -> Routes {
    routes.post(
        "/api/v1/ports/{port}/clients/duplicates/scan",
        Access::Port("clients.merge"),
        api::rescan,
    )
}

/// "same e-mail, similar name" for a pair's reasons.
pub fn reasons_text(reasons: &[String]) -> String {
    reasons
        .iter()
        .map(|r| match r.as_str() {
            "email" => "same e-mail",
            "phone" => "same phone",
            "name" => "similar name",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(", ")
}
