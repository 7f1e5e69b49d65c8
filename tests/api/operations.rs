//! Operations: request ids, metrics, logs without personal data, and a graceful
//! shutdown of the real binary on SIGTERM.

use crate::helpers::{spawn_app, spawn_app_with, METRICS_TOKEN};
use serde_json::json;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

#[tokio::test]
async fn request_ids_are_kept_or_made_and_metrics_count_requests() {
    let app = spawn_app().await;
    let given = app.send(app.client.get(app.url("/api/v1/projects")).header("X-Request-Id", "portal-42")).await;
    assert_eq!(given.headers["x-request-id"], "portal-42");
    let made = app.get("/api/v1/projects").await;
    let id = made.headers["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 16);
    let hostile = app.send(app.client.get(app.url("/api/v1/projects")).header("X-Request-Id", "a b\"c")).await;
    assert_ne!(hostile.headers["x-request-id"], "a b\"c", "an unsafe id is replaced");
    assert_eq!(app.get("/api/v1/nothing").await.status, 404);

    // An invented method name is counted, as `other`, not as a series of its own.
    let invented = app.send(app.client.request(reqwest::Method::from_bytes(b"BREW").unwrap(), app.url("/api/v1/projects"))).await;
    assert_eq!(invented.status, 405);

    // The metrics are the metrics token's: not anyone's, not an admin's access token's.
    let anonymous = app.send(app.client.get(app.url("/metrics"))).await;
    assert_eq!((anonymous.status, anonymous.content_type()), (401, "application/problem+json"), "{}", anonymous.body);
    let admin = app.send(app.client.get(app.url("/metrics")).bearer_auth(&app.admin_token)).await;
    assert_eq!(admin.status, 401);
    let near = app.send(app.client.get(app.url("/metrics")).bearer_auth(format!("{METRICS_TOKEN}x"))).await;
    assert_eq!(near.status, 401);
    let metrics = app.send(app.client.get(app.url("/metrics")).bearer_auth(METRICS_TOKEN)).await;
    assert_eq!(metrics.status, 200);
    assert!(metrics.content_type().starts_with("text/plain"));
    let text = metrics.body.as_str().unwrap();
    assert!(text.contains(r#"method="other""#), "{text}");
    assert!(!text.contains("BREW"), "{text}");
    assert!(text.contains(r#"http_requests_total{route="/api/v1/projects",method="GET",status="200"} 3"#), "{text}");
    assert!(text.contains(r#"status="404""#));
    assert!(text.contains(r#"http_request_duration_seconds_bucket{route="/api/v1/projects",method="GET",le="+Inf"} 3"#));
    assert!(text.contains("db_pool_connections "));
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Runs the real binary, checks that SIGTERM lets a request in flight finish,
/// refuses new connections, exits 0, and that no log line held personal data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_every_request_in_flight_an_import_too_and_logs_hold_no_personal_data() {
    let port = free_port();
    let database = format!("es_shutdown_{}", std::process::id());
    let database_url = crate::helpers::database_url(&database);
    let binary = env!("CARGO_BIN_EXE_es-registry");
    let mut server = Command::new(binary)
        .arg("serve")
        .env("DATABASE_URL", &database_url)
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("HTTP_WORKERS", "1")
        .env("RUST_LOG", "debug")
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client.get(format!("{base}/health/ready")).send().await.is_ok_and(|r| r.status() == 200) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut create = Command::new(binary)
        .args(["users", "create", "--email", "ops@example.org", "--role", "admin"])
        .env("DATABASE_URL", &database_url)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    create.stdin.take().unwrap().write_all(b"an operations password\n").unwrap();
    assert!(create.wait().unwrap().success());
    let token =
        client.post(format!("{base}/api/v1/auth/token")).json(&json!({"email": "ops@example.org", "password": "an operations password"})).send().await.unwrap();
    let token = token.json::<serde_json::Value>().await.unwrap()["access_token"].as_str().unwrap().to_owned();
    let post = |path: &str, body: serde_json::Value| client.post(format!("{base}{path}")).bearer_auth(&token).json(&body).send();
    let programme =
        post("/api/v1/programmes", json!({"code": "X", "name": "X", "period": "2014-2020"})).await.unwrap().json::<serde_json::Value>().await.unwrap()["id"]
            .clone();
    let axis = post("/api/v1/priority-axes", json!({"programme_id": programme, "number": "1"})).await.unwrap().json::<serde_json::Value>().await.unwrap()["id"]
        .clone();
    let measure =
        post("/api/v1/measures", json!({"priority_axis_id": axis, "code": "1.1", "name": "m"})).await.unwrap().json::<serde_json::Value>().await.unwrap()["id"]
            .clone();
    let project =
        post("/api/v1/projects", json!({"title": "P", "measure_id": measure})).await.unwrap().json::<serde_json::Value>().await.unwrap()["id"].clone();
    let person = post(
        "/api/v1/participants",
        json!({"project_id": project, "first_name": "Zdzisława", "last_name": "Przybyszewska", "pesel": "02270803624", "email": "zdzislawa@example.org"}),
    )
    .await
    .unwrap();
    assert_eq!(person.status(), 201);
    let found = client.get(format!("{base}/api/v1/participants?pesel=02270803624&project_id={project}")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(found.status(), 200);
    let refused = post("/api/v1/participants", json!({"project_id": project, "first_name": "A", "last_name": "B", "pesel": "02270803625"})).await.unwrap();
    assert_eq!(refused.status(), 422);

    // Requests in flight when SIGTERM comes, each with its headers and half of
    // its body sent: a dozen sign-ins and an import of 300 organisations.
    let start = |head: String, body: Vec<u8>| {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.write_all(head.as_bytes()).unwrap();
        let (first, rest) = body.split_at(body.len() / 2);
        stream.write_all(first).unwrap();
        (stream, rest.to_vec())
    };
    // Each for an account of its own: the sign-in throttle allows an account 5 failures.
    let mut in_flight: Vec<(&str, TcpStream, Vec<u8>)> = (0..12)
        .map(|i| {
            let sign_in = format!(r#"{{"email": "nobody{i}@example.org", "password": "not the password"}}"#).into_bytes();
            let head = format!(
                "POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                sign_in.len()
            );
            let (stream, rest) = start(head, sign_in.clone());
            ("HTTP/1.1 401", stream, rest)
        })
        .collect();
    let rows: String = (0..300).map(|i| format!("Fundacja Drenaż {i},ngo,04,{}\n", 900_000 + i)).collect();
    let csv = format!("name,kind,voivodeship,krs\n{rows}").into_bytes();
    let head = format!(
        "POST /api/v1/imports/beneficiaries HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: text/csv\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        csv.len()
    );
    let (import, rest) = start(head, csv);
    in_flight.push(("HTTP/1.1 2", import, rest));
    std::thread::sleep(Duration::from_millis(300));
    assert!(Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap().success());
    std::thread::sleep(Duration::from_millis(500));
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "new connections are refused once stopping");
    let mut failed = Vec::new();
    for (expected, mut stream, rest) in in_flight {
        stream.write_all(&rest).unwrap();
        let mut answer = String::new();
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let _ = stream.read_to_string(&mut answer);
        if !answer.starts_with(expected) {
            failed.push(answer);
        }
    }
    assert!(failed.is_empty(), "every request in flight got its answer; these did not: {failed:?}");

    let status = server.wait().unwrap();
    assert_eq!(status.code(), Some(0), "a graceful stop exits 0");
    let mut logs = String::new();
    server.stderr.take().unwrap().read_to_string(&mut logs).unwrap();
    assert!(logs.contains("answered"), "the access log is there: {logs}");
    for secret in ["02270803624", "0227080362", "Zdzisława", "Przybyszewska", "zdzislawa@example.org", "an operations password", "02270803625"] {
        assert!(!logs.contains(secret), "{secret} reached the log");
    }
    let imported = Command::new("psql")
        .args(["-h", "127.0.0.1", "-U", "postgres", "-d", &database, "-tAc", "SELECT count(*) FROM beneficiaries WHERE name LIKE 'Fundacja Drenaż %'"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&imported.stdout).trim(), "300", "the import in flight completed, all of it");
    let _ = Command::new("psql").args(["-h", "127.0.0.1", "-U", "postgres", "-qc", &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)")]).status();
}

/// Reads one HTTP/1.1 answer (its head, and a body of `Content-Length`) off `stream`.
async fn read_answer(stream: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut read = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut chunk)).await.expect("an answer in time").unwrap();
        assert!(n > 0, "the server closed the connection: {}", String::from_utf8_lossy(&read));
        read.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&read).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap()))
                .unwrap_or(0);
            if read.len() >= end + 4 + length {
                return text;
            }
        }
    }
}

/// Integrators' pools keep idle connections for a while: the server keeps
/// them longer (75 s, as nginx does) and says so in every answer, so that a
/// reused connection is not one the server is closing. A connection idle for
/// longer than actix's default 5 s still answers.
#[tokio::test]
async fn idle_connections_are_kept_as_long_as_every_answer_announces() {
    use tokio::io::AsyncWriteExt;
    let app = spawn_app().await;
    let reply = app.anonymous().get("/api/v1/programmes").await;
    assert_eq!(reply.headers.get("keep-alive").and_then(|v| v.to_str().ok()), Some("timeout=75"), "{:?}", reply.headers);

    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let request = format!("GET /health/live HTTP/1.1\r\nHost: {address}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let first = read_answer(&mut stream).await;
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    stream.write_all(request.as_bytes()).await.unwrap();
    let second = read_answer(&mut stream).await;
    assert!(second.starts_with("HTTP/1.1 200"), "the connection idle for 6 s still answers: {second}");
}

/// An export takes one of a few slots while it streams, so exports are
/// bounded: with the one slot taken by an anonymous reader who has stopped
/// reading, another export is refused (503 with Retry-After) while other reads
/// go on; once that reader has left a page untaken for the stall time, its
/// export is given up, its transfer broken (never a list that looks whole),
/// and the slot is free again.
#[tokio::test]
async fn exports_stream_a_few_at_once_and_a_reader_who_stops_reading_gives_up_its_slot() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stall = Duration::from_secs(2);
    let app = spawn_app_with(|s| s.exports = es_registry::config::ExportBound { at_once: 1, wait: Duration::from_millis(300), stall }).await;
    // About 10 MB of NDJSON: more than the pages in flight and the sockets' buffers hold.
    let rows: String = (0..30_000)
        .map(|i| format!("Spółdzielnia Socjalna Eksportowa numer {i:05} z długą nazwą dla objętości strumienia danych,ngo,04,{:010}\n", 2_000_000 + i))
        .collect();
    let loaded = app
        .send(
            app.client
                .post(app.url("/api/v1/imports/beneficiaries"))
                .bearer_auth(&app.admin_token)
                .header("content-type", "text/csv")
                .body(format!("name,kind,voivodeship,krs\n{rows}")),
        )
        .await;
    assert_eq!(loaded.status, 200, "{}", loaded.body);

    // The reader: a small receive window, the answer's first bytes read, then nothing.
    let export = "/api/v1/exports/beneficiaries?format=ndjson";
    let address: std::net::SocketAddr = app.address.trim_start_matches("http://").parse().unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stalled = socket.connect(address).await.unwrap();
    stalled.write_all(format!("GET {export} HTTP/1.1\r\nHost: {address}\r\n\r\n").as_bytes()).await.unwrap();
    let mut first = [0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(10), stalled.read(&mut first)).await.expect("the export starts").unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"), "{}", String::from_utf8_lossy(&first[..n]));

    let busy = app.anonymous().get(export).await;
    assert_eq!((busy.status, busy.content_type()), (503, "application/problem+json"), "{}", busy.body);
    assert_eq!(busy.body["code"], "exports_busy", "{}", busy.body);
    assert!(busy.headers.contains_key("retry-after"), "{:?}", busy.headers);
    let signed_in = app.send(app.client.get(app.url(export)).bearer_auth(&app.admin_token)).await;
    assert_eq!(signed_in.status, 503, "the bound is the instance's, whoever asks");
    let started = std::time::Instant::now();
    let read = app.anonymous().get("/api/v1/beneficiaries?limit=5").await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert!(started.elapsed() < stall, "a read waits for no export: {:?}", started.elapsed());

    // Left unread, the export is given up and its slot freed: the walk's own
    // time (seconds in a debug build) and the stall, not longer.
    let given_up = std::time::Instant::now();
    let whole = loop {
        let reply = app.client.get(app.url(export)).send().await.unwrap();
        if reply.status() != 503 || given_up.elapsed() > Duration::from_secs(30) {
            break reply;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(whole.status(), 200, "the slot is free again after {:?}", given_up.elapsed());
    let text = whole.text().await.unwrap();
    assert_eq!(text.lines().count(), 30_000, "every organisation, once the reader reads");

    // The stalled reader, reading at last, finds its transfer broken: no last chunk.
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), stalled.read_to_end(&mut rest)).await.expect("the connection is closed");
    assert!(!rest.ends_with(b"0\r\n\r\n"), "a given-up export does not end as a whole one does");
    assert!(rest.len() < text.len(), "{} of {} bytes", rest.len(), text.len());
}
