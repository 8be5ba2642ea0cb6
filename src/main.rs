//! The `dongxun` binary: the web server and the admin CLI.

fn main() -> std::process::ExitCode {
    dongxun::cli::run()
}
