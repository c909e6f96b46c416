//! One integration test binary; its modules mirror the routes and commands.
//! Every test gets a fresh database cloned from a migrated template and talks
//! HTTP to a real server on a random port.

mod helpers;

mod admin;
mod auth;
mod browser;
mod cli;
mod demo;
mod health;
mod jobs;
mod mail;
mod migrations;
mod pages;
mod tenancy;
