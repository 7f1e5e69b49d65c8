use clap::{Parser, Subcommand};
use es_registry::cli;
use es_registry::config::Settings;
use es_registry::domain::codes::Role;
use es_registry::startup::Application;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "es-registry", version, about = "The registry of EU-co-financed social-economy projects")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the database if missing, apply migrations, and serve the API.
    Serve,
    /// Create the database if missing and apply migrations, then exit.
    Migrate,
    /// Print the OpenAPI document (what `openapi/openapi.json` holds).
    Openapi,
    /// Report aggregates.
    Reports {
        #[command(subcommand)]
        action: ReportsCommand,
    },
    /// Personal-data retention.
    Retention {
        #[command(subcommand)]
        action: RetentionCommand,
    },
    /// Manage user accounts (passwords are read from standard input).
    Users {
        #[command(subcommand)]
        action: UsersCommand,
    },
}

#[derive(Subcommand)]
enum ReportsCommand {
    /// Re-evaluate which indicators are behind schedule (run daily).
    Refresh,
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Anonymise the participants of projects whose retention date has passed.
    Run,
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Create an account; the password (at least 12 characters) is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long)]
        organisation_id: Option<i64>,
    },
    /// Disable an account and revoke its refresh tokens.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Set a new password, read from standard input, and enable the account.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse()
}

fn main() -> std::process::ExitCode {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(filter);
    if std::env::var("LOG_FORMAT").is_ok_and(|f| f == "json") {
        logs.json().init();
    } else {
        logs.init();
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Openapi => {
            print!("{}", es_registry::api::openapi::document_json());
            Ok(())
        }
        Command::Migrate => migrate(),
        Command::Serve => serve(),
        Command::Users { action } => users(action),
        Command::Reports { action: ReportsCommand::Refresh } => cli::refresh_reports().map(|message| println!("{message}")),
        Command::Retention { action: RetentionCommand::Run } => cli::run_retention().map(|message| println!("{message}")),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn users(action: UsersCommand) -> Result<(), String> {
    let message = match action {
        UsersCommand::Create { email, role, organisation_id } => cli::create_user(&email, role, organisation_id)?,
        UsersCommand::Disable { email } => cli::disable_user(&email)?,
        UsersCommand::ResetPassword { email } => cli::reset_password(&email)?,
    };
    println!("{message}");
    Ok(())
}

fn migrate() -> Result<(), String> {
    use diesel::Connection;
    let settings = Settings::from_env()?;
    es_registry::db::pool::create_database_if_missing(&settings.database_url)?;
    let mut conn = diesel::PgConnection::establish(&settings.database_url).map_err(|e| e.to_string())?;
    let applied = es_registry::db::pool::run_migrations(&mut conn)?;
    tracing::info!(applied, "database is migrated");
    Ok(())
}

fn serve() -> Result<(), String> {
    let settings = Settings::from_env()?;
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(&settings)?;
        tracing::info!(addr = %settings.listen_addr, port = app.port(), "es-registry is serving; Swagger UI at /swagger-ui/");
        app.run_until_stopped().await.map_err(|e| e.to_string())
    })
}
