use super::post_raw;
use crate::helpers::{spawn_app, Fixture};
use serde_json::json;

#[tokio::test]
async fn numbers_out_of_range_are_refused() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let before = app.total("activities").await;
    for body in [
        r#"{"project_id": 1e40, "activity_type": "fair", "title": "x"}"#.to_owned(),
        format!(r#"{{"project_id": {}, "activity_type": "fair", "title": "x", "planned_participants": 2147483648}}"#, fx.project),
        format!(r#"{{"project_id": {}, "activity_type": "fair", "title": "x", "planned_participants": -1}}"#, fx.project),
        r#"{"project_id": 9223372036854775808, "activity_type": "fair", "title": "x"}"#.to_owned(),
        format!(r#"{{"project_id": {}.5, "activity_type": "fair", "title": "x"}}"#, fx.project),
    ] {
        let reply = post_raw(&app, "/api/v1/activities", "application/json", body.clone().into_bytes()).await;
        assert!(reply.status == 422 || reply.status == 400, "{body}: {} {}", reply.status, reply.body);
    }
    for amount in ["1e400", "99999999999999999999", "NaN", "-0.01", "12.345"] {
        let reply = app.post("/api/v1/projects", &json!({"title": "x", "measure_id": fx.sub_measure, "total_value": amount})).await;
        assert_eq!(reply.status, 422, "{amount}: {}", reply.body);
    }
    assert_eq!(app.get("/api/v1/projects/-1").await.status, 404);
    assert_eq!(app.get("/api/v1/projects?limit=99999999999999999999").await.status, 400);
    assert_eq!(app.total("activities").await, before);
}
