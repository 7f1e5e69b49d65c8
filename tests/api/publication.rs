//! What is published (issue 29): the registry declares, per collection, which
//! fields only a record's owners read and whether a record is public only once
//! approved; every read path follows it for every outsider, and the owners see
//! everything. Built from the registry, so a collection that declares something
//! is read through every path here.

use crate::helpers::{spawn_app, Fixture, TestApp};
use es_registry::domain::codes::Role;
use es_registry::domain::collection::Collection;
use serde_json::{json, Value};

/// Every read path a record of the collection is published through, as `token`
/// (anonymous when `None`): what each gives, as one text to search.
async fn every_read_path(app: &TestApp, token: Option<&str>, collection: Collection, ids: &[i64], query: &str) -> Vec<(String, u16, String)> {
    let path = collection.path();
    let mut reads: Vec<String> = ids.iter().map(|id| format!("/api/v1/{path}/{id}")).collect();
    reads.extend([
        format!("/api/v1/{path}?{query}"),
        format!("/api/v1/{path}?{query}&format=csv"),
        format!("/api/v1/{path}?{query}&format=geojson"),
        format!("/api/v1/exports/{path}?{query}&format=ndjson"),
        format!("/api/v1/exports/{path}?{query}&format=csv"),
        "/api/v1/changes?limit=1000".to_owned(),
    ]);
    let mut answers = Vec::new();
    for read in reads {
        let mut request = app.client.get(app.url(&read));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        if status == 400 && read.ends_with("format=geojson") && text.contains("no place on a map") {
            continue; // a collection that is not a layer of a map
        }
        answers.push((read, status, text));
    }
    answers
}

#[tokio::test]
async fn values_not_yet_approved_and_owners_only_fields_reach_no_outsider_on_any_read_path() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let region = |name: &str, kind: &str, teryt: &str| json!({"name": name, "kind": kind, "teryt": teryt});
    let owes_org = app.create("beneficiaries", region("Stowarzyszenie Partnerstwo Społeczne", "owes", "0463011")).await;
    app.create("partners", json!({"project_id": fx.project, "beneficiary_id": owes_org, "role": "beneficiary"})).await;
    let other_owes_org = app.create("beneficiaries", region("Fundacja Inna", "owes", "0463011")).await;
    let jst_org = app.create("beneficiaries", region("Gmina Miasta Toruń", "jst", "0463011")).await;
    let other_rops_org = app.create("beneficiaries", region("Regionalny Ośrodek Polityki Społecznej w Gdańsku", "rops", "2261011")).await;
    let owes = app.user_token("owes@x.pl", Role::Owes, Some(owes_org)).await;
    let rops = app.user_token("rops@x.pl", Role::Rops, Some(fx.organisation)).await;
    let outsiders = [
        ("anonymous", None),
        ("a JST", Some(app.user_token("jst@x.pl", Role::Jst, Some(jst_org)).await)),
        ("another voivodeship's ROPS", Some(app.user_token("rops-pm@x.pl", Role::Rops, Some(other_rops_org)).await)),
        ("another organisation's OWES", Some(app.user_token("owes-2@x.pl", Role::Owes, Some(other_owes_org)).await)),
    ];

    let indicator = app
        .create(
            "indicators",
            json!({"project_id": fx.project, "name": "Liczba osób z niepełnosprawnościami", "kind": "output", "unit": "osoby", "target_value": "10"}),
        )
        .await;
    let value =
        |period_end: &str, amount: &str, comment: &str| json!({"indicator_id": indicator, "period_end": period_end, "value": amount, "comment": comment});
    let owner = app.as_user(&owes);
    let approved = owner.post("/api/v1/indicator-measurements", &value("2023-12-31", "15", "zatwierdzone: komentarz-zatwierdzony")).await.id();
    assert_eq!(owner.post(&format!("/api/v1/indicator-measurements/{approved}/submit"), &json!({})).await.status, 200);
    assert_eq!(app.as_user(&rops).post(&format!("/api/v1/indicator-measurements/{approved}/approve"), &json!({})).await.status, 200);
    let draft = owner.post("/api/v1/indicator-measurements", &value("2024-06-30", "1", "jedna kobieta z niepełnosprawnością")).await.id();
    let returned = owner.post("/api/v1/indicator-measurements", &value("2024-12-31", "2", "komentarz-zwrócony")).await.id();
    assert_eq!(owner.post(&format!("/api/v1/indicator-measurements/{returned}/submit"), &json!({})).await.status, 200);
    let reason = json!({"reason": "podejrzenie podwójnego liczenia uczestników"});
    assert_eq!(app.as_user(&rops).post(&format!("/api/v1/indicator-measurements/{returned}/return"), &reason).await.status, 200);

    // What only the owners may read, as the registry declares it.
    let spec = Collection::IndicatorMeasurements.spec();
    assert_eq!(spec.owners_only, ["comment", "return_reason"]);
    assert!(spec.public_once_decided);
    let secrets = ["komentarz-zatwierdzony", "jedna kobieta", "komentarz-zwrócony", "podwójnego liczenia"];
    let ids = [approved, draft, returned];
    let query = format!("indicator_id={indicator}");

    for (who, token) in &outsiders {
        for (read, status, text) in every_read_path(&app, token.as_deref(), Collection::IndicatorMeasurements, &ids, &query).await {
            for secret in secrets {
                assert!(!text.contains(secret), "{who} read {secret:?} through {read} ({status}): {text}");
            }
            if read.ends_with(&format!("/{draft}")) || read.ends_with(&format!("/{returned}")) {
                assert_eq!(status, 404, "{who}: {read} is not published: {text}");
            } else {
                assert_eq!(status, 200, "{who}: {read}: {text}");
            }
        }
        // The approved value itself is public, without what is its owners' alone.
        let mut request = app.client.get(app.url(&format!("/api/v1/indicator-measurements/{approved}")));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let seen: Value = request.send().await.unwrap().json().await.unwrap();
        assert_eq!(seen["value"], "15", "{who}: {seen}");
        for field in spec.owners_only {
            assert_eq!(seen[field], Value::Null, "{who} reads {field}: {seen}");
        }
        let mut request = app.client.get(app.url(&format!("/api/v1/indicator-measurements?{query}")));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let list: Value = request.send().await.unwrap().json().await.unwrap();
        assert_eq!((list["total"].as_i64(), list["items"].as_array().map(Vec::len)), (Some(1), Some(1)), "{who}: only the approved value: {list}");
    }

    // The owners (the project's OWES, the region's ROPS, an admin) read everything.
    for (who, token) in [("the project's OWES", &owes), ("the region's ROPS", &rops), ("an admin", &app.admin_token)] {
        let answers = every_read_path(&app, Some(token), Collection::IndicatorMeasurements, &ids, &query).await;
        let text: String = answers.iter().filter(|(read, _, _)| !read.contains("/changes")).map(|(_, _, text)| text.as_str()).collect();
        for secret in secrets {
            assert!(text.contains(secret), "{who} reads {secret:?}");
        }
        let list = app.as_user(token).get(&format!("/api/v1/indicator-measurements?{query}")).await;
        assert_eq!(list.body["total"].as_i64(), Some(3), "{who}: {}", list.body);
    }
}

/// The cells of column `column` in a CSV answer (no quoted commas in these tests).
fn csv_column(text: &str, column: &str) -> Vec<String> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let Some(at) = header.iter().position(|h| *h == column) else { return Vec::new() };
    lines.map(|line| line.split(',').nth(at).unwrap_or_default().to_owned()).collect()
}

#[tokio::test]
async fn typed_counts_of_persons_reach_outsiders_only_protected_on_every_read_path() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let declared: Vec<Collection> = Collection::ALL.into_iter().filter(|c| !c.spec().counts_of_persons.is_empty()).collect();
    assert_eq!(
        declared,
        [Collection::Projects, Collection::Activities, Collection::Indicators, Collection::IndicatorMeasurements, Collection::SupportedInstitutions],
        "a new count of persons is read through every path here (those of indicators in the next test)"
    );
    // The tester's findings: one person's counselling session, placed and dated;
    // a supported institution's staff moving the regional report by exactly 1.
    let activity = app
        .create(
            "activities",
            json!({"project_id": fx.project, "activity_type": "consulting", "title": "doradztwo", "planned_participants": 3, "actual_participants": 1, "start_date": "2021-03-01"}),
        )
        .await;
    let institution = app.create("beneficiaries", json!({"name": "Spółdzielnia Socjalna Przykład", "kind": "pes", "voivodeship": "04"})).await;
    app.patch(&format!("/api/v1/projects/{}", fx.project), &json!({"planned_start": "2020-01-01", "planned_end": "2023-12-31"})).await;
    let supported = app
        .create(
            "supported-institutions",
            json!({"project_id": fx.project, "organisation_id": institution, "form": "consulting", "started_on": "2021-03-01", "staff_supported": 7}),
        )
        .await;
    let rops_org = app.create("beneficiaries", json!({"name": "ROPS", "kind": "rops", "voivodeship": "04"})).await;
    let rops = app.user_token("rops@figures.pl", Role::Rops, Some(rops_org)).await;
    let other_org = app.create("beneficiaries", json!({"name": "ROPS Gdańsk", "kind": "rops", "voivodeship": "22"})).await;
    let other_rops = app.user_token("rops-pm@figures.pl", Role::Rops, Some(other_org)).await;
    let jst_org = app.create("beneficiaries", json!({"name": "Gmina", "kind": "jst", "voivodeship": "04"})).await;
    let jst = app.user_token("jst@figures.pl", Role::Jst, Some(jst_org)).await;
    let other_owes_org = app.create("beneficiaries", json!({"name": "Fundacja Inna", "kind": "owes", "voivodeship": "04"})).await;
    let other_owes = app.user_token("owes-2@figures.pl", Role::Owes, Some(other_owes_org)).await;
    let outsiders = [
        ("anonymous", None),
        ("a local government", Some(jst.as_str())),
        ("another region's ROPS", Some(other_rops.as_str())),
        ("another organisation's OWES", Some(other_owes.as_str())),
    ];
    // A target group of persons counts persons; one of organisations does not.
    let groups = json!([{"name": "osoby bezrobotne", "counts": "persons", "planned_count": 3, "actual_count": 1},
                        {"name": "podmioty ekonomii społecznej", "counts": "organisations", "planned_count": 12, "actual_count": 11}]);
    let grouped = app.patch(&format!("/api/v1/projects/{}", fx.project), &json!({"target_groups": groups})).await;
    assert_eq!(grouped.status, 200, "{}", grouped.body);

    let by_project = format!("project_id={}", fx.project);
    let by_measure = format!("measure_id={}", fx.sub_measure);
    let cases = [
        (Collection::Projects, fx.project, &[("planned_count", 3), ("actual_count", 1)][..], &by_measure),
        (Collection::Activities, activity, &[("planned_participants", 3), ("actual_participants", 1)][..], &by_project),
        (Collection::SupportedInstitutions, supported, &[("staff_supported", 7)][..], &by_project),
    ];
    for (collection, id, figures, query) in cases {
        for (who, token) in outsiders {
            for (read, status, text) in every_read_path(&app, token, collection, &[id], query).await {
                assert_eq!(status, 200, "{who}: {read}: {text}");
                for (field, exact) in figures {
                    for form in [format!("\"{field}\":{exact},"), format!("\"{field}\":{exact}}}")] {
                        assert!(!text.contains(&form), "{who} reads {field} = {exact} exact through {read}: {text}");
                    }
                    for cell in csv_column(&text, field) {
                        assert!(cell.is_empty() || cell.parse::<i64>().is_ok_and(|n| n % 5 == 0), "{who}: {read}: {field} = {cell}");
                    }
                }
            }
            // The same answer every time: asking again averages nothing away.
            let session = token.map_or_else(|| app.anonymous(), |token| app.as_user(token));
            let once = session.get(&collection.record_path(id)).await.body;
            assert_eq!(once, session.get(&collection.record_path(id)).await.body);
            if collection == Collection::Projects {
                let organisations = &once["target_groups"][1];
                assert_eq!(
                    (&organisations["planned_count"], &organisations["actual_count"]),
                    (&json!(12), &json!(11)),
                    "{who}: organisations are no persons: {once}"
                );
            }
        }
        for token in [&app.admin_token, &rops] {
            let owned = app.as_user(token).get(&collection.record_path(id)).await.body;
            let record = if collection == Collection::Projects { &owned["target_groups"][0] } else { &owned };
            for (field, exact) in figures {
                assert_eq!(record[*field], json!(exact), "the owners read {field} exact: {owned}");
            }
        }
    }

    // An indicator counted from the staff reached shows its basis protected too.
    let staff_indicator = app
        .create(
            "indicators",
            json!({"project_id": fx.project, "name": "Kadra objęta wsparciem", "kind": "output", "unit": "osoby", "target_value": "10", "derived_from_records": "staff_supported", "counts_persons": true}),
        )
        .await;
    let basis_path = format!("/api/v1/indicators/{staff_indicator}/basis");
    for (who, token) in outsiders {
        let session = token.map_or_else(|| app.anonymous(), |token| app.as_user(token));
        let basis = session.get(&basis_path).await.body;
        let multiple = |v: &Value| v.as_str().and_then(|s| s.parse::<i64>().ok()).is_some_and(|n| n % 5 == 0);
        assert!(multiple(&basis["counted"]) && multiple(&basis["achieved_value"]), "{who}: {basis}");
        assert!(basis["items"].as_array().unwrap().iter().all(|item| multiple(&item["amount"])), "{who}: {basis}");
    }
    let basis = app.as_user(&rops).get(&basis_path).await.body;
    assert_eq!((&basis["counted"], &basis["items"][0]["amount"]), (&json!("7"), &json!("7")), "the owners read the staff exact: {basis}");

    // The regional report publishes the staff reached protected, for everyone.
    let staff =
        |body: &Value| body.as_array().unwrap().iter().find(|r| r["voivodeship"] == "04" && r["year"] == 2021).map(|r| r["staff_supported"].as_i64().unwrap());
    let report = app.anonymous().get("/api/v1/reports/coordination?from_year=2021&to_year=2021").await.body;
    let before = staff(&report).unwrap();
    assert_eq!(before % 5, 0, "{report}");
    let other = app.create("beneficiaries", json!({"name": "Fundacja", "kind": "ngo", "voivodeship": "04"})).await;
    app.create(
        "supported-institutions",
        json!({"project_id": fx.project, "organisation_id": other, "form": "consulting", "started_on": "2021-05-01", "staff_supported": 1}),
    )
    .await;
    let after = staff(&app.anonymous().get("/api/v1/reports/coordination?from_year=2021&to_year=2021&voivodeship=04").await.body).unwrap();
    assert_ne!(after - before, 1, "one more institution with one person does not show as exactly one");
    assert_eq!(after % 5, 0);
}

/// The tester's first finding: one woman with a disability, reported as a value
/// of an indicator that counts persons, read by anyone through the record, its
/// breakdown, a project's progress and every report.
#[tokio::test]
async fn reported_and_measured_counts_of_persons_reach_outsiders_only_protected() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let region = |name: &str, kind: &str, teryt: &str| json!({"name": name, "kind": kind, "teryt": teryt});
    let owes_org = app.create("beneficiaries", region("Stowarzyszenie Partnerstwo Społeczne", "owes", "0463011")).await;
    app.create("partners", json!({"project_id": fx.project, "beneficiary_id": owes_org, "role": "beneficiary"})).await;
    let jst_org = app.create("beneficiaries", region("Gmina Miasta Toruń", "jst", "0463011")).await;
    let other_rops_org = app.create("beneficiaries", region("Regionalny Ośrodek Polityki Społecznej w Gdańsku", "rops", "2261011")).await;
    let owes = app.user_token("owes@persons.pl", Role::Owes, Some(owes_org)).await;
    let rops = app.user_token("rops@persons.pl", Role::Rops, Some(fx.organisation)).await;
    let jst = app.user_token("jst@persons.pl", Role::Jst, Some(jst_org)).await;
    let other_rops = app.user_token("rops-pm@persons.pl", Role::Rops, Some(other_rops_org)).await;
    let other_owes_org = app.create("beneficiaries", region("Fundacja Inna", "owes", "0463011")).await;
    let other_owes = app.user_token("owes-2@persons.pl", Role::Owes, Some(other_owes_org)).await;
    let outsiders = [
        ("anonymous", None),
        ("a JST", Some(jst.as_str())),
        ("another voivodeship's ROPS", Some(other_rops.as_str())),
        ("another organisation's OWES", Some(other_owes.as_str())),
    ];

    // Whether a figure counts persons is data: the catalogue's participant
    // indicators say so, its indicators of entities do not.
    let definitions = app.anonymous().get("/api/v1/indicator-definitions?catalogue=esf_plus&limit=100").await.body;
    let items = definitions["items"].as_array().unwrap();
    let eeco12 = items.iter().find(|d| d["code"] == "EECO12").unwrap();
    assert_eq!(eeco12["counts_persons"], true, "{eeco12}");
    assert!(items.iter().filter(|d| d["unit"] == "osoby").all(|d| d["counts_persons"] == true));
    assert!(items.iter().any(|d| d["counts_persons"] == false), "entities are not persons: {definitions}");
    let definition = eeco12["id"].as_i64().unwrap();

    let owner = app.as_user(&owes);
    let indicator = owner
        .post(
            "/api/v1/indicators",
            &json!({"project_id": fx.project, "definition_id": definition, "name": "Osoby z niepełnosprawnościami", "kind": "output", "target_value": "10"}),
        )
        .await;
    assert_eq!(indicator.status, 201, "{}", indicator.body);
    let indicator = indicator.id();
    let value = owner
        .post(
            "/api/v1/indicator-measurements",
            &json!({"indicator_id": indicator, "period_end": "2023-12-31", "value": "1", "value_women": "1", "value_men": "0",
                    "breakdown": {"sex": {"women": "1", "men": "0"}}}),
        )
        .await;
    assert_eq!(value.status, 201, "{}", value.body);
    let value = value.id();
    assert_eq!(owner.post(&format!("/api/v1/indicator-measurements/{value}/submit"), &json!({})).await.status, 200);
    assert_eq!(app.as_user(&rops).post(&format!("/api/v1/indicator-measurements/{value}/approve"), &json!({})).await.status, 200);
    // A project's own reported figure, of an indicator without a definition that declares it counts persons.
    let reported = owner
        .post(
            "/api/v1/indicators",
            &json!({"project_id": fx.project, "name": "Osoby bezdomne", "kind": "output", "unit": "osoby", "target_value": "4", "achieved_value": "3", "counts_persons": true}),
        )
        .await;
    assert_eq!(reported.status, 201, "{}", reported.body);
    let reported = reported.id();

    let protected = |figure: &Value| match figure {
        Value::String(text) => text.parse::<i64>().is_ok_and(|n| n % 5 == 0),
        Value::Number(n) => n.as_i64().is_some_and(|n| n % 5 == 0),
        _ => false,
    };
    let exact_ones = ["\"value\":\"1\"", "\"value_women\":\"1\"", "\"women\":\"1\"", "\"achieved_value\":\"3\"", "\"achieved_value\":\"1\""];
    for (who, token) in outsiders {
        let reads = [
            every_read_path(&app, token, Collection::IndicatorMeasurements, &[value], &format!("indicator_id={indicator}")).await,
            every_read_path(&app, token, Collection::Indicators, &[indicator, reported], &format!("project_id={}", fx.project)).await,
        ];
        for (read, status, text) in reads.iter().flatten() {
            if read.starts_with("/api/v1/exports/indicators?") {
                assert_eq!(*status, 404, "indicators are not exported in bulk: {text}");
                continue;
            }
            assert_eq!(*status, 200, "{who}: {read}: {text}");
            for exact in exact_ones {
                assert!(!text.replace(' ', "").contains(exact), "{who} reads {exact} through {read}: {text}");
            }
            for column in ["value", "value_women", "achieved_value"] {
                for cell in csv_column(text, column) {
                    assert!(cell.is_empty() || cell.trim_matches('"').parse::<i64>().is_ok_and(|n| n % 5 == 0), "{who}: {read}: {column} = {cell}");
                }
            }
        }
        let session = token.map_or_else(|| app.anonymous(), |token| app.as_user(token));
        let seen = session.get(&format!("/api/v1/indicator-measurements/{value}")).await.body;
        for figure in [&seen["value"], &seen["value_women"], &seen["value_men"], &seen["breakdown"]["sex"]["women"], &seen["breakdown"]["sex"]["men"]] {
            assert!(protected(figure), "{who}: {seen}");
        }
        assert_eq!(seen, session.get(&format!("/api/v1/indicator-measurements/{value}")).await.body, "the same answer every time");
        for id in [indicator, reported] {
            let progress = session.get(&format!("/api/v1/indicators/{id}/progress")).await.body;
            assert_eq!((progress["protected"].as_bool(), progress["rounding_base"].as_i64()), (Some(true), Some(5)), "{who}: {progress}");
            assert!(protected(&progress["achieved_value"]), "{who}: {progress}");
        }
        let report = session.get(&format!("/api/v1/reports/indicators?definition_id={definition}&group_by=measure")).await.body;
        for row in report.as_array().unwrap() {
            assert!(row["protected"] == true && protected(&row["sum_achieved"]), "{who}: {report}");
        }
        let breakdown = session.get(&format!("/api/v1/reports/indicators/breakdown?definition_id={definition}&group_by=measure")).await.body;
        let cells = breakdown.as_array().unwrap();
        assert!(cells.iter().any(|c| c["category"] == "women"), "{who}: {breakdown}");
        for cell in cells.iter().filter(|c| !c["sum_achieved"].is_null()) {
            assert!(cell["protected"] == true && cell["rounding_base"] == 5 && protected(&cell["sum_achieved"]), "{who}: {breakdown}");
        }
    }

    // A programme's target adds up the approved values below it: a sum of one person.
    app.create("programme-targets", json!({"programme_id": fx.programme, "definition_id": definition, "target_value": "20"})).await;
    let targets = format!("/api/v1/reports/targets?programme_id={}&definition_id={definition}", fx.programme);
    for (who, token) in outsiders {
        let session = token.map_or_else(|| app.anonymous(), |token| app.as_user(token));
        let report = session.get(&targets).await.body;
        let row = &report[0];
        assert!(row["protected"] == true && row["rounding_base"] == 5 && protected(&row["achieved_value"]), "{who}: {report}");
    }
    for token in [&rops, &app.admin_token] {
        let report = app.as_user(token).get(&targets).await.body;
        assert_eq!((&report[0]["achieved_value"], &report[0]["protected"]), (&json!("1"), &json!(false)), "{report}");
    }

    // The owners read every figure exact.
    for token in [&owes, &rops, &app.admin_token] {
        let session = app.as_user(token);
        let seen = session.get(&format!("/api/v1/indicator-measurements/{value}")).await.body;
        assert_eq!((&seen["value"], &seen["breakdown"]["sex"]["women"]), (&json!("1"), &json!("1")), "{seen}");
        assert_eq!(session.get(&format!("/api/v1/indicators/{reported}")).await.body["achieved_value"], "3");
        let progress = session.get(&format!("/api/v1/indicators/{reported}/progress")).await.body;
        assert_eq!((progress["protected"].as_bool(), &progress["achieved_value"]), (Some(false), &json!("3")), "{progress}");
    }
    // An admin's breakdown report is exact.
    let breakdown = app.get(&format!("/api/v1/reports/indicators/breakdown?definition_id={definition}&group_by=measure")).await.body;
    let women = breakdown.as_array().unwrap().iter().find(|c| c["category"] == "women").unwrap();
    assert_eq!((&women["sum_achieved"], &women["protected"]), (&json!("1"), &json!(false)), "{breakdown}");

    // The official lists leave a count of persons out.
    let operations = app.anonymous().get("/api/v1/exports/operations").await.body.to_string();
    assert!(!operations.contains("Osoby bezdomne") && !operations.contains("Osoby z niepełnosprawnościami"), "{operations}");
}

/// The properties of schema `name` of the document, through `allOf`.
fn properties(schemas: &Value, name: &str) -> Vec<String> {
    let schema = &schemas[name];
    let mut found: Vec<String> = schema["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        match part["$ref"].as_str() {
            Some(reference) => found.extend(properties(schemas, reference.trim_start_matches("#/components/schemas/"))),
            None => found.extend(part["properties"].as_object().map(|p| p.keys().cloned().collect::<Vec<_>>()).unwrap_or_default()),
        }
    }
    found
}

/// Nothing is published by default: every field of every record and every
/// column of every other answer the served document describes has a
/// publication class in the registry (`domain::publication`), and no
/// declaration names a field the answer does not have.
#[tokio::test]
async fn every_field_and_column_the_contract_describes_has_a_publication_class() {
    use es_registry::domain::publication::{class_of, Class, NOT_DATA, PERSONAL_ANSWERS, RECORD_FIELDS, REPORTS};
    let app = spawn_app().await;
    let document = app.get("/api-docs/openapi.json").await.body;
    let schemas = &document["components"]["schemas"];
    let mut unclassed = Vec::new();
    for collection in Collection::ALL {
        let path = format!("/api/v1/{}/{{id}}", collection.path());
        let reference = document["paths"][&path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].as_str().unwrap();
        // Fields the server derives are shown too, though the document's views
        // leave out those a client may never send.
        let mut fields = properties(schemas, reference.trim_start_matches("#/components/schemas/"));
        let derived: Vec<String> = collection.spec().read_only.iter().map(|f| (*f).to_owned()).filter(|f| !fields.contains(f)).collect();
        fields.extend(derived);
        for field in &fields {
            if class_of(collection, field).is_none() {
                unclassed.push(format!("{collection}.{field}"));
            }
        }
        let spec = collection.spec();
        for declared in spec.public.iter().chain(spec.owners_only).chain(&spec.counts_of_persons.fields().collect::<Vec<_>>()).chain(&RECORD_FIELDS) {
            assert!(fields.iter().any(|f| f == declared), "{collection} declares {declared}, which its records do not have");
        }
        if !spec.personal {
            assert!(fields.iter().all(|f| class_of(collection, f) != Some(Class::Personal)));
        }
    }
    // Every other answer: reports, exports, official lists, progress, bases.
    for (path, operations) in document["paths"].as_object().unwrap() {
        let Some(answer) = operations["get"]["responses"]["200"]["content"].as_object().and_then(|c| c.values().next()) else { continue };
        let schema = &answer["schema"];
        let reference = schema["$ref"].as_str().or_else(|| schema["items"]["$ref"].as_str());
        let Some(name) = reference.map(|r| r.trim_start_matches("#/components/schemas/")) else { continue };
        if name.starts_with("View_") || name.starts_with("ListPage_View_") || PERSONAL_ANSWERS.contains(&name) || NOT_DATA.contains(&name) {
            continue;
        }
        let Some(columns) = REPORTS.iter().find(|c| c.schema == name) else {
            unclassed.push(format!("{path}: {name} (no declaration)"));
            continue;
        };
        let found = properties(schemas, name);
        for column in &found {
            if columns.class_of(column).is_none() {
                unclassed.push(format!("{name}.{column}"));
            }
        }
        for declared in columns.public.iter().chain(columns.counts_of_persons).chain(columns.owners_only) {
            assert!(found.iter().any(|f| f == declared), "{name} declares {declared}, which it does not have");
        }
    }
    assert!(unclassed.is_empty(), "published without a publication class (declare it in domain::publication or the registry): {unclassed:?}");
}

/// Notes are their keepers' working notes, declared owners-only for every
/// collection that has them: no outsider reads them on any path; the owners do.
#[tokio::test]
async fn notes_reach_no_outsider_on_any_read_path() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let noted: Vec<Collection> = Collection::ALL.into_iter().filter(|c| c.spec().owners_only.contains(&"notes")).collect();
    assert!(noted.contains(&Collection::Projects) && noted.contains(&Collection::Partners) && noted.len() >= 15, "{noted:?}");
    let secret = "notatka-wewnętrzna: 3 osoby z niepełnosprawnością";
    app.patch(&format!("/api/v1/projects/{}", fx.project), &json!({"notes": secret})).await;
    let partner = app.create("partners", json!({"project_id": fx.project, "beneficiary_id": fx.organisation, "role": "partner", "notes": secret})).await;
    let other_org = app.create("beneficiaries", json!({"name": "ROPS Gdańsk", "kind": "rops", "voivodeship": "22"})).await;
    let other_rops = app.user_token("rops-pm@notes.pl", Role::Rops, Some(other_org)).await;
    let other_owes_org = app.create("beneficiaries", json!({"name": "Fundacja Inna", "kind": "owes", "voivodeship": "04"})).await;
    let other_owes = app.user_token("owes-2@notes.pl", Role::Owes, Some(other_owes_org)).await;
    for (who, token) in [("anonymous", None), ("another region's ROPS", Some(other_rops.as_str())), ("another organisation's OWES", Some(other_owes.as_str()))]
    {
        for (collection, id, query) in [
            (Collection::Projects, fx.project, format!("measure_id={}", fx.sub_measure)),
            (Collection::Partners, partner, format!("project_id={}", fx.project)),
        ] {
            for (read, status, text) in every_read_path(&app, token, collection, &[id], &query).await {
                assert_eq!(status, 200, "{who}: {read}: {text}");
                assert!(!text.contains("notatka-wewnętrzna"), "{who} reads the notes through {read}: {text}");
            }
        }
    }
    let listed = app.anonymous().get(&format!("/api/v1/projects?measure_id={}", fx.sub_measure)).await.body;
    assert!(listed["items"].as_array().unwrap().iter().any(|p| p["id"] == fx.project), "the list read above holds the project: {listed}");
    let owned = app.get(&format!("/api/v1/projects/{}", fx.project)).await.body;
    assert_eq!(owned["notes"], secret, "an admin reads them");
}

/// A ratio whose numerator and denominator count persons (one of three
/// participants found work) reaches outsiders protected in the indicator
/// report, whole-country and filtered alike; its owners read it exact.
#[tokio::test]
async fn a_ratio_of_persons_reaches_outsiders_only_protected_in_the_indicator_report() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let definition = app
        .create(
            "indicator-definitions",
            json!({"code": "RATIO-P", "name": "Odsetek uczestników pracujących po zakończeniu udziału", "unit": "%", "kind": "result",
                   "measurement": "ratio", "counts_persons": true}),
        )
        .await;
    let indicator = app
        .create(
            "indicators",
            json!({"project_id": fx.project, "definition_id": definition, "name": "Odsetek pracujących", "kind": "result", "target_value": "50"}),
        )
        .await;
    let value =
        app.post("/api/v1/indicator-measurements", &json!({"indicator_id": indicator, "period_end": "2023-12-31", "numerator": "1", "denominator": "3"})).await;
    assert_eq!(value.status, 201, "{}", value.body);
    let value = value.id();
    assert_eq!(app.post(&format!("/api/v1/indicator-measurements/{value}/submit"), &json!({})).await.status, 200);
    let rops = app.user_token("rops@ratio.pl", Role::Rops, Some(fx.organisation)).await;
    let approved = app.as_user(&rops).post(&format!("/api/v1/indicator-measurements/{value}/approve"), &json!({})).await;
    assert_eq!(approved.status, 200, "{}", approved.body);

    let whole_country = "/api/v1/reports/indicators?group_by=definition".to_owned();
    let filtered = format!("/api/v1/reports/indicators?definition_id={definition}&group_by=measure");
    let row_of = |report: &Value| report.as_array().unwrap().iter().find(|r| r["definition_id"] == definition).cloned().unwrap_or_else(|| panic!("{report}"));
    let other_owes_org = app.create("beneficiaries", json!({"name": "Fundacja Inna", "kind": "owes", "voivodeship": "04"})).await;
    let other_owes = app.user_token("owes-2@ratio.pl", Role::Owes, Some(other_owes_org)).await;
    for (who, session) in [("anonymous", app.anonymous()), ("another organisation's OWES", app.as_user(&other_owes))] {
        for path in [&whole_country, &filtered] {
            let row = row_of(&session.get(path).await.body);
            assert_eq!(row["protected"], true, "{who}: {path}: {row}");
            for part in ["sum_numerator", "sum_denominator"] {
                let published = row[part].as_str().and_then(|s| s.parse::<i64>().ok());
                assert!(published.is_some_and(|n| n % 5 == 0), "{who}: {path}: {part} exact: {row}");
            }
        }
    }
    for path in [&whole_country, &filtered] {
        let row = row_of(&app.get(path).await.body);
        assert_eq!((&row["sum_numerator"], &row["sum_denominator"], &row["ratio_percent"]), (&json!("1"), &json!("3"), &json!("33.3")), "{path}: {row}");
    }
}
