//! Coordination work as records (networks, agreements, supported institutions,
//! strategy documents, committees) and the indicators counted from them.

use crate::helpers::{spawn_app, Fixture, TestApp};
use es_registry::domain::codes::Role;
use serde_json::{json, Value};

async fn organisation(app: &TestApp, name: &str, kind: &str, teryt: &str) -> i64 {
    app.create("beneficiaries", json!({"name": name, "kind": kind, "teryt": teryt})).await
}

async fn counted(app: &TestApp, indicator: i64) -> (Value, Value) {
    let p = app.anonymous().get(&format!("/api/v1/indicators/{indicator}/progress")).await;
    assert_eq!(p.status, 200, "{}", p.body);
    (p.body["achieved_value"].clone(), p.body["source"].clone())
}

async fn basis(app: &TestApp, indicator: i64) -> Value {
    let reply = app.anonymous().get(&format!("/api/v1/indicators/{indicator}/basis")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

fn labels(basis: &Value) -> Vec<String> {
    basis["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn counted_indicators_agree_with_the_records_behind_them_and_follow_them() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let project = fx.project;
    app.patch(&format!("/api/v1/projects/{project}"), &json!({"planned_start": "2019-01-01", "planned_end": "2023-10-31"})).await;
    let cooperative = organisation(&app, "Spółdzielnia Socjalna Pod Lipami", "pes", "0463011").await;
    let cis = organisation(&app, "Centrum Integracji Społecznej w Chełmży", "pes", "0415011").await;
    let foundation = organisation(&app, "Fundacja Wspólna Sprawa", "ngo", "0463011").await;
    let lubicz = organisation(&app, "Gmina Lubicz", "jst", "0415042").await;
    let obrowo = organisation(&app, "Gmina Obrowo", "jst", "0415072").await;

    let indicator = |name: &str, basis: &str, kinds: Value| json!({"project_id": project, "name": name, "kind": "output", "target_value": "10", "derived_from_records": basis, "derived_kinds": kinds});
    let pes_supported = app.create("indicators", indicator("PES objęte wsparciem w ramach sieciowania", "organisations_supported", json!(["pes"]))).await;
    let all_supported = app.create("indicators", indicator("Podmioty objęte wsparciem", "organisations_supported", json!([]))).await;
    let staff = app.create("indicators", indicator("Pracownicy objęci wsparciem", "staff_supported", json!([]))).await;
    let gminas = app.create("indicators", indicator("Gminy objęte działaniami", "gminas_covered", json!([]))).await;
    let strategies = app.create("indicators", indicator("Gminy z ES w dokumentach strategicznych", "strategy_documents", json!([]))).await;
    let agreements = app.create("indicators", indicator("Porozumienia zawarte w ramach sieciowania", "agreements_signed", json!([]))).await;

    let support = |organisation: i64, form: &str, staff: i64, started: &str| json!({"project_id": project, "organisation_id": organisation, "form": form, "staff_supported": staff, "started_on": started});
    app.create("supported-institutions", support(cooperative, "networking", 3, "2019-03-01")).await;
    app.create("supported-institutions", support(cooperative, "study_visit", 2, "2020-05-01")).await;
    app.create("supported-institutions", support(cis, "consulting", 4, "2020-06-01")).await;
    app.create("supported-institutions", support(foundation, "networking", 1, "2021-01-10")).await;
    let lubicz_support = app.create("supported-institutions", support(lubicz, "staff_training", 5, "2021-02-01")).await;
    app.create(
        "activities",
        json!({"project_id": project, "activity_type": "networking_meeting", "title": "spotkanie sieciujące w Obrowie", "teryt": "0415072"}),
    )
    .await;
    app.create("activities", json!({"project_id": project, "activity_type": "conference", "title": "forum w Toruniu", "teryt": "04"})).await;

    // Each count is the records behind it.
    assert_eq!(counted(&app, pes_supported).await, (json!("2"), json!("records")), "a PES supported twice counts once");
    assert_eq!(labels(&basis(&app, pes_supported).await), ["Centrum Integracji Społecznej w Chełmży", "Spółdzielnia Socjalna Pod Lipami"]);
    assert_eq!(counted(&app, all_supported).await.0, "4");
    assert_eq!(counted(&app, staff).await.0, "15");
    let staff_basis = basis(&app, staff).await;
    assert_eq!(staff_basis["counted"], "15");
    assert_eq!(staff_basis["items"].as_array().unwrap().len(), 5);
    assert!(staff_basis["items"][0]["href"].as_str().unwrap().starts_with("/api/v1/supported-institutions/"), "{staff_basis}");
    assert_eq!(counted(&app, gminas).await.0, "2", "Lubicz (a supported JST) and Obrowo (an activity there); a voivodeship-wide forum is no gmina");
    let gmina_basis = basis(&app, gminas).await;
    assert_eq!(labels(&gmina_basis), ["Lubicz", "Obrowo"]);
    assert_eq!(gmina_basis["items"][0]["teryt"], "0415042");
    assert_eq!(counted(&app, strategies).await.0, "0");
    assert_eq!(counted(&app, agreements).await.0, "0");

    // Records added: the counts follow, and so do the maintained report roll-ups.
    let document = |jst: i64, adopted: &str, names: bool| {
        json!({"jst_id": jst, "title": "Strategia Rozwiązywania Problemów Społecznych", "kind": "social_problems_strategy", "adopted_on": adopted,
               "names_social_economy": names, "resolution_number": format!("XX/{jst}/{adopted}")})
    };
    app.create("strategy-documents", document(lubicz, "2021-06-30", true)).await;
    app.create("strategy-documents", document(lubicz, "2022-06-30", true)).await;
    app.create("strategy-documents", document(obrowo, "2021-06-30", true)).await; // Obrowo was not supported
    app.create("strategy-documents", document(lubicz, "2018-06-30", false)).await; // does not name the social economy
    assert_eq!(counted(&app, strategies).await.0, "1", "one local government supported, however many of its documents");
    let obrowo_support = app.create("supported-institutions", support(obrowo, "animation", 0, "2022-01-01")).await;
    assert_eq!(counted(&app, strategies).await.0, "2");
    assert_eq!(counted(&app, staff).await.0, "15", "no staff: nothing added");
    let late = app
        .create(
            "strategy-documents",
            json!({"jst_id": obrowo, "title": "Program współpracy", "kind": "ngo_cooperation_programme",
                                                      "adopted_on": "2024-01-15", "names_social_economy": true}),
        )
        .await;
    assert_eq!(counted(&app, strategies).await.0, "2", "a document adopted after the project's end is not its result");

    // A project's network is coordinated by one of its organisations; an agreement's
    // parties are of the network or of the project.
    app.create("partners", json!({"project_id": project, "beneficiary_id": fx.organisation, "role": "beneficiary"})).await;
    let network = app
        .create(
            "networks",
            json!({"name": "Sieć PES powiatu toruńskiego", "kind": "territorial", "coordinator_id": fx.organisation,
                   "project_id": project, "established_on": "2019-06-01"}),
        )
        .await;
    let other_network = app.create("networks", json!({"name": "Sieć bez projektu", "kind": "thematic", "coordinator_id": fx.organisation})).await;
    let outside = json!({"title": "Porozumienie o współpracy", "party_ids": [lubicz, cooperative], "signed_on": "2020-09-01", "network_id": network});
    let reply = app.post("/api/v1/agreements", &outside).await;
    assert_eq!((reply.status, reply.error_fields()), (422, vec!["party_ids".to_owned()]), "not yet members: {}", reply.body);
    for (network, member) in [(network, lubicz), (network, cooperative), (other_network, obrowo), (other_network, cis)] {
        app.create("network-members", json!({"network_id": network, "organisation_id": member, "joined_on": "2019-06-01"})).await;
    }
    app.create("agreements", outside).await;
    let direct = app
        .create("agreements", json!({"title": "Porozumienie partnerskie", "party_ids": [obrowo, cis], "signed_on": "2021-09-01", "project_id": project}))
        .await;
    app.create("agreements", json!({"title": "Porozumienie innej sieci", "party_ids": [obrowo, cis], "signed_on": "2021-09-01", "network_id": other_network}))
        .await;
    assert_eq!(counted(&app, agreements).await.0, "2", "the project's own and its network's; not another network's");
    let rollup = app.get(&format!("/api/v1/reports/indicators?group_by=measure&measure_id={}", fx.sub_measure)).await.body;
    let expected: i64 = 2 + 5 + 15 + 2 + 2 + 2; // Obrowo is supported now too
    assert_eq!(rollup[0]["sum_achieved"], expected.to_string(), "the maintained roll-ups follow the records: {rollup}");

    // Records removed or changed: the counts follow back.
    assert_eq!(app.delete(&format!("/api/v1/agreements/{direct}")).await.status, 204);
    assert_eq!(counted(&app, agreements).await.0, "1");
    assert_eq!(app.delete(&format!("/api/v1/supported-institutions/{obrowo_support}")).await.status, 204);
    assert_eq!(counted(&app, strategies).await.0, "1");
    assert_eq!(counted(&app, gminas).await.0, "2", "Obrowo still has the meeting");
    assert_eq!(app.patch(&format!("/api/v1/beneficiaries/{cis}"), &json!({"kind": "ngo", "pes_type": null})).await.status, 200);
    assert_eq!(counted(&app, pes_supported).await.0, "1", "an organisation's kind decides whether it counts");
    assert_eq!(app.patch(&format!("/api/v1/supported-institutions/{lubicz_support}"), &json!({"staff_supported": 10})).await.status, 200);
    assert_eq!(counted(&app, staff).await.0, "20");
    assert_eq!(app.delete(&format!("/api/v1/strategy-documents/{late}")).await.status, 204);

    // An approved measurement still replaces the count, as for attendance; the basis says so.
    let measurement = app.create("indicator-measurements", json!({"indicator_id": agreements, "period_end": "2023-10-31", "value": "8"})).await;
    for step in ["submit", "approve"] {
        let reply = app.post(&format!("/api/v1/indicator-measurements/{measurement}/{step}"), &json!({})).await;
        assert_eq!(reply.status, 200, "{step}: {}", reply.body);
    }
    assert_eq!(counted(&app, agreements).await, (json!("8"), json!("measurement")));
    let agreements_basis = basis(&app, agreements).await;
    assert_eq!((agreements_basis["counted"].clone(), agreements_basis["achieved_value"].clone()), (json!("1"), json!("8")));

    // Bound once; kinds only where organisations are counted; nothing else has a basis.
    for (body, field) in [
        (
            json!({"project_id": project, "name": "x", "kind": "output", "target_value": "1", "derived_from": ["training"], "derived_from_records": "gminas_covered"}),
            "derived_from_records",
        ),
        (
            json!({"project_id": project, "name": "x", "kind": "output", "target_value": "1", "derived_from_records": "gminas_covered", "derived_kinds": ["pes"]}),
            "derived_kinds",
        ),
    ] {
        let reply = app.post("/api/v1/indicators", &body).await;
        assert_eq!(reply.status, 422, "{}", reply.body);
        assert_eq!(reply.error_fields(), [field]);
    }
    let plain = app.create("indicators", json!({"project_id": project, "name": "x", "kind": "output", "target_value": "1"})).await;
    let reply = app.anonymous().get(&format!("/api/v1/indicators/{plain}/basis")).await;
    assert_eq!((reply.status, reply.content_type()), (404, "application/problem+json"));
    let linked = app.anonymous().get(&format!("/api/v1/indicators/{gminas}")).await.body;
    assert_eq!(linked["links"]["basis"], format!("/api/v1/indicators/{gminas}/basis"), "{linked}");
}

#[tokio::test]
async fn who_may_write_networks_agreements_strategy_documents_and_committees() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await; // a project in kujawsko-pomorskie (04)
    let owes_org = organisation(&app, "OWES Toruń", "owes", "0463011").await;
    app.create("partners", json!({"project_id": fx.project, "beneficiary_id": owes_org, "role": "beneficiary"})).await;
    let other_owes_org = organisation(&app, "OWES Bydgoszcz", "owes", "0461011").await;
    let gmina = organisation(&app, "Gmina Lubicz", "jst", "0415042").await;
    let other_gmina = organisation(&app, "Gmina Obrowo", "jst", "0415072").await;
    let pes_org = organisation(&app, "Spółdzielnia Socjalna Pod Lipami", "pes", "0463011").await;
    let rops_org = organisation(&app, "ROPS Toruń", "rops", "0463011").await;
    let rops_pm_org = organisation(&app, "ROPS Gdańsk", "rops", "2261011").await;
    let owes = app.user_token("owes@x.pl", Role::Owes, Some(owes_org)).await;
    let other_owes = app.user_token("owes2@x.pl", Role::Owes, Some(other_owes_org)).await;
    let jst = app.user_token("jst@x.pl", Role::Jst, Some(gmina)).await;
    let pes = app.user_token("pes@x.pl", Role::Pes, Some(pes_org)).await;
    let rops = app.user_token("rops@x.pl", Role::Rops, Some(rops_org)).await;
    let rops_pm = app.user_token("rops22@x.pl", Role::Rops, Some(rops_pm_org)).await;

    // A network no project set up is its coordinator's, and its ROPS's.
    let own_network = json!({"name": "Sieć OWES", "kind": "owes", "coordinator_id": owes_org});
    assert_eq!(app.as_user(&other_owes).post("/api/v1/networks", &own_network).await.status, 403, "another OWES");
    assert_eq!(app.as_user(&rops_pm).post("/api/v1/networks", &own_network).await.status, 403, "another voivodeship's ROPS");
    assert_eq!(app.anonymous().post("/api/v1/networks", &own_network).await.status, 401);
    let network = app.as_user(&owes).post("/api/v1/networks", &own_network).await;
    assert_eq!(network.status, 201, "{}", network.body);
    let network = network.id();
    assert_eq!(app.as_user(&rops).patch(&format!("/api/v1/networks/{network}"), &json!({"established_on": "2020-01-01"})).await.status, 200);
    // Its members and agreements are whoever's the network is.
    let member = json!({"network_id": network, "organisation_id": pes_org, "joined_on": "2020-02-01"});
    assert_eq!(app.as_user(&other_owes).post("/api/v1/network-members", &member).await.status, 403);
    assert_eq!(app.as_user(&pes).post("/api/v1/network-members", &member).await.status, 403, "a member does not enrol itself");
    assert_eq!(app.as_user(&owes).post("/api/v1/network-members", &member).await.status, 201);
    let agreement = json!({"title": "Porozumienie", "party_ids": [owes_org, pes_org], "signed_on": "2021-01-01", "network_id": network});
    assert_eq!(app.as_user(&other_owes).post("/api/v1/agreements", &agreement).await.status, 403, "no agreements in another's network");
    assert_eq!(app.as_user(&owes).post("/api/v1/agreements", &agreement).await.status, 201);

    // A network a project set up is the project's: another OWES cannot hang one
    // on it (and so cannot add to its counted agreements), the project's OWES can.
    let of_project = json!({"name": "Sieć projektu", "kind": "thematic", "coordinator_id": owes_org, "project_id": fx.project});
    assert_eq!(app.as_user(&other_owes).post("/api/v1/networks", &of_project).await.status, 403);
    assert_eq!(app.as_user(&owes).post("/api/v1/networks", &of_project).await.status, 201);
    let coordinated_by_outsider = json!({"name": "Sieć", "kind": "thematic", "coordinator_id": other_owes_org, "project_id": fx.project});
    let reply = app.as_user(&owes).post("/api/v1/networks", &coordinated_by_outsider).await;
    assert_eq!((reply.status, reply.error_fields()), (422, vec!["coordinator_id".to_owned()]), "coordinated from within the project: {}", reply.body);
    // Supported institutions are the project's records.
    let supported = json!({"project_id": fx.project, "organisation_id": gmina, "form": "staff_training", "staff_supported": 4});
    assert_eq!(app.as_user(&other_owes).post("/api/v1/supported-institutions", &supported).await.status, 403);
    assert_eq!(app.as_user(&jst).post("/api/v1/supported-institutions", &supported).await.status, 403, "the institution does not report itself");
    assert_eq!(app.as_user(&owes).post("/api/v1/supported-institutions", &supported).await.status, 201);
    let to_project = json!({"title": "Porozumienie", "party_ids": [owes_org, gmina], "signed_on": "2021-01-01", "project_id": fx.project});
    assert_eq!(app.as_user(&other_owes).post("/api/v1/agreements", &to_project).await.status, 403);
    assert_eq!(app.as_user(&jst).post("/api/v1/agreements", &to_project).await.status, 403, "a party is not the project");
    assert_eq!(app.as_user(&owes).post("/api/v1/agreements", &to_project).await.status, 201);
    // Nor can a project file meetings under a network that is not its own, even
    // by making the network's coordinator its partner first.
    let meeting = json!({"project_id": fx.project, "activity_type": "networking_meeting", "title": "spotkanie", "network_id": network});
    assert_eq!(app.as_user(&owes).post("/api/v1/activities", &meeting).await.status, 201, "its coordinator works in the project");
    let foreign = app.create("networks", json!({"name": "Sieć cudza", "kind": "thematic", "coordinator_id": other_owes_org})).await;
    let partner = json!({"project_id": fx.project, "beneficiary_id": other_owes_org, "role": "partner"});
    assert_eq!(app.as_user(&owes).post("/api/v1/partners", &partner).await.status, 201);
    let reply = app
        .as_user(&owes)
        .post("/api/v1/activities", &json!({"project_id": fx.project, "activity_type": "networking_meeting", "title": "x", "network_id": foreign}))
        .await;
    assert_eq!((reply.status, reply.error_fields()), (422, vec!["network_id".to_owned()]), "{}", reply.body);

    // A local government's TERYT code is who it is (and what counted gminas count).
    let reply = app.as_user(&jst).patch(&format!("/api/v1/beneficiaries/{gmina}"), &json!({"teryt": "0415072"})).await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(app.as_user(&jst).patch(&format!("/api/v1/beneficiaries/{gmina}"), &json!({"city": "Lubicz Dolny"})).await.status, 200);

    // A local government keeps its own strategy documents; its ROPS too.
    let document = |jst_id: i64| json!({"jst_id": jst_id, "title": "Strategia", "kind": "development_strategy", "names_social_economy": true});
    assert_eq!(app.as_user(&jst).post("/api/v1/strategy-documents", &document(gmina)).await.status, 201);
    assert_eq!(app.as_user(&jst).post("/api/v1/strategy-documents", &document(other_gmina)).await.status, 403, "another gmina's");
    assert_eq!(app.as_user(&owes).post("/api/v1/strategy-documents", &document(gmina)).await.status, 403);
    assert_eq!(app.as_user(&rops_pm).post("/api/v1/strategy-documents", &document(gmina)).await.status, 403);
    assert_eq!(app.as_user(&rops).post("/api/v1/strategy-documents", &document(other_gmina)).await.status, 201);
    let reply = app.as_user(&pes).post("/api/v1/strategy-documents", &document(pes_org)).await;
    assert_eq!((reply.status, reply.error_fields()), (422, vec!["jst_id".to_owned()]), "only a JST has strategy documents: {}", reply.body);

    // Committees and what hangs off them are the ROPS's of their voivodeship.
    let committee = json!({"voivodeship": "04", "name": "Regionalny Komitet Ekonomii Społecznej", "acronym": "RKES"});
    for (token, status) in [(&owes, 403), (&jst, 403), (&pes, 403), (&rops_pm, 403)] {
        assert_eq!(app.as_user(token).post("/api/v1/committees", &committee).await.status, status);
    }
    let committee = app.as_user(&rops).post("/api/v1/committees", &committee).await;
    assert_eq!(committee.status, 201, "{}", committee.body);
    let committee = committee.id();
    let seat = json!({"committee_id": committee, "organisation_id": owes_org, "role": "member", "term_from": "2023-01-01"});
    assert_eq!(app.as_user(&rops_pm).post("/api/v1/committee-members", &seat).await.status, 403);
    assert_eq!(app.as_user(&owes).post("/api/v1/committee-members", &seat).await.status, 403, "a member does not seat itself");
    assert_eq!(app.as_user(&rops).post("/api/v1/committee-members", &seat).await.status, 201);
    let pomorskie = app.as_user(&rops_pm).post("/api/v1/committees", &json!({"voivodeship": "22", "name": "PKRES"})).await.id();
    let group = app.as_user(&rops_pm).post("/api/v1/committees", &json!({"voivodeship": "22", "name": "Zespół", "parent_id": committee})).await;
    assert_eq!((group.status, group.error_fields()), (422, vec!["parent_id".to_owned()]), "no working group under another region's committee");
    let resolution =
        json!({"voivodeship": "22", "issued_by": "PKRES", "number": "1/2024", "adopted_on": "2024-03-01", "subject": "x", "committee_id": committee});
    let reply = app.as_user(&rops_pm).post("/api/v1/resolutions", &resolution).await;
    assert_eq!((reply.status, reply.error_fields()), (422, vec!["committee_id".to_owned()]), "no resolution filed under another region's committee");
    let moved = app.as_user(&rops).patch(&format!("/api/v1/committees/{committee}"), &json!({"parent_id": pomorskie})).await;
    assert!(moved.status == 422 || moved.status == 403, "{}", moved.body);
    let cycle = app.as_user(&rops).post("/api/v1/committees", &json!({"voivodeship": "04", "name": "Zespół roboczy", "parent_id": committee})).await.id();
    let reply = app.as_user(&rops).patch(&format!("/api/v1/committees/{committee}"), &json!({"parent_id": cycle})).await;
    assert_eq!((reply.status, reply.error_fields()), (422, vec!["parent_id".to_owned()]), "{}", reply.body);
}

#[tokio::test]
async fn coordination_records_are_checked_imported_all_or_nothing_and_reported_by_voivodeship_and_year() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let gmina = organisation(&app, "Gmina Lubicz", "jst", "0415042").await;
    let pes = organisation(&app, "Spółdzielnia Socjalna Pod Lipami", "pes", "0463011").await;
    let pomorska_gmina = organisation(&app, "Gmina Kolbudy", "jst", "2204042").await;

    // What is not a record is refused, and nothing is written.
    for (collection, body, field) in [
        ("networks", json!({"name": "S", "kind": "owes", "coordinator_id": pes, "url": "javascript:alert(1)"}), "url"),
        ("networks", json!({"name": "S", "kind": "owes", "coordinator_id": pes, "established_on": "2020-01-01", "dissolved_on": "2019-01-01"}), "dissolved_on"),
        ("networks", json!({"name": "S", "kind": "owes", "coordinator_id": 999_999}), "coordinator_id"),
        ("agreements", json!({"title": "P", "party_ids": [gmina, gmina], "signed_on": "2021-01-01", "project_id": fx.project}), "party_ids"),
        ("agreements", json!({"title": "P", "party_ids": [gmina, 999_999], "signed_on": "2021-01-01", "project_id": fx.project}), "party_ids"),
        ("agreements", json!({"title": "P", "party_ids": [gmina, pes], "signed_on": "2021-01-01"}), "network_id"),
        ("supported-institutions", json!({"project_id": fx.project, "organisation_id": gmina, "form": "consulting", "staff_supported": -1}), "staff_supported"),
        (
            "supported-institutions",
            json!({"project_id": fx.project, "organisation_id": gmina, "form": "consulting", "staff_supported": 2_000_000}),
            "staff_supported",
        ),
        ("strategy-documents", json!({"jst_id": gmina, "title": "S", "kind": "other", "social_economy_reference": "s. 4"}), "social_economy_reference"),
        ("resolutions", json!({"voivodeship": "04", "issued_by": "ZWKP", "number": " ", "adopted_on": "2015-06-23", "subject": "x"}), "number"),
    ] {
        let reply = app.post(&format!("/api/v1/{collection}"), &body).await;
        assert_eq!(reply.status, 422, "{collection} {body}: {}", reply.body);
        assert!(reply.error_fields().contains(&field.to_owned()), "{field}: {}", reply.body);
        assert_eq!(app.total(collection).await, 0);
    }

    // Supported institutions are imported as participants are: all or nothing, found again by key.
    let csv = |rows: &[(i64, &str, &str)]| {
        let mut text = String::from("project_id,organisation_id,form,started_on,staff_supported,external_id\n");
        for (org, form, id) in rows {
            text.push_str(&format!("{},{org},{form},2021-03-01,2,{id}\n", fx.project));
        }
        text
    };
    let upload = |body: String| {
        let app = &app;
        async move {
            app.send(
                app.client.post(app.url("/api/v1/imports/supported-institutions")).bearer_auth(&app.admin_token).header("content-type", "text/csv").body(body),
            )
            .await
        }
    };
    let refused = upload(csv(&[(gmina, "consulting", "a"), (pes, "nonsense", "b")])).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(app.total("supported-institutions").await, 0, "nothing of a refused import is written");
    let loaded = upload(csv(&[(gmina, "consulting", "a"), (pes, "networking", "b"), (pomorska_gmina, "study_visit", "c")])).await;
    assert_eq!((loaded.status, loaded.body["inserted"].clone()), (200, json!(3)), "{}", loaded.body);
    let again = upload(csv(&[(gmina, "consulting", "a"), (pes, "networking", "b"), (pomorska_gmina, "study_visit", "c")])).await;
    assert_eq!((again.body["inserted"].clone(), again.body["unchanged"].clone()), (json!(0), json!(3)), "{}", again.body);

    // An organisation that is a party of an agreement stays.
    let agreement = app.create("agreements", json!({"title": "P", "party_ids": [gmina, pes], "signed_on": "2021-05-01", "project_id": fx.project})).await;
    let orphan = organisation(&app, "Fundacja", "ngo", "0463011").await;
    let reply = app.patch(&format!("/api/v1/agreements/{agreement}"), &json!({"party_ids": [gmina, pes, orphan]})).await;
    assert_eq!((reply.status, reply.error_fields()), (422, vec!["party_ids".to_owned()]), "no party from outside the project: {}", reply.body);
    let support = app.create("supported-institutions", json!({"project_id": fx.project, "organisation_id": orphan, "form": "consulting"})).await;
    assert_eq!(app.patch(&format!("/api/v1/agreements/{agreement}"), &json!({"party_ids": [gmina, pes, orphan]})).await.status, 200);
    assert_eq!(app.delete(&format!("/api/v1/supported-institutions/{support}")).await.status, 204);
    let reply = app.delete(&format!("/api/v1/beneficiaries/{orphan}")).await;
    assert_eq!(reply.status, 409, "{}", reply.body);
    let listed = app.anonymous().get(&format!("/api/v1/agreements?party_id={orphan}")).await.body;
    assert_eq!(listed["total"], 1);

    // The year's coordination per voivodeship.
    app.create(
        "strategy-documents",
        json!({"jst_id": gmina, "title": "S", "kind": "development_strategy", "adopted_on": "2021-11-30", "names_social_economy": true}),
    )
    .await;
    app.create(
        "strategy-documents",
        json!({"jst_id": pomorska_gmina, "title": "S", "kind": "other", "adopted_on": "2021-02-01", "names_social_economy": false}),
    )
    .await;
    let network = app
        .create(
            "networks",
            json!({"name": "Sieć", "kind": "reintegration", "coordinator_id": pes, "established_on": "2020-05-01", "dissolved_on": "2022-06-30"}),
        )
        .await;
    app.create("network-members", json!({"network_id": network, "organisation_id": gmina, "joined_on": "2021-01-01"})).await;
    let committee = app.create("committees", json!({"voivodeship": "04", "name": "RKES"})).await;
    let sitting = app.create("committee-meetings", json!({"committee_id": committee, "held_on": "2021-04-20"})).await;
    app.create(
        "resolutions",
        json!({"voivodeship": "04", "issued_by": "RKES", "number": "1/2021", "adopted_on": "2021-04-20", "subject": "regulamin",
                                     "committee_id": committee, "meeting_id": sitting}),
    )
    .await;
    let report = app.anonymous().get("/api/v1/reports/coordination?from_year=2019&to_year=2023").await;
    assert_eq!(report.status, 200, "{}", report.body);
    let row = |voivodeship: &str, year: i64| {
        report.body.as_array().unwrap().iter().find(|r| r["voivodeship"] == voivodeship && r["year"] == year).cloned().unwrap_or(Value::Null)
    };
    let kp_2021 = row("04", 2021);
    for (field, value) in [
        ("networks_active", 1),
        ("network_members_joined", 1),
        ("agreements_signed", 1),
        ("organisations_supported", 3),
        ("gminas_supported", 2),
        ("local_governments_adopting_strategies", 1),
        ("committee_meetings", 1),
        ("resolutions", 1),
    ] {
        assert_eq!(kp_2021[field], value, "{field}: {kp_2021}");
    }
    // The staff reached (6) is a count of persons: published protected, a
    // multiple of the base within it of the true count.
    let staff = kp_2021["staff_supported"].as_i64().unwrap();
    assert!(staff % 5 == 0 && (staff - 6).abs() < 5, "staff_supported: {kp_2021}");
    assert_eq!(row("04", 2022)["networks_active"], 1, "active until its dissolution");
    assert!(row("04", 2023).is_null(), "nothing to count in 2023: {}", report.body);
    assert_eq!(row("22", 2021), Value::Null, "a document that does not name the social economy is not counted: {}", report.body);
    let narrowed = app.anonymous().get("/api/v1/reports/coordination?from_year=2021&to_year=2021&voivodeship=04").await.body;
    assert_eq!(narrowed.as_array().unwrap().len(), 1, "{narrowed}");
    assert_eq!(app.anonymous().get("/api/v1/reports/coordination?voivodeship=99").await.status, 422);
    assert_eq!(app.anonymous().get("/api/v1/reports/coordination?cache_buster=1").await.status, 400, "unknown parameters are refused");

    // The yearly question of a ROPS: which gminas put the social economy in their strategies this year.
    let answer = app.anonymous().get("/api/v1/strategy-documents?voivodeship=04&names_social_economy=true&adopted_in=2021").await.body;
    assert_eq!(answer["total"], 1, "{answer}");
    assert_eq!(answer["items"][0]["jst_id"], gmina);
}
