//! HTTP conventions integrators expect: HEAD, compression, rate-limit headers,
//! Swagger UI's address, authentication before validation, labelled reports.

use crate::helpers::{spawn_app, PASSWORD};
use crate::seeds::load_demo;
use es_registry::domain::codes::Role;
use serde_json::{json, Value};
use std::io::Read;

#[tokio::test]
async fn head_answers_every_get_with_its_headers_and_no_body() {
    let app = spawn_app().await;
    load_demo(&app).await;
    for path in ["/api/v1/projects?voivodeship=04", "/api/v1/projects/1", "/api/v1/reports/portfolio", "/api-docs/openapi.json", "/health/live"] {
        let get = app.client.get(app.url(path)).send().await.unwrap();
        let (get_status, get_tag, get_type) = (get.status(), get.headers().get("etag").cloned(), get.headers().get("content-type").cloned());
        let get_body = get.bytes().await.unwrap();
        let head = app.client.head(app.url(path)).send().await.unwrap();
        assert_eq!(head.status(), get_status, "{path}");
        assert_eq!(head.headers().get("content-type"), get_type.as_ref(), "{path}");
        assert_eq!(head.headers().get("etag"), get_tag.as_ref(), "{path}: the same representation");
        assert_eq!(
            head.headers().get("content-length").and_then(|v| v.to_str().ok()),
            Some(get_body.len().to_string().as_str()),
            "{path}: the length of the body GET sends"
        );
        assert!(head.bytes().await.unwrap().is_empty(), "{path}: no body");
    }
    // HEAD goes where GET goes, and nowhere else.
    let head = app.client.head(app.url("/api/v1/auth/token")).send().await.unwrap();
    assert_eq!(head.status(), 405);
    assert_eq!(head.headers()["allow"], "POST");
    let delete = app.client.delete(app.url("/api/v1/changes")).send().await.unwrap();
    assert_eq!(delete.headers()["allow"], "GET, HEAD");
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096).read_to_end(&mut out).unwrap();
    out
}

#[tokio::test]
async fn answers_are_compressed_when_worth_it_and_never_next_to_secrets() {
    let app = spawn_app().await;
    let plain = app.client.get(app.url("/api-docs/openapi.json")).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none(), "nothing asked for, nothing compressed");
    let plain = plain.bytes().await.unwrap();
    for (coding, decode) in [("gzip", gunzip as fn(&[u8]) -> Vec<u8>), ("br", unbrotli)] {
        let reply = app.client.get(app.url("/api-docs/openapi.json")).header("accept-encoding", coding).send().await.unwrap();
        assert_eq!(reply.headers()["content-encoding"], coding);
        assert!(reply.headers().get_all("vary").iter().any(|v| v.to_str().unwrap().to_ascii_lowercase().contains("accept-encoding")));
        let compressed = reply.bytes().await.unwrap();
        assert!(compressed.len() * 4 < plain.len(), "{coding}: {} of {} bytes", compressed.len(), plain.len());
        assert_eq!(decode(&compressed), plain.to_vec(), "{coding} decodes to the same document");
    }
    // Small answers go as they are, and no `identity` is left on them.
    let small = app.client.get(app.url("/health/live")).header("accept-encoding", "gzip, br").send().await.unwrap();
    assert!(small.headers().get("content-encoding").is_none(), "{:?}", small.headers());
    // Tokens are never compressed, whatever their size.
    app.create_user("compress@test.es-registry.pl", Role::Admin, None);
    let token = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .header("accept-encoding", "gzip, br")
        .json(&json!({"email": "compress@test.es-registry.pl", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200);
    assert!(token.headers().get("content-encoding").is_none());
    assert!(token.json::<Value>().await.unwrap()["access_token"].is_string());
}

#[tokio::test]
async fn swagger_ui_is_found_without_its_slash() {
    let app = spawn_app().await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let reply = client.get(app.url("/swagger-ui")).send().await.unwrap();
    assert_eq!(reply.status(), 308);
    assert_eq!(reply.headers()["location"], "/swagger-ui/");
    let page = app.client.get(app.url("/swagger-ui/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("swagger"));
}

#[tokio::test]
async fn an_anonymous_write_is_refused_before_its_body_is_judged() {
    let app = spawn_app().await;
    let invalid = json!({"code": "", "period": "1999", "unknown": true});
    for (method, path) in [("POST", "/api/v1/programmes"), ("PUT", "/api/v1/programmes/1"), ("PATCH", "/api/v1/programmes/1"), ("POST", "/api/v1/users")] {
        let request = app.client.request(method.parse().unwrap(), app.url(path)).header("content-type", "application/json").body(invalid.to_string());
        let reply = app.send(request).await;
        assert_eq!(reply.status, 401, "{method} {path}: {}", reply.body);
        assert_eq!(reply.body["code"], "unauthorized");
        // Not even malformed JSON is read first.
        let broken = app.client.request(method.parse().unwrap(), app.url(path)).header("content-type", "application/json").body("{");
        assert_eq!(app.send(broken).await.status, 401, "{method} {path}");
    }
}

fn header(reply: &crate::helpers::Reply, name: &str) -> String {
    reply.headers.get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

#[tokio::test]
async fn sign_in_states_its_limits_and_what_is_left_of_them() {
    let app = spawn_app().await;
    app.create_user("limits@test.es-registry.pl", Role::Admin, None);
    let policy = "\"account\";q=5;w=900, \"client\";q=20;w=900";

    let wrong = app.sign_in("limits@test.es-registry.pl", "not the password").await;
    assert_eq!(wrong.status, 401);
    assert_eq!(header(&wrong, "ratelimit-policy"), policy);
    assert!(header(&wrong, "ratelimit").starts_with("\"account\";r=4;t="), "{}", header(&wrong, "ratelimit"));
    assert!(header(&wrong, "ratelimit").contains("\"client\";r="), "{}", header(&wrong, "ratelimit"));

    let right = app.sign_in("limits@test.es-registry.pl", PASSWORD).await;
    assert_eq!(right.status, 200);
    assert_eq!(header(&right, "ratelimit-policy"), policy);
    assert!(header(&right, "ratelimit").starts_with("\"account\";r=5;t=900"), "a success starts the account afresh: {}", header(&right, "ratelimit"));

    for _ in 0..5 {
        app.sign_in("limits@test.es-registry.pl", "not the password").await;
    }
    let blocked = app.sign_in("limits@test.es-registry.pl", PASSWORD).await;
    assert_eq!(blocked.status, 429);
    let left = header(&blocked, "ratelimit");
    assert!(left.starts_with("\"account\";r=0;t="), "{left}");
    let reset: i64 = left.trim_start_matches("\"account\";r=0;t=").split(',').next().unwrap().parse().unwrap();
    assert_eq!(reset.to_string(), header(&blocked, "retry-after"), "the block ends when Retry-After says");
}

#[tokio::test]
async fn report_rows_carry_their_groups_codes_and_names_and_a_default_grouping() {
    let app = spawn_app().await;
    load_demo(&app).await;
    let by_default = app.anonymous().get("/api/v1/reports/portfolio").await;
    assert_eq!(by_default.status, 200, "{}", by_default.body);
    let by_programme = app.anonymous().get("/api/v1/reports/portfolio?group_by=programme").await;
    assert_eq!(by_default.body, by_programme.body, "the portfolio is grouped by programme unless asked otherwise");
    let programmes: Vec<(String, String)> =
        by_default.body.as_array().unwrap().iter().map(|r| (r["code"].as_str().unwrap().to_owned(), r["name"].as_str().unwrap().to_owned())).collect();
    assert!(
        programmes.contains(&("RPKP.2014-2020".into(), "Regionalny Program Operacyjny Województwa Kujawsko-Pomorskiego na lata 2014-2020".into())),
        "{programmes:?}"
    );

    let regions = app.anonymous().get("/api/v1/reports/portfolio?group_by=voivodeship").await;
    let kujawsko = regions.body.as_array().unwrap().iter().find(|r| r["key"] == "04").unwrap();
    assert_eq!((kujawsko["code"].clone(), kujawsko["name"].clone()), (json!("04"), json!("kujawsko-pomorskie")));

    let measures = app.anonymous().get("/api/v1/reports/indicators?group_by=measure").await;
    assert!(measures.body.as_array().unwrap().iter().all(|r| r["code"].is_string() && r["name"].is_string()), "{}", measures.body);
    let definitions = app.anonymous().get("/api/v1/reports/indicators").await;
    assert_eq!(definitions.status, 200);
    assert_eq!(definitions.body, app.anonymous().get("/api/v1/reports/indicators?group_by=definition").await.body, "indicators add like to like by default");

    let csv =
        app.client.get(app.url("/api/v1/reports/portfolio?group_by=voivodeship")).header("accept", "text/csv").send().await.unwrap().text().await.unwrap();
    assert!(csv.starts_with("key,code,name,projects,"), "{csv}");
    assert!(csv.contains("04,04,kujawsko-pomorskie,"), "{csv}");
}

#[tokio::test]
async fn a_patch_naming_an_unknown_field_is_refused_before_its_precondition() {
    let app = spawn_app().await;
    load_demo(&app).await;
    let request = app
        .client
        .patch(app.url("/api/v1/programmes/1"))
        .bearer_auth(&app.admin_token)
        .header("content-type", "application/merge-patch+json")
        .header("if-match", "\"not-the-current-version\"")
        .body(json!({"name": "x", "colour": "red"}).to_string());
    let reply = app.send(request).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.error_fields(), ["colour"]);
    assert_eq!(app.get("/api/v1/programmes/1").await.body["name"], "Program Operacyjny Kapitał Ludzki", "nothing changed");
}
