//! es-peer: the benchmark's peer (issue 32), not part of the service.
//!
//! A small hand-written actix-web + tokio-postgres service over the registry's
//! own tables. It answers three of the registry's public reads as an anonymous
//! reader gets them, with the same JSON and the same statements the service
//! runs for them (taken from `src/db`), each prepared once per connection:
//!
//!   GET /api/v1/projects/{id}
//!   GET /api/v1/projects?voivodeship=04&status=ongoing&limit=50
//!   GET /api/v1/reports/portfolio?group_by=voivodeship
//!
//! `scripts/bench` measures the service and this peer in the same run, so the
//! ratio between them is measured, not remembered. No transaction, no audit, no
//! response cache, no rate limit: what a lean service of the same answers does.
//!
//! Env: DATABASE_URL (required), LISTEN_ADDR (127.0.0.1:18293), DB_POOL_SIZE
//! (2 × cores + 1, as the service), HTTP_WORKERS (cores, as the service).

use actix_web::error::{ErrorBadRequest, ErrorInternalServerError};
use actix_web::{get, web, App, HttpRequest, HttpResponse, HttpServer};
use chrono::{DateTime, NaiveDate, Utc};
use deadpool_postgres::{Client, Manager, ManagerConfig, Pool, RecyclingMethod};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use tokio_postgres::{NoTls, Row};

/// A project's columns, in the order `project` reads them.
macro_rules! columns {
    () => {
        "id, contract_number, title, objective, specific_objectives, description, measure_id, total_value, eligible_value, \
         eu_amount, cofinancing_rate, fund, intervention_field, selection_mode, planned_start, planned_start_precision, \
         planned_end, planned_end_precision, actual_start, actual_start_precision, actual_end, actual_end_precision, status, \
         voivodeship, target_groups, support_types, source_url, notes, retention_until, latitude, longitude, created_at, updated_at"
    };
}

/// The service's `Store::find` (`table_store!` in src/db/store.rs).
const FIND: &str = concat!("SELECT ", columns!(), " FROM projects WHERE id = $1");
/// The service's list by id (`Store::list`, `Plan` in src/db/listing.rs) for the
/// filters voivodeship and status, one row more than the page.
const LIST: &str = concat!("SELECT ", columns!(), " FROM projects WHERE voivodeship = $1 AND status = $2 ORDER BY id ASC LIMIT $3");
/// The planner's estimate of the total (`planned_rows`), then the exact count
/// when it expects at most `ESTIMATE_ABOVE` matches (`listing::total`).
const PLANNED: &str = "EXPLAIN (FORMAT JSON) SELECT id FROM projects WHERE voivodeship = $1 AND status = $2";
const COUNT: &str = "SELECT count(*) FROM projects WHERE voivodeship = $1 AND status = $2";
const ESTIMATE_ABOVE: i64 = 1_000;
/// Target groups as published to an outsider (`disclosure::published_figures`
/// for the projects' `counts_of_persons`): one statement for a page's records.
const PUBLISHED: &str = "SELECT r.id, CASE WHEN TRUE THEN jsonb_build_object('target_groups', \
    es_published_groups(r.target_groups, r.figure_key::bigint)) END AS figures FROM projects r WHERE r.id = ANY($1)";
/// The unfiltered portfolio as published (`indicator_progress::portfolio_report`).
const PORTFOLIO: &str = "SELECT nullif(key, '') AS key, projects, CASE WHEN total_count > 0 THEN total_value END AS total_value, \
    CASE WHEN eu_count > 0 THEN eu_amount END AS eu_amount, \
    protected_count(participants, participant_keys, (SELECT rounding_base FROM disclosure_control)) AS participants \
    FROM portfolio_rollups WHERE dimension = $1 AND projects > 0 ORDER BY key";

/// The group labels of a report (`indicator_progress::group_labels`).
fn labels_sql(group: &str) -> Option<String> {
    let lookup = match group {
        "programme" => "SELECT code, name FROM programmes WHERE id::text = k.key",
        "axis" => "SELECT p.code || ' ' || a.number AS code, a.name FROM priority_axes a JOIN programmes p ON p.id = a.programme_id WHERE a.id::text = k.key",
        "measure" => "SELECT code, name FROM measures WHERE id::text = k.key",
        "voivodeship" => "SELECT teryt::text AS code, name FROM voivodeships WHERE teryt = k.key",
        "year" => "SELECT k.key AS code, NULL::text AS name",
        _ => return None,
    };
    Some(format!("SELECT k.key, l.code, l.name FROM unnest($1::text[]) AS k(key) LEFT JOIN LATERAL ({lookup}) l ON TRUE"))
}

#[derive(Serialize, Deserialize)]
struct TargetGroup {
    name: String,
    #[serde(default = "persons")]
    counts: String,
    planned_count: Option<i64>,
    actual_count: Option<i64>,
}

fn persons() -> String {
    "persons".to_owned()
}

/// A project as the service shows it (`View<ProjectData>`).
#[derive(Serialize)]
struct Project {
    id: i64,
    contract_number: Option<String>,
    title: String,
    objective: Option<String>,
    specific_objectives: Vec<String>,
    description: Option<String>,
    measure_id: i64,
    total_value: Option<Decimal>,
    eligible_value: Option<Decimal>,
    eu_amount: Option<Decimal>,
    cofinancing_rate: Option<Decimal>,
    fund: Option<String>,
    intervention_field: Option<String>,
    selection_mode: String,
    planned_start: Option<NaiveDate>,
    planned_start_precision: Option<String>,
    planned_end: Option<NaiveDate>,
    planned_end_precision: Option<String>,
    actual_start: Option<NaiveDate>,
    actual_start_precision: Option<String>,
    actual_end: Option<NaiveDate>,
    actual_end_precision: Option<String>,
    status: String,
    voivodeship: Option<String>,
    target_groups: Vec<TargetGroup>,
    support_types: Vec<String>,
    source_url: Option<String>,
    notes: Option<String>,
    retention_until: Option<NaiveDate>,
    latitude: Option<Decimal>,
    longitude: Option<Decimal>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    links: BTreeMap<&'static str, String>,
}

fn project(row: &Row) -> actix_web::Result<Project> {
    let e = ErrorInternalServerError;
    let id: i64 = row.try_get(0).map_err(e)?;
    let measure_id: i64 = row.try_get(6).map_err(e)?;
    let groups: Value = row.try_get(24).map_err(e)?;
    let links = BTreeMap::from([
        ("activities", format!("/api/v1/activities?project_id={id}")),
        ("indicators", format!("/api/v1/indicators?project_id={id}")),
        ("measure", format!("/api/v1/measures/{measure_id}")),
        ("participants", format!("/api/v1/participants?project_id={id}")),
        ("partners", format!("/api/v1/partners?project_id={id}")),
        ("self", format!("/api/v1/projects/{id}")),
    ]);
    Ok(Project {
        id,
        contract_number: row.try_get(1).map_err(e)?,
        title: row.try_get(2).map_err(e)?,
        objective: row.try_get(3).map_err(e)?,
        specific_objectives: row.try_get(4).map_err(e)?,
        description: row.try_get(5).map_err(e)?,
        measure_id,
        total_value: row.try_get(7).map_err(e)?,
        eligible_value: row.try_get(8).map_err(e)?,
        eu_amount: row.try_get(9).map_err(e)?,
        cofinancing_rate: row.try_get(10).map_err(e)?,
        fund: row.try_get(11).map_err(e)?,
        intervention_field: row.try_get(12).map_err(e)?,
        selection_mode: row.try_get(13).map_err(e)?,
        planned_start: row.try_get(14).map_err(e)?,
        planned_start_precision: row.try_get(15).map_err(e)?,
        planned_end: row.try_get(16).map_err(e)?,
        planned_end_precision: row.try_get(17).map_err(e)?,
        actual_start: row.try_get(18).map_err(e)?,
        actual_start_precision: row.try_get(19).map_err(e)?,
        actual_end: row.try_get(20).map_err(e)?,
        actual_end_precision: row.try_get(21).map_err(e)?,
        status: row.try_get(22).map_err(e)?,
        voivodeship: row.try_get(23).map_err(e)?,
        target_groups: serde_json::from_value(groups).map_err(ErrorInternalServerError)?,
        support_types: row.try_get(25).map_err(e)?,
        source_url: row.try_get(26).map_err(e)?,
        notes: row.try_get(27).map_err(e)?,
        retention_until: row.try_get(28).map_err(e)?,
        latitude: row.try_get(29).map_err(e)?,
        longitude: row.try_get(30).map_err(e)?,
        created_at: row.try_get(31).map_err(e)?,
        updated_at: row.try_get(32).map_err(e)?,
        links,
    })
}

/// Puts the published target groups in place of the stored ones, as the
/// service does for any reader who does not own the projects.
async fn publish(client: &Client, projects: &mut [Project]) -> actix_web::Result<()> {
    if projects.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = projects.iter().map(|p| p.id).collect();
    let statement = client.prepare_cached(PUBLISHED).await.map_err(ErrorInternalServerError)?;
    for row in client.query(&statement, &[&ids]).await.map_err(ErrorInternalServerError)? {
        let id: i64 = row.try_get(0).map_err(ErrorInternalServerError)?;
        let figures: Option<Value> = row.try_get(1).map_err(ErrorInternalServerError)?;
        let groups = figures.and_then(|mut f| f.get_mut("target_groups").map(Value::take));
        if let (Some(groups), Some(project)) = (groups, projects.iter_mut().find(|p| p.id == id)) {
            project.target_groups = serde_json::from_value(groups).map_err(ErrorInternalServerError)?;
        }
    }
    Ok(())
}

async fn client(pool: &Pool) -> actix_web::Result<Client> {
    pool.get().await.map_err(ErrorInternalServerError)
}

#[get("/health/ready")]
async fn ready() -> HttpResponse {
    HttpResponse::Ok().body("ready")
}

#[get("/api/v1/projects/{id}")]
async fn read(pool: web::Data<Pool>, id: web::Path<i64>) -> actix_web::Result<HttpResponse> {
    let client = client(&pool).await?;
    let statement = client.prepare_cached(FIND).await.map_err(ErrorInternalServerError)?;
    let Some(row) = client.query_opt(&statement, &[&id.into_inner()]).await.map_err(ErrorInternalServerError)? else {
        return Ok(HttpResponse::NotFound().json(serde_json::json!({"title": "Not Found", "status": 404})));
    };
    let mut found = [project(&row)?];
    publish(&client, &mut found).await?;
    let [project] = found;
    Ok(HttpResponse::Ok().json(project))
}

#[derive(Deserialize)]
struct ListQuery {
    voivodeship: Option<String>,
    status: Option<String>,
    limit: Option<i64>,
}

#[derive(Serialize)]
struct ListPage {
    items: Vec<Project>,
    total: i64,
    total_is_estimate: bool,
    limit: i64,
    offset: Option<i64>,
    next_cursor: Option<String>,
    prev_cursor: Option<String>,
}

/// A cursor as the service gives one out (`paging::encode_cursor`): base64url
/// without padding of `{"s":"id","k":"<id>","i":<id>,"b":false}`.
fn cursor_after(id: i64) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = format!(r#"{{"s":"id","k":"{id}","i":{id},"b":false}}"#).into_bytes();
    let mut text = String::with_capacity(bytes.len() * 4 / 3 + 3);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            text.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    text
}

#[get("/api/v1/projects")]
async fn list(pool: web::Data<Pool>, query: web::Query<ListQuery>, req: HttpRequest) -> actix_web::Result<HttpResponse> {
    let ListQuery { voivodeship, status, limit } = query.into_inner();
    let (Some(voivodeship), Some(status)) = (voivodeship, status) else {
        return Err(ErrorBadRequest("the peer lists by voivodeship and status only"));
    };
    let limit = limit.unwrap_or(50);
    if limit < 1 {
        return Err(ErrorBadRequest("limit must be at least 1"));
    }
    let limit = limit.min(200);
    let client = client(&pool).await?;
    let statement = client.prepare_cached(LIST).await.map_err(ErrorInternalServerError)?;
    let rows = client.query(&statement, &[&voivodeship, &status, &(limit + 1)]).await.map_err(ErrorInternalServerError)?;
    let fetched = rows.len() as i64;
    let more = fetched > limit;
    // A first page that holds the rest of the list tells the total itself.
    let (total, estimated) = if !more {
        (fetched, false)
    } else {
        let statement = client.prepare_cached(PLANNED).await.map_err(ErrorInternalServerError)?;
        let plan: Value = client.query_one(&statement, &[&voivodeship, &status]).await.and_then(|r| r.try_get(0)).map_err(ErrorInternalServerError)?;
        let expected = plan.pointer("/0/Plan/Plan Rows").and_then(Value::as_f64).unwrap_or(0.0).round() as i64;
        if expected <= ESTIMATE_ABOVE {
            let statement = client.prepare_cached(COUNT).await.map_err(ErrorInternalServerError)?;
            let count: i64 = client.query_one(&statement, &[&voivodeship, &status]).await.and_then(|r| r.try_get(0)).map_err(ErrorInternalServerError)?;
            (count, false)
        } else {
            (expected.max(fetched), true)
        }
    };
    let mut items = rows.iter().take(limit as usize).map(project).collect::<actix_web::Result<Vec<_>>>()?;
    publish(&client, &mut items).await?;
    drop(client);
    let next_cursor = items.last().filter(|_| more).map(|p| cursor_after(p.id));
    let mut response = HttpResponse::Ok();
    if let Some(cursor) = &next_cursor {
        // The caller's other filters kept, as the service's `Link` header does.
        let others: Vec<&str> =
            req.query_string().split('&').filter(|p| !p.is_empty() && !matches!(p.split('=').next(), Some("limit" | "offset" | "cursor"))).collect();
        let mut query = others.join("&");
        query.push_str(&format!("{}limit={limit}&cursor={cursor}", if others.is_empty() { "" } else { "&" }));
        response.insert_header(("Link", format!("<{}?{query}>; rel=\"next\"", req.path())));
    }
    if estimated {
        response.insert_header(("Total-Is-Estimate", "true"));
    }
    Ok(response.json(ListPage { items, total, total_is_estimate: estimated, limit, offset: None, next_cursor, prev_cursor: None }))
}

#[derive(Deserialize)]
struct ReportQuery {
    group_by: Option<String>,
}

/// One group of the portfolio, as the service publishes it (`PortfolioRollup`).
#[derive(Serialize)]
struct PortfolioRollup {
    key: Option<String>,
    code: Option<String>,
    name: Option<String>,
    projects: i64,
    total_value: Option<Decimal>,
    eu_amount: Option<Decimal>,
    participants: i64,
    protected: bool,
    rounding_base: Option<i64>,
}

#[get("/api/v1/reports/portfolio")]
async fn portfolio(pool: web::Data<Pool>, base: web::Data<i64>, query: web::Query<ReportQuery>) -> actix_web::Result<HttpResponse> {
    // Projects have no indicator definition: grouped by definition, the portfolio is by year.
    let group = match query.into_inner().group_by.as_deref() {
        None => "programme".to_owned(),
        Some("definition") => "year".to_owned(),
        Some(group) => group.to_owned(),
    };
    let labels = labels_sql(&group).ok_or_else(|| ErrorBadRequest("unknown grouping"))?;
    let client = client(&pool).await?;
    let statement = client.prepare_cached(PORTFOLIO).await.map_err(ErrorInternalServerError)?;
    let rows = client.query(&statement, &[&group]).await.map_err(ErrorInternalServerError)?;
    let e = ErrorInternalServerError;
    let mut rollups = Vec::with_capacity(rows.len());
    for row in &rows {
        rollups.push(PortfolioRollup {
            key: row.try_get(0).map_err(e)?,
            code: None,
            name: None,
            projects: row.try_get(1).map_err(e)?,
            total_value: row.try_get(2).map_err(e)?,
            eu_amount: row.try_get(3).map_err(e)?,
            participants: row.try_get(4).map_err(e)?,
            protected: true,
            rounding_base: Some(**base),
        });
    }
    let keys: Vec<&str> = rollups.iter().filter_map(|r| r.key.as_deref()).collect();
    let statement = client.prepare_cached(&labels).await.map_err(e)?;
    let mut found: HashMap<String, (Option<String>, Option<String>)> = HashMap::new();
    for row in client.query(&statement, &[&keys]).await.map_err(e)? {
        found.insert(row.try_get(0).map_err(e)?, (row.try_get(1).map_err(e)?, row.try_get(2).map_err(e)?));
    }
    drop(client);
    for rollup in &mut rollups {
        if let Some((code, name)) = rollup.key.as_ref().and_then(|k| found.remove(k)) {
            (rollup.code, rollup.name) = (code, name);
        }
    }
    Ok(HttpResponse::Ok().json(rollups))
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let fail = |what: &str, e: &dyn std::fmt::Display| std::io::Error::other(format!("es-peer: {what}: {e}"));
    let url = std::env::var("DATABASE_URL").map_err(|e| fail("DATABASE_URL", &e))?;
    let listen = std::env::var("LISTEN_ADDR").unwrap_or_else(|_| "127.0.0.1:18293".to_owned());
    let cores = std::thread::available_parallelism().map(std::num::NonZero::get).unwrap_or(2);
    let pool_size = env_number("DB_POOL_SIZE", cores * 2 + 1);
    let workers = env_number("HTTP_WORKERS", cores);
    let config: tokio_postgres::Config = url.parse().map_err(|e| fail("DATABASE_URL", &e))?;
    let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
    let pool = Pool::builder(manager).max_size(pool_size).build().map_err(|e| fail("pool", &e))?;
    // The base protected counts are rounded to, as the service last set it.
    let base: i32 = {
        let client = pool.get().await.map_err(|e| fail("database", &e))?;
        let row = client.query_one("SELECT rounding_base FROM disclosure_control", &[]).await.map_err(|e| fail("disclosure_control", &e))?;
        row.try_get(0).map_err(|e| fail("disclosure_control", &e))?
    };
    let (pool, base) = (web::Data::new(pool), web::Data::new(i64::from(base)));
    HttpServer::new(move || App::new().app_data(pool.clone()).app_data(base.clone()).service(ready).service(read).service(list).service(portfolio))
        .workers(workers.max(1))
        .keep_alive(std::time::Duration::from_secs(75))
        .bind(&listen)?
        .run()
        .await
}
