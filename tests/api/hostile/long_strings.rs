use crate::helpers::{spawn_app, Fixture};
use serde_json::json;

#[tokio::test]
async fn very_long_strings_are_refused() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let long = "ą".repeat(10_001);
    let reply = app.post("/api/v1/projects", &json!({"title": long, "measure_id": fx.sub_measure})).await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.error_fields(), ["title"]);
    let nested = app.post("/api/v1/projects", &json!({"title": "x", "measure_id": fx.sub_measure, "target_groups": [{"name": "ą".repeat(10_001)}]})).await;
    assert_eq!(nested.error_fields(), ["target_groups[0].name"]);
    let patched = app.patch(&format!("/api/v1/projects/{}", fx.project), &json!({"notes": "x".repeat(10_001)})).await;
    assert_eq!(patched.status, 422);
    assert_eq!(app.get(&format!("/api/v1/projects/{}", fx.project)).await.body["notes"], serde_json::Value::Null);
    // Just within the limit is fine.
    assert_eq!(app.post("/api/v1/projects", &json!({"title": "ą".repeat(10_000), "measure_id": fx.sub_measure})).await.status, 201);
    // Long query values and paths are answered, not crashed on.
    assert_eq!(app.get(&format!("/api/v1/beneficiaries?name={}", "a".repeat(20_000))).await.status, 200);
    let path = app.get(&format!("/api/v1/projects/{}", "9".repeat(5_000))).await;
    assert_eq!(path.status, 404);
}
