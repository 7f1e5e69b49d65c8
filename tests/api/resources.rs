//! Every resource's happy path: create, read, list with a filter, replace, patch, delete.

use crate::helpers::{spawn_app, Fixture, TestApp};
use serde_json::{json, Value};

struct Case {
    collection: &'static str,
    create: Value,
    /// A field the server derives or normalises on create, and its expected value.
    derived: (&'static str, Value),
    /// A list query that must find the record.
    filter: String,
    replace: Value,
    patch: Value,
}

fn cases(fx: &Fixture) -> Vec<Case> {
    vec![
        Case {
            collection: "programmes",
            create: json!({"code": "POKL.2007-2013", "name": "Program Operacyjny Kapitał Ludzki", "period": "2007-2013", "funds": ["ESF"]}),
            derived: ("voivodeship", Value::Null),
            filter: "period=2007-2013&voivodeship=national".into(),
            replace: json!({"code": "POKL.2007-2013", "name": "PO Kapitał Ludzki", "period": "2007-2013", "funds": ["ESF"]}),
            patch: json!({"managing_authority": "Ministerstwo Rozwoju Regionalnego"}),
        },
        Case {
            collection: "priority-axes",
            create: json!({"programme_id": fx.programme, "number": "VII", "name": "Promocja integracji społecznej"}),
            derived: ("sort_key", json!(7)),
            filter: format!("programme_id={}", fx.programme),
            replace: json!({"programme_id": fx.programme, "number": "VIII", "name": "Włączenie społeczne"}),
            patch: json!({"name": "Włączenie społeczne (zmienione)"}),
        },
        Case {
            collection: "measures",
            create: json!({"priority_axis_id": fx.axis, "code": "06.03", "name": "Ekonomia społeczna", "default_selection_mode": "non_competitive"}),
            derived: ("code_normalised", json!("6.3")),
            filter: "code=6.03".into(),
            replace: json!({"priority_axis_id": fx.axis, "code": "06.04", "name": "Ekonomia społeczna II"}),
            patch: json!({"default_selection_mode": "competitive"}),
        },
        Case {
            collection: "beneficiaries",
            create: json!({"name": "Spółdzielnia Socjalna Przykład", "kind": "pes", "pes_type": "social_cooperative", "nip": "123-456-32-18", "teryt": "0463011"}),
            derived: ("voivodeship", json!("04")),
            filter: "nip=1234563218".into(),
            replace: json!({"name": "Gemeente Leiden", "kind": "jst", "country": "nl", "aliases": ["Samorząd Miasta Lejdy"]}),
            patch: json!({"city": "Leiden"}),
        },
        Case {
            collection: "projects",
            create: json!({"title": "PI-PWP", "measure_id": fx.sub_measure, "total_value": "834036.79", "cofinancing_rate": "100", "fund": "ESF",
                           "planned_start": "2012-02-17", "planned_start_precision": "month", "planned_end": "2015-01-01", "planned_end_precision": "month"}),
            derived: ("planned_start", json!("2012-02-01")),
            filter: format!("programme_id={}&fund=ESF", fx.programme),
            replace: json!({"title": "PI-PWP (korekta)", "measure_id": fx.sub_measure, "status": "completed"}),
            patch: json!({"target_groups": [{"name": "podmioty ekonomii społecznej", "counts": "organisations", "planned_count": 210, "actual_count": 252}]}),
        },
        Case {
            collection: "partners",
            create: json!({"project_id": fx.project, "beneficiary_id": fx.organisation, "role": "beneficiary", "valid_to": "2010-04-30"}),
            derived: ("valid_from", Value::Null),
            filter: format!("project_id={}&on=2009-12-01", fx.project),
            replace: json!({"project_id": fx.project, "beneficiary_id": fx.organisation, "role": "partner"}),
            patch: json!({"notes": "w imieniu Gminy Miasta Toruń"}),
        },
        Case {
            collection: "activities",
            create: json!({"project_id": fx.project, "activity_type": "committee", "title": "Pomorski Komitet Rozwoju ES",
                           "document_reference": "Uchwała ZWP 598/51/15", "document_date": "2015-06-23", "teryt": "22"}),
            derived: ("teryt", json!("22")),
            filter: "activity_type=committee".into(),
            replace: json!({"project_id": fx.project, "activity_type": "fair", "title": "targi wystawiennicze"}),
            patch: json!({"planned_participants": 120}),
        },
        Case {
            collection: "indicators",
            create: json!({"project_id": fx.project, "name": "Liczba osób przeszkolonych", "kind": "output", "unit": "osoby", "target_value": "35", "achieved_value": "40"}),
            derived: ("achieved_value", json!("40")),
            filter: format!("project_id={}&kind=output", fx.project),
            replace: json!({"project_id": fx.project, "name": "Produkcja spotów telewizyjnych", "kind": "output", "target_text": "3 spoty"}),
            patch: json!({"achieved_text": "rezultat osiągnięty w 100%"}),
        },
        Case {
            collection: "participants",
            create: json!({"project_id": fx.project, "first_name": "Anna", "last_name": "Nowak", "pesel": "02270803624", "joined_on": "2019-03-01"}),
            derived: ("birth_date", json!("2002-07-08")),
            filter: format!("project_id={}", fx.project),
            replace: json!({"project_id": fx.project, "first_name": "Anna", "last_name": "Kowalska", "sex": "female", "birth_date": "2002-07-08"}),
            patch: json!({"left_on": "2019-12-31"}),
        },
        Case {
            collection: "attendance",
            create: json!({"participant_id": fx.participant, "activity_id": fx.activity, "outcome": "completed", "started_on": "2019-03-01"}),
            derived: ("ended_on", Value::Null),
            filter: format!("project_id={}&outcome=completed", fx.project),
            replace: json!({"participant_id": fx.participant, "activity_id": fx.activity, "outcome": "dropped_out"}),
            patch: json!({"ended_on": "2019-04-01"}),
        },
    ]
}

async fn check_case(app: &TestApp, case: Case) {
    let collection = case.collection;
    let created = app.post(&format!("/api/v1/{collection}"), &case.create).await;
    assert_eq!(created.status, 201, "{collection}: {}", created.body);
    let id = created.id();
    let location = created.headers.get("location").unwrap().to_str().unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/{collection}/{id}"));
    assert_eq!(created.body["links"]["self"], json!(location));
    assert_eq!(created.body[case.derived.0], case.derived.1, "{collection}: derived {}", case.derived.0);

    let read = app.get(&location).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body, created.body, "{collection}: read equals created");

    let listed = app.get(&format!("/api/v1/{collection}?{}", case.filter)).await;
    assert_eq!(listed.status, 200, "{collection}: {}", listed.body);
    let ids: Vec<i64> = listed.body["items"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert!(ids.contains(&id), "{collection}?{} lists {ids:?}, not {id}", case.filter);

    let replaced = app.put(&location, &case.replace).await;
    assert_eq!(replaced.status, 200, "{collection}: {}", replaced.body);
    for (field, value) in case.replace.as_object().unwrap() {
        if field != "country" {
            assert_eq!(&replaced.body[field], value, "{collection}: PUT sets {field}");
        }
    }
    // PUT replaces the whole record: what the new body leaves out is cleared.
    for (field, value) in case.create.as_object().unwrap() {
        if !case.replace.as_object().unwrap().contains_key(field) && replaced.body[field].is_string() && value.is_string() {
            assert_ne!(&replaced.body[field], value, "{collection}: PUT kept {field} it was not given");
        }
    }

    let patched = app.patch(&location, &case.patch).await;
    assert_eq!(patched.status, 200, "{collection}: {}", patched.body);
    for (field, value) in case.patch.as_object().unwrap() {
        assert_eq!(&patched.body[field], value, "{collection}: PATCH sets {field}");
    }
    for (field, value) in case.replace.as_object().unwrap() {
        if field != "country" && !case.patch.as_object().unwrap().contains_key(field) {
            assert_eq!(&patched.body[field], value, "{collection}: PATCH keeps {field}");
        }
    }

    let deleted = app.delete(&location).await;
    assert_eq!(deleted.status, 204, "{collection}: {}", deleted.body);
    let gone = app.get(&location).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.content_type(), "application/problem+json");
}

#[tokio::test]
async fn every_resource_supports_create_read_list_replace_patch_delete() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    for case in cases(&fx) {
        check_case(&app, case).await;
    }
}

#[tokio::test]
async fn lists_are_paged_with_a_total_a_cap_and_link_headers() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    for i in 0..5 {
        app.create("indicators", json!({"project_id": fx.project, "name": format!("wskaźnik {i}"), "kind": "output", "target_value": "1"})).await;
    }
    let first = app.get(&format!("/api/v1/indicators?project_id={}&limit=2", fx.project)).await;
    assert_eq!(first.body["total"], 5);
    assert_eq!(first.body["items"].as_array().unwrap().len(), 2);
    let link = first.headers.get("link").unwrap().to_str().unwrap();
    assert!(link.contains("cursor=") && link.contains("rel=\"next\"") && !link.contains("prev"), "{link}");
    assert!(link.contains(&format!("project_id={}", fx.project)), "links keep the filters: {link}");

    // Following `next` to the end, then `prev` back, visits every record once each way.
    let mut seen = ids(&first.body);
    let mut page = first;
    while let Some(next) = link_to(&page, "next") {
        page = app.get(&next).await;
        seen.extend(ids(&page.body));
    }
    assert_eq!(seen.len(), 5);
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "by id: {seen:?}");
    assert_eq!(page.body["items"].as_array().unwrap().len(), 1);
    let mut back = ids(&page.body);
    while let Some(prev) = link_to(&page, "prev") {
        page = app.get(&prev).await;
        back.splice(0..0, ids(&page.body));
    }
    assert_eq!(back, seen);

    // Offsets still work, and say so.
    let last = app.get(&format!("/api/v1/indicators?project_id={}&limit=2&offset=4", fx.project)).await;
    assert_eq!(last.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(last.body["offset"], 4);
    let link = last.headers.get("link").unwrap().to_str().unwrap();
    assert!(link.contains("rel=\"prev\"") && !link.contains("next"), "{link}");

    let capped = app.get("/api/v1/indicators?limit=100000").await;
    assert_eq!(capped.body["limit"], 200);
}

#[tokio::test]
async fn records_link_to_their_relatives() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let sub = app.get(&format!("/api/v1/measures/{}", fx.sub_measure)).await;
    assert_eq!(sub.body["links"]["parent"], json!(format!("/api/v1/measures/{}", fx.measure)));
    let project = app.get(&format!("/api/v1/projects/{}", fx.project)).await;
    let partners = project.body["links"]["partners"].as_str().unwrap();
    assert_eq!(app.get(partners).await.status, 200);
    assert_eq!(project.body["voivodeship"], "04", "a project inherits its regional programme's voivodeship");
}

#[tokio::test]
async fn participants_are_never_served_to_anonymous_callers() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let body = json!({"project_id": fx.project, "first_name": "Anna", "last_name": "Nowak", "pesel": "02270803624"});
    let created = app.anonymous().post("/api/v1/participants", &body).await;
    assert_eq!(created.status, 401);
    assert!(!created.body.to_string().contains("02270803624"));
    for path in ["/api/v1/participants", "/api/v1/participants/1", &format!("/api/v1/participants?project_id={}", fx.project)] {
        let reply = app.anonymous().get(path).await;
        assert_eq!(reply.status, 401, "{path}");
        assert_eq!(reply.content_type(), "application/problem+json");
        assert_eq!(reply.headers.get("www-authenticate").unwrap(), "Bearer");
    }
}

fn ids(body: &Value) -> Vec<i64> {
    body["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect()
}

/// The target of a `Link` relation, if the page has one.
fn link_to(page: &crate::helpers::Reply, rel: &str) -> Option<String> {
    let header = page.headers.get("link")?.to_str().ok()?.to_owned();
    header.split(", ").find(|l| l.ends_with(&format!("rel=\"{rel}\""))).map(|l| l[1..l.find('>').unwrap()].to_owned())
}
