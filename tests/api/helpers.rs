//! `spawn_app`: every test gets the real application on a random port, over its
//! own database cloned from a migrated template (crates.io's pattern), dropped
//! again when the test ends. Requests go out as the test's admin unless a test
//! picks another session.

use diesel::prelude::*;
use es_registry::config::{Environment, Settings};
use es_registry::domain::access::Caller;
use es_registry::domain::codes::Role;
use es_registry::service::accounts;
use es_registry::service::auth::passwords;
use es_registry::startup::Application;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

pub const PASSWORD: &str = "correct horse battery staple";

pub fn server_url() -> String {
    std::env::var("TEST_DATABASE_SERVER").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

/// The URL of database `name` on the test server, without TLS: the server is on
/// loopback, and OpenSSL's clean-up at process exit races with the connections
/// other threads still hold then (each instance's cache listener), which once
/// aborted the test binary with a double free after every test had passed.
pub fn database_url(name: &str) -> String {
    format!("{}/{name}?sslmode=disable", server_url())
}

fn admin_connection() -> PgConnection {
    PgConnection::establish(&database_url("postgres")).expect("PostgreSQL must be running for the tests (scripts/test starts it)")
}

/// A template database holding the current migrations, made once per run.
fn template() -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        let mut files: Vec<_> = walk(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations")));
        files.sort();
        for file in files {
            file.hash(&mut hasher);
            std::fs::read(&file).unwrap().hash(&mut hasher);
        }
        let name = format!("es_registry_template_{:016x}", hasher.finish());
        let mut conn = admin_connection();
        // Test binaries may run at once: one of them builds the template.
        diesel::sql_query("SELECT pg_advisory_lock(704221)").execute(&mut conn).unwrap();
        let exists =
            diesel::sql_query("SELECT 1 FROM pg_database WHERE datname = $1").bind::<diesel::sql_types::Text, _>(&name).execute(&mut conn).unwrap() > 0;
        if !exists {
            let building = format!("{name}_building");
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {building}")).execute(&mut conn).unwrap();
            diesel::sql_query(format!("CREATE DATABASE {building}")).execute(&mut conn).unwrap();
            let mut template_conn = PgConnection::establish(&database_url(&building)).unwrap();
            es_registry::db::pool::run_migrations(&mut template_conn).unwrap();
            drop(template_conn);
            diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {name}")).execute(&mut conn).unwrap();
        }
        diesel::sql_query("SELECT pg_advisory_unlock(704221)").execute(&mut conn).unwrap();
        name
    })
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flat_map(|entry| {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

/// One set of personal-data keys for every app of the test process (the vault is per process).
pub fn test_vault_keys() -> es_registry::crypto::VaultKeys {
    static KEYS: OnceLock<es_registry::crypto::VaultKeys> = OnceLock::new();
    KEYS.get_or_init(es_registry::crypto::VaultKeys::random).clone()
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub database: String,
    /// For tests that run the command line against the same database.
    pub database_url: String,
    /// The signing key, for tests that forge tokens.
    pub jwt_key: Vec<u8>,
    pub admin_token: String,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let mut conn = admin_connection();
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.database)).execute(&mut conn);
    }
}

/// The one origin whose pages the test service lets call it from a browser.
pub const PORTAL_ORIGIN: &str = "https://portal.example.pl";

/// The settings of a test instance on `database_url`.
pub fn test_settings(database_url: &str, through_proxy: bool, jwt_key: &[u8]) -> Settings {
    Settings {
        database_url: database_url.to_owned(),
        listen_addr: "127.0.0.1:0".to_owned(),
        pool_size: 4,
        // Through the fault proxy a lost database must be answered well within
        // the impatient client's 10 s, yet the pools must still open on a
        // loaded machine (1 s once timed out a CI run's start-up).
        pool_wait: Duration::from_secs(if through_proxy { 3 } else { 5 }),
        statement_timeout: Duration::from_secs(10),
        data_path: es_registry::config::DataPath::Async,
        workers: 1,
        environment: Environment::Development,
        jwt_key: Some(jwt_key.to_owned()),
        access_ttl: Duration::from_secs(900),
        refresh_ttl: Duration::from_secs(3600),
        sign_in_failures_per_account: 5,
        sign_in_failures_per_client: 20,
        trust_forwarded_for: false,
        vault_keys: Some(test_vault_keys()),
        cors_origins: es_registry::config::AllowedOrigins::parse(PORTAL_ORIGIN),
        import_limit: 64 * 1024 * 1024,
        // Reads of public records go through a second pool, as they would to a replica.
        database_read_url: Some(database_url.to_owned()),
        response_cache: true,
        disclosure: es_registry::domain::disclosure::Rounding::default(),
        evidence: es_registry::domain::evidence::EvidencePolicy::default(),
        metrics_token: Some(METRICS_TOKEN.to_owned()),
        keep_alive: Duration::from_secs(75),
        shutdown_drain: Duration::from_secs(30),
        // Limited, so that every test reads through the limiter, but far above
        // what a test reads (one test checks the limit with a small one).
        anonymous_reads: es_registry::config::AnonymousReads { per_second: 10_000, burst: 100_000 },
        exports: es_registry::config::ExportBound { at_once: 4, wait: Duration::from_secs(2), stall: Duration::from_secs(30) },
    }
}

/// The token test instances read `/metrics` with.
pub const METRICS_TOKEN: &str = "test-metrics-token";

pub async fn spawn_app() -> TestApp {
    spawn_app_on(None).await
}

/// The application with its database reached through `127.0.0.1:port` (a proxy
/// a test controls) instead of the server itself.
pub async fn spawn_app_on(database_port: Option<u16>) -> TestApp {
    spawn_configured(database_port, |_| {}).await
}

/// The application with settings of its own (`adjust` changes the tests' ones).
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_configured(None, adjust).await
}

async fn spawn_configured(database_port: Option<u16>, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let database = format!("es_test_{}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst), nanos);
    let template = template();
    diesel::sql_query(format!("CREATE DATABASE {database} TEMPLATE {template}")).execute(&mut admin_connection()).unwrap();
    let database_url = match database_port {
        Some(port) => format!("postgres://postgres@127.0.0.1:{port}/{database}?sslmode=disable"),
        None => database_url(&database),
    };
    let jwt_key = es_registry::service::auth::tokens::random_key();
    let mut settings = test_settings(&database_url, database_port.is_some(), &jwt_key);
    adjust(&mut settings);
    let app = Application::build(&settings).expect("the application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    // The server closes a connection idle for its keep-alive (75 s here); a
    // client that keeps it longer may send on one being closed (hyper's
    // IncompleteMessage on a loaded machine), so idle connections go sooner.
    let client = reqwest::Client::builder().pool_idle_timeout(std::time::Duration::from_secs(2)).build().unwrap();
    let mut app = TestApp { address, client, database, database_url, jwt_key, admin_token: String::new() };
    app.admin_token = app.user_token("admin@test.es-registry.pl", Role::Admin, None).await;
    app
}

impl TestApp {
    /// Another instance of the application on the same database, with the
    /// settings `adjust` makes; returns its address.
    pub async fn another_instance(&self, adjust: impl FnOnce(&mut Settings)) -> String {
        let mut settings = test_settings(&self.database_url, false, &self.jwt_key);
        adjust(&mut settings);
        let app = Application::build(&settings).expect("the application builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        address
    }
}

/// A response read whole: status, headers and JSON body (Null when empty).
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn content_type(&self) -> &str {
        self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The `field` of every entry of a 422's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"].as_array().map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or("").to_owned()).collect()).unwrap_or_default()
    }

    pub fn id(&self) -> i64 {
        self.body["id"].as_i64().unwrap_or_else(|| panic!("no id in {} {}", self.status, self.body))
    }
}

/// Requests made as one caller: a bearer token, or anonymous.
pub struct Session<'a> {
    app: &'a TestApp,
    token: Option<String>,
}

impl Session<'_> {
    fn authorised(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.app.send(self.authorised(self.app.client.get(self.app.url(path)))).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.app.send(self.authorised(self.app.client.post(self.app.url(path)).json(body))).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        self.app.send(self.authorised(self.app.client.put(self.app.url(path)).json(body))).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Reply {
        let request = self.app.client.patch(self.app.url(path)).header("content-type", "application/merge-patch+json").body(body.to_string());
        self.app.send(self.authorised(request)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.app.send(self.authorised(self.app.client.delete(self.app.url(path)))).await
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn anonymous(&self) -> Session<'_> {
        Session { app: self, token: None }
    }

    pub fn as_user(&self, token: &str) -> Session<'_> {
        Session { app: self, token: Some(token.to_owned()) }
    }

    fn admin(&self) -> Session<'_> {
        self.as_user(&self.admin_token)
    }

    /// Creates an account straight in the database (as the command line does).
    pub fn create_user(&self, email: &str, role: Role, organisation_id: Option<i64>) {
        let mut conn = PgConnection::establish(&self.database_url).unwrap();
        let hash = passwords::hash(PASSWORD).unwrap();
        accounts::create_hashed(&mut conn, &Caller::System { name: "test set-up" }, email, hash, role, organisation_id).unwrap();
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Reply {
        self.anonymous().post("/api/v1/auth/token", &json!({"email": email, "password": password})).await
    }

    /// Creates an account and signs it in: its access token.
    pub async fn user_token(&self, email: &str, role: Role, organisation_id: Option<i64>) -> String {
        self.create_user(email, role, organisation_id);
        let reply = self.sign_in(email, PASSWORD).await;
        assert_eq!(reply.status, 200, "sign-in of {email}: {}", reply.body);
        reply.body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("request reaches the server");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        Reply { status, headers, body }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.admin().get(path).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.admin().post(path, body).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        self.admin().put(path, body).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Reply {
        self.admin().patch(path, body).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.admin().delete(path).await
    }

    /// Creates a record as admin and returns its id, failing the test on anything but 201.
    pub async fn create(&self, collection: &str, body: Value) -> i64 {
        let reply = self.post(&format!("/api/v1/{collection}"), &body).await;
        assert_eq!(reply.status, 201, "creating {collection}: {}", reply.body);
        reply.id()
    }

    pub async fn total(&self, collection_query: &str) -> i64 {
        let reply = self.get(&format!("/api/v1/{collection_query}")).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.body["total"].as_i64().unwrap()
    }
}

/// A small, valid hierarchy: programme → axis → measure → sub-measure → project, plus an organisation.
pub struct Fixture {
    pub programme: i64,
    pub axis: i64,
    pub measure: i64,
    pub sub_measure: i64,
    pub project: i64,
    pub organisation: i64,
    pub activity: i64,
    pub participant: i64,
}

impl Fixture {
    pub async fn new(app: &TestApp) -> Self {
        let programme = app
            .create("programmes", json!({"code": "RPKP.2014-2020", "name": "RPO Województwa Kujawsko-Pomorskiego 2014-2020", "period": "2014-2020", "funds": ["ESF"], "voivodeship": "04"}))
            .await;
        let axis = app.create("priority-axes", json!({"programme_id": programme, "number": "9", "name": "Solidarne społeczeństwo"})).await;
        let measure = app.create("measures", json!({"priority_axis_id": axis, "code": "9.4", "name": "Wzmocnienie sektora ekonomii społecznej"})).await;
        let sub_measure = app
            .create("measures", json!({"priority_axis_id": axis, "parent_id": measure, "code": "9.4.2", "name": "Koordynacja sektora ekonomii społecznej"}))
            .await;
        let project = app
            .create(
                "projects",
                json!({"title": "Koordynacja rozwoju ekonomii społecznej", "measure_id": sub_measure, "total_value": "3359267.15", "eu_amount": "2855377.07"}),
            )
            .await;
        let organisation =
            app.create("beneficiaries", json!({"name": "Regionalny Ośrodek Polityki Społecznej w Toruniu", "kind": "rops", "teryt": "0463011"})).await;
        let activity = app.create("activities", json!({"project_id": project, "activity_type": "training", "title": "szkolenie"})).await;
        let participant = app
            .create("participants", json!({"project_id": project, "first_name": "Jan", "last_name": "Kowalski", "birth_date": "1980-05-01", "sex": "male"}))
            .await;
        Self { programme, axis, measure, sub_measure, project, organisation, activity, participant }
    }
}
