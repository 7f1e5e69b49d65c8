use crate::helpers::{spawn_app, Fixture};
use serde_json::json;

#[tokio::test]
async fn impossible_dates_are_refused() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let before = app.total("projects").await;
    for date in ["0000-00-00", "2023-02-30", "2023-13-01", "2023-00-10", "20230101", "23-01-01", "+99999-01-01", "1066-10-14", "2023-01-01T00:00:00Z", ""] {
        let reply = app.post("/api/v1/projects", &json!({"title": "x", "measure_id": fx.sub_measure, "planned_start": date})).await;
        assert_eq!(reply.status, 422, "{date}: {}", reply.body);
    }
    assert_eq!(app.get("/api/v1/partners?on=2023-02-30").await.status, 400);
    assert_eq!(app.total("projects").await, before);
    // A leap day is a date.
    assert_eq!(app.post("/api/v1/projects", &json!({"title": "x", "measure_id": fx.sub_measure, "planned_start": "2024-02-29"})).await.status, 201);
}
