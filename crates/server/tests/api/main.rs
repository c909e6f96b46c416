//! One integration test binary; its modules mirror the routes and commands.
//! Every test gets a fresh database cloned from a migrated template and talks
//! HTTP to a real server on a random port.

mod helpers;

mod admin;
mod audit;
mod auth;
mod berth_map;
mod berth_rules;
mod berths;
mod browser;
mod cli;
mod client_list;
mod clients;
mod custom_fields;
mod demo;
mod duplicates;
mod follow_ups;
mod health;
mod import;
mod interests;
mod invitations;
mod jobs;
mod mail;
mod matrix;
mod merge;
mod migrations;
mod notes;
mod notifications;
mod pages;
mod pipeline;
mod recommendations;
mod scratchpad;
mod tags;
mod tenancy;
mod tenancy_http;
mod waiting_list;
