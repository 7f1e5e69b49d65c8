//! actix's own failures (bad JSON, content type, path, query, size, route, method)
//! answer problem+json like everything else.

use crate::helpers::spawn_app;
use serde_json::json;

#[tokio::test]
async fn edge_errors_are_problem_json() {
    let app = spawn_app().await;
    // Signed in: an anonymous write is refused before its body is read (conventions.rs).
    let post = |body: &'static str, content_type: &'static str| {
        app.client.post(app.url("/api/v1/programmes")).bearer_auth(&app.admin_token).header("content-type", content_type).body(body)
    };
    let cases = vec![
        ("malformed JSON", app.send(post("{\"code\": ", "application/json")).await, 400),
        ("not JSON", app.send(post("code=x", "application/x-www-form-urlencoded")).await, 415),
        ("unknown route", app.get("/api/v1/nothing-here").await, 404),
        ("non-numeric id", app.get("/api/v1/projects/abc").await, 404),
        ("missing id", app.get("/api/v1/projects/424242").await, 404),
        ("bad query type", app.get("/api/v1/projects?measure_id=abc").await, 400),
        ("bad query enum", app.get("/api/v1/projects?status=finished").await, 400),
        ("zero limit", app.get("/api/v1/projects?limit=0").await, 400),
        ("negative offset", app.get("/api/v1/projects?offset=-1").await, 400),
        ("method", app.send(app.client.delete(app.url("/api/v1/projects"))).await, 405),
        ("patch array", app.patch("/api/v1/programmes/1", &json!(["x"])).await, 400),
    ];
    for (what, reply, status) in cases {
        assert_eq!(reply.status, status, "{what}: {}", reply.body);
        assert_eq!(reply.content_type(), "application/problem+json", "{what}");
        assert_eq!(reply.body["status"], status, "{what}");
        assert!(reply.body["type"].as_str().unwrap().starts_with("urn:es-registry:problem:"), "{what}");
        assert!(reply.body["code"].is_string() && reply.body["title"].is_string() && reply.body["detail"].is_string(), "{what}");
    }
}

#[tokio::test]
async fn an_oversized_body_is_413() {
    let app = spawn_app().await;
    let huge = format!("{{\"code\": \"X\", \"name\": \"{}\", \"period\": \"2014-2020\"}}", "a".repeat(2 * 1024 * 1024));
    let reply =
        app.send(app.client.post(app.url("/api/v1/programmes")).bearer_auth(&app.admin_token).header("content-type", "application/json").body(huge)).await;
    assert_eq!(reply.status, 413);
    assert_eq!(reply.content_type(), "application/problem+json");
    assert_eq!(app.total("programmes").await, 0);
}

#[tokio::test]
async fn health_reports_ready_with_a_database() {
    let app = spawn_app().await;
    assert_eq!(app.get("/health/live").await.body["status"], "ok");
    assert_eq!(app.get("/health/ready").await.body["status"], "ok");
}

#[tokio::test]
async fn nul_characters_are_refused_not_a_server_error() {
    let app = spawn_app().await;
    let query = app.get("/api/v1/projects?contract_number=%00").await;
    assert_eq!(query.status, 400, "{}", query.body);
    let body = app.post("/api/v1/programmes", &json!({"code": "X\u{0}", "name": "X", "period": "2014-2020"})).await;
    assert_eq!((body.status, body.body["errors"][0]["field"].clone()), (422, json!("code")), "{}", body.body);
    assert_eq!(app.total("programmes").await, 0);
    let sign_in = app.sign_in("a\u{0}@b.pl", "whatever password").await;
    assert!(sign_in.status == 400 || sign_in.status == 401, "{}", sign_in.status);
}

#[tokio::test]
async fn values_in_a_refused_body_are_not_echoed() {
    let app = spawn_app().await;
    let fx = crate::helpers::Fixture::new(&app).await;
    let reply = app.post("/api/v1/participants", &json!({"project_id": fx.project, "first_name": "A", "last_name": "B", "pesel": 44051401359u64})).await;
    assert_eq!(reply.status, 422);
    assert!(!reply.body.to_string().contains("44051401359"), "{}", reply.body);
}
