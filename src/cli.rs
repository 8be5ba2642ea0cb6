//! The command line: `serve`, `migrate`, `import`, `export`, `user create`, `backup`. Every
//! subcommand takes the same `--data-dir` and `--database-url`, so the CLI works on the same
//! database as a running server.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::accounts::store as account_store;
use crate::audit::{self, Action, Actor};
use crate::auth::{Role, password};
use crate::checkin::limits::GuessLimits;
use crate::classroom::media::config as media_config;
use crate::db::{self, Db, Location};
use crate::org::model::UnitKind;
use crate::org::store as org_store;
use crate::people::IdCardVault;
use crate::people::model::Phone;
use crate::people::vault::key_file_path;
use crate::roster::parse::RosterOptions;
use crate::startup::{Application, shutdown_signal};
use crate::web::WebConfig;

#[derive(Parser)]
#[command(name = "dongxun", version, about = "冬训：基层党员冬训管理系统（网页服务与管理命令）")]
struct Cli {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(subcommand)]
    command: Command,
}

/// Where the data lives; shared by every subcommand.
#[derive(Args, Clone)]
struct DatabaseArgs {
    /// Data directory: the SQLite file is DATA_DIR/dongxun.db.
    #[arg(long, global = true, default_value = "./data", env = "DONGXUN_DATA_DIR")]
    data_dir: PathBuf,
    /// A PostgreSQL URL (postgres://…) instead of the embedded SQLite file.
    #[arg(long, global = true, env = "DONGXUN_DATABASE_URL")]
    database_url: Option<String>,
    /// The key ID-card numbers are encrypted with (default DATA_DIR/dongxun.key, created on first
    /// start). Back it up separately from the database: without it the numbers cannot be read.
    #[arg(long, global = true, env = "DONGXUN_KEY_FILE")]
    key_file: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Fill a demo sub-district when the database is empty.
        #[arg(long)]
        demo: bool,
        /// A CJK font file for printable PDFs (default: fonts-noto-cjk and other system fonts).
        #[arg(long, env = "DONGXUN_FONT")]
        font: Option<PathBuf>,
        /// A reverse proxy (its address as the server sees it) whose X-Forwarded-For / X-Real-IP
        /// name the client, for login throttling and the audit log; repeat for several. Default:
        /// none, the headers are ignored.
        #[arg(long = "trusted-proxy", value_name = "IP")]
        trusted_proxies: Vec<std::net::IpAddr>,
        /// Served to browsers over https (a TLS-terminating proxy in front): Secure cookies and
        /// Strict-Transport-Security on every response.
        #[arg(long)]
        https: bool,
        /// Name-and-phone and check-in code attempts one client address may make per minute
        /// (default 30); load tests from one address raise it.
        #[arg(long, env = "DONGXUN_GUESSES_PER_ADDRESS")]
        guesses_per_address: Option<u32>,
        /// The site's address as the public reaches it (e.g. https://dongxun.example): the base
        /// of absolute links in the column's feeds and share tags. Default: the Host header.
        #[arg(long, env = "DONGXUN_PUBLIC_URL")]
        public_url: Option<String>,
    },
    /// Create or update the database schema, then exit.
    Migrate,
    /// Import data from a file.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export data to a file.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Make a consistent copy of the live SQLite database.
    Backup {
        /// The copy to write (must not exist).
        #[arg(short, long)]
        output: PathBuf,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import a member roster (.xlsx, .xls, .csv): all rows or none.
    Members {
        /// The roster file.
        file: PathBuf,
        /// The unit for rows that name none (and for files without a 所在单位 column).
        #[arg(long)]
        unit: Option<String>,
        /// The header of the column that holds each row's unit, when no header is recognisably
        /// it (村、社区、党组织、支部…).
        #[arg(long, value_name = "NAME")]
        unit_column: Option<String>,
    },
    /// Import offline study points (姓名, 手机号码 or 身份证号码, 事项, 积分, 日期, 备注): all rows
    /// or none; rows imported before add nothing.
    Points {
        /// The sheet (.xlsx, .xls, .csv).
        file: PathBuf,
    },
    Questions(crate::quiz::command::ImportArgs),
    Posts(crate::column::command::ImportArgs),
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Export every member as an .xlsx roster.
    Members {
        /// The file to write.
        #[arg(short, long)]
        output: PathBuf,
    },
    Questions(crate::quiz::command::ExportArgs),
    Posts(crate::column::command::ExportArgs),
    /// Export a campaign's coverage (per unit and per member) as .xlsx.
    Coverage {
        /// The file to write.
        #[arg(short, long)]
        output: PathBuf,
        /// The campaign's name (default: the current campaign).
        #[arg(long)]
        campaign: Option<String>,
    },
    /// Export a points ranking (积分排名) as .xlsx, phone numbers in full.
    Rankings {
        /// The file to write.
        #[arg(short, long)]
        output: PathBuf,
        /// day, week, month, quarter or campaign.
        #[arg(long, default_value = "day")]
        period: String,
        /// A day inside the period, YYYY-MM-DD (default: today).
        #[arg(long)]
        date: Option<String>,
        /// member or unit.
        #[arg(long, default_value = "member")]
        by: String,
    },
    /// Export the whole points ledger (积分记录) as .xlsx, one row per entry.
    Points {
        /// The file to write.
        #[arg(short, long)]
        output: PathBuf,
    },
    Activities(crate::activities::report::ActivitiesArgs),
    VolunteerHours(crate::activities::report::VolunteerHoursArgs),
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account and print its one-time password.
    Create {
        /// committee_admin (admin), station_admin, lecturer, volunteer or member.
        #[arg(long)]
        role: String,
        /// Login phone number.
        #[arg(long)]
        phone: String,
        /// Display name.
        #[arg(long, default_value = "管理员")]
        name: String,
        /// The account's unit (default: the sub-district).
        #[arg(long)]
        unit: Option<String>,
        /// Name of the sub-district, used only when the database has no organisation yet.
        #[arg(long, default_value = "本街道")]
        subdistrict: String,
    },
}

/// Parses the command line and runs it; errors are printed in Chinese with a non-zero exit.
pub fn run() -> ExitCode {
    private_files();
    let cli = Cli::parse();
    init_tracing();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match runtime.block_on(dispatch(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("错误：{error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Everything this process creates (the database, its WAL, backups, the key file, exported
/// rosters) is readable by its owner only: umask 0077. The files that matter are also created
/// with explicit modes, so an embedding program (the tests) gets the same.
fn private_files() {
    #[cfg(unix)]
    // SAFETY: umask only sets the process's file-creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "dongxun=info,tower_http=warn".into());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

async fn open(args: &DatabaseArgs) -> anyhow::Result<(Location, Db, IdCardVault)> {
    let location = Location::from_settings(&args.data_dir, args.database_url.as_deref())?;
    let db = Db::connect(&location).await?;
    db.migrate().await?;
    let key_file = key_file_path(&args.data_dir, args.key_file.as_deref());
    let vault = IdCardVault::unlock(&db, &key_file).await?;
    Ok((location, db, vault))
}

async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let (location, db, vault) = open(&cli.database).await?;
    let code = match cli.command {
        Command::Serve { listen, demo, font, trusted_proxies, https, guesses_per_address, public_url } => {
            let config = WebConfig {
                font,
                trusted_proxies,
                https,
                public_url,
                ..media_config(&cli.database.data_dir)
            };
            let limits = guesses_per_address.map(GuessLimits::per_address_per_minute).unwrap_or_default();
            return serve(db, vault, &location, &listen, demo, config, limits).await;
        }
        Command::Migrate => {
            println!("数据库已是最新结构");
            ExitCode::SUCCESS
        }
        Command::Import(ImportCommand::Members { file, unit, unit_column }) => {
            let options = RosterOptions { default_unit: unit, unit_column };
            crate::roster::command::import_members(&db, &vault, &file, options).await?
        }
        Command::Import(ImportCommand::Points { file }) => {
            crate::points::offline::command::import_points(&db, &vault, &file).await?
        }
        Command::Import(ImportCommand::Questions(questions)) => questions.run(&db).await?,
        Command::Import(ImportCommand::Posts(posts)) => posts.run(&db).await?,
        Command::Export(ExportCommand::Members { output }) => export_members(&db, &vault, &output).await?,
        Command::Export(ExportCommand::Questions(questions)) => questions.run(&db).await?,
        Command::Export(ExportCommand::Posts(posts)) => posts.run(&db).await?,
        Command::Export(ExportCommand::Coverage { output, campaign }) => {
            crate::reports::command::export_coverage(&db, &output, campaign.as_deref()).await?
        }
        Command::Export(ExportCommand::Rankings { output, period, date, by }) => {
            crate::rankings::command::export_rankings(&db, &output, &period, date.as_deref(), &by).await?
        }
        Command::Export(ExportCommand::Points { output }) => {
            crate::rankings::command::export_points(&db, &output).await?
        }
        Command::Export(ExportCommand::Activities(args)) => args.run(&db).await?,
        Command::Export(ExportCommand::VolunteerHours(args)) => args.run(&db).await?,
        Command::User(UserCommand::Create { role, phone, name, unit, subdistrict }) => {
            create_user(&db, &role, &phone, &name, unit.as_deref(), &subdistrict).await?
        }
        Command::Backup { output } => {
            db::backup_sqlite(&db, &output).await?;
            audit::record(
                &db,
                &Actor::command_line(),
                Action::Backup,
                &output.display().to_string(),
                "",
                true,
            )
            .await?;
            println!("已备份到 {}", output.display());
            ExitCode::SUCCESS
        }
    };
    db.close().await;
    Ok(code)
}

async fn serve(
    db: Db,
    vault: IdCardVault,
    location: &Location,
    listen: &str,
    demo: bool,
    config: WebConfig,
    limits: GuessLimits,
) -> anyhow::Result<ExitCode> {
    if demo && crate::demo::seed_with_media(&db, &vault, &config).await? {
        tracing::info!("已生成演示数据：石湫街道，14个村社，约1500名党员");
    }
    if demo {
        eprintln!("{}", crate::demo::logins_text());
    }
    // Say at start, not at the first printed sheet, when no Chinese font can be found.
    if let Err(error) = crate::formats::pdf::find_cjk_font(config.font.as_deref()) {
        tracing::warn!("{error}");
    }
    let app = Application::with_db(db, vault, listen, config).await?.with_guess_limits(limits);
    let where_ = match location {
        Location::SqliteFile(path) => format!("SQLite {}", path.display()),
        Location::Postgres(_) => "PostgreSQL".to_owned(),
    };
    // Tests and scripts wait for exactly this line.
    println!("dongxun listening on http://{}", app.local_addr());
    tracing::info!("数据库：{where_}");
    app.run_until(shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

async fn export_members(db: &Db, vault: &IdCardVault, output: &std::path::Path) -> anyhow::Result<ExitCode> {
    let root = org_store::root(db).await?.ok_or_else(|| anyhow::anyhow!("还没有组织架构"))?;
    let title = format!("{}党员花名册", root.name);
    let (bytes, count) = crate::roster::export::export_members(db, vault, &root.scope(), &title).await?;
    // Audited before the data leaves, like every export.
    audit::record(
        db,
        &Actor::command_line(),
        Action::Export,
        "党员花名册",
        &format!("{count}人 → {}", output.display()),
        true,
    )
    .await?;
    std::fs::write(output, bytes).map_err(|e| anyhow::anyhow!("无法写入 {}：{e}", output.display()))?;
    println!("已导出{count}名党员到 {}", output.display());
    Ok(ExitCode::SUCCESS)
}

async fn create_user(
    db: &Db,
    role: &str,
    phone: &str,
    name: &str,
    unit: Option<&str>,
    subdistrict: &str,
) -> anyhow::Result<ExitCode> {
    let role = Role::from_cli(role).ok_or_else(|| {
        anyhow::anyhow!("未知角色：{role}（可用：admin, station_admin, lecturer, volunteer, member）")
    })?;
    let phone = Phone::parse(phone).map_err(|e| anyhow::anyhow!("手机号码：{}", e.reason))?;
    let one_time = password::one_time();
    let hash = password::hash(one_time.clone()).await?;
    // The sub-district (when this is the first account), the account and its audit entry
    // commit together.
    let mut tx = db.begin().await?;
    let root = match org_store::root(db).await? {
        Some(root) => root,
        None => org_store::insert(&mut tx, None, UnitKind::Subdistrict, subdistrict, 0).await?,
    };
    let unit = match unit {
        None => root,
        Some(name) => org_store::units_in_scope(db, &root.scope())
            .await?
            .into_iter()
            .find(|u| u.name == name)
            .ok_or_else(|| anyhow::anyhow!("找不到单位：{name}"))?,
    };
    let new_user = account_store::NewUser {
        phone: phone.as_str(),
        name,
        password_hash: &hash,
        role,
        unit_id: unit.id,
        member_id: None,
        must_change_password: true,
    };
    account_store::insert(&mut tx, &new_user).await.map_err(|e| match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            anyhow::anyhow!("该手机号已有账号")
        }
        other => other.into(),
    })?;
    let detail = format!("{name}，{}，{}", role.label(), unit.name);
    audit::record_in(&mut tx, &Actor::command_line(), Action::AccountCreate, phone.as_str(), &detail, true)
        .await?;
    tx.commit().await?;
    println!("已创建{}账号：{}（{}）", role.label(), name, phone.as_str());
    println!("初始密码：{one_time}");
    println!("首次登录后须修改密码。");
    Ok(ExitCode::SUCCESS)
}
