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
    assert!(spec.public_once_approved);
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
