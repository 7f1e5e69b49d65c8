//! The async data path (issue 32), measured beside the blocking one by
//! `scripts/bench`: both must answer alike. The test instances run the async
//! path (`helpers::test_settings`), so every anonymous read by id, list and
//! portfolio report in these tests goes through it; here one instance of each
//! reads the same records.

use crate::helpers::{spawn_app, Fixture};
use es_registry::config::DataPath;
use serde_json::json;

#[tokio::test]
async fn anonymous_reads_answer_alike_on_both_data_paths() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    // One person: a count of persons published only protected (never 1).
    let activity = app
        .create(
            "activities",
            json!({"project_id": fx.project, "activity_type": "consulting", "title": "doradztwo", "planned_participants": 3, "actual_participants": 1, "start_date": "2021-03-01"}),
        )
        .await;
    let blocking = app.another_instance(|settings| settings.data_path = DataPath::Blocking).await;
    let reads = [
        format!("/api/v1/projects/{}", fx.project),
        format!("/api/v1/activities/{activity}"),
        format!("/api/v1/programmes/{}", fx.programme),
        format!("/api/v1/beneficiaries/{}", fx.organisation),
        "/api/v1/activities/987654321".to_owned(),
        // Lists (with their totals) and the portfolio report.
        format!("/api/v1/activities?project_id={}&limit=1", fx.project),
        "/api/v1/projects?voivodeship=04&limit=50".to_owned(),
        "/api/v1/projects?limit=1&sort=-title".to_owned(),
        "/api/v1/reports/portfolio?group_by=voivodeship".to_owned(),
        "/api/v1/reports/portfolio?group_by=measure&voivodeship=04".to_owned(),
        // Personal data is never read anonymously, on either path.
        format!("/api/v1/participants/{}", fx.participant),
    ];
    for read in &reads {
        let on_async = app.anonymous().get(read).await;
        let on_blocking = app.client.get(format!("{blocking}{read}")).send().await.unwrap();
        let status = on_blocking.status().as_u16();
        let body: serde_json::Value = on_blocking.json().await.unwrap_or_default();
        assert_eq!((on_async.status, &on_async.body), (status, &body), "{read}");
    }
    let shown = app.anonymous().get(&format!("/api/v1/activities/{activity}")).await;
    assert_eq!(shown.status, 200);
    assert_ne!(shown.body["actual_participants"], json!(1), "a count of one person is protected on the async path: {}", shown.body);
    assert_eq!(app.anonymous().get("/api/v1/activities/987654321").await.status, 404);
    assert_eq!(app.anonymous().get(&format!("/api/v1/participants/{}", fx.participant)).await.status, 401);
}
