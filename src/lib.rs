//! dongxun (冬训): software for running a sub-district's winter training campaign for Party
//! members. One binary is both the web server and the admin CLI.

pub mod accounts;
pub mod activities;
pub mod audit;
pub mod auth;
pub mod awards;
pub mod campaign;
pub mod checkin;
pub mod classroom;
pub mod cli;
pub mod column;
pub mod contest;
pub mod coverage;
pub mod dashboard;
pub mod db;
pub mod debate;
pub mod delivery;
pub mod demo;
pub mod feedback;
pub mod formats;
pub mod home;
pub mod library;
pub mod org;
pub mod people;
pub mod points;
pub mod practice;
pub mod quiz;
pub mod rankings;
pub mod reports;
pub mod roster;
pub mod schedule;
pub mod startup;
pub mod state;
pub mod time;
pub mod web;
