//! Integration tests: each starts the app on port 0 against a fresh database and drives it over
//! HTTP. With `DONGXUN_TEST_PG` (an admin URL) set they run on PostgreSQL, each test in its own
//! new database; otherwise on a fresh SQLite file. `scripts/test` runs them both ways.

mod helpers;

mod access;
mod account_security;
mod accounts;
mod architecture;
mod at_rest;
mod audit;
mod awards;
mod checkin;
mod checkin_traps;
mod classroom;
mod classroom_live;
mod classroom_series;
mod cli;
mod coded;
mod column;
mod column_cli;
mod contest;
mod coverage;
mod delivery;
mod demo;
mod earning;
mod earning_cost;
mod feedback;
mod form_input;
mod guessing;
mod headers;
mod home;
mod htmx;
mod library;
mod library_pdf;
mod login_guard;
mod member_address;
mod org;
mod people;
mod points;
mod points_batch;
mod points_ledger;
mod points_offline;
mod points_replay;
mod points_rules;
mod practice;
mod quiz;
mod quiz_cli;
mod rankings;
mod rankings_live;
mod rejections;
mod reports;
mod roll_call;
mod roster;
mod roster_clerk;
mod scope;
mod sessions;
