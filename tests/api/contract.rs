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

/// What the server keeps (a workflow's state, who decided and when, what is
/// derived) is in the contract: present in a record's view and schema, marked
/// `readOnly`, left out of its patch; a client that sends one is refused and
/// nothing is written. Checked on what the running service serves.
#[tokio::test]
async fn fields_the_server_keeps_are_in_the_contract_read_only_and_refused_in_a_request() {
    use es_registry::domain::collection::Collection;
    let app = spawn_app().await;
    let spec = app.get("/api-docs/openapi.json").await.body;
    let schemas = &spec["components"]["schemas"];
    let mut checked = 0;
    for collection in Collection::ALL {
        let read_only = collection.spec().read_only;
        let post = &spec["paths"][collection.list_path()]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"];
        let data = post.as_str().and_then(|r| r.strip_prefix("#/components/schemas/")).unwrap_or_else(|| panic!("{collection}: {post}"));
        for field in read_only {
            for schema in [data.to_owned(), format!("View_{data}")] {
                let property = &schemas[&schema]["properties"][*field];
                assert_eq!(property["readOnly"], true, "{collection}: {schema}.{field}: {property}");
            }
            assert!(schemas[format!("{data}Patch")]["properties"].get(*field).is_none(), "{collection}: a patch carries no {field}");
            checked += 1;
        }
    }
    assert!(checked >= 14, "{checked}");

    let fx = crate::helpers::Fixture::new(&app).await;
    let indicator = app
        .create("indicators", serde_json::json!({"project_id": fx.project, "name": "Liczba sieci", "kind": "output", "unit": "sieci", "target_value": "2"}))
        .await;
    let approved = serde_json::json!({"indicator_id": indicator, "period_end": "2023-12-31", "value": "1", "status": "approved"});
    let refused = app.post("/api/v1/indicator-measurements", &approved).await;
    assert_eq!((refused.status, &refused.body["errors"][0]["code"]), (422, &serde_json::json!("invalid_value")), "{}", refused.body);
    assert_eq!(app.get(&format!("/api/v1/indicator-measurements?indicator_id={indicator}")).await.body["total"], 0, "nothing was written");
}
