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
        answers.push((read, status, response.text().await.unwrap()));
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
    assert_eq!(declared, [Collection::Activities, Collection::SupportedInstitutions], "a new count of persons is read through every path here");
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

    let cases = [
        (Collection::Activities, activity, &[("planned_participants", 3), ("actual_participants", 1)][..]),
        (Collection::SupportedInstitutions, supported, &[("staff_supported", 7)][..]),
    ];
    for (collection, id, figures) in cases {
        let query = format!("project_id={}", fx.project);
        for (who, token) in [("anonymous", None), ("a local government", Some(jst.as_str())), ("another region's ROPS", Some(other_rops.as_str()))] {
            for (read, status, text) in every_read_path(&app, token, collection, &[id], &query).await {
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
        }
        for token in [&app.admin_token, &rops] {
            let owned = app.as_user(token).get(&collection.record_path(id)).await.body;
            for (field, exact) in figures {
                assert_eq!(owned[*field], json!(exact), "the owners read {field} exact: {owned}");
            }
        }
    }

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
