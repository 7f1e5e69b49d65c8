//! Building and running the HTTP server. Tests build the same application on
//! port 0 (`Application::build`), so they exercise the real stack.

use crate::api::conventions;
use crate::api::{extractors, AppState};
use crate::config::AllowedOrigins;
use crate::config::Settings;
use crate::db::pool;
use crate::service::auth::throttle::ThrottleSettings;
use crate::service::auth::tokens::{random_key, TokenService};
use crate::service::Database;
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};
use std::net::TcpListener;
use utoipa_swagger_ui::SwaggerUi;

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Creates the database if missing, migrates it, and binds the listener.
    pub fn build(settings: &Settings) -> Result<Self, String> {
        pool::create_database_if_missing(&settings.database_url)?;
        let db = pool::build_pool(&settings.database_url, settings.pool_size, settings.pool_wait, settings.statement_timeout)
            .map_err(|e| format!("cannot connect to the database: {e}"))?;
        let mut conn = db.get().map_err(|e| e.to_string())?;
        let applied = pool::run_migrations(&mut conn)?;
        crate::service::reports::apply_rounding(&mut conn, settings.disclosure).map_err(|e| format!("cannot set the rounding of protected counts: {e}"))?;
        drop(conn);
        if applied > 0 {
            tracing::info!(applied, "applied migrations");
        }
        let listener = TcpListener::bind(&settings.listen_addr).map_err(|e| format!("cannot listen on {}: {e}", settings.listen_addr))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        let key = match &settings.jwt_key {
            Some(key) => key.clone(),
            None => {
                tracing::warn!("no JWT_SECRET or JWT_SECRET_FILE: generated a signing key for this run; tokens will not survive a restart (development only)");
                random_key()
            }
        };
        let vault_keys = settings.vault_keys.clone().unwrap_or_else(|| {
            tracing::warn!("no PERSONAL_DATA_KEYS: generated keys for this run; participants sealed now cannot be read after a restart (development only)");
            crate::crypto::VaultKeys::random()
        });
        crate::crypto::install(vault_keys)?;
        // The stand-in hash for unknown emails is made now, not on the first such sign-in.
        crate::service::auth::passwords::warm_up();
        let tokens = TokenService::new(&key, settings.access_ttl, settings.refresh_ttl)?;
        let throttle = ThrottleSettings {
            per_account: settings.sign_in_failures_per_account,
            per_client: settings.sign_in_failures_per_client,
            trust_forwarded_for: settings.trust_forwarded_for,
            ..ThrottleSettings::default()
        };
        let read_pool = match &settings.database_read_url {
            Some(url) => Some(
                pool::build_pool(url, settings.pool_size, settings.pool_wait, settings.statement_timeout)
                    .map_err(|e| format!("cannot connect to the read replica: {e}"))?,
            ),
            None => None,
        };
        let async_pool = match settings.data_path {
            crate::config::DataPath::Blocking => None,
            crate::config::DataPath::Async => {
                let url = settings.database_read_url.as_deref().unwrap_or(&settings.database_url);
                Some(pool::build_async_pool(url, settings.pool_size, settings.pool_wait, settings.statement_timeout)?)
            }
        };
        let state = AppState {
            db: Database::new(db, read_pool, async_pool),
            throttle,
            import_limit: settings.import_limit,
            disclosure: settings.disclosure,
            evidence: settings.evidence.clone(),
            exports: crate::service::exports::ExportSlots::new(settings.exports.at_once, settings.exports.wait, settings.exports.stall),
        };
        let cache = settings.response_cache.then(|| {
            let cache = web::Data::new(crate::api::response_cache::ResponseCache::default());
            crate::api::response_cache::ResponseCache::listen(cache.clone(), settings.database_url.clone(), settings.database_read_url.is_some());
            cache
        });
        let metrics = crate::api::telemetry::Metrics::new(settings.metrics_token.as_deref());
        let connections = Connections {
            workers: settings.workers,
            keep_alive: settings.keep_alive,
            shutdown_drain: settings.shutdown_drain,
            anonymous_limit: crate::api::load_shed::AnonymousLimit::new(settings.anonymous_reads, settings.trust_forwarded_for).map(web::Data::new),
        };
        let server = serve(listener, state, tokens, settings.cors_origins.clone(), connections, cache, metrics)?;
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// How the server treats its connections.
struct Connections {
    workers: usize,
    keep_alive: std::time::Duration,
    shutdown_drain: std::time::Duration,
    /// The limit of anonymous reads, unless it is off.
    anonymous_limit: Option<web::Data<crate::api::load_shed::AnonymousLimit>>,
}

fn serve(
    listener: TcpListener,
    state: AppState,
    tokens: TokenService,
    origins: AllowedOrigins,
    connections: Connections,
    cache: Option<web::Data<crate::api::response_cache::ResponseCache>>,
    metrics: crate::api::telemetry::Metrics,
) -> Result<Server, String> {
    let origins = web::Data::new(origins);
    let state = web::Data::new(state);
    let tokens = web::Data::new(tokens);
    let metrics = web::Data::new(metrics);
    let openapi = crate::api::openapi::document();
    let Connections { workers, keep_alive, shutdown_drain, anonymous_limit } = connections;
    let announced = format!("timeout={}", keep_alive.as_secs());
    let server = HttpServer::new(move || {
        App::new()
            .wrap(from_fn(crate::api::idempotency::idempotent))
            .wrap(from_fn(crate::api::caching::conditional))
            .wrap(from_fn(crate::api::response_cache::cached))
            // Outside the cache: a flood is limited, cache hits included.
            .wrap(from_fn(crate::api::load_shed::shed))
            .wrap(from_fn(crate::api::consistency::read_your_writes))
            .wrap(from_fn(conventions::keep_plain))
            .wrap(actix_web::middleware::Compress::default())
            .wrap(from_fn(conventions::unmark_plain))
            .wrap(from_fn(conventions::head_as_get))
            .wrap(from_fn(crate::api::cors::cors))
            .wrap(from_fn(crate::api::telemetry::observe))
            .wrap(actix_web::middleware::DefaultHeaders::new().add(("Keep-Alive", announced.as_str())))
            .app_data(origins.clone())
            .app_data(metrics.clone())
            .app_data(state.clone())
            .app_data(tokens.clone())
            .app_data(cache.clone())
            .app_data(anonymous_limit.clone())
            .configure(extractors::configure)
            .route("/swagger-ui", web::get().to(conventions::swagger_ui_slash))
            .service(SwaggerUi::new("/swagger-ui/{_:.*}").external_url_unchecked("/api-docs/openapi.json", openapi.clone()))
            .configure(crate::api::routes::configure)
            .default_service(web::to(extractors::no_route))
    })
    .workers(workers.max(1))
    .keep_alive(keep_alive)
    .shutdown_timeout(shutdown_drain.as_secs())
    .listen(listener)
    .map_err(|e| e.to_string())?
    .run();
    Ok(server)
}
