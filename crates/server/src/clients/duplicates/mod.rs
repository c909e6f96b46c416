//! Possible duplicate clients: detection ([`scan`]), the pairs waiting for
//! review, dismissing a pair that is not a duplicate, and the client page's
//! banner ([`client_banner`]).

mod api;
mod banner;
mod page;
mod pairs;
mod scan;

pub use banner::client_banner;
pub use pairs::{Pair, Possible, dismiss_pair, of_client};
pub use scan::{Candidate, FUZZY_BATCH_LIMIT, NAME_THRESHOLD, scan};

use crate::access::{Access, Routes};

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/api/v1/ports/{port}/clients/duplicates",
            Access::Port("clients.view"),
            pairs::list,
        )
        .post(
            "/api/v1/ports/{port}/clients/duplicates/scan",
            Access::Port("clients.merge"),
            api::rescan,
        )
        .post(
            "/api/v1/ports/{port}/clients/duplicates/{pair_id}/dismiss",
            Access::Port("clients.edit"),
            pairs::dismiss,
        )
        .get(
            "/ports/{port}/clients/duplicates",
            Access::Port("clients.view"),
            page::show,
        )
        .post(
            "/ports/{port}/clients/duplicates/scan",
            Access::Port("clients.merge"),
            page::rescan,
        )
        .post(
            "/ports/{port}/clients/duplicates/{pair_id}/dismiss",
            Access::Port("clients.edit"),
            page::dismiss,
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
