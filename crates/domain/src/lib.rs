//! Pure business rules of Port Nimara CRM.
//!
//! Nothing here touches a database, the network or a clock: every rule is a
//! function of its inputs, so it can be unit-tested in microseconds and reused by
//! the HTTP handlers, the jobs and the command line alike.
#![forbid(unsafe_code)]

pub mod berth_rules;
pub mod berths;
pub mod clients;
pub mod contacts;
pub mod custom_fields;
pub mod follow_ups;
pub mod interests;
pub mod permissions;
pub mod pipeline;
pub mod ports;
pub mod recommendations;
pub mod settings;
pub mod text_enum;
pub mod units;
pub mod waiting_list;
