//! Results the way a regional centre reports them (issue 20): roll-ups that add
//! only like to like, ratio indicators kept as numerator and denominator,
//! breakdowns rolled up by category, and the ESF+ common indicators.

use crate::helpers::{spawn_app, Fixture, TestApp};
use es_registry::domain::codes::Role;
use serde_json::{json, Value};

/// A value reported, submitted and approved (as an admin).
async fn approved(app: &TestApp, body: Value) -> Value {
    let created = app.post("/api/v1/indicator-measurements", &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.id();
    assert_eq!(app.post(&format!("/api/v1/indicator-measurements/{id}/submit"), &json!({})).await.status, 200);
    let done = app.post(&format!("/api/v1/indicator-measurements/{id}/approve"), &json!({})).await;
    assert_eq!(done.status, 200, "{}", done.body);
    done.body
}

async fn second_project(app: &TestApp, fx: &Fixture) -> i64 {
    app.create("projects", json!({"title": "Drugi projekt", "measure_id": fx.sub_measure, "total_value": "1000.00"})).await
}

#[tokio::test]
async fn reports_add_like_to_like_and_refuse_sums_across_units() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let other = second_project(&app, &fx).await;
    for (project, unit, target) in [(fx.project, "osoby", "20"), (other, " Osoby ", "30"), (fx.project, "spoty TV", "3")] {
        app.create("indicators", json!({"project_id": project, "name": "w", "kind": "output", "unit": unit, "target_value": target})).await;
    }
    let report = app.get(&format!("/api/v1/reports/indicators?group_by=programme&programme_id={}", fx.programme)).await;
    assert_eq!(report.status, 200, "{}", report.body);
    let rows: Vec<(String, String, i64)> = report
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["unit"].as_str().unwrap().to_owned(), r["sum_target"].as_str().unwrap().to_owned(), r["projects"].as_i64().unwrap()))
        .collect();
    assert_eq!(rows, [("osoby".into(), "50".into(), 2), ("spoty tv".into(), "3".into(), 1)], "persons with persons, TV spots apart");
    assert!(report.body.as_array().unwrap().iter().all(|r| r["code"] == "RPKP.2014-2020" && r["definition_id"].is_null()));

    // One row per programme is only given when the programme's indicators are alike.
    let refused = app.get(&format!("/api/v1/reports/indicators?group_by=programme&split=none&programme_id={}", fx.programme)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.content_type(), "application/problem+json");
    assert_eq!(refused.error_fields(), ["split"]);
    let detail = refused.body["errors"][0]["message"].as_str().unwrap();
    assert!(detail.contains("osoby") && detail.contains("spoty tv"), "{detail}");
    let csv = app.send(app.client.get(app.url("/api/v1/reports/indicators?group_by=programme&split=none&format=csv"))).await;
    assert_eq!(csv.status, 422, "CSV is refused the same");

    // Bound to a definition, indicators are added up by it, with its code and name.
    let definition = app.create("indicator-definitions", json!({"code": "PI-KP-01", "name": "Liczba osób", "kind": "output", "unit": "osoby"})).await;
    for project in [fx.project, other] {
        app.create("indicators", json!({"project_id": project, "definition_id": definition, "name": "x", "kind": "output", "target_value": "5"})).await;
    }
    let one = app.get(&format!("/api/v1/reports/indicators?group_by=programme&split=none&definition_id={definition}")).await;
    assert_eq!(one.status, 200, "{}", one.body);
    let row = &one.body[0];
    assert_eq!((row["definition_code"].as_str(), row["unit"].as_str(), row["sum_target"].as_str()), (Some("PI-KP-01"), Some("osoby"), Some("10")));
    assert_eq!(one.body.as_array().unwrap().len(), 1);

    // An indicator bound to a definition takes its unit, and may not count in another.
    let mismatch = app
        .post(
            "/api/v1/indicators",
            &json!({"project_id": other, "definition_id": definition, "name": "x", "kind": "output", "unit": "sztuki", "target_value": "1"}),
        )
        .await;
    assert_eq!((mismatch.status, mismatch.error_fields()), (422, vec!["unit".to_owned()]));
    let wrong_kind =
        app.post("/api/v1/indicators", &json!({"project_id": other, "definition_id": definition, "name": "x", "kind": "result", "target_value": "1"})).await;
    assert_eq!((wrong_kind.status, wrong_kind.error_fields()), (422, vec!["kind".to_owned()]));
}

#[tokio::test]
async fn a_ratio_is_averaged_over_its_denominators_not_its_percentages() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let other = second_project(&app, &fx).await;
    let definition = app
        .create(
            "indicator-definitions",
            json!({"code": "PI-KP-R1", "name": "Odsetek uczestników pracujących po opuszczeniu programu", "kind": "result", "measurement": "ratio"}),
        )
        .await;
    assert_eq!(app.get(&format!("/api/v1/indicator-definitions/{definition}")).await.body["unit"], "%");
    let mut indicators = Vec::new();
    for project in [fx.project, other] {
        indicators.push(
            app.create("indicators", json!({"project_id": project, "definition_id": definition, "name": "x", "kind": "result", "target_value": "40"})).await,
        );
    }
    // 9 of 10 in one project, 10 of 100 in the other: 19 of 110 in all (17.3 %),
    // not the mean of 90 % and 10 %.
    let first = approved(&app, json!({"indicator_id": indicators[0], "period_end": "2021-12-31", "numerator": "9", "denominator": "10"})).await;
    assert_eq!(first["value"], "90", "the value is derived from its parts");
    approved(&app, json!({"indicator_id": indicators[1], "period_end": "2021-12-31", "numerator": "10", "denominator": "100", "value": "10"})).await;
    let report = app.get(&format!("/api/v1/reports/indicators?group_by=programme&definition_id={definition}")).await.body;
    let row = &report[0];
    assert_eq!(row["measurement"], "ratio");
    assert_eq!((row["sum_numerator"].as_str(), row["sum_denominator"].as_str(), row["ratio_percent"].as_str()), (Some("19"), Some("110"), Some("17.3")));
    assert_eq!((row["sum_achieved"].clone(), row["sum_target"].clone()), (Value::Null, Value::Null), "percentages are not added up");
    // The country-wide report (maintained roll-ups) agrees.
    let whole = app.anonymous().get("/api/v1/reports/indicators?group_by=definition").await.body;
    let row = whole.as_array().unwrap().iter().find(|r| r["definition_id"] == definition).unwrap();
    assert_eq!(row["ratio_percent"], "17.3");

    let refused = [
        (json!({"indicator_id": indicators[0], "period_end": "2022-12-31", "value": "50"}), "denominator"),
        (json!({"indicator_id": indicators[0], "period_end": "2022-12-31", "numerator": "1", "denominator": "0"}), "denominator"),
        (json!({"indicator_id": indicators[0], "period_end": "2022-12-31", "numerator": "1", "denominator": "4", "value": "50"}), "value"),
    ];
    for (body, field) in refused {
        let reply = app.post("/api/v1/indicator-measurements", &body).await;
        assert_eq!((reply.status, reply.error_fields()), (422, vec![field.to_owned()]), "{body}");
    }
    let plain = app.create("indicators", json!({"project_id": other, "name": "p", "kind": "output", "target_value": "3"})).await;
    let reply = app
        .post("/api/v1/indicator-measurements", &json!({"indicator_id": plain, "period_end": "2022-12-31", "value": "1", "numerator": "1", "denominator": "1"}))
        .await;
    assert_eq!((reply.status, reply.error_fields()), (422, vec!["numerator".to_owned()]), "a count is not a ratio");
}

/// A breakdown report's row: category, group key, indicators, sum of targets, sum of values.
type Cell = (String, String, i64, Option<String>, Option<String>);

#[tokio::test]
async fn breakdowns_are_checked_and_rolled_up_by_category() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let other = second_project(&app, &fx).await;
    // The ESF+ common indicators are seeded, broken down by sex.
    let found = app.anonymous().get("/api/v1/indicator-definitions?code=EECO01").await.body;
    let eeco01 = &found["items"][0];
    assert_eq!((eeco01["catalogue"].as_str(), eeco01["unit"].as_str(), eeco01["breakdowns"].clone()), (Some("esf_plus"), Some("osoby"), json!(["sex"])));
    let eeco01 = eeco01["id"].as_i64().unwrap();
    assert_eq!(app.anonymous().get("/api/v1/indicator-definitions?catalogue=esf_plus&limit=100").await.body["total"], 24);

    let mut indicators = Vec::new();
    for (project, target) in
        [(fx.project, json!({"sex": {"women": "20", "men": "15"}})), (other, json!({"sex": {"women": "5", "men": "5", "non_binary": "1"}}))]
    {
        let total: i64 = target["sex"].as_object().unwrap().values().map(|v| v.as_str().unwrap().parse::<i64>().unwrap()).sum();
        let created = app
            .post(
                "/api/v1/indicators",
                &json!({"project_id": project, "definition_id": eeco01, "name": "ignored", "kind": "output", "target_value": total.to_string(), "target_breakdown": target}),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        assert_eq!(created.body["name"], "Całkowita liczba uczestników", "a catalogue indicator keeps the catalogue's name");
        indicators.push(created.id());
    }
    approved(&app, json!({"indicator_id": indicators[0], "period_end": "2021-12-31", "value": "30", "breakdown": {"sex": {"women": "18", "men": "12"}}})).await;
    // A later approved value replaces the earlier one; a draft counts for nothing.
    approved(&app, json!({"indicator_id": indicators[1], "period_end": "2021-06-30", "value": "4", "breakdown": {"sex": {"women": "4"}}})).await;
    approved(
        &app,
        json!({"indicator_id": indicators[1], "period_end": "2021-12-31", "value": "9", "breakdown": {"sex": {"women": "5", "men": "3", "non_binary": "1"}}}),
    )
    .await;
    app.create(
        "indicator-measurements",
        json!({"indicator_id": indicators[1], "period_end": "2022-06-30", "value": "11", "breakdown": {"sex": {"women": "11"}}}),
    )
    .await;

    // EECO01 counts persons: anyone but an admin or the region's ROPS reads each
    // category as a protected count; an admin reads the exact sums.
    let published = app.anonymous().get(&format!("/api/v1/reports/indicators/breakdown?definition_id={eeco01}&group_by=programme")).await.body;
    for cell in published.as_array().unwrap() {
        let sum = cell["sum_achieved"].as_str().unwrap().parse::<i64>().unwrap();
        assert!(cell["protected"] == true && sum % 5 == 0, "{published}");
    }
    let report = app.get(&format!("/api/v1/reports/indicators/breakdown?definition_id={eeco01}&group_by=programme")).await;
    assert_eq!(report.status, 200, "{}", report.body);
    let cells: Vec<Cell> = report
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!((r["dimension"].as_str(), r["definition_code"].as_str(), r["code"].as_str()), (Some("sex"), Some("EECO01"), Some("RPKP.2014-2020")));
            (
                r["category"].as_str().unwrap().to_owned(),
                r["key"].as_str().unwrap().to_owned(),
                r["indicators"].as_i64().unwrap(),
                r["sum_target"].as_str().map(Into::into),
                r["sum_achieved"].as_str().map(Into::into),
            )
        })
        .collect();
    let programme = fx.programme.to_string();
    assert_eq!(
        cells,
        [
            ("men".into(), programme.clone(), 2, Some("20".into()), Some("15".into())),
            ("non_binary".into(), programme.clone(), 1, Some("1".into()), Some("1".into())),
            ("women".into(), programme.clone(), 2, Some("25".into()), Some("23".into())),
        ]
    );

    // Categories are the dimension's and add up to the value they break down.
    for (breakdown, field) in [
        (json!({"sex": {"women": "2", "men": "2"}}), "breakdown.sex"),
        (json!({"sex": {"women": "4", "other": "1"}}), "breakdown.sex.other"),
        (json!({"age": {"under_18": "4"}}), "breakdown.age"),
    ] {
        let reply = app
            .post("/api/v1/indicator-measurements", &json!({"indicator_id": indicators[0], "period_end": "2023-12-31", "value": "5", "breakdown": breakdown}))
            .await;
        assert_eq!((reply.status, reply.error_fields()), (422, vec![field.to_owned()]), "{}", reply.body);
    }
    let reply = app
        .post(
            "/api/v1/indicators",
            &json!({"project_id": other, "definition_id": eeco01, "name": "x", "kind": "output", "target_value": "3", "target_breakdown": {"sex": {"women": "1"}}}),
        )
        .await;
    assert_eq!((reply.status, reply.error_fields()), (422, vec!["target_breakdown.sex".to_owned()]));
    let missing = app.anonymous().get("/api/v1/reports/indicators/breakdown?group_by=programme").await;
    assert_eq!(missing.status, 400);
    let unknown = app.anonymous().get("/api/v1/reports/indicators/breakdown?definition_id=999999").await;
    assert_eq!(unknown.status, 404);
    // A catalogue definition is the registry's: a ROPS cannot rewrite it.
    let rops_org = app.create("beneficiaries", json!({"name": "ROPS", "kind": "rops", "voivodeship": "04"})).await;
    let rops = app.user_token("rops@results.pl", es_registry::domain::codes::Role::Rops, Some(rops_org)).await;
    let patched = app.as_user(&rops).patch(&format!("/api/v1/indicator-definitions/{eeco01}"), &json!({"name": "inna"})).await;
    assert_eq!(patched.status, 403, "{}", patched.body);
}

/// A target row of `GET /reports/targets`: measure, year, achieved, share, indicators reporting.
type TargetRow = (Option<i64>, Option<i64>, Option<String>, Option<String>, i64);

#[tokio::test]
async fn programme_and_measure_targets_count_the_approved_values_of_the_projects_below() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    // Project A lies in sub-measure 9.4.2, B in measure 9.4 itself, C in another axis's measure.
    let in_measure = app.create("projects", json!({"title": "B", "measure_id": fx.measure, "total_value": "1000.00"})).await;
    let axis = app.create("priority-axes", json!({"programme_id": fx.programme, "number": "8", "name": "Aktywni na rynku pracy"})).await;
    let elsewhere_measure = app.create("measures", json!({"priority_axis_id": axis, "code": "8.2", "name": "Wsparcie osób pozostających bez pracy"})).await;
    let elsewhere = app.create("projects", json!({"title": "C", "measure_id": elsewhere_measure, "total_value": "1000.00"})).await;
    let people = app
        .create(
            "indicator-definitions",
            json!({"code": "PI-KP-02", "name": "Liczba osób objętych wsparciem", "kind": "output", "unit": "osoby", "programme_id": fx.programme}),
        )
        .await;
    let share =
        app.create("indicator-definitions", json!({"code": "PI-KP-R2", "name": "Odsetek osób pracujących", "kind": "result", "measurement": "ratio"})).await;
    let bind = |project: i64, definition: i64| json!({"project_id": project, "definition_id": definition, "name": "x", "kind": "output", "target_value": "10"});
    let a = app.create("indicators", bind(fx.project, people)).await;
    let b = app.create("indicators", bind(in_measure, people)).await;
    let c = app.create("indicators", bind(elsewhere, people)).await;
    approved(&app, json!({"indicator_id": a, "period_end": "2022-12-31", "value": "10"})).await;
    approved(&app, json!({"indicator_id": a, "period_end": "2024-06-30", "value": "20"})).await;
    approved(&app, json!({"indicator_id": b, "period_end": "2023-06-30", "value": "15"})).await;
    approved(&app, json!({"indicator_id": c, "period_end": "2024-12-31", "value": "30"})).await;
    app.create("indicator-measurements", json!({"indicator_id": c, "period_end": "2025-06-30", "value": "99"})).await;
    let ratio_a =
        app.create("indicators", json!({"project_id": fx.project, "definition_id": share, "name": "x", "kind": "result", "target_value": "40"})).await;
    let ratio_b =
        app.create("indicators", json!({"project_id": in_measure, "definition_id": share, "name": "x", "kind": "result", "target_value": "40"})).await;
    approved(&app, json!({"indicator_id": ratio_a, "period_end": "2024-12-31", "numerator": "9", "denominator": "10"})).await;
    approved(&app, json!({"indicator_id": ratio_b, "period_end": "2024-12-31", "numerator": "10", "denominator": "100"})).await;

    let target = |measure: Option<i64>, definition: i64, year: Option<i32>, value: &str| json!({"programme_id": fx.programme, "measure_id": measure, "definition_id": definition, "year": year, "target_value": value});
    app.create("programme-targets", target(None, people, None, "100")).await;
    app.create("programme-targets", target(Some(fx.measure), people, None, "50")).await;
    app.create("programme-targets", target(None, people, Some(2023), "40")).await;
    app.create("programme-targets", target(None, share, None, "25")).await;

    let report = app.anonymous().get(&format!("/api/v1/reports/targets?programme_id={}&definition_id={people}", fx.programme)).await;
    assert_eq!(report.status, 200, "{}", report.body);
    let rows: Vec<TargetRow> = report
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().map(str::to_owned);
            (r["measure_id"].as_i64(), r["year"].as_i64(), text("achieved_value"), text("achieved_percent"), r["indicators_reporting"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(
        rows,
        [
            // The whole programme: A's latest (20), B (15) and C (30); C's draft does not count.
            (None, None, Some("65".into()), Some("65.0".into()), 3),
            // The 2023 milestone: what was approved for periods ending by 2023: A 10, B 15.
            (None, Some(2023), Some("25".into()), Some("62.5".into()), 2),
            // Measure 9.4 with its sub-measure: A and B.
            (Some(fx.measure), None, Some("35".into()), Some("70.0".into()), 2),
        ]
    );
    assert!(report.body.as_array().unwrap().iter().all(|r| r["definition_code"] == "PI-KP-02" && r["unit"] == "osoby"));
    let ratio = app.anonymous().get(&format!("/api/v1/reports/targets?definition_id={share}")).await.body;
    assert_eq!(
        (ratio[0]["sum_numerator"].as_str(), ratio[0]["sum_denominator"].as_str(), ratio[0]["achieved_value"].as_str(), ratio[0]["achieved_percent"].as_str()),
        (Some("19"), Some("110"), Some("17.3"), Some("69.2")),
        "19 of 110 is 17.3 %, 69.2 % of the 25 % targeted"
    );

    // Targets stay within their programme, and ratios are percentages.
    let other_programme =
        app.create("programmes", json!({"code": "RPPM.2014-2020", "name": "RPO Pomorskie", "period": "2014-2020", "voivodeship": "22"})).await;
    let foreign = app
        .post("/api/v1/programme-targets", &json!({"programme_id": other_programme, "measure_id": fx.measure, "definition_id": share, "target_value": "5"}))
        .await;
    assert_eq!((foreign.status, foreign.error_fields()), (422, vec!["measure_id".to_owned()]), "{}", foreign.body);
    let not_its_own = app.post("/api/v1/programme-targets", &json!({"programme_id": other_programme, "definition_id": people, "target_value": "5"})).await;
    assert_eq!((not_its_own.status, not_its_own.error_fields()), (422, vec!["definition_id".to_owned()]));
    let over = app.post("/api/v1/programme-targets", &target(Some(fx.measure), share, None, "150")).await;
    assert_eq!((over.status, over.error_fields()), (422, vec!["target_value".to_owned()]));
    let twice = app.post("/api/v1/programme-targets", &target(None, people, None, "120")).await;
    assert_eq!(twice.status, 409, "one final target per programme and definition: {}", twice.body);
    let rops_elsewhere_org = app.create("beneficiaries", json!({"name": "ROPS Gdańsk", "kind": "rops", "teryt": "2261011"})).await;
    let rops_elsewhere = app.user_token("rops-pm@x.pl", Role::Rops, Some(rops_elsewhere_org)).await;
    assert_eq!(app.as_user(&rops_elsewhere).post("/api/v1/programme-targets", &target(None, share, Some(2024), "10")).await.status, 403);
}
