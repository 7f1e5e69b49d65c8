//! The demo data: the five seed fiches, loaded by `scripts/load-demo.sh` over
//! HTTP, read back with every fact DOMAIN.md says must survive.

use crate::helpers::{spawn_app, TestApp};
use serde_json::{json, Value};

pub async fn load_demo(app: &TestApp) {
    let address = app.address.clone();
    let database_url = app.database_url.clone();
    // The script signs in through an account it makes with the command line, as a user would.
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("bash")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/load-demo.sh"))
            .arg(address)
            .env("DATABASE_URL", database_url)
            .env("ES_REGISTRY_BIN", env!("CARGO_BIN_EXE_es-registry"))
            .env_remove("ES_TOKEN")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(output.status.success(), "load-demo.sh failed: {}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
}

async fn items(app: &TestApp, query: &str) -> Vec<Value> {
    let reply = app.get(&format!("/api/v1/{query}")).await;
    assert_eq!(reply.status, 200, "{query}: {}", reply.body);
    reply.body["items"].as_array().unwrap().clone()
}

async fn project(app: &TestApp, title_start: &str) -> Value {
    let all = items(app, "projects?limit=200").await;
    all.into_iter().find(|p| p["title"].as_str().unwrap().starts_with(title_start)).unwrap_or_else(|| panic!("no project {title_start}"))
}

fn texts(values: &Value) -> Vec<String> {
    values.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
}

async fn organisation_name(app: &TestApp, id: &Value) -> String {
    app.get(&format!("/api/v1/beneficiaries/{id}")).await.body["name"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_five_seed_fiches_survive_the_round_trip() {
    let app = spawn_app().await;
    load_demo(&app).await;
    assert_eq!(app.total("projects").await, 5);

    // Seed 000: Kujawsko-Pomorskie, ROPS Toruń.
    let p = project(&app, "Koordynacja rozwoju ekonomii społecznej w województwie kujawsko-pomorskim").await;
    assert_eq!(p["total_value"], "3359267.15");
    assert_eq!(p["eu_amount"], "2855377.07");
    assert_eq!((p["planned_start"].clone(), p["planned_end"].clone()), (json!("2019-01-01"), json!("2023-10-31")));
    assert_eq!(p["voivodeship"], "04");
    assert_eq!(p["target_groups"].as_array().unwrap().len(), 9);
    let support = texts(&p["support_types"]);
    assert_eq!(support.len(), 14);
    assert!(support.iter().any(|s| s.contains("popularyzowanie") && s.contains("Forum")), "one bullet names two things");
    let measure = app.get(p["links"]["measure"].as_str().unwrap()).await.body;
    assert_eq!(measure["code"], "9.4.2");
    let targets: Vec<String> =
        items(&app, &format!("indicators?project_id={}", p["id"])).await.iter().map(|i| i["target_value"].as_str().unwrap().to_owned()).collect();
    assert_eq!(targets, ["20", "148", "86", "51", "8", "465"]);

    // Seed 001: eleven results, 252 of 210 took part, a change of beneficiary on 2010-05-01.
    let p = project(&app, "Centrum Ekonomii Społecznej").await;
    assert_eq!(p["total_value"], "538974.02");
    assert_eq!(p["cofinancing_rate"], "100");
    assert_eq!(p["fund"], "ESF");
    assert_eq!((p["actual_start"].clone(), p["actual_end"].clone()), (json!("2009-11-02"), json!("2011-02-28")));
    let groups = p["target_groups"].as_array().unwrap();
    assert!(groups.iter().any(|g| g["planned_count"] == 210 && g["actual_count"] == 252));
    let indicators = items(&app, &format!("indicators?project_id={}", p["id"])).await;
    assert_eq!(indicators.len(), 11);
    let pair = |i: usize| (indicators[i]["target_value"].clone(), indicators[i]["achieved_value"].clone());
    assert_eq!(pair(2), (json!("35"), json!("40")));
    assert_eq!(pair(4), (json!("200000"), json!("898860")));
    assert!(indicators[7]["achieved_text"].as_str().unwrap().contains("100%"), "TV spots achieved as text");
    let before = items(&app, &format!("partners?project_id={}&role=beneficiary&on=2010-04-30", p["id"])).await;
    assert_eq!(before.len(), 1);
    assert!(organisation_name(&app, &before[0]["beneficiary_id"]).await.contains("CISTOR"));
    let after = items(&app, &format!("partners?project_id={}&on=2010-05-01", p["id"])).await;
    let mut roles = Vec::new();
    for role in &after {
        roles.push((role["role"].as_str().unwrap().to_owned(), organisation_name(&app, &role["beneficiary_id"]).await));
    }
    roles.sort();
    assert_eq!(
        roles,
        [("beneficiary".to_owned(), "Stowarzyszenie Partnerstwo Społeczne".to_owned()), ("on_behalf_of".to_owned(), "Gmina Miasta Toruń".to_owned())]
    );

    // Seed 002: no dates, non-competitive, the voivodeship itself, a map of PES offers.
    let p = project(&app, "Współpraca się opłaca").await;
    for field in ["planned_start", "planned_end", "actual_start", "actual_end"] {
        assert_eq!(p[field], Value::Null, "{field}");
    }
    assert_eq!(p["selection_mode"], "non_competitive");
    assert_eq!((p["total_value"].clone(), p["eu_amount"].clone()), (json!("1482320.00"), json!("1259972.00")));
    assert_eq!(p["voivodeship"], "24");
    let beneficiary = items(&app, &format!("partners?project_id={}&role=beneficiary", p["id"])).await;
    assert_eq!(organisation_name(&app, &beneficiary[0]["beneficiary_id"]).await, "Województwo Śląskie");
    let activities = items(&app, &format!("activities?project_id={}&limit=200", p["id"])).await;
    let types: Vec<&str> = activities.iter().map(|a| a["activity_type"].as_str().unwrap()).collect();
    for wanted in ["portal", "certification", "competition"] {
        assert!(types.contains(&wanted), "seed 002 has a {wanted}");
    }
    assert!(activities.iter().any(|a| a.to_string().contains("Zakup Prospołeczny")));

    // Seed 003: a leader, a Polish and a Dutch partner, months only.
    let p = project(&app, "PI-PWP").await;
    assert_eq!((p["total_value"].clone(), p["cofinancing_rate"].clone()), (json!("834036.79"), json!("100")));
    assert_eq!((p["planned_start"].clone(), p["planned_start_precision"].clone()), (json!("2012-02-01"), json!("month")));
    assert_eq!((p["planned_end"].clone(), p["planned_end_precision"].clone()), (json!("2015-01-01"), json!("month")));
    let leader = items(&app, &format!("partners?project_id={}&role=leader", p["id"])).await;
    let leader = app.get(&format!("/api/v1/beneficiaries/{}", leader[0]["beneficiary_id"])).await.body;
    assert!(texts(&leader["aliases"]).contains(&"CISTOR Stowarzyszenie Partnerstwo Społeczne".to_owned()));
    let partners = items(&app, &format!("partners?project_id={}&role=partner", p["id"])).await;
    let mut countries = Vec::new();
    for partner in &partners {
        countries.push(app.get(&format!("/api/v1/beneficiaries/{}", partner["beneficiary_id"])).await.body["country"].as_str().unwrap().to_owned());
    }
    countries.sort();
    assert_eq!(countries, ["NL", "PL"]);

    // Seed 004: Pomorskie, years only, measure 06.03, a committee by resolution.
    let p = project(&app, "Pomorski system przedsiębiorczości społecznej").await;
    assert_eq!(p["voivodeship"], "22");
    assert_eq!((p["planned_start_precision"].clone(), p["planned_end_precision"].clone()), (json!("year"), json!("year")));
    assert_eq!((p["planned_start"].clone(), p["planned_end"].clone()), (json!("2015-01-01"), json!("2018-01-01")));
    assert_eq!(p["total_value"], Value::Null);
    let measure = app.get(p["links"]["measure"].as_str().unwrap()).await.body;
    assert_eq!((measure["code"].clone(), measure["code_normalised"].clone()), (json!("06.03"), json!("6.3")));
    let committee = items(&app, &format!("activities?project_id={}&activity_type=committee", p["id"])).await;
    assert_eq!(committee.len(), 1);
    assert!(committee[0]["document_reference"].as_str().unwrap().contains("598/51/15"));
    assert_eq!(committee[0]["document_date"], "2015-06-23");
    let indicators = items(&app, &format!("indicators?project_id={}", p["id"])).await;
    assert!(indicators.iter().any(|i| i["target_value"] == "30" && i["unit"] == "PES"));

    // Seed 001's results as computed progress: 40/35 and 898 860/200 000 exceed, the "100 %" ones are achieved.
    let p = project(&app, "Centrum Ekonomii Społecznej").await;
    let progress = app.get(&format!("/api/v1/projects/{}/indicators/progress", p["id"])).await.body;
    let progress = progress.as_array().unwrap();
    assert_eq!(progress.len(), 11);
    let percent = |i: usize| (progress[i]["percent"].clone(), progress[i]["status"].clone());
    assert_eq!(percent(2), (json!("114.3"), json!("exceeded")));
    assert_eq!(percent(4), (json!("449.4"), json!("exceeded")));
    for i in [0, 1, 5, 6, 7, 8] {
        assert_eq!(progress[i]["status"], "achieved", "result {} is achieved in 100%", i + 1);
    }

    // Seed 000's six targets in the Kujawsko-Pomorskie roll-up of its programme.
    let rpkp = items(&app, "programmes?code=RPKP.2014-2020").await[0]["id"].clone();
    let rollup = app.get(&format!("/api/v1/reports/indicators?group_by=voivodeship&programme_id={rpkp}")).await.body;
    // Like is added to like: one row per unit, the two counts of gminas together.
    let rows: Vec<(String, String, i64, String)> = rollup
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (r["key"].as_str().unwrap().into(), r["unit"].as_str().unwrap().into(), r["indicators"].as_i64().unwrap(), r["sum_target"].as_str().unwrap().into())
        })
        .collect();
    let row = |unit: &str, n: i64, sum: &str| ("04".to_owned(), unit.to_owned(), n, sum.to_owned());
    assert_eq!(
        rows,
        [
            row("gminy", 2, "137"),
            row("inicjatywy", 1, "20"),
            row("osoby", 1, "465"),
            row("podmioty ekonomii społecznej", 1, "148"),
            row("porozumienia", 1, "8")
        ],
        "86 + 51 gminas; nothing adds persons to agreements"
    );
    let mixed = app.get(&format!("/api/v1/reports/indicators?group_by=voivodeship&split=none&programme_id={rpkp}")).await;
    assert_eq!(mixed.status, 422, "the sum across units the report once gave (778) is refused");
    let portfolio = app.get("/api/v1/reports/portfolio?group_by=voivodeship").await.body;
    let kp = portfolio.as_array().unwrap().iter().find(|r| r["key"] == "04").unwrap().clone();
    assert_eq!(kp["projects"], 3);

    // Programmes: PO KL is national, the RPOs regional.
    let national = items(&app, "programmes?voivodeship=national").await;
    assert_eq!(national.len(), 1);
    assert!(national[0]["name"].as_str().unwrap().contains("Kapitał Ludzki"));
}

/// Seed 001 as people: 252 took part (210 planned); 40 completed the training in
/// founding social cooperatives that planned for 35.
#[tokio::test]
async fn seed_001_figures_load_as_people_and_read_back_as_aggregates() {
    let app = spawn_app().await;
    load_demo(&app).await;
    let p = project(&app, "Centrum Ekonomii Społecznej").await;
    let training = app
        .create(
            "activities",
            json!({"project_id": p["id"], "activity_type": "training", "title": "przeszkolenie w zakresie zakładania spółdzielni socjalnych",
                   "planned_participants": 35, "start_date": "2009-11-02", "end_date": "2011-02-28"}),
        )
        .await;
    let mut trainees = Vec::new();
    for i in 0..252u32 {
        let female = i % 2 == 0;
        let body = json!({"project_id": p["id"], "first_name": format!("Uczestnik{i}"), "last_name": "Toruński",
                          "pesel": crate::personal_data::pesel(1960 + (i % 40) as i32, 1 + i % 12, 1 + i % 28, i, female),
                          "joined_on": "2010-01-10"});
        let id = app.create("participants", body).await;
        if i < 44 {
            trainees.push(id);
        }
    }
    for (n, id) in trainees.iter().enumerate() {
        let outcome = if n < 40 { "completed" } else { "dropped_out" };
        app.create("attendance", json!({"participant_id": id, "activity_id": training, "outcome": outcome})).await;
    }
    let summary = app.get(&format!("/api/v1/projects/{}/participants/summary", p["id"])).await.body;
    assert_eq!(summary["participants"], 252);
    assert_eq!(summary["unique_persons"], 252);
    assert_eq!(summary["by_sex"]["female"], 126);
    assert_eq!(summary["attendance"]["completed"], 40);
    assert_eq!(summary["attendance"]["dropped_out"], 4);
    let activity = app.get(&format!("/api/v1/activities/{training}")).await.body;
    assert_eq!(activity["planned_participants"], 35);
    let groups = p["target_groups"].as_array().unwrap();
    assert!(groups.iter().any(|g| g["planned_count"] == 210 && g["actual_count"] == summary["participants"]), "the fiche's 252 equals the people loaded");
}

#[tokio::test]
async fn the_fiches_coordination_facts_are_records_and_their_counts_are_counted() {
    let app = spawn_app().await;
    load_demo(&app).await;

    // Seed 004: PKRES, set up by resolution 598/51/15 of 23.06.2015, and the two networks the project builds.
    let committees = items(&app, "committees?voivodeship=22").await;
    assert_eq!(committees.len(), 1);
    assert_eq!((committees[0]["acronym"].clone(), committees[0]["established_on"].clone()), (json!("PKRES"), json!("2015-06-23")));
    let resolutions = items(&app, &format!("resolutions?committee_id={}", committees[0]["id"])).await;
    assert_eq!((resolutions[0]["number"].clone(), resolutions[0]["adopted_on"].clone()), (json!("598/51/15"), json!("2015-06-23")));
    assert_eq!(resolutions[0]["issued_by"], "Zarząd Województwa Pomorskiego");
    let p004 = project(&app, "Pomorski system przedsiębiorczości społecznej").await;
    let networks = items(&app, &format!("networks?project_id={}", p004["id"])).await;
    let kinds: Vec<&str> = networks.iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["territorial", "reintegration"]);
    // Seed 000: the regional committee; seed 002: the OWES network.
    assert_eq!(items(&app, "committees?voivodeship=04").await[0]["acronym"], "RKES");
    let p002 = project(&app, "Współpraca się opłaca").await;
    assert_eq!(items(&app, &format!("networks?project_id={}", p002["id"])).await[0]["kind"], "owes");

    // Seed 000's five institution counts are counted from the records, one link from each.
    let p000 = project(&app, "Koordynacja rozwoju ekonomii społecznej w województwie kujawsko-pomorskim").await;
    let indicators = items(&app, &format!("indicators?project_id={}", p000["id"])).await;
    let bound: Vec<&Value> = indicators.iter().filter(|i| !i["derived_from_records"].is_null()).collect();
    assert_eq!(bound.len(), 5, "148 PES, 86 gminas, 51 gminas, 8 agreements, 465 workers");
    for indicator in bound {
        let basis = app.anonymous().get(indicator["links"]["basis"].as_str().unwrap()).await;
        assert_eq!(basis.status, 200, "{}", basis.body);
        let progress = app.anonymous().get(&format!("/api/v1/indicators/{}/progress", indicator["id"])).await.body;
        assert_eq!(progress["achieved_value"], basis.body["counted"], "{indicator}");
        assert_eq!(progress["source"], "records");
    }

    // The README's question: which gminas put the social economy into their strategies, in one call.
    let answer = items(&app, "strategy-documents?voivodeship=04&names_social_economy=true&adopted_in=2021").await;
    assert_eq!(answer.len(), 1);
    assert!(organisation_name(&app, &answer[0]["jst_id"]).await.contains("Chełmża"));
}
