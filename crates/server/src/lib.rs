//! Port Nimara CRM: a multi-port marina CRM served over HTTP from one binary.
//!
//! `app` assembles the server, `cli` the command line; each domain folder
//! (`ports`, `users`, `jobs`, `web`, …) owns its routes, SQL and rules.

pub mod access;
pub mod app;
pub mod audit;
pub mod auth;
pub mod berth_map;
pub mod berth_rules;
pub mod berths;
pub mod cli;
pub mod client_list;
pub mod clients;
pub mod config;
pub mod custom_fields;
pub mod db;
pub mod demo;
pub mod http;
pub mod interests;
pub mod invitations;
pub mod jobs;
pub mod mail;
pub mod members;
pub mod notes;
pub mod notifications;
pub mod pipeline;
pub mod ports;
pub mod profile;
pub mod recommendations;
pub mod roles;
pub mod saved_views;
pub mod scratchpad;
pub mod search;
pub mod settings;
pub mod tags;
pub mod telemetry;
pub mod users;
pub mod waiting_list;
pub mod web;
pub mod webhooks;

pub use app::{AppState, Application};
pub use config::Config;
