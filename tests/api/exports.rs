//! The official lists: the list of operations (Article 49(3) of Regulation (EU)
//! 2021/1060) as JSON and CSV, and the 360Giving data package; public, filtered,
//! and free of personal data.

use crate::helpers::{spawn_app, TestApp};
use crate::seeds::load_demo;
use serde_json::{json, Value};

/// A 2021-2027 programme with one operation in Kujawsko-Pomorskie carried out in
/// two places, with a participant and indicators counting people and things;
/// and a 2014-2020 operation in Śląskie without dates.
struct Setting {
    programme: i64,
    operation: i64,
    undated: i64,
    beneficiary: i64,
}

async fn setting(app: &TestApp) -> Setting {
    let programme = app
        .create(
            "programmes",
            json!({"code": "FEKP.2021-2027", "name": "Fundusze Europejskie dla Kujaw i Pomorza 2021-2027", "period": "2021-2027",
                   "funds": ["ESF_PLUS"], "voivodeship": "04", "managing_authority": "Zarząd Województwa Kujawsko-Pomorskiego"}),
        )
        .await;
    let axis =
        app.create("priority-axes", json!({"programme_id": programme, "number": "8", "name": "Fundusze europejskie na wsparcie w obszarze rynku pracy"})).await;
    let measure = app.create("measures", json!({"priority_axis_id": axis, "code": "8.24", "name": "Ekonomia społeczna"})).await;
    let operation = app
        .create(
            "projects",
            json!({"title": "Kujawsko-pomorskie centrum ekonomii społecznej", "measure_id": measure, "objective": "Rozwój sektora ekonomii społecznej w regionie",
                   "specific_objectives": ["wzrost liczby miejsc pracy w przedsiębiorstwach społecznych"], "total_value": "1000000.00", "eu_amount": "850000.00",
                   "fund": "ESF_PLUS", "intervention_field": "138", "planned_start": "2024-01-01", "planned_end": "2026-12-31", "actual_start": "2024-02-01",
                   "status": "ongoing",
                   "target_groups": [{"name": "osoby zagrożone wykluczeniem", "planned_count": 9876543, "actual_count": 9876541}]}),
        )
        .await;
    let beneficiary = app
        .create(
            "beneficiaries",
            json!({"name": "Fundacja Ekonomii Społecznej Pod Lipami", "kind": "owes", "teryt": "0463011", "krs": "0000012345", "nip": "1234563218"}),
        )
        .await;
    app.create("partners", json!({"project_id": operation, "beneficiary_id": beneficiary, "role": "beneficiary"})).await;
    let training =
        app.create("activities", json!({"project_id": operation, "activity_type": "training", "title": "szkolenie w Chełmży", "teryt": "0415011"})).await;
    app.create("activities", json!({"project_id": operation, "activity_type": "conference", "title": "forum w Toruniu", "teryt": "0463011"})).await;
    let indicator = |name: &str, unit: &str, target: &str, achieved: &str| json!({"project_id": operation, "name": name, "kind": "output", "unit": unit, "target_value": target, "achieved_value": achieved});
    app.create("indicators", indicator("Liczba gmin objętych działaniami", "gminy", "10", "7")).await;
    let mut persons = indicator("Liczba osób objętych wsparciem", "osoby", "5000000", "4321987");
    persons["counts_persons"] = json!(true);
    app.create("indicators", persons).await;
    app.create(
        "indicators",
        json!({"project_id": operation, "name": "Uczestnicy szkoleń", "kind": "output", "target_value": "20", "derived_from": ["training"]}),
    )
    .await;
    let person = app
        .create("participants", json!({"project_id": operation, "first_name": "Bożydar", "last_name": "Wścibski", "birth_date": "1980-05-01", "sex": "male"}))
        .await;
    app.create("attendance", json!({"participant_id": person, "activity_id": training, "outcome": "completed"})).await;

    let other = app
        .create("programmes", json!({"code": "RPSL.2014-2020", "name": "RPO WSL 2014-2020", "period": "2014-2020", "funds": ["ESF"], "voivodeship": "24"}))
        .await;
    let axis = app.create("priority-axes", json!({"programme_id": other, "number": "9", "name": "Włączenie społeczne"})).await;
    let measure = app.create("measures", json!({"priority_axis_id": axis, "code": "9.3", "name": "Rozwój ekonomii społecznej"})).await;
    let undated = app
        .create(
            "projects",
            json!({"title": "Współpraca się opłaca", "measure_id": measure, "total_value": "1482320.00", "eu_amount": "1259972.00",
                                      "description": "Wsparciem objęto 17 osób z gminy Lipno"}),
        )
        .await;
    Setting { programme, operation, undated, beneficiary }
}

async fn list(app: &TestApp, query: &str) -> Vec<Value> {
    let reply = app.anonymous().get(&format!("/api/v1/exports/operations{query}")).await;
    assert_eq!(reply.status, 200, "{query}: {}", reply.body);
    reply.body.as_array().unwrap().clone()
}

fn ids(list: &[Value]) -> Vec<i64> {
    list.iter().map(|o| o["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn the_list_of_operations_gives_the_article_49_fields_to_anyone() {
    let app = spawn_app().await;
    let s = setting(&app).await;
    let all = list(&app, "").await;
    assert_eq!(ids(&all), [s.operation, s.undated], "every operation, public");
    let o = &all[0];
    assert_eq!(o["operation_name"], "Kujawsko-pomorskie centrum ekonomii społecznej");
    assert_eq!(o["purpose"], "Rozwój sektora ekonomii społecznej w regionie");
    // Without an objective there is no purpose: a description is free text, where fiches tell head counts.
    assert_eq!(all[1]["purpose"], Value::Null, "{}", all[1]);
    assert!(!serde_json::to_string(&all).unwrap().contains("17 osób"));
    assert_eq!(o["beneficiary"]["id"], s.beneficiary);
    assert_eq!(o["beneficiary"]["name"], "Fundacja Ekonomii Społecznej Pod Lipami");
    assert_eq!((o["start_date"].clone(), o["start_date_basis"].clone()), (json!("2024-02-01"), json!("actual")));
    assert_eq!((o["end_date"].clone(), o["end_date_basis"].clone()), (json!("2026-12-31"), json!("planned")));
    assert_eq!(o["total_cost"], "1000000.00");
    assert_eq!(o["eu_amount"], "850000.00");
    assert_eq!(o["eu_cofinancing_rate"], "85", "the rate from the amounts when none is stated");
    assert_eq!(o["location"], json!([{"teryt": "0415011", "name": "Chełmża"}, {"teryt": "0463011", "name": "Toruń"}]), "{o}");
    assert_eq!(o["location_source"], "activities");
    assert_eq!(o["country"], "PL");
    assert_eq!(o["intervention_field"], "138");
    assert_eq!(o["funds"], json!(["ESF_PLUS"]));
    assert_eq!(o["specific_objectives"], json!(["wzrost liczby miejsc pracy w przedsiębiorstwach społecznych"]));
    assert_eq!(o["programme"]["code"], "FEKP.2021-2027");
    assert_eq!(o["status"], "ongoing");
    // Achievements: what the operation achieved in things, never in people.
    assert_eq!(
        o["achievements"],
        json!([{"indicator": "Liczba gmin objętych działaniami", "kind": "output", "unit": "gminy",
        "target_value": "10", "target_text": null, "achieved_value": "7", "achieved_text": null}])
    );
    // The undated one: its voivodeship is its place, and its programme's fund its fund.
    let u = &all[1];
    assert_eq!((u["start_date"].clone(), u["end_date"].clone()), (Value::Null, Value::Null));
    assert_eq!(u["location"], json!([{"teryt": "24", "name": "śląskie"}]));
    assert_eq!(u["location_source"], "voivodeship");
    assert_eq!(u["funds"], json!(["ESF"]));
    assert_eq!(u["beneficiary"], Value::Null);

    assert!(o.get("description").is_none(), "descriptions tell head counts (seed 001): not listed");
    // No personal data: no participant, no head count, no count of people.
    let text = serde_json::to_string(&all).unwrap();
    for personal in
        ["Bożydar", "Wścibski", "1980-05-01", "participant", "target_groups", "9876543", "9876541", "Uczestnicy szkoleń", "osób objętych", "4321987"]
    {
        assert!(!text.contains(personal), "{personal} in {text}");
    }

    // Every field of the schema is in the document, and the list is there without a token.
    let openapi = app.anonymous().get("/api-docs/openapi.json").await.body;
    let fields = openapi["components"]["schemas"]["Operation"]["properties"].as_object().unwrap();
    for field in [
        "operation_name",
        "purpose",
        "achievements",
        "beneficiary",
        "start_date",
        "end_date",
        "total_cost",
        "eu_cofinancing_rate",
        "location",
        "country",
        "intervention_field",
        "funds",
        "specific_objectives",
    ] {
        assert!(fields.contains_key(field), "{field}");
        assert!(o.get(field).is_some(), "{field}");
    }
}

#[tokio::test]
async fn the_list_of_operations_as_csv_has_the_same_facts() {
    let app = spawn_app().await;
    let s = setting(&app).await;
    for request in
        [app.client.get(app.url("/api/v1/exports/operations?format=csv")), app.client.get(app.url("/api/v1/exports/operations")).header("accept", "text/csv")]
    {
        let reply = app.send(request).await;
        assert_eq!(reply.status, 200);
        assert!(reply.content_type().starts_with("text/csv"), "{}", reply.content_type());
        let text = reply.body.as_str().unwrap().to_owned();
        let mut rows = csv_rows(&text);
        let header = rows.remove(0);
        assert_eq!(rows.len(), 2, "{text}");
        let cell = |row: &Vec<String>, name: &str| row[header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"))].clone();
        let row = &rows[0];
        assert_eq!(cell(row, "id"), s.operation.to_string());
        assert_eq!(cell(row, "operation_name"), "Kujawsko-pomorskie centrum ekonomii społecznej");
        assert_eq!(cell(row, "purpose"), "Rozwój sektora ekonomii społecznej w regionie");
        assert_eq!(cell(row, "achievements"), "Liczba gmin objętych działaniami: 7 of 10 gminy");
        assert_eq!(cell(row, "beneficiary_name"), "Fundacja Ekonomii Społecznej Pod Lipami");
        assert_eq!(cell(row, "start_date"), "2024-02-01");
        assert_eq!(cell(row, "end_date"), "2026-12-31");
        assert_eq!(cell(row, "end_date_basis"), "planned");
        assert_eq!(cell(row, "total_cost"), "1000000.00");
        assert_eq!(cell(row, "eu_cofinancing_rate"), "85");
        assert_eq!(cell(row, "location_teryt"), "0415011; 0463011");
        assert_eq!(cell(row, "location_names"), "Chełmża; Toruń");
        assert_eq!(cell(row, "country"), "PL");
        assert_eq!(cell(row, "intervention_field"), "138");
        assert_eq!(cell(row, "funds"), "ESF_PLUS");
        assert_eq!(cell(row, "specific_objectives"), "wzrost liczby miejsc pracy w przedsiębiorstwach społecznych");
        for personal in ["Bożydar", "Wścibski", "participant", "9876543", "9876541", "4321987"] {
            assert!(!text.contains(personal), "{personal} in {text}");
        }
    }
    // An empty list still has its header.
    let empty = app.send(app.client.get(app.url("/api/v1/exports/operations?format=csv&voivodeship=32"))).await;
    assert_eq!(csv_rows(empty.body.as_str().unwrap()).len(), 1);
}

/// A CSV text's rows, quoted cells unquoted.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell, mut quoted, mut chars) = (Vec::new(), Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => cell.push(c),
        }
    }
    rows
}

#[tokio::test]
async fn the_lists_are_filtered_by_programme_voivodeship_and_period() {
    let app = spawn_app().await;
    let s = setting(&app).await;
    assert_eq!(ids(&list(&app, &format!("?programme_id={}", s.programme)).await), [s.operation]);
    assert_eq!(ids(&list(&app, "?voivodeship=24").await), [s.undated]);
    assert_eq!(ids(&list(&app, "?voivodeship=22").await), Vec::<i64>::new());
    assert_eq!(ids(&list(&app, "?year=2025").await), [s.operation], "an operation without dates is in no period");
    assert_eq!(ids(&list(&app, "?year=2023").await), Vec::<i64>::new());
    assert_eq!(ids(&list(&app, "?from=2026-12-31").await), [s.operation], "the period overlaps: its last day");
    assert_eq!(ids(&list(&app, "?from=2027-01-01").await), Vec::<i64>::new());
    assert_eq!(ids(&list(&app, "?to=2024-02-01").await), [s.operation], "the actual start counts, not the planned one");
    assert_eq!(ids(&list(&app, "?to=2024-01-31").await), Vec::<i64>::new());
    let grants = app.anonymous().get("/api/v1/exports/360giving?voivodeship=24").await;
    assert_eq!(grants.status, 200);
    assert_eq!(grants.body, json!({"grants": []}), "the undated operation is no grant the standard can describe");
    let grants = app.anonymous().get(&format!("/api/v1/exports/360giving?programme_id={}&year=2024", s.programme)).await;
    assert_eq!(grants.body["grants"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn bad_parameters_are_problems_never_failures() {
    let app = spawn_app().await;
    setting(&app).await;
    for path in ["/api/v1/exports/operations", "/api/v1/exports/360giving"] {
        for (query, field) in [
            ("voivodeship=99", "voivodeship"),
            ("year=1800", "year"),
            ("from=2024-05-01&to=2024-01-01", "to"),
            ("year=2024&from=2024-01-01", "year"),
            ("programme_id=999999", "programme_id"),
        ] {
            let reply = app.anonymous().get(&format!("{path}?{query}")).await;
            assert_eq!(reply.status, 422, "{path}?{query}: {}", reply.body);
            assert_eq!(reply.content_type(), "application/problem+json");
            assert_eq!(reply.error_fields(), [field], "{path}?{query}: {}", reply.body);
        }
        for query in ["colour=red", "from=yesterday", "programme_id=one", "year=twenty", "limit=5"] {
            let reply = app.anonymous().get(&format!("{path}?{query}")).await;
            assert_eq!(reply.status, 400, "{path}?{query}: {}", reply.body);
            assert_eq!(reply.content_type(), "application/problem+json");
        }
    }
    let reply = app.anonymous().get("/api/v1/exports/360giving?format=csv").await;
    assert_eq!(reply.status, 400, "the 360Giving package is JSON only");
    let reply = app.anonymous().get("/api/v1/exports/operations?format=xml").await;
    assert_eq!(reply.status, 400);
}

#[tokio::test]
async fn the_360giving_package_describes_each_operation_as_a_grant() {
    let app = spawn_app().await;
    let s = setting(&app).await;
    let reply = app.anonymous().get("/api/v1/exports/360giving").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let grants = reply.body["grants"].as_array().unwrap();
    assert_eq!(grants.len(), 1, "the undated operation is left out: {}", reply.body);
    let g = &grants[0];
    assert_eq!(g["id"], format!("360G-esregistry-{}", s.operation));
    assert_eq!(g["title"], "Kujawsko-pomorskie centrum ekonomii społecznej");
    assert_eq!(g["description"], "Rozwój sektora ekonomii społecznej w regionie");
    assert_eq!(g["currency"], "PLN");
    assert_eq!(g["amountAwarded"], json!(850000.0));
    assert_eq!(g["awardDate"], "2024-02-01");
    assert_eq!(g["plannedDates"], json!([{"startDate": "2024-02-01", "endDate": "2026-12-31"}]));
    let krs = app.get(&format!("/api/v1/beneficiaries/{}", s.beneficiary)).await.body["krs"].as_str().unwrap().to_owned();
    assert_eq!(g["recipientOrganization"], json!([{"id": format!("PL-KRS-{krs}"), "name": "Fundacja Ekonomii Społecznej Pod Lipami", "addressCountry": "PL"}]));
    assert_eq!(g["fundingOrganization"][0]["name"], "Zarząd Województwa Kujawsko-Pomorskiego");
    assert_eq!(g["fundingOrganization"][0]["department"], "Fundusze Europejskie dla Kujaw i Pomorza 2021-2027");
    assert!(g["fundingOrganization"][0]["id"].as_str().unwrap().starts_with("360G-esregistry-"));
    assert_eq!(g["grantProgramme"], json!([{"code": "FEKP.2021-2027", "title": "Fundusze Europejskie dla Kujaw i Pomorza 2021-2027"}]));
    let codes: Vec<&str> = g["beneficiaryLocation"].as_array().unwrap().iter().map(|l| l["geoCode"].as_str().unwrap()).collect();
    assert_eq!(codes, ["0415011", "0463011"]);
    assert!(g["classifications"].as_array().unwrap().iter().any(|c| c["code"] == "138"), "{g}");
    let text = reply.body.to_string();
    for personal in ["Bożydar", "Wścibski", "participant", "9876543", "9876541", "4321987"] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }
}

#[tokio::test]
async fn an_intervention_field_must_be_a_code_of_the_programmes_period() {
    let app = spawn_app().await;
    let s = setting(&app).await;
    for (project, code) in [(s.operation, "183"), (s.operation, "13"), (s.operation, "abc"), (s.undated, "138"), (s.undated, "71")] {
        let reply = app.patch(&format!("/api/v1/projects/{project}"), &json!({"intervention_field": code})).await;
        assert_eq!(reply.status, 422, "{code}: {}", reply.body);
        assert_eq!(reply.error_fields(), ["intervention_field"], "{code}: {}", reply.body);
    }
    let reply = app.patch(&format!("/api/v1/projects/{}", s.undated), &json!({"intervention_field": " 113 "})).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["intervention_field"], "113");
    let reply = app.patch(&format!("/api/v1/projects/{}", s.undated), &json!({"intervention_field": null})).await;
    assert_eq!(reply.body["intervention_field"], Value::Null);
}

/// The demo data's lists: every field Article 49 asks for is there for every
/// operation whose fiche gives it (seed 002 gives no dates, seed 004 no money),
/// and the 360Giving package holds the three operations it can describe.
#[tokio::test]
async fn the_demo_exports_have_every_required_field() {
    let app = spawn_app().await;
    load_demo(&app).await;
    let operations = list(&app, "").await;
    assert_eq!(operations.len(), 5);
    let filled = |value: &Value| match value {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => true,
    };
    for o in &operations {
        let name = o["operation_name"].as_str().unwrap();
        let undated = name.starts_with("Współpraca się opłaca");
        let unpriced = name.starts_with("Pomorski system");
        for field in ["operation_name", "purpose", "country", "intervention_field", "funds", "location", "programme", "status"] {
            assert!(filled(&o[field]), "{name}: {field} in {o}");
        }
        assert!(filled(&o["beneficiary"]["name"]), "{name}: beneficiary");
        assert_eq!(o["country"], "PL");
        assert_eq!(filled(&o["start_date"]), !undated, "{name}: start_date");
        assert_eq!(filled(&o["end_date"]), !undated, "{name}: end_date");
        assert_eq!(filled(&o["total_cost"]), !unpriced, "{name}: total_cost");
        assert_eq!(filled(&o["eu_cofinancing_rate"]), !unpriced, "{name}: eu_cofinancing_rate");
        for place in o["location"].as_array().unwrap() {
            assert!(filled(&place["teryt"]) && filled(&place["name"]), "{name}: {place}");
        }
    }
    // Seed 001: the beneficiary that took over on 2010-05-01; counts of people left out.
    let cse = operations.iter().find(|o| o["operation_name"] == "Centrum Ekonomii Społecznej").unwrap();
    assert_eq!(cse["beneficiary"]["name"], "Stowarzyszenie Partnerstwo Społeczne");
    assert_eq!(cse["eu_cofinancing_rate"], "100");
    let achieved: Vec<&str> = cse["achievements"].as_array().unwrap().iter().map(|a| a["unit"].as_str().unwrap()).collect();
    assert!(!achieved.iter().any(|u| u.starts_with("osoby") || u.starts_with("b.o.")), "{achieved:?}");
    let text = serde_json::to_string(&operations).unwrap();
    assert!(!text.contains("target_groups") && !text.contains("252 osoby"), "252 persons took part (seed 001): a count of people");

    let package = app.anonymous().get("/api/v1/exports/360giving").await.body;
    let grants = package["grants"].as_array().unwrap();
    assert_eq!(grants.len(), 3, "{package}");
    for g in grants {
        for field in ["id", "title", "description", "currency", "awardDate", "recipientOrganization", "fundingOrganization"] {
            assert!(filled(&g[field]), "{field} in {g}");
        }
        assert!(g["amountAwarded"].as_f64().unwrap() > 0.0);
        assert!(g["id"].as_str().unwrap().starts_with("360G-esregistry-"));
    }
}
