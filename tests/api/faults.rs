//! Database faults: with PostgreSQL out of reach the service answers 503 quickly
//! and says so at /health/ready; when it is back the service recovers by itself.

use crate::helpers::spawn_app_on;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

/// A TCP proxy to PostgreSQL that the test can cut and restore.
struct Proxy {
    port: u16,
    open: Arc<AtomicBool>,
    generation: Arc<AtomicU64>,
}

impl Proxy {
    async fn start(target: &'static str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let open = Arc::new(AtomicBool::new(true));
        let generation = Arc::new(AtomicU64::new(0));
        let (accept_open, accept_generation) = (open.clone(), generation.clone());
        tokio::spawn(async move {
            loop {
                let Ok((inbound, _)) = listener.accept().await else { return };
                if !accept_open.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is refused at once
                }
                let generation = accept_generation.clone();
                let born = generation.load(Ordering::SeqCst);
                tokio::spawn(async move {
                    let Ok(outbound) = TcpStream::connect(target).await else { return };
                    let (mut from_client, mut to_client) = inbound.into_split();
                    let (mut from_server, mut to_server) = outbound.into_split();
                    let cut = async {
                        while generation.load(Ordering::SeqCst) == born {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    };
                    tokio::select! {
                        _ = tokio::io::copy(&mut from_client, &mut to_server) => {}
                        _ = tokio::io::copy(&mut from_server, &mut to_client) => {}
                        _ = cut => {}
                    }
                });
            }
        });
        Self { port, open, generation }
    }

    fn cut(&self) {
        self.open.store(false, Ordering::SeqCst);
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn restore(&self) {
        self.open.store(true, Ordering::SeqCst);
    }
}

// Several threads: the application is built synchronously while the proxy task,
// on the same runtime, must already be serving its connections.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_database_gives_503_and_the_service_recovers_by_itself() {
    let proxy = Proxy::start("127.0.0.1:5432").await;
    let app = spawn_app_on(Some(proxy.port)).await;
    let project_count = app.total("projects").await;
    assert_eq!(app.get("/health/ready").await.status, 200);

    proxy.cut();
    // Let the proxy notice and close the connections it carries.
    tokio::time::sleep(Duration::from_millis(200)).await;
    // A client that would notice a hang: nothing may take longer than this.
    let impatient = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    for path in ["/api/v1/projects", "/health/ready", "/api/v1/programmes/1"] {
        let reply = impatient.get(app.url(path)).send().await.expect("an answer, not a hang");
        assert_eq!(reply.status(), 503, "{path}");
        assert_eq!(reply.headers()["content-type"], "application/problem+json");
        assert!(reply.headers().contains_key("retry-after"));
    }
    assert_eq!(impatient.get(app.url("/health/live")).send().await.unwrap().status(), 200, "alive, though not ready");

    proxy.restore();
    let mut ready = false;
    for _ in 0..50 {
        if impatient.get(app.url("/health/ready")).send().await.map(|r| r.status() == 200).unwrap_or(false) {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(ready, "the service came back without a restart");
    assert_eq!(app.total("projects").await, project_count);
}
