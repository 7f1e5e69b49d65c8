//! The social-economy register: statuses of organisations over time and the
//! marks regions grant, with the public check of a mark's code.

use crate::helpers::{spawn_app, TestApp};
use chrono::{Duration, Utc};
use es_registry::domain::codes::Role;
use serde_json::{json, Value};

fn ids(body: &Value) -> Vec<i64> {
    body["items"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

async fn organisation(app: &TestApp, name: &str, kind: &str, voivodeship: &str) -> i64 {
    app.create("beneficiaries", json!({"name": name, "kind": kind, "voivodeship": voivodeship})).await
}

#[tokio::test]
async fn a_status_holds_from_its_first_day_until_its_term_ends_or_it_is_revoked() {
    let app = spawn_app().await;
    let cooperative = organisation(&app, "Spółdzielnia Socjalna Pod Lipami", "pes", "04").await;
    let foundation = organisation(&app, "Fundacja Na Rzecz Pracy", "ngo", "22").await;
    let ps_revoked = app
        .create(
            "organisation-statuses",
            json!({"organisation_id": cooperative, "status": "ps", "decision_number": "WPS-II.8141.1.2020", "granting_authority": "Wojewoda Kujawsko-Pomorski",
                   "decided_on": "2020-02-20", "valid_from": "2020-03-01", "revoked_on": "2024-05-10", "revocation_reason": "zaprzestanie działalności reintegracyjnej"}),
        )
        .await;
    let ps_open = app.create("organisation-statuses", json!({"organisation_id": foundation, "status": "ps", "valid_from": "2024-01-15"})).await;
    let accreditation = app
        .create(
            "organisation-statuses",
            json!({"organisation_id": foundation, "status": "owes_accreditation", "valid_from": "2023-01-01", "valid_to": "2025-12-31", "accreditation_scope": "A i B"}),
        )
        .await;

    let on = |status: &'static str, day: &'static str| {
        let app = &app;
        async move {
            let reply = app.anonymous().get(&format!("/api/v1/organisation-statuses?status={status}&on={day}")).await;
            assert_eq!(reply.status, 200, "{}", reply.body);
            ids(&reply.body)
        }
    };
    assert_eq!(on("ps", "2023-12-31").await, vec![ps_revoked], "a PS revoked in 2024 was one at the end of 2023");
    assert_eq!(on("ps", "2024-12-31").await, vec![ps_open], "and is not one at the end of 2024");
    assert_eq!(on("ps", "2024-05-09").await, vec![ps_revoked, ps_open], "the day before the revocation it still held");
    assert_eq!(on("ps", "2024-05-10").await, vec![ps_open], "from the day of the revocation it does not");
    assert!(on("ps", "2020-02-29").await.is_empty(), "nor before its first day");
    assert_eq!(on("owes_accreditation", "2025-12-31").await, vec![accreditation], "the last day of the term");
    assert!(on("owes_accreditation", "2026-01-01").await.is_empty(), "the term has ended");
    // By the organisation's voivodeship.
    let pomorskie = app.anonymous().get("/api/v1/organisation-statuses?voivodeship=22").await.body;
    assert_eq!(ids(&pomorskie), vec![ps_open, accreditation]);

    // Organisations by the status they hold on a day (today by default).
    let names = |path: String| {
        let app = &app;
        async move {
            let body = app.anonymous().get(&path).await.body;
            body["items"].as_array().unwrap().iter().map(|b| b["id"].as_i64().unwrap()).collect::<Vec<_>>()
        }
    };
    assert_eq!(names("/api/v1/beneficiaries?status=ps&status_on=2023-12-31".into()).await, vec![cooperative]);
    assert_eq!(names("/api/v1/beneficiaries?status=ps".into()).await, vec![foundation]);
    assert_eq!(names("/api/v1/beneficiaries?status=owes_accreditation&status_on=2024-06-30".into()).await, vec![foundation]);

    // The report: social enterprises per voivodeship and year.
    let report = app.anonymous().get("/api/v1/reports/social-enterprises?from_year=2020&to_year=2025").await;
    assert_eq!(report.status, 200, "{}", report.body);
    let row = |voivodeship: &str, year: i64| -> (i64, i64, i64) {
        let found = report.body.as_array().unwrap().iter().find(|r| r["voivodeship"] == voivodeship && r["year"] == year);
        found.map_or((0, 0, 0), |r| (r["at_year_end"].as_i64().unwrap(), r["granted"].as_i64().unwrap(), r["revoked"].as_i64().unwrap()))
    };
    assert_eq!(row("04", 2020), (1, 1, 0), "{}", report.body);
    assert_eq!(row("04", 2023), (1, 0, 0));
    assert_eq!(row("04", 2024), (0, 0, 1), "revoked in 2024: not one at its end");
    assert_eq!(row("22", 2024), (1, 1, 0));
    assert_eq!(row("22", 2025), (1, 0, 0));
    assert_eq!(row("22", 2023), (0, 0, 0), "no row before the first status");
    let kujawsko = report.body.as_array().unwrap().iter().find(|r| r["voivodeship"] == "04").unwrap();
    assert_eq!(kujawsko["voivodeship_name"], "kujawsko-pomorskie");
    let narrowed = app.anonymous().get("/api/v1/reports/social-enterprises?from_year=2020&to_year=2025&voivodeship=22").await.body;
    assert!(narrowed.as_array().unwrap().iter().all(|r| r["voivodeship"] == "22") && !narrowed.as_array().unwrap().is_empty());
    assert_eq!(app.anonymous().get("/api/v1/reports/social-enterprises?from_year=2025&to_year=2020").await.status, 422);
    assert_eq!(app.anonymous().get("/api/v1/reports/social-enterprises?voivodeship=99").await.status, 422);

    // What is not a status is refused, and nothing is written.
    for (body, field) in [
        (json!({"organisation_id": cooperative, "status": "ps", "valid_from": "2020-03-01", "revoked_on": "2021-01-01"}), "revocation_reason"),
        (
            json!({"organisation_id": cooperative, "status": "ps", "valid_from": "2020-03-01", "revoked_on": "2019-01-01", "revocation_reason": "x"}),
            "revoked_on",
        ),
        (json!({"organisation_id": cooperative, "status": "ps", "valid_from": "2020-03-01", "valid_to": "2019-12-31"}), "valid_to"),
        (json!({"organisation_id": cooperative, "status": "cis", "valid_from": "2020-03-01", "accreditation_scope": "A"}), "accreditation_scope"),
        (json!({"organisation_id": 999_999, "status": "cis", "valid_from": "2020-03-01"}), "organisation_id"),
    ] {
        let reply = app.post("/api/v1/organisation-statuses", &body).await;
        assert_eq!(reply.status, 422, "{body}: {}", reply.body);
        assert!(reply.error_fields().contains(&field.to_owned()), "{field}: {}", reply.body);
    }
    let twice = app.post("/api/v1/organisation-statuses", &json!({"organisation_id": foundation, "status": "ps", "valid_from": "2024-01-15"})).await;
    assert_eq!(twice.status, 409, "{}", twice.body);
    assert_eq!(app.total("organisation-statuses").await, 3);
}

#[tokio::test]
async fn a_buyer_checks_a_mark_by_its_code_valid_expired_revoked_or_unknown() {
    let app = spawn_app().await;
    let holder = organisation(&app, "Spółdzielnia Socjalna Smaki Regionu", "pes", "04").await;
    let today = Utc::now().date_naive();
    let day = |offset: i64| (today + Duration::days(offset)).to_string();
    let mark = |code: &str, extra: Value| {
        let mut body = json!({"code": code, "name": "Zakup Prospołeczny", "holder_id": holder, "edition": "2025", "granted_on": day(-400),
                              "covers": ["catering", "usługi porządkowe"]});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    let valid = app.create("marks", mark("zp-04-2025-001", json!({"valid_until": day(30)}))).await;
    app.create("marks", mark("ZP-04-2025-002", json!({"valid_until": day(-1)}))).await;
    app.create("marks", mark("ZP-04-2025-003", json!({"revoked_on": day(-10), "revocation_reason": "utrata standardu jakości"}))).await;
    app.create("marks", mark("ZP-04-2025-004", json!({"granted_on": day(5)}))).await;

    let check = |code: &'static str| {
        let app = &app;
        async move { app.anonymous().get(&format!("/api/v1/marks/{code}/verify")).await }
    };
    let answer = check("ZP-04-2025-001").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!((answer.body["valid"].clone(), answer.body["standing"].clone()), (json!(true), json!("valid")));
    assert_eq!(answer.body["holder"], json!({"id": holder, "name": "Spółdzielnia Socjalna Smaki Regionu"}));
    assert_eq!(answer.body["covers"], json!(["catering", "usługi porządkowe"]));
    // Today in Poland: UTC's date, or the next one late in the UTC evening.
    let checked_on = answer.body["checked_on"].as_str().unwrap().to_owned();
    assert!([today.to_string(), day(1)].contains(&checked_on), "{checked_on}");
    assert_eq!(answer.body["record"], json!(format!("/api/v1/marks/{valid}")));
    // Stored in capitals, so a label typed in any case is found.
    assert_eq!(app.get(&format!("/api/v1/marks/{valid}")).await.body["code"], "ZP-04-2025-001");
    assert_eq!(check("zp-04-2025-001").await.body["valid"], json!(true));

    let expired = check("ZP-04-2025-002").await.body;
    assert_eq!((expired["valid"].clone(), expired["standing"].clone()), (json!(false), json!("expired")));
    let revoked = check("ZP-04-2025-003").await.body;
    assert_eq!((revoked["valid"].clone(), revoked["standing"].clone()), (json!(false), json!("revoked")));
    assert_eq!(revoked["revocation_reason"], "utrata standardu jakości");
    let early = check("ZP-04-2025-004").await.body;
    assert_eq!((early["valid"].clone(), early["standing"].clone()), (json!(false), json!("not_yet_valid")));
    for unknown in ["ZP-04-2025-999", "no%20such%20code"] {
        let reply = check(unknown).await;
        assert_eq!(reply.status, 404, "{unknown}: {}", reply.body);
        assert_eq!(reply.content_type(), "application/problem+json");
    }
    // The list agrees with the check: only the first holds today.
    assert_eq!(ids(&app.anonymous().get(&format!("/api/v1/marks?valid_on={today}")).await.body), vec![valid]);
    let duplicate = app.post("/api/v1/marks", &mark("Zp-04-2025-001", json!({}))).await;
    assert_eq!(duplicate.status, 409, "the same code in another case is the same code: {}", duplicate.body);
    let recoded = app.patch(&format!("/api/v1/marks/{valid}"), &json!({"code": "ZP-04-2025-100"})).await;
    assert_eq!((recoded.status, recoded.error_fields()), (422, vec!["code".to_owned()]), "a printed code never changes: {}", recoded.body);
}

#[tokio::test]
async fn the_register_is_kept_by_the_rops_of_the_organisations_voivodeship_not_by_the_organisation() {
    let app = spawn_app().await;
    let kujawsko = organisation(&app, "ROPS Toruń", "rops", "04").await;
    let pomorskie = organisation(&app, "ROPS Gdańsk", "rops", "22").await;
    let owes = organisation(&app, "OWES Toruń", "owes", "04").await;
    let gmina = organisation(&app, "Gmina Chełmża", "jst", "04").await;
    let cooperative = organisation(&app, "Spółdzielnia Socjalna Razem", "pes", "04").await;
    let rops_04 = app.user_token("rops04@example.org", Role::Rops, Some(kujawsko)).await;
    let rops_22 = app.user_token("rops22@example.org", Role::Rops, Some(pomorskie)).await;
    let owes_04 = app.user_token("owes04@example.org", Role::Owes, Some(owes)).await;
    let jst_04 = app.user_token("jst04@example.org", Role::Jst, Some(gmina)).await;

    let status = |organisation: i64| json!({"organisation_id": organisation, "status": "ps", "valid_from": "2024-01-01"});
    let mark = |holder: i64, code: &str| json!({"code": code, "name": "Zakup Prospołeczny", "holder_id": holder, "granted_on": "2024-01-01"});
    assert_eq!(app.anonymous().post("/api/v1/organisation-statuses", &status(cooperative)).await.status, 401);
    assert_eq!(app.as_user(&rops_22).post("/api/v1/organisation-statuses", &status(cooperative)).await.status, 403, "another voivodeship's ROPS");
    assert_eq!(app.as_user(&owes_04).post("/api/v1/organisation-statuses", &status(owes)).await.status, 403, "an OWES does not grant itself a status");
    assert_eq!(app.as_user(&jst_04).post("/api/v1/marks", &mark(gmina, "M-1")).await.status, 403, "nor does a JST grant itself a mark");
    assert_eq!(app.as_user(&owes_04).post("/api/v1/marks", &mark(cooperative, "M-2")).await.status, 403);
    let granted = app.as_user(&rops_04).post("/api/v1/organisation-statuses", &status(cooperative)).await;
    assert_eq!(granted.status, 201, "{}", granted.body);
    let marked = app.as_user(&rops_04).post("/api/v1/marks", &mark(cooperative, "M-3")).await;
    assert_eq!(marked.status, 201, "{}", marked.body);
    let mark_path = format!("/api/v1/marks/{}", marked.id());

    // Another voivodeship's ROPS neither revokes it nor takes the mark over for its own organisation.
    let revoke = json!({"revoked_on": "2024-06-01", "revocation_reason": "naruszenie standardu"});
    assert_eq!(app.as_user(&rops_22).patch(&mark_path, &revoke).await.status, 403);
    assert_eq!(app.as_user(&rops_04).patch(&mark_path, &json!({"holder_id": pomorskie})).await.status, 403, "moving it to another voivodeship is an admin's");
    assert_eq!(app.as_user(&owes_04).delete(&mark_path).await.status, 403);
    let revoked = app.as_user(&rops_04).patch(&mark_path, &revoke).await;
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert_eq!(app.anonymous().get("/api/v1/marks/M-3/verify").await.body["standing"], "revoked");
    // Everyone reads the register; its changes are in the feed.
    assert_eq!(app.anonymous().get("/api/v1/organisation-statuses").await.body["total"], 1);
    // (Other tests' transactions on the same server may hold the feed back a moment.)
    let mut seen = Vec::new();
    for _ in 0..200 {
        let feed = app.anonymous().get("/api/v1/changes?limit=1000").await.body;
        seen = feed["changes"].as_array().unwrap().iter().filter_map(|c| c["resource"].as_str().map(str::to_owned)).collect();
        if seen.iter().any(|r| r == "marks") && seen.iter().any(|r| r == "organisation-statuses") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(seen.iter().any(|r| r == "marks") && seen.iter().any(|r| r == "organisation-statuses"), "{seen:?}");
}

#[tokio::test]
async fn a_need_is_matched_with_the_active_offers_of_its_kind_that_serve_its_area() {
    let app = spawn_app().await;
    let torun = app.create("beneficiaries", json!({"name": "Gmina Miasta Toruń", "kind": "jst", "teryt": "0463011"})).await;
    let caterer = app.create("beneficiaries", json!({"name": "Spółdzielnia Socjalna Smaki", "kind": "pes", "teryt": "0463011"})).await;
    let cleaner = app.create("beneficiaries", json!({"name": "Fundacja Czysty Dom", "kind": "ngo", "voivodeship": "04"})).await;
    let far = app.create("beneficiaries", json!({"name": "Spółdzielnia Socjalna Bałtyk", "kind": "pes", "teryt": "2261011"})).await;
    let offer = |organisation: i64, title: &str, category: &str, cpv: Option<&str>, areas: Value| json!({"organisation_id": organisation, "title": title, "category": category, "cpv_code": cpv, "areas": areas, "price_from": "25.00", "price_to": "60.00"});
    let canteen = app.create("offers", offer(caterer, "Obiady dla placówek", "catering", Some("55520000-1"), json!(["0463011"]))).await;
    let regional = app.create("offers", offer(cleaner, "Catering w całym województwie", "Catering", None, json!(["04"]))).await;
    app.create("offers", offer(far, "Catering nad morzem", "catering", Some("55520000-1"), json!(["2261011"]))).await;
    app.create("offers", offer(cleaner, "Sprzątanie biur", "usługi porządkowe", Some("90910000-9"), json!(["04"]))).await;
    let mut inactive = offer(caterer, "Catering weselny", "catering", Some("55520000-1"), json!([]));
    inactive["active"] = json!(false);
    app.create("offers", inactive).await;
    let need = app
        .create(
            "needs",
            json!({"organisation_id": torun, "title": "Posiłki dla dziennego domu seniora", "category": "catering", "cpv_code": "55500000-5",
                   "areas": ["0463011"], "deadline": "2027-03-31"}),
        )
        .await;

    let matched = app.anonymous().get(&format!("/api/v1/needs/{need}/offers")).await;
    assert_eq!(matched.status, 200, "{}", matched.body);
    assert_eq!(ids(&matched.body), vec![regional, canteen], "of its kind, in its area, active; newest first");
    assert_eq!(matched.body["items"][0]["links"]["organisation"], json!(format!("/api/v1/beneficiaries/{cleaner}")));
    assert_eq!(app.anonymous().get("/api/v1/needs/999999/offers").await.status, 404);

    // Both are layers of the portals' map.
    for collection in ["offers", "needs"] {
        let layer = app.anonymous().get(&format!("/api/v1/{collection}?format=geojson&teryt=0463011")).await;
        assert_eq!(layer.status, 200, "{}", layer.body);
        assert_eq!(layer.body["type"], "FeatureCollection");
        assert!(layer.body["features"].as_array().unwrap().iter().all(|f| f["geometry"]["type"] == "Point"), "{}", layer.body);
    }
    let torun_offers = app.anonymous().get("/api/v1/offers?teryt=0463011&category=catering&active=true").await.body;
    assert_eq!(ids(&torun_offers), vec![canteen, regional]);
    assert_eq!(ids(&app.anonymous().get("/api/v1/offers?q=obiad").await.body), vec![canteen], "searched in Polish like projects");

    // What an offer or a need must be.
    for (collection, body, field) in [
        ("offers", offer(caterer, "X", "catering", Some("5552"), json!([])), "cpv_code"),
        ("offers", offer(caterer, "X", "catering", Some("00000000-0"), json!([])), "cpv_code"),
        ("offers", offer(caterer, "X", "catering", None, json!(["99"])), "areas[0]"),
        ("offers", json!({"organisation_id": caterer, "title": "X", "category": "c", "price_from": "60", "price_to": "25"}), "price_to"),
        ("offers", json!({"organisation_id": caterer, "title": "X", "category": "c", "price_from": "10", "price_on_request": true}), "price_on_request"),
        ("offers", json!({"organisation_id": caterer, "title": "X", "category": "c", "photo_urls": ["http://example.org/a.jpg"]}), "photo_urls[0]"),
        ("offers", offer(torun, "X", "catering", None, json!([])), "organisation_id"),
        ("needs", json!({"organisation_id": caterer, "title": "X", "category": "catering"}), "organisation_id"),
    ] {
        let reply = app.post(&format!("/api/v1/{collection}"), &body).await;
        assert_eq!(reply.status, 422, "{body}: {}", reply.body);
        assert!(reply.error_fields().contains(&field.to_owned()), "{field}: {}", reply.body);
    }
}

#[tokio::test]
async fn offers_and_needs_are_kept_by_their_own_organisation_and_its_rops() {
    let app = spawn_app().await;
    let rops = app.create("beneficiaries", json!({"name": "ROPS Toruń", "kind": "rops", "voivodeship": "04"})).await;
    let other_rops = app.create("beneficiaries", json!({"name": "ROPS Gdańsk", "kind": "rops", "voivodeship": "22"})).await;
    let owes = app.create("beneficiaries", json!({"name": "OWES Toruń", "kind": "owes", "voivodeship": "04"})).await;
    let other_owes = app.create("beneficiaries", json!({"name": "OWES Bydgoszcz", "kind": "owes", "voivodeship": "04"})).await;
    let gmina = app.create("beneficiaries", json!({"name": "Gmina Chełmża", "kind": "jst", "voivodeship": "04"})).await;
    let other_gmina = app.create("beneficiaries", json!({"name": "Gmina Lubicz", "kind": "jst", "voivodeship": "04"})).await;
    let owes_token = app.user_token("owes@example.org", Role::Owes, Some(owes)).await;
    let other_owes_token = app.user_token("owes2@example.org", Role::Owes, Some(other_owes)).await;
    let jst_token = app.user_token("jst@example.org", Role::Jst, Some(gmina)).await;
    let other_jst_token = app.user_token("jst2@example.org", Role::Jst, Some(other_gmina)).await;
    let rops_token = app.user_token("rops@example.org", Role::Rops, Some(rops)).await;
    let other_rops_token = app.user_token("rops2@example.org", Role::Rops, Some(other_rops)).await;

    let offer = json!({"organisation_id": owes, "title": "Doradztwo dla PES", "category": "doradztwo"});
    let need = json!({"organisation_id": gmina, "title": "Klauzule społeczne w zamówieniach", "category": "doradztwo"});
    assert_eq!(app.anonymous().post("/api/v1/offers", &offer).await.status, 401);
    assert_eq!(app.as_user(&other_owes_token).post("/api/v1/offers", &offer).await.status, 403, "another organisation's OWES");
    assert_eq!(app.as_user(&jst_token).post("/api/v1/offers", &offer).await.status, 403);
    assert_eq!(app.as_user(&other_rops_token).post("/api/v1/offers", &offer).await.status, 403, "another voivodeship's ROPS");
    let own = app.as_user(&owes_token).post("/api/v1/offers", &offer).await;
    assert_eq!(own.status, 201, "{}", own.body);
    let path = format!("/api/v1/offers/{}", own.id());
    assert_eq!(app.as_user(&owes_token).patch(&path, &json!({"organisation_id": other_owes})).await.status, 403, "nor hand it to another organisation");
    assert_eq!(app.as_user(&other_owes_token).patch(&path, &json!({"active": false})).await.status, 403);
    assert_eq!(app.as_user(&rops_token).patch(&path, &json!({"active": false})).await.status, 200);
    assert_eq!(app.as_user(&owes_token).delete(&path).await.status, 204);

    assert_eq!(app.as_user(&other_jst_token).post("/api/v1/needs", &need).await.status, 403, "another gmina");
    assert_eq!(app.as_user(&owes_token).post("/api/v1/needs", &need).await.status, 403);
    let recorded = app.as_user(&jst_token).post("/api/v1/needs", &need).await;
    assert_eq!(recorded.status, 201, "{}", recorded.body);
    let need_path = format!("/api/v1/needs/{}", recorded.id());
    assert_eq!(app.as_user(&jst_token).patch(&need_path, &json!({"deadline": "2027-06-30"})).await.status, 200);
    assert_eq!(app.as_user(&other_rops_token).delete(&need_path).await.status, 403);
    assert_eq!(app.as_user(&rops_token).delete(&need_path).await.status, 204);
}

#[tokio::test]
async fn awards_name_an_organisation_or_a_consenting_person_and_are_their_regions() {
    let app = spawn_app().await;
    let rops = organisation(&app, "ROPS Katowice", "rops", "24").await;
    let other_rops = organisation(&app, "ROPS Toruń", "rops", "04").await;
    let gmina = organisation(&app, "Gmina Bieruń", "jst", "24").await;
    let rops_token = app.user_token("rops24@example.org", Role::Rops, Some(rops)).await;
    let other_token = app.user_token("rops04@example.org", Role::Rops, Some(other_rops)).await;
    let jst_token = app.user_token("jst24@example.org", Role::Jst, Some(gmina)).await;
    let to_gmina =
        json!({"voivodeship": "24", "competition": "Gmina przyjazna ekonomii społecznej", "edition": "2024", "laureate_id": gmina, "placing": "winner"});
    let to_person = json!({"voivodeship": "24", "competition": "Przyjaciel ekonomii społecznej", "edition": "2024", "laureate_person_name": "Anna Kowalska",
                           "person_consent_on": "2024-10-01", "placing": "distinction"});
    assert_eq!(app.as_user(&jst_token).post("/api/v1/awards", &to_gmina).await.status, 403, "a gmina does not award itself");
    assert_eq!(app.as_user(&other_token).post("/api/v1/awards", &to_gmina).await.status, 403, "another region's competition");
    let awarded = app.as_user(&rops_token).post("/api/v1/awards", &to_gmina).await;
    assert_eq!(awarded.status, 201, "{}", awarded.body);
    assert_eq!(app.as_user(&rops_token).post("/api/v1/awards", &to_person).await.status, 201);
    for (change, field) in [
        (json!({"person_consent_on": null}), "person_consent_on"),
        (json!({"laureate_id": gmina}), "laureate_id"),
        (json!({"laureate_person_name": null}), "laureate_id"),
        (json!({"person_consent_on": "2099-01-01"}), "person_consent_on"),
    ] {
        let mut body = to_person.clone();
        body.as_object_mut().unwrap().extend(change.as_object().unwrap().clone());
        let reply = app.as_user(&rops_token).post("/api/v1/awards", &body).await;
        assert_eq!(reply.status, 422, "{body}: {}", reply.body);
        assert!(reply.error_fields().contains(&field.to_owned()), "{field}: {}", reply.body);
    }
    let listed = app.anonymous().get("/api/v1/awards?competition=przyjaciel%20ekonomii%20spo%C5%82ecznej").await.body;
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["laureate_person_name"], "Anna Kowalska");
    assert_eq!(app.anonymous().get(&format!("/api/v1/awards?laureate_id={gmina}")).await.body["items"][0]["id"], json!(awarded.id()));
}

#[tokio::test]
async fn a_pes_account_keeps_its_own_record_and_offers_and_nothing_else() {
    let app = spawn_app().await;
    let rops = organisation(&app, "ROPS Toruń", "rops", "04").await;
    let cooperative = organisation(&app, "Spółdzielnia Socjalna Razem", "pes", "04").await;
    let other = organisation(&app, "Spółdzielnia Socjalna Obok", "pes", "04").await;
    let gmina = organisation(&app, "Gmina Chełmża", "jst", "04").await;
    let rops_token = app.user_token("rops@example.org", Role::Rops, Some(rops)).await;
    // The ROPS opens the account; a pes account acts for a PES (or an NGO), not for a gmina.
    let account =
        |email: &str, organisation: i64| json!({"email": email, "password": "a long enough password", "role": "pes", "organisation_id": organisation});
    let opened = app.as_user(&rops_token).post("/api/v1/users", &account("pes@example.org", cooperative)).await;
    assert_eq!(opened.status, 201, "{}", opened.body);
    let refused = app.as_user(&rops_token).post("/api/v1/users", &account("pes2@example.org", gmina)).await;
    assert_eq!((refused.status, refused.body["errors"][0]["code"].clone()), (422, json!("role_kind_mismatch")), "{}", refused.body);
    let signed_in = app.sign_in("pes@example.org", "a long enough password").await;
    let pes = signed_in.body["access_token"].as_str().unwrap().to_owned();
    let as_pes = app.as_user(&pes);

    // Its own record, but not what kind of organisation it is.
    assert_eq!(as_pes.patch(&format!("/api/v1/beneficiaries/{cooperative}"), &json!({"city": "Toruń"})).await.status, 200);
    assert_eq!(as_pes.patch(&format!("/api/v1/beneficiaries/{cooperative}"), &json!({"kind": "ngo"})).await.status, 403);
    // Nor who it is: a mark's holder renamed after a famous firm, or with another's NIP, would take over its grants.
    for identity in [json!({"name": "Znana Firma S.A."}), json!({"nip": "1234563218"}), json!({"pes_type": "cis"}), json!({"aliases": ["Znana Firma"]})] {
        assert_eq!(as_pes.patch(&format!("/api/v1/beneficiaries/{cooperative}"), &identity).await.status, 403, "{identity}");
    }
    assert_eq!(app.get(&format!("/api/v1/beneficiaries/{cooperative}")).await.body["name"], "Spółdzielnia Socjalna Razem");
    assert_eq!(
        app.as_user(&rops_token).patch(&format!("/api/v1/beneficiaries/{cooperative}"), &json!({"name": "Spółdzielnia Socjalna Razem i Ty"})).await.status,
        200
    );
    assert_eq!(as_pes.patch(&format!("/api/v1/beneficiaries/{other}"), &json!({"city": "Toruń"})).await.status, 403);
    // Its own offers, not another's; no needs (those are a gmina's).
    let offer = |organisation: i64| json!({"organisation_id": organisation, "title": "Catering", "category": "catering"});
    assert_eq!(as_pes.post("/api/v1/offers", &offer(cooperative)).await.status, 201);
    assert_eq!(as_pes.post("/api/v1/offers", &offer(other)).await.status, 403);
    let need = as_pes.post("/api/v1/needs", &json!({"organisation_id": cooperative, "title": "X", "category": "catering"})).await;
    assert_eq!(need.status, 422, "{}", need.body);
    // Nothing else: no status or mark for itself, no projects, no people, no accounts, no audit trail.
    assert_eq!(
        as_pes.post("/api/v1/organisation-statuses", &json!({"organisation_id": cooperative, "status": "ps", "valid_from": "2024-01-01"})).await.status,
        403
    );
    let programme = json!({"code": "RPKP.2021-2027", "name": "Fundusze Europejskie dla Kujaw i Pomorza", "period": "2021-2027", "voivodeship": "04"});
    assert_eq!(as_pes.post("/api/v1/programmes", &programme).await.status, 403);
    assert_eq!(as_pes.get("/api/v1/participants").await.status, 403);
    assert_eq!(as_pes.get("/api/v1/users").await.status, 403);
    assert_eq!(as_pes.get("/api/v1/audit-events").await.status, 403);
}
