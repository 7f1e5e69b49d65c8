//! The contract: `openapi/openapi.json` is what the code generates and what the
//! service serves, and it documents every route.

use crate::helpers::spawn_app;
use serde_json::Value;

const SPEC_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");

#[test]
fn openapi_file_matches_the_code() {
    let generated = es_registry::api::openapi::document_json();
    let committed = std::fs::read_to_string(SPEC_FILE).unwrap_or_default();
    assert!(generated == committed, "openapi/openapi.json is stale: regenerate it with `cargo run --quiet -- openapi > openapi/openapi.json`");
}

#[tokio::test]
async fn the_service_serves_the_committed_document_and_swagger_ui() {
    let app = spawn_app().await;
    let served = app.get("/api-docs/openapi.json").await;
    assert_eq!(served.status, 200);
    let committed: Value = serde_json::from_str(&std::fs::read_to_string(SPEC_FILE).unwrap()).unwrap();
    assert!(served.body == committed, "the served document differs from openapi/openapi.json");
    let ui = app.send(app.client.get(app.url("/swagger-ui/"))).await;
    assert_eq!(ui.status, 200);
    assert!(ui.content_type().starts_with("text/html"));
}

#[test]
fn every_collection_has_all_six_operations_with_unique_ids() {
    let spec: Value = serde_json::from_str(&es_registry::api::openapi::document_json()).unwrap();
    let paths = spec["paths"].as_object().unwrap();
    let collections =
        ["programmes", "priority-axes", "measures", "projects", "beneficiaries", "partners", "activities", "participants", "attendance", "indicators"];
    for c in collections {
        let list = &paths[&format!("/api/v1/{c}")];
        let item = &paths[&format!("/api/v1/{c}/{{id}}")];
        for (path, method) in [(list, "get"), (list, "post"), (item, "get"), (item, "put"), (item, "patch"), (item, "delete")] {
            assert!(path[method].is_object(), "{c}: {method} is undocumented");
        }
    }
    let mut ids: Vec<&str> = paths.values().flat_map(|p| p.as_object().unwrap().values()).filter_map(|op| op["operationId"].as_str()).collect();
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "operation ids are unique");
    assert!(count >= 10 * 6 + 2);
}
