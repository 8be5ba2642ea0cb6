//! dongxun (冬训): software for running a sub-district's winter training campaign for Party
//! members. One binary is both the web server and the admin CLI.

pub mod accounts;
pub mod audit;
pub mod campaign;
pub mod cli;
pub mod dashboard;
pub mod db;
pub mod demo;
pub mod formats;
pub mod org;
pub mod people;
pub mod reports;
pub mod startup;
pub mod time;
pub mod web;
