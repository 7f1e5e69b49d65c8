use super::post_raw;
use crate::helpers::{spawn_app, Fixture};

#[tokio::test]
async fn duplicate_json_keys_are_refused() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let before = app.total("projects").await;
    let body = format!(r#"{{"title": "pierwszy", "title": "drugi", "measure_id": {}}}"#, fx.sub_measure);
    let reply = post_raw(&app, "/api/v1/projects", "application/json", body.into_bytes()).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert!(reply.body["errors"][0]["message"].as_str().unwrap().contains("duplicate field `title`"), "{}", reply.body);
    assert_eq!(app.total("projects").await, before);
}
