//! Berths: the port's physical inventory, their status, maintenance and tenure.
//!
//! `status` is the one place a berth's status changes (manual, rules,
//! accepted suggestions all go through [`status::change`]).

pub mod status;

/// The audit log's name for a berth (a revertable kind, `audit/kinds.rs`).
pub const KIND: &str = "berth";
