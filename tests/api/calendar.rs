//! The reporting calendar (issue 20): periods with due days, overdue reports in
//! project and regional lists, a locked period's values frozen on every path
//! (single writes, workflow steps, imports), and a value's history with the
//! reasons it was returned.

use crate::helpers::{spawn_app, Fixture, Reply, TestApp};
use es_registry::domain::codes::Role;
use serde_json::{json, Value};

async fn ndjson_import(app: &TestApp, token: &str, collection: &str, rows: &[Value]) -> Reply {
    let body: String = rows.iter().map(|r| format!("{r}\n")).collect();
    app.send(app.client.post(app.url(&format!("/api/v1/imports/{collection}"))).bearer_auth(token).header("content-type", "application/x-ndjson").body(body))
        .await
}

fn ids(reply: &Reply) -> Vec<i64> {
    reply.body["items"].as_array().unwrap_or_else(|| panic!("{}", reply.body)).iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

fn code(reply: &Reply) -> String {
    reply.body["code"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn periods_mark_overdue_projects_and_a_locked_period_freezes_its_values_on_every_path() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let rops = app.user_token("rops-kp@x.pl", Role::Rops, Some(fx.organisation)).await;
    let other_region = app.create("beneficiaries", json!({"name": "ROPS Gdańsk", "kind": "rops", "teryt": "2261011"})).await;
    let rops_pm = app.user_token("rops-pm@x.pl", Role::Rops, Some(other_region)).await;
    let late_project = app.create("projects", json!({"title": "Projekt spóźniony", "measure_id": fx.sub_measure, "total_value": "1000.00"})).await;
    let quiet_project = app.create("projects", json!({"title": "Projekt bez wskaźników", "measure_id": fx.sub_measure, "total_value": "1000.00"})).await;
    let indicator = |project: i64| json!({"project_id": project, "name": "Liczba PES", "kind": "output", "unit": "PES", "target_value": "10"});
    let on_time = app.create("indicators", indicator(fx.project)).await;
    let late = app.create("indicators", indicator(late_project)).await;

    // The calendar is the programme's: its region's ROPS keeps it, another region's cannot.
    let first = json!({"programme_id": fx.programme, "name": "2024 H1", "period_from": "2024-01-01", "period_to": "2024-06-30", "due_on": "2024-07-15"});
    let refused = app.as_user(&rops_pm).post("/api/v1/reporting-periods", &first).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let created = app.as_user(&rops).post("/api/v1/reporting-periods", &first).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["state"], "open");
    let h1 = created.id();
    let h2 = app
        .create(
            "reporting-periods",
            json!({"programme_id": fx.programme, "name": "2024 H2", "period_from": "2024-07-01", "period_to": "2024-12-31", "due_on": "2099-01-31"}),
        )
        .await;
    let overlapping = app
        .post(
            "/api/v1/reporting-periods",
            &json!({"programme_id": fx.programme, "name": "Q3", "period_from": "2024-06-01", "period_to": "2024-09-30", "due_on": "2024-10-15"}),
        )
        .await;
    assert_eq!((overlapping.status, code(&overlapping)), (409, "overlapping_period".into()), "{}", overlapping.body);
    let early = app
        .post(
            "/api/v1/reporting-periods",
            &json!({"programme_id": fx.programme, "name": "2025", "period_from": "2025-01-01", "period_to": "2025-12-31", "due_on": "2025-06-30"}),
        )
        .await;
    assert_eq!((early.status, early.error_fields()), (422, vec!["due_on".to_owned()]), "{}", early.body);
    assert_eq!(app.total(&format!("reporting-periods?programme_id={}", fx.programme)).await, 2, "refused periods were not written");

    // One value goes back and forth: created, submitted, returned with a reason, corrected, approved.
    let value = app.post("/api/v1/indicator-measurements", &json!({"indicator_id": on_time, "period_end": "2024-06-30", "value": "3"})).await;
    assert_eq!(value.status, 201, "{}", value.body);
    let value = value.id();
    let step = |verb: &'static str| format!("/api/v1/indicator-measurements/{value}/{verb}");
    assert_eq!(app.post(&step("submit"), &json!({})).await.status, 200);
    assert_eq!(app.as_user(&rops).post(&step("return"), &json!({"reason": "brak list obecności"})).await.status, 200);
    assert_eq!(app.patch(&format!("/api/v1/indicator-measurements/{value}"), &json!({"value": "4"})).await.status, 200);
    assert_eq!(app.post(&step("submit"), &json!({})).await.status, 200);
    assert_eq!(app.as_user(&rops).post(&step("approve"), &json!({})).await.status, 200);

    // The project that handed nothing in for H1 is overdue; H2 is not due yet; a project without indicators owes nothing.
    let owed = app.anonymous().get(&format!("/api/v1/reporting-periods/{h1}/projects")).await;
    assert_eq!(owed.status, 200, "{}", owed.body);
    let rows: Vec<(i64, bool, bool, i64)> = owed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (r["project_id"].as_i64().unwrap(), r["handed_in"].as_bool().unwrap(), r["overdue"].as_bool().unwrap(), r["values_approved"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(rows, [(fx.project, true, false, 1), (late_project, false, true, 0)]);
    let not_due = app.anonymous().get(&format!("/api/v1/reporting-periods/{h2}/projects?overdue=true")).await;
    assert_eq!(not_due.body, json!([]), "H2 is due in 2099");
    assert_eq!(ids(&app.anonymous().get("/api/v1/projects?overdue=true").await), [late_project]);
    let in_time = ids(&app.anonymous().get("/api/v1/projects?overdue=false&sort=id").await);
    assert!(in_time.contains(&fx.project) && in_time.contains(&quiet_project) && !in_time.contains(&late_project), "{in_time:?}");
    let regional = app.anonymous().get(&format!("/api/v1/reports/reporting?group_by=programme&programme_id={}", fx.programme)).await;
    assert_eq!(regional.status, 200, "{}", regional.body);
    assert_eq!(
        (&regional.body[0]["code"], &regional.body[0]["reports_due"], &regional.body[0]["reports_overdue"], &regional.body[0]["handed_in_percent"]),
        (&json!("RPKP.2014-2020"), &json!(2), &json!(1), &json!("50.0")),
        "{}",
        regional.body
    );
    let by_region = app.anonymous().get("/api/v1/reports/reporting").await;
    assert_eq!(by_region.body[0]["key"], "04", "{}", by_region.body);

    // Locking waits for decisions on what was handed in.
    let pending = app.post("/api/v1/indicator-measurements", &json!({"indicator_id": late, "period_end": "2024-05-31", "value": "1"})).await.id();
    assert_eq!(app.post(&format!("/api/v1/indicator-measurements/{pending}/submit"), &json!({})).await.status, 200);
    let draft = app.post("/api/v1/indicator-measurements", &json!({"indicator_id": late, "period_end": "2024-06-30", "value": "2"})).await.id();
    let lock = app.as_user(&rops).patch(&format!("/api/v1/reporting-periods/{h1}"), &json!({"state": "locked"})).await;
    assert_eq!((lock.status, code(&lock)), (409, "values_awaiting_decision".into()), "{}", lock.body);
    assert_eq!(app.as_user(&rops).post(&format!("/api/v1/indicator-measurements/{pending}/approve"), &json!({})).await.status, 200);
    let lock = app.as_user(&rops).patch(&format!("/api/v1/reporting-periods/{h1}"), &json!({"state": "locked"})).await;
    assert_eq!((lock.status, &lock.body["state"]), (200, &json!("locked")), "{}", lock.body);

    // Locked: nothing in H1 is added, changed, submitted, moved out or deleted, by any path.
    let added = app.post("/api/v1/indicator-measurements", &json!({"indicator_id": on_time, "period_end": "2024-03-31", "value": "1"})).await;
    assert_eq!((added.status, code(&added)), (409, "period_locked".into()), "{}", added.body);
    assert!(added.body["detail"].as_str().unwrap().contains("2024 H1"));
    let submitted = app.post(&format!("/api/v1/indicator-measurements/{draft}/submit"), &json!({})).await;
    assert_eq!((submitted.status, code(&submitted)), (409, "period_locked".into()));
    let moved = app.patch(&format!("/api/v1/indicator-measurements/{draft}"), &json!({"period_end": "2024-08-31"})).await;
    assert_eq!((moved.status, code(&moved)), (409, "period_locked".into()));
    let deleted = app.delete(&format!("/api/v1/indicator-measurements/{draft}")).await;
    assert_eq!((deleted.status, code(&deleted)), (409, "period_locked".into()));
    let before = app.total(&format!("indicator-measurements?indicator_id={on_time}")).await;
    let imported = ndjson_import(
        &app,
        &app.admin_token,
        "indicator-measurements",
        &[
            json!({"indicator_id": on_time, "period_end": "2024-09-30", "value": "5"}),
            json!({"indicator_id": on_time, "period_end": "2024-04-30", "value": "2"}),
        ],
    )
    .await;
    assert_eq!(imported.status, 422, "{}", imported.body);
    assert_eq!((&imported.body["errors"][0]["code"], &imported.body["errors"][0]["line"]), (&json!("period_locked"), &json!(2)), "{}", imported.body);
    assert_eq!(app.total(&format!("indicator-measurements?indicator_id={on_time}")).await, before, "all or nothing: the H2 row was not written either");
    let changed =
        ndjson_import(&app, &app.admin_token, "indicator-measurements", &[json!({"indicator_id": late, "period_end": "2024-06-30", "value": "7"})]).await;
    assert_eq!((changed.status, &changed.body["errors"][0]["code"]), (422, &json!("period_locked")), "{}", changed.body);
    assert_eq!(app.get(&format!("/api/v1/indicator-measurements/{draft}")).await.body["value"], "2");

    // Nor do its values leave by moving what they hang off to another programme, and back.
    let elsewhere = app
        .create("programmes", json!({"code": "FEKP.2021-2027", "name": "Fundusze Europejskie dla Kujaw i Pomorza", "period": "2021-2027", "voivodeship": "04"}))
        .await;
    let elsewhere_axis = app.create("priority-axes", json!({"programme_id": elsewhere, "number": "6", "name": "Integracja"})).await;
    let elsewhere_measure = app.create("measures", json!({"priority_axis_id": elsewhere_axis, "code": "6.1", "name": "Aktywna integracja"})).await;
    let project_moved = app.patch(&format!("/api/v1/projects/{late_project}"), &json!({"measure_id": elsewhere_measure})).await;
    assert_eq!((project_moved.status, code(&project_moved)), (409, "period_locked".into()), "{}", project_moved.body);
    let other_project = app.create("projects", json!({"title": "Inny", "measure_id": elsewhere_measure, "total_value": "1.00"})).await;
    let indicator_moved = app.patch(&format!("/api/v1/indicators/{late}"), &json!({"project_id": other_project})).await;
    assert_eq!((indicator_moved.status, code(&indicator_moved)), (409, "period_locked".into()), "{}", indicator_moved.body);
    let axis_moved = app.patch(&format!("/api/v1/priority-axes/{}", fx.axis), &json!({"programme_id": elsewhere})).await;
    assert_eq!((axis_moved.status, code(&axis_moved)), (409, "period_locked".into()), "{}", axis_moved.body);
    assert_eq!(
        app.patch(&format!("/api/v1/projects/{quiet_project}"), &json!({"measure_id": elsewhere_measure})).await.status,
        200,
        "a project with no frozen values moves"
    );

    // The locked period keeps its days and stays; unlocked, its values move again.
    let stretched = app.patch(&format!("/api/v1/reporting-periods/{h1}"), &json!({"period_to": "2024-05-31"})).await;
    assert_eq!((stretched.status, code(&stretched)), (409, "period_locked".into()));
    assert_eq!(app.patch(&format!("/api/v1/reporting-periods/{h1}"), &json!({"notes": "zamknięty po kontroli"})).await.status, 200);
    assert_eq!(app.delete(&format!("/api/v1/reporting-periods/{h1}")).await.status, 409);
    assert_eq!(app.as_user(&rops).patch(&format!("/api/v1/reporting-periods/{h1}"), &json!({"state": "open"})).await.status, 200);
    assert_eq!(app.post(&format!("/api/v1/indicator-measurements/{draft}/submit"), &json!({})).await.status, 200);

    // The value's history keeps every step and the reason it was returned.
    let history = app.as_user(&rops).get(&format!("/api/v1/indicator-measurements/{value}/history")).await;
    assert_eq!(history.status, 200, "{}", history.body);
    let steps: Vec<(&str, Option<&str>, Option<&str>)> =
        history.body.as_array().unwrap().iter().map(|s| (s["step"].as_str().unwrap(), s["by"].as_str(), s["reason"].as_str())).collect();
    assert_eq!(
        steps,
        [
            ("created", Some("admin@test.es-registry.pl"), None),
            ("submitted", Some("admin@test.es-registry.pl"), None),
            ("returned", Some("rops-kp@x.pl"), Some("brak list obecności")),
            ("changed", Some("admin@test.es-registry.pl"), None),
            ("submitted", Some("admin@test.es-registry.pl"), None),
            ("approved", Some("rops-kp@x.pl"), None),
        ]
    );
    assert_eq!(app.anonymous().get(&format!("/api/v1/indicator-measurements/{value}/history")).await.status, 401);
    assert_eq!(app.as_user(&rops_pm).get(&format!("/api/v1/indicator-measurements/{value}/history")).await.status, 403);
}
