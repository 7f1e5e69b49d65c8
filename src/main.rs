use clap::{Parser, Subcommand};
use es_registry::config::Settings;
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
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt().with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"))).init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Openapi => {
            print!("{}", es_registry::api::openapi::document_json());
            Ok(())
        }
        Command::Migrate => migrate(),
        Command::Serve => serve(),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            std::process::ExitCode::FAILURE
        }
    }
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
