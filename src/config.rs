//! Settings from the environment; every variable is listed in the README.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub listen_addr: String,
    pub pool_size: u32,
    pub pool_wait: Duration,
    pub workers: usize,
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

impl Settings {
    pub const DEFAULT_DATABASE_URL: &'static str = "postgres://postgres@127.0.0.1:5432/es_registry";

    pub fn from_env() -> Result<Self, String> {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Ok(Self {
            database_url: env_or("DATABASE_URL", Self::DEFAULT_DATABASE_URL),
            listen_addr: env_or("LISTEN_ADDR", "127.0.0.1:8080"),
            pool_size: env_number("DB_POOL_SIZE", 16)?,
            pool_wait: Duration::from_millis(env_number("DB_POOL_WAIT_MS", 5000)?),
            workers: env_number("HTTP_WORKERS", cores)?,
        })
    }
}
