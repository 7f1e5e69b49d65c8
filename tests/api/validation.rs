//! Bad input gets a 422 that names every failing field, and changes nothing.

use crate::helpers::{spawn_app, Fixture, TestApp};
use serde_json::{json, Value};

/// Posts `body`, expects 422 listing `fields`, and checks the collection did not grow.
async fn refused(app: &TestApp, collection: &str, body: Value, fields: &[&str]) {
    let before = app.total(collection).await;
    let reply = app.post(&format!("/api/v1/{collection}"), &body).await;
    assert_eq!(reply.status, 422, "{collection} {body}: {}", reply.body);
    assert_eq!(reply.content_type(), "application/problem+json");
    assert_eq!(reply.body["code"], "validation_failed");
    let listed = reply.error_fields();
    for field in fields {
        assert!(listed.iter().any(|f| f == field), "{collection}: expected {field} among {listed:?}");
    }
    assert_eq!(app.total(collection).await, before, "{collection}: a refused write changed nothing");
}

fn project(fx: &Fixture, extra: Value) -> Value {
    let mut body = json!({"title": "Projekt", "measure_id": fx.sub_measure});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    body
}

#[tokio::test]
async fn project_amounts_dates_and_rate_are_checked() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    refused(&app, "projects", project(&fx, json!({"total_value": "100.00", "eu_amount": "100.01"})), &["eu_amount"]).await;
    refused(&app, "projects", project(&fx, json!({"planned_start": "2023-10-31", "planned_end": "2019-01-01"})), &["planned_end"]).await;
    refused(
        &app,
        "projects",
        project(&fx, json!({"actual_start": "2015-03-01", "actual_start_precision": "month", "actual_end": "2015-02-01", "actual_end_precision": "month"})),
        &["actual_end"],
    )
    .await;
    refused(&app, "projects", project(&fx, json!({"total_value": "1000", "eu_amount": "850", "cofinancing_rate": "85.02"})), &["cofinancing_rate"]).await;
    refused(&app, "projects", project(&fx, json!({"total_value": "-1"})), &["total_value"]).await;
    refused(&app, "projects", project(&fx, json!({"total_value": "1.001"})), &["total_value"]).await;
    refused(&app, "projects", project(&fx, json!({"cofinancing_rate": "100.5"})), &["cofinancing_rate"]).await;
    refused(&app, "projects", project(&fx, json!({"planned_end_precision": "year"})), &["planned_end_precision"]).await;
    refused(&app, "projects", json!({"title": "Projekt", "measure_id": 999_999}), &["measure_id"]).await;
    refused(&app, "projects", project(&fx, json!({"voivodeship": "22"})), &["voivodeship"]).await;
    refused(&app, "projects", project(&fx, json!({"title": "  "})), &["title"]).await;
    refused(
        &app,
        "projects",
        project(&fx, json!({"target_groups": [{"name": "", "planned_count": -1}]})),
        &["target_groups[0].name", "target_groups[0].planned_count"],
    )
    .await;
    // Several failures are reported together.
    refused(
        &app,
        "projects",
        project(&fx, json!({"total_value": "10", "eu_amount": "20", "planned_start": "2020-01-02", "planned_end": "2020-01-01"})),
        &["eu_amount", "planned_end"],
    )
    .await;
}

#[tokio::test]
async fn a_rate_within_rounding_of_the_amounts_is_accepted() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    // Seed 000: 2 855 377,07 of 3 359 267,15 is 84.99999 %, written "85 %".
    let reply = app.post("/api/v1/projects", &project(&fx, json!({"total_value": "3359267.15", "eu_amount": "2855377.07", "cofinancing_rate": "85"}))).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.body["total_value"], "3359267.15");
    assert_eq!(reply.body["cofinancing_rate"], "85");
    // A month or year date ends at the end of its period: Feb 2015 may end a period starting 2015-02-20.
    let reply = app
        .post("/api/v1/projects", &project(&fx, json!({"planned_start": "2015-02-20", "planned_end": "2015-02-01", "planned_end_precision": "month"})))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

#[tokio::test]
async fn organisation_identifiers_and_places_are_checked() {
    let app = spawn_app().await;
    refused(&app, "beneficiaries", json!({"name": "X", "kind": "ngo", "nip": "1234563219"}), &["nip"]).await;
    refused(&app, "beneficiaries", json!({"name": "X", "kind": "ngo", "regon": "123456786"}), &["regon"]).await;
    refused(&app, "beneficiaries", json!({"name": "X", "kind": "ngo", "krs": "12a"}), &["krs"]).await;
    refused(&app, "beneficiaries", json!({"name": "X", "kind": "ngo", "teryt": "0363011"}), &["teryt"]).await;
    refused(&app, "beneficiaries", json!({"name": "X", "kind": "ngo", "teryt": "0463011", "voivodeship": "22"}), &["voivodeship"]).await;
    refused(&app, "beneficiaries", json!({"name": "X", "kind": "jst", "country": "NL", "teryt": "0463011"}), &["teryt"]).await;
    refused(&app, "beneficiaries", json!({"name": "X", "kind": "ngo", "country": "XX"}), &["country"]).await;
    refused(&app, "beneficiaries", json!({"name": "X", "kind": "jst", "pes_type": "cis"}), &["pes_type"]).await;
    refused(&app, "beneficiaries", json!({"name": "X", "kind": "ngo", "parent_id": 424242}), &["parent_id"]).await;
    refused(&app, "beneficiaries", json!({"name": "X", "kind": "ngo", "nip": "1234563219", "regon": "1", "aliases": [" "]}), &["nip", "regon", "aliases[0]"])
        .await;

    let created =
        app.post("/api/v1/beneficiaries", &json!({"name": "A", "kind": "ngo", "nip": "PL 123-456-32-18", "regon": "123456785", "krs": "12345"})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["nip"], "1234563218");
    assert_eq!(created.body["krs"], "0000012345");
    let duplicate = app.post("/api/v1/beneficiaries", &json!({"name": "B", "kind": "ngo", "nip": "1234563218"})).await;
    assert_eq!(duplicate.status, 409, "{}", duplicate.body);
    assert_eq!(duplicate.body["code"], "already_exists");
}

#[tokio::test]
async fn hierarchy_rules_are_checked() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    refused(&app, "priority-axes", json!({"programme_id": fx.programme, "number": "IIII"}), &["number"]).await;
    refused(&app, "priority-axes", json!({"programme_id": 999_999, "number": "1"}), &["programme_id"]).await;
    refused(&app, "measures", json!({"priority_axis_id": fx.axis, "parent_id": fx.measure, "code": "9.5.1", "name": "x"}), &["code"]).await;
    refused(&app, "measures", json!({"priority_axis_id": fx.axis, "code": "9..1", "name": "x"}), &["code"]).await;
    let other_axis = app.create("priority-axes", json!({"programme_id": fx.programme, "number": "10"})).await;
    refused(&app, "measures", json!({"priority_axis_id": other_axis, "parent_id": fx.measure, "code": "9.4.3", "name": "x"}), &["parent_id"]).await;
    refused(&app, "programmes", json!({"code": "X", "name": "X", "period": "2014-2020", "voivodeship": "03"}), &["voivodeship"]).await;
    refused(
        &app,
        "partners",
        json!({"project_id": fx.project, "beneficiary_id": fx.organisation, "role": "partner", "valid_from": "2011-01-01", "valid_to": "2010-01-01"}),
        &["valid_to"],
    )
    .await;
    refused(&app, "partners", json!({"project_id": fx.project, "beneficiary_id": 999_999, "role": "partner"}), &["beneficiary_id"]).await;
    refused(
        &app,
        "activities",
        json!({"project_id": fx.project, "activity_type": "fair", "title": "x", "start_date": "2020-02-01", "end_date": "2020-01-01"}),
        &["end_date"],
    )
    .await;
    refused(&app, "indicators", json!({"project_id": fx.project, "name": "x", "kind": "output"}), &["target_value"]).await;
    let other = app.create("projects", json!({"title": "Inny", "measure_id": fx.sub_measure})).await;
    let elsewhere = app.create("activities", json!({"project_id": other, "activity_type": "fair", "title": "targi"})).await;
    refused(&app, "attendance", json!({"participant_id": fx.participant, "activity_id": elsewhere}), &["activity_id"]).await;
    refused(&app, "attendance", json!({"participant_id": 999_999, "activity_id": fx.activity}), &["participant_id"]).await;
    refused(&app, "participants", json!({"project_id": fx.project, "first_name": "A", "last_name": "B", "pesel": "44051401358"}), &["pesel"]).await;
    refused(&app, "participants", json!({"project_id": fx.project, "first_name": "A", "last_name": "B", "pesel": "44051401359", "sex": "female"}), &["sex"])
        .await;
    refused(&app, "indicators", json!({"project_id": fx.project, "name": "x", "kind": "output", "target_value": "1.00001"}), &["target_value"]).await;

    let same_code = app.post("/api/v1/programmes", &json!({"code": "RPKP.2014-2020", "name": "again", "period": "2014-2020"})).await;
    assert_eq!(same_code.status, 409);
    let axis_again = app.post("/api/v1/priority-axes", &json!({"programme_id": fx.programme, "number": "IX"})).await;
    assert_eq!(axis_again.status, 409, "IX and 9 are the same axis: {}", axis_again.body);
}

#[tokio::test]
async fn delete_of_a_referenced_record_is_a_conflict_and_changes_nothing() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    for path in [format!("/api/v1/measures/{}", fx.sub_measure), format!("/api/v1/programmes/{}", fx.programme), format!("/api/v1/measures/{}", fx.measure)] {
        let reply = app.delete(&path).await;
        assert_eq!(reply.status, 409, "{path}: {}", reply.body);
        assert_eq!(reply.body["code"], "still_referenced");
        assert_eq!(app.get(&path).await.status, 200);
    }
}

#[tokio::test]
async fn unknown_fields_missing_fields_and_bad_codes_are_refused() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    for body in [
        json!({"title": "x"}),
        json!({"title": "x", "measure_id": fx.sub_measure, "colour": "red"}),
        json!({"title": "x", "measure_id": fx.sub_measure, "status": "finished"}),
        json!({"title": "x", "measure_id": fx.sub_measure, "total_value": 12.5}),
        json!({"title": "x", "measure_id": fx.sub_measure, "planned_start": "2023-02-30"}),
    ] {
        let before = app.total("projects").await;
        let reply = app.post("/api/v1/projects", &body).await;
        assert_eq!(reply.status, 422, "{body}: {}", reply.body);
        assert_eq!(reply.content_type(), "application/problem+json");
        assert_eq!(app.total("projects").await, before);
    }
}

#[tokio::test]
async fn merge_patch_clears_with_null_and_keeps_read_only_fields_read_only() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let path = format!("/api/v1/projects/{}", fx.project);
    let cleared = app.patch(&path, &json!({"eu_amount": null, "notes": "uwaga"})).await;
    assert_eq!(cleared.status, 200, "{}", cleared.body);
    assert_eq!(cleared.body["eu_amount"], Value::Null);
    assert_eq!(cleared.body["total_value"], "3359267.15");
    assert_eq!(cleared.body["notes"], "uwaga");

    let invalid = app.patch(&path, &json!({"eu_amount": "9999999.00"})).await;
    assert_eq!(invalid.status, 422);
    assert_eq!(app.get(&path).await.body["eu_amount"], Value::Null, "a refused patch changes nothing");

    let axis = format!("/api/v1/priority-axes/{}", fx.axis);
    let read_only = app.patch(&axis, &json!({"sort_key": 99})).await;
    assert_eq!(read_only.status, 422, "{}", read_only.body);
    let renumbered = app.patch(&axis, &json!({"number": "XI"})).await;
    assert_eq!(renumbered.body["sort_key"], 11);
    assert_eq!(app.patch("/api/v1/projects/999999", &json!({"notes": "x"})).await.status, 404);
    assert_eq!(app.put("/api/v1/projects/999999", &json!({"title": "x", "measure_id": fx.sub_measure})).await.status, 404);
}
