//! Settings from the environment; every variable is listed in the README.

use crate::crypto::decode_key;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Clone)]
pub struct Settings {
    pub database_url: String,
    pub listen_addr: String,
    pub pool_size: u32,
    pub pool_wait: Duration,
    pub statement_timeout: Duration,
    /// Which data path anonymous reads of public records take (`DATA_PATH`).
    pub data_path: DataPath,
    pub workers: usize,
    pub environment: Environment,
    /// The JWT signing key; in development a missing key is generated at start.
    pub jwt_key: Option<Vec<u8>>,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    pub sign_in_failures_per_account: i32,
    pub sign_in_failures_per_client: i32,
    /// Behind a trusted reverse proxy: take the client address from X-Forwarded-For.
    pub trust_forwarded_for: bool,
    /// Keys for personal data at rest; in development missing keys are generated at start.
    pub vault_keys: Option<crate::crypto::VaultKeys>,
    /// Origins whose pages may call the API from a browser.
    pub cors_origins: AllowedOrigins,
    /// The largest upload an import takes, in bytes.
    pub import_limit: u64,
    /// A read replica for reads of public records.
    pub database_read_url: Option<String>,
    /// Whether anonymous reads are kept in memory (see `api::response_cache`).
    pub response_cache: bool,
    /// How counts of people are protected for readers who do not own them.
    pub disclosure: crate::domain::disclosure::Rounding,
    /// How large an evidence file may be and what scans it.
    pub evidence: crate::domain::evidence::EvidencePolicy,
    /// The bearer token `/metrics` asks for (`METRICS_TOKEN` or `METRICS_TOKEN_FILE`);
    /// without one the metrics are read by nobody.
    pub metrics_token: Option<String>,
    /// How long an idle connection is kept open for the client's next request,
    /// announced in every answer (`Keep-Alive: timeout=…`).
    pub keep_alive: Duration,
    /// On SIGTERM, how long requests in flight may take to finish.
    pub shutdown_drain: Duration,
    /// How many reads without a token one client address may make.
    pub anonymous_reads: AnonymousReads,
    /// How many exports may stream at once, each reading its pages on pooled
    /// connections.
    pub exports: ExportBound,
}

/// The bound on exports streaming at once (`EXPORTS_AT_ONCE`), how long a new
/// one waits for a slot before it is refused (`EXPORT_WAIT_MS`), and how long
/// a reader may leave a page untaken before its export is given up
/// (`EXPORT_STALL_SECS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportBound {
    pub at_once: usize,
    pub wait: Duration,
    pub stall: Duration,
}

/// The limit of reads without a token per client address: `per_second` on
/// average, `burst` at once (`ANONYMOUS_READS_PER_SECOND`, 0 for no limit;
/// `ANONYMOUS_READ_BURST`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnonymousReads {
    pub per_second: u32,
    pub burst: u32,
}

// The key stays out of Debug output.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings").field("listen_addr", &self.listen_addr).field("environment", &self.environment).finish_non_exhaustive()
    }
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| default.to_owned())
}

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v.parse().map_err(|_| format!("{name} must be a number, got {v:?}")),
        _ => Ok(default),
    }
}

/// A value from `NAME`, or from the file named by `NAME_FILE`.
fn secret(name: &str) -> Result<Option<String>, String> {
    if let Ok(text) = std::env::var(name) {
        if !text.is_empty() {
            return Ok(Some(text));
        }
    }
    match std::env::var(format!("{name}_FILE")) {
        Ok(path) if !path.is_empty() => std::fs::read_to_string(&path).map(|t| Some(t.trim().to_owned())).map_err(|e| format!("{name}_FILE {path}: {e}")),
        _ => Ok(None),
    }
}

fn vault_keys_from_env() -> Result<Option<crate::crypto::VaultKeys>, String> {
    match (secret("PERSONAL_DATA_KEYS")?, secret("PERSONAL_DATA_HMAC_KEY")?) {
        (None, None) => Ok(None),
        (Some(keys), Some(hmac)) => crate::crypto::VaultKeys::parse(&keys, &hmac).map(Some).map_err(|e| format!("personal-data keys: {e}")),
        _ => Err("set both PERSONAL_DATA_KEYS and PERSONAL_DATA_HMAC_KEY (or neither, in development)".into()),
    }
}

fn jwt_key_from_env() -> Result<Option<Vec<u8>>, String> {
    if let Ok(text) = std::env::var("JWT_SECRET") {
        if !text.is_empty() {
            return decode_key(&text).map(Some).map_err(|e| format!("JWT_SECRET: {e}"));
        }
    }
    if let Ok(path) = std::env::var("JWT_SECRET_FILE") {
        if !path.is_empty() {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("JWT_SECRET_FILE {path}: {e}"))?;
            return decode_key(&text).map(Some).map_err(|e| format!("JWT_SECRET_FILE: {e}"));
        }
    }
    Ok(None)
}

impl Settings {
    pub const DEFAULT_DATABASE_URL: &'static str = "postgres://postgres@127.0.0.1:5432/es_registry";
    /// RFC 8725 and the roles issue: access tokens live at most 15 minutes.
    pub const MAX_ACCESS_TTL: Duration = Duration::from_secs(15 * 60);

    pub fn from_env() -> Result<Self, String> {
        let cores = std::thread::available_parallelism().map(std::num::NonZero::get).unwrap_or(2);
        let environment = match env_or("APP_ENV", "development").as_str() {
            "production" => Environment::Production,
            "development" => Environment::Development,
            other => return Err(format!("APP_ENV must be development or production, got {other:?}")),
        };
        let jwt_key = jwt_key_from_env()?;
        if environment == Environment::Production && jwt_key.is_none() {
            return Err("APP_ENV=production needs JWT_SECRET or JWT_SECRET_FILE (base64, at least 256 bits)".into());
        }
        let vault_keys = vault_keys_from_env()?;
        if environment == Environment::Production && vault_keys.is_none() {
            return Err("APP_ENV=production needs PERSONAL_DATA_KEYS and PERSONAL_DATA_HMAC_KEY".into());
        }
        let access_ttl = Duration::from_secs(env_number("ACCESS_TOKEN_TTL_SECS", 900)?);
        if access_ttl > Self::MAX_ACCESS_TTL || access_ttl.is_zero() {
            return Err("ACCESS_TOKEN_TTL_SECS must be between 1 and 900".into());
        }
        // PostgreSQL's own rule of thumb (two connections per core, plus one):
        // on 2 cores a read by id served 7 400 req/s at 32 clients with 5
        // connections and 5 700 with 16, p99 16 ms against 23 ms; the list and
        // the report were no slower. More connections than cores to run them
        // only make the threads that hold them take turns.
        let pool_size = env_number("DB_POOL_SIZE", u32::try_from(cores * 2 + 1).unwrap_or(16))?;
        Ok(Self {
            database_url: env_or("DATABASE_URL", Self::DEFAULT_DATABASE_URL),
            listen_addr: env_or("LISTEN_ADDR", "127.0.0.1:8080"),
            pool_size,
            pool_wait: Duration::from_millis(env_number("DB_POOL_WAIT_MS", 5000)?),
            statement_timeout: Duration::from_millis(env_number("DB_STATEMENT_TIMEOUT_MS", 10_000)?),
            data_path: match env_or("DATA_PATH", "async").as_str() {
                "async" => DataPath::Async,
                "blocking" => DataPath::Blocking,
                other => return Err(format!("DATA_PATH must be async or blocking, got {other:?}")),
            },
            workers: env_number("HTTP_WORKERS", cores)?,
            environment,
            jwt_key,
            access_ttl,
            refresh_ttl: Duration::from_secs(env_number("REFRESH_TOKEN_TTL_SECS", 30 * 24 * 3600)?),
            sign_in_failures_per_account: env_number("SIGN_IN_MAX_FAILURES_PER_ACCOUNT", 5)?,
            sign_in_failures_per_client: env_number("SIGN_IN_MAX_FAILURES_PER_CLIENT", 20)?,
            trust_forwarded_for: env_or("TRUST_FORWARDED_FOR", "false") == "true",
            cors_origins: AllowedOrigins::parse(&env_or("CORS_ALLOWED_ORIGINS", "*")),
            import_limit: env_number("IMPORT_MAX_BYTES", 2 * 1024 * 1024 * 1024)?,
            database_read_url: Some(env_or("DATABASE_READ_URL", "")).filter(|url| !url.is_empty()),
            response_cache: env_or("RESPONSE_CACHE", "true") != "false",
            disclosure: crate::domain::disclosure::Rounding::new(env_number("DISCLOSURE_ROUNDING_BASE", crate::domain::disclosure::DEFAULT_BASE)?)
                .map_err(|e| format!("DISCLOSURE_ROUNDING_BASE: {e}"))?,
            evidence: crate::domain::evidence::EvidencePolicy {
                max_bytes: env_number("EVIDENCE_MAX_BYTES", crate::domain::evidence::DEFAULT_MAX_BYTES)?,
                scan_command: Some(env_or("EVIDENCE_SCAN_COMMAND", "")).filter(|command| !command.is_empty()),
                scan_timeout: Duration::from_secs(env_number("EVIDENCE_SCAN_TIMEOUT_SECS", crate::domain::evidence::DEFAULT_SCAN_TIMEOUT.as_secs())?),
            },
            metrics_token: secret("METRICS_TOKEN")?,
            // nginx's default: longer than the idle timeouts clients' pools
            // commonly use, so that the client, not the server, closes an idle
            // connection (the race that makes a reused one fail).
            keep_alive: Duration::from_secs(env_number("KEEP_ALIVE_SECS", 75)?),
            shutdown_drain: Duration::from_secs(env_number("SHUTDOWN_DRAIN_SECS", 30)?),
            // A portal's page makes a handful of reads, a harvester a steady
            // stream: 50 a second, 200 at once, per address; the response
            // cache makes each cheap, but not free.
            anonymous_reads: AnonymousReads { per_second: env_number("ANONYMOUS_READS_PER_SECOND", 50)?, burst: env_number("ANONYMOUS_READ_BURST", 200)? },
            exports: ExportBound {
                // Each export reads page after page on pooled connections: a
                // quarter of the pool (two at least) leaves the rest to
                // everyone else, however many exports are asked for.
                at_once: env_number("EXPORTS_AT_ONCE", (pool_size / 4).max(2) as usize)?,
                wait: Duration::from_millis(env_number("EXPORT_WAIT_MS", 2000)?),
                stall: Duration::from_secs(env_number("EXPORT_STALL_SECS", 30)?),
            },
            vault_keys,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::decode_key;

    #[test]
    fn keys_are_base64_of_at_least_256_bits() {
        assert_eq!(decode_key("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=").unwrap().len(), 32);
        assert!(decode_key("c2hvcnQ=").is_err());
        assert!(decode_key("not base64 at all!").is_err());
    }
}

/// How requests reach the database (issue 32's spike, measured side by side by
/// `scripts/bench`): `Async` serves anonymous reads of public records by id
/// with diesel-async on the HTTP workers' event loops, from a pool of its own;
/// `Blocking` serves every request as before, with a synchronous connection on
/// the blocking thread pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataPath {
    Async,
    Blocking,
}

/// Which origins may call the API from a browser (`CORS_ALLOWED_ORIGINS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedOrigins {
    Any,
    Only(Vec<String>),
}

impl AllowedOrigins {
    /// `*` (or nothing) for any; else a comma-separated list of origins
    /// (`https://ekonomiaspoleczna.pl`).
    pub fn parse(text: &str) -> AllowedOrigins {
        let origins: Vec<String> = text.split(',').map(|o| o.trim().trim_end_matches('/').to_owned()).filter(|o| !o.is_empty()).collect();
        if origins.is_empty() || origins.iter().any(|o| o == "*") {
            AllowedOrigins::Any
        } else {
            AllowedOrigins::Only(origins)
        }
    }

    /// Whether `origin` may call.
    pub fn allows(&self, origin: &str) -> bool {
        match self {
            AllowedOrigins::Any => true,
            AllowedOrigins::Only(origins) => origins.iter().any(|o| o == origin),
        }
    }
}

#[cfg(test)]
mod origins_tests {
    use super::AllowedOrigins;

    #[test]
    fn origins_parse() {
        assert_eq!(AllowedOrigins::parse(""), AllowedOrigins::Any);
        assert_eq!(AllowedOrigins::parse(" * "), AllowedOrigins::Any);
        let only = AllowedOrigins::parse("https://a.pl/, https://b.pl");
        assert_eq!(only, AllowedOrigins::Only(vec!["https://a.pl".into(), "https://b.pl".into()]));
        assert!(only.allows("https://b.pl") && !only.allows("https://c.pl"));
    }
}
