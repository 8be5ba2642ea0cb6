//! Builds the application: connect, migrate, bind, assemble every capability's router over one
//! state, serve.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

use std::path::Path;

use crate::checkin::limits::{GuessLimiter, GuessLimits};
use crate::db::{Db, Location};
use crate::people::IdCardVault;
pub use crate::state::AppState;
use crate::web::WebConfig;

/// Every capability's routes, framed by the web shell.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .merge(crate::auth::router())
        .merge(crate::home::router())
        .merge(crate::accounts::router())
        .merge(crate::org::router())
        .merge(crate::people::router())
        .merge(crate::roster::router())
        .merge(crate::audit::router())
        .merge(crate::campaign::router())
        .merge(crate::schedule::router())
        .merge(crate::checkin::router())
        .merge(crate::classroom::router())
        .merge(crate::coverage::router())
        .merge(crate::delivery::router())
        .merge(crate::feedback::router())
        .merge(crate::dashboard::router())
        .merge(crate::reports::router())
        .merge(crate::awards::router())
        .merge(crate::points::router())
        .merge(crate::rankings::router())
        .merge(crate::quiz::router())
        .merge(crate::library::router())
        .merge(crate::column::router())
        .merge(crate::contest::router())
        .merge(crate::practice::router())
        .merge(crate::brands::router())
        .merge(crate::speech::router())
        .merge(crate::debate::router())
        .merge(crate::activities::router());
    let sessions = crate::auth::LoginSessions(state.db.clone(), state.config.clone());
    crate::web::frame(routes, sessions, &state.config).with_state(state)
}

/// A bound, ready-to-run server. Binding happens in [`Application::build`] so tests can pass
/// port 0 and read the real port before serving.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Connects to and migrates the database, unlocks the ID-card key (`key_file`, created on a
    /// new database), then binds `listen`.
    pub async fn build(
        location: &Location,
        key_file: &Path,
        listen: &str,
        config: WebConfig,
    ) -> anyhow::Result<Self> {
        let db = Db::connect(location).await?;
        db.migrate().await?;
        let vault = IdCardVault::unlock(&db, key_file).await?;
        let mut config = config;
        if config.media_dir.is_none() {
            config.media_dir = Some(key_file.parent().unwrap_or(Path::new(".")).join("media"));
        }
        Self::with_db(db, vault, listen, config).await
    }

    /// Binds `listen` over an already-migrated database and its unlocked vault.
    pub async fn with_db(
        db: Db,
        vault: IdCardVault,
        listen: &str,
        config: WebConfig,
    ) -> anyhow::Result<Self> {
        let listener =
            TcpListener::bind(listen).await.map_err(|e| anyhow::anyhow!("无法监听 {listen}：{e}"))?;
        let ranks = crate::rankings::LiveRanks::load(&db).await?;
        let checkins = crate::checkin::CheckinWriter::start(db.clone());
        let state = AppState {
            ranks,
            checkins,
            db,
            vault,
            config: Arc::new(config),
            guesses: GuessLimiter::default(),
            roster_staging: Default::default(),
            quiz_staging: Default::default(),
            contest_rooms: Default::default(),
            speech_votes: Default::default(),
            episode_files: Default::default(),
        };
        Ok(Self { listener, state })
    }

    /// Replaces the default guessing budgets (tests shorten them; a benchmark may widen them).
    pub fn with_guess_limits(mut self, limits: GuessLimits) -> Self {
        self.state.guesses = GuessLimiter::new(limits);
        self
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// The database the server uses.
    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// The rank index the server answers rankings from.
    pub fn ranks(&self) -> &crate::rankings::LiveRanks {
        &self.state.ranks
    }

    /// The ID-card vault the server uses.
    pub fn vault(&self) -> &IdCardVault {
        &self.state.vault
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests and closes the pool.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let db = self.state.db.clone();
        // Other servers on the same database write entries too: follow the ledger while serving.
        let follower = self.state.ranks.follow();
        let app = router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, app).with_graceful_shutdown(shutdown).await?;
        follower.abort();
        db.close().await;
        Ok(())
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("收到停止信号，正在关闭……");
}
