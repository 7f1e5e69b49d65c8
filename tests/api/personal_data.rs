//! Participants' personal data: sealed at rest, seen only as the roles allow,
//! exported, erased, retained no longer than allowed, and counted without it.

use crate::helpers::{spawn_app, Fixture, TestApp};
use diesel::prelude::*;
use es_registry::domain::codes::Role;
use serde_json::{json, Value};

/// A valid PESEL for a birth date (1900-2099) and a serial, female or male.
pub fn pesel(year: i32, month: u32, day: u32, serial: u32, female: bool) -> String {
    let month_code = if year >= 2000 { month + 20 } else { month };
    let sex_digit = (serial % 5) * 2 + if female { 0 } else { 1 };
    let body = format!("{:02}{:02}{:02}{:03}{}", year % 100, month_code, day, serial % 1000, sex_digit);
    let weights = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    let sum: u32 = body.chars().zip(weights).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

#[derive(QueryableByName)]
struct RawBytes {
    #[diesel(sql_type = diesel::sql_types::Bytea)]
    bytes: Vec<u8>,
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn the_table_on_disk_holds_no_plaintext_pesel_name_or_email() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let person = json!({"project_id": fx.project, "first_name": "Bożydar", "last_name": "Wścibski", "pesel": "44051401359",
                        "email": "bozydar.wscibski@example.org", "phone": "+48 600 700 800", "residence_teryt": "0463011"});
    app.create("participants", person).await;
    let mut conn = PgConnection::establish(&app.database_url).unwrap();
    diesel::sql_query("CHECKPOINT").execute(&mut conn).unwrap();
    let file: RawBytes = diesel::sql_query("SELECT pg_read_binary_file(pg_relation_filepath('participants')) AS bytes").get_result(&mut conn).unwrap();
    assert!(contains(&file.bytes, "0463011"), "control: an unsealed value is visible in the raw page, so the read works");
    for secret in ["44051401359", "Bożydar", "Wścibski", "bozydar.wscibski@example.org", "600 700 800"] {
        assert!(!contains(&file.bytes, secret), "{secret} is in the raw table");
    }
    // And back through the API, for an admin, the values come out.
    let shown = app.get(&format!("/api/v1/participants?project_id={}", fx.project)).await;
    let me = shown.body["items"].as_array().unwrap().iter().find(|p| p["last_name"] == "Wścibski").unwrap().clone();
    assert_eq!(me["first_name"], "Bożydar");
    assert_eq!(me["pesel"], "*******1359");
    assert_eq!(me["email"], "bozydar.wscibski@example.org");
}

struct People {
    fx: Fixture,
    /// (sex, age band, education, completed?) of each person created.
    created: Vec<(&'static str, &'static str, &'static str, bool)>,
}

/// Nine people with known attributes, six of whom completed the activity.
async fn people(app: &TestApp) -> People {
    let fx = Fixture::new(app).await;
    let spec = [
        ("female", 2005, "isced_0_2", true),
        ("female", 1995, "isced_3_4", true),
        ("female", 1994, "isced_3_4", true),
        ("female", 1970, "isced_5_8", false),
        ("male", 1990, "isced_3_4", true),
        ("male", 1991, "isced_3_4", true),
        ("male", 1960, "isced_5_8", true),
        ("male", 1961, "isced_5_8", false),
        ("male", 1962, "isced_0_2", false),
    ];
    let mut created = Vec::new();
    for (i, (sex, year, education, completed)) in spec.into_iter().enumerate() {
        let body = json!({"project_id": fx.project, "first_name": format!("Osoba{i}"), "last_name": "Testowa",
                          "pesel": pesel(year, 3, 1 + i as u32, i as u32, sex == "female"), "education": education,
                          "labour_status": "employed", "joined_on": "2020-01-15"});
        let id = app.create("participants", body).await;
        let outcome = if completed { "completed" } else { "dropped_out" };
        app.create("attendance", json!({"participant_id": id, "activity_id": fx.activity, "outcome": outcome})).await;
        // Born in March, joined on 15 January 2020: before the birthday that year.
        let band = match 2019 - year {
            a if a < 18 => "under_18",
            a if a < 30 => "18_29",
            a if a < 55 => "30_54",
            _ => "55_plus",
        };
        created.push((sex, band, education, completed));
    }
    People { fx, created }
}

fn tally(created: &[(&str, &str, &str, bool)], key: impl Fn(&(&str, &str, &str, bool)) -> String) -> Value {
    let mut counts = serde_json::Map::new();
    for person in created {
        let n = counts.entry(key(person)).or_insert(json!(0));
        *n = json!(n.as_i64().unwrap() + 1);
    }
    Value::Object(counts)
}

#[tokio::test]
async fn summaries_equal_counts_from_the_person_level_data() {
    let app = spawn_app().await;
    let People { fx, created } = people(&app).await;
    // The fixture's own participant (male, born 1980) is there too.
    let mut all = created.clone();
    all.push(("male", "30_54", "unknown", false));
    let summary = app.get(&format!("/api/v1/projects/{}/participants/summary", fx.project)).await;
    assert_eq!(summary.status, 200, "{}", summary.body);
    let s = &summary.body;
    assert_eq!(s["protected"], false);
    assert_eq!(s["rounding_base"], Value::Null);
    assert_eq!(s["participants"], all.len());
    assert_eq!(s["unique_persons"], all.len());
    assert_eq!(s["by_sex"], tally(&all, |p| p.0.to_owned()));
    assert_eq!(s["by_age_band"], tally(&all, |p| p.1.to_owned()));
    assert_eq!(s["by_education"], tally(&all, |p| p.2.to_owned()));
    let completed = created.iter().filter(|p| p.3).count();
    assert_eq!(s["attendance"]["completed"], completed);
    assert_eq!(s["attendance"]["dropped_out"], created.len() - completed);
    assert_eq!(s["persons_completed"], completed);
    assert_eq!(s["by_labour_status"]["employed"], created.len());
}

/// Every count in a summary, by where it is.
pub fn counts_in(summary: &Value) -> Vec<(String, i64)> {
    let mut counts = Vec::new();
    for (name, value) in summary.as_object().unwrap() {
        match value {
            Value::Number(n) if name != "rounding_base" => counts.push((name.clone(), n.as_i64().unwrap())),
            Value::Object(cells) => counts.extend(cells.iter().map(|(key, n)| (format!("{name}.{key}"), n.as_i64().unwrap()))),
            _ => {}
        }
    }
    counts
}

#[tokio::test]
async fn counts_are_protected_for_readers_who_do_not_own_the_data() {
    let app = spawn_app().await;
    let People { fx, .. } = people(&app).await;
    let jst_org = app.create("beneficiaries", json!({"name": "Gmina Miasta Toruń", "kind": "jst", "voivodeship": "04"})).await;
    let far_jst_org = app.create("beneficiaries", json!({"name": "Gmina Gdańsk", "kind": "jst", "voivodeship": "22"})).await;
    let owes_org = app.create("beneficiaries", json!({"name": "OWES", "kind": "owes", "voivodeship": "04"})).await;
    app.create("partners", json!({"project_id": fx.project, "beneficiary_id": owes_org, "role": "beneficiary"})).await;
    let jst = app.user_token("jst@x.pl", Role::Jst, Some(jst_org)).await;
    let far_jst = app.user_token("jst22@x.pl", Role::Jst, Some(far_jst_org)).await;
    let owes = app.user_token("owes@x.pl", Role::Owes, Some(owes_org)).await;
    let path = format!("/api/v1/projects/{}/participants/summary", fx.project);

    let exact = app.get(&path).await.body;
    let seen = app.as_user(&jst).get(&path).await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.body["protected"], true);
    assert_eq!(seen.body["rounding_base"], 5);
    let truth: std::collections::HashMap<String, i64> = counts_in(&exact).into_iter().collect();
    assert!(truth["by_age_band.under_18"] == 1 && truth["by_education.isced_0_2"] == 2, "the data has a 1 and a 2 to protect");
    for (cell, shown) in counts_in(&seen.body) {
        assert_eq!(shown % 5, 0, "{cell} = {shown} is a multiple of the base");
        assert!((shown - truth[&cell]).abs() < 5, "{cell} = {shown} is within 4 of {}", truth[&cell]);
    }
    assert!(!seen.body.to_string().contains("Osoba"), "no person-level data in a summary");

    let owner = app.as_user(&owes).get(&path).await;
    assert_eq!(owner.body["protected"], false);
    assert_eq!(owner.body["by_age_band"]["under_18"], 1);

    assert_eq!(app.as_user(&far_jst).get(&path).await.status, 403);
    assert_eq!(app.anonymous().get(&path).await.status, 401);
    // A local government never reads the person-level records themselves.
    assert_eq!(app.as_user(&jst).get(&format!("/api/v1/participants?project_id={}", fx.project)).await.status, 403);

    let regional = app.as_user(&jst).get("/api/v1/reports/participants?voivodeship=04").await;
    assert_eq!(regional.status, 200);
    assert_eq!(regional.body["protected"], true);
    assert_eq!(app.as_user(&jst).get("/api/v1/reports/participants?voivodeship=22").await.status, 403);
    assert_eq!(app.get("/api/v1/reports/participants?voivodeship=04&year=2020").await.body["participants"], 9);
    assert_eq!(app.get("/api/v1/reports/participants?voivodeship=99").await.status, 422);
}

#[tokio::test]
async fn the_same_person_counts_once_across_projects() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let other = app.create("projects", json!({"title": "Drugi", "measure_id": fx.sub_measure})).await;
    let person = |project| json!({"project_id": project, "first_name": "Anna", "last_name": "Nowak", "pesel": "02270803624"});
    app.create("participants", person(fx.project)).await;
    app.create("participants", person(other)).await;
    let twice = app.post("/api/v1/participants", &person(other)).await;
    assert_eq!(twice.status, 409, "once per project: {}", twice.body);
    assert!(!twice.body.to_string().contains("02270803624"));
    let regional = app.get("/api/v1/reports/participants?voivodeship=04").await;
    assert_eq!(regional.body["participants"], 3, "two records of Anna and the fixture's participant");
    assert_eq!(regional.body["unique_persons"], 2);
    let found = app.get(&format!("/api/v1/participants?pesel=02270803624&project_id={other}")).await;
    assert_eq!(found.body["total"], 1);
}

#[tokio::test]
async fn export_gives_everything_held_and_is_audited() {
    let app = spawn_app().await;
    let People { fx, .. } = people(&app).await;
    let export = app.get(&format!("/api/v1/participants/{}/export", fx.participant)).await;
    assert_eq!(export.status, 200, "{}", export.body);
    assert_eq!(export.body["participant"]["last_name"], "Kowalski");
    assert_eq!(export.body["attendance"].as_array().unwrap().len(), 0);
    let actions: Vec<&str> = export.body["history"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["export", "create"]);

    let other_owes_org = app.create("beneficiaries", json!({"name": "Inny OWES", "kind": "owes", "voivodeship": "04"})).await;
    let stranger = app.user_token("stranger@x.pl", Role::Owes, Some(other_owes_org)).await;
    assert_eq!(app.as_user(&stranger).get(&format!("/api/v1/participants/{}/export", fx.participant)).await.status, 403);
    assert_eq!(app.anonymous().get(&format!("/api/v1/participants/{}/export", fx.participant)).await.status, 401);
}

#[tokio::test]
async fn erasure_anonymises_the_person_but_keeps_the_counts() {
    let app = spawn_app().await;
    let People { fx, .. } = people(&app).await;
    let summary_path = format!("/api/v1/projects/{}/participants/summary", fx.project);
    let before = app.get(&summary_path).await.body;
    let list = app.get(&format!("/api/v1/participants?project_id={}&limit=200", fx.project)).await.body;
    let someone = list["items"].as_array().unwrap().iter().find(|p| p["first_name"] == "Osoba0").unwrap()["id"].as_i64().unwrap();

    let erased = app.post(&format!("/api/v1/participants/{someone}/erase"), &json!({})).await;
    assert_eq!(erased.status, 200, "{}", erased.body);
    for field in ["first_name", "last_name", "pesel", "birth_date", "email"] {
        assert_eq!(erased.body[field], Value::Null, "{field}");
    }
    assert!(erased.body["anonymised_at"].is_string());
    assert_eq!(erased.body["sex"], "female", "statistical fields stay");

    let after = app.get(&summary_path).await.body;
    for key in ["participants", "by_sex", "by_age_band", "attendance", "persons_completed"] {
        assert_eq!(after[key], before[key], "{key} is unchanged by erasure");
    }
    assert_eq!(app.patch(&format!("/api/v1/participants/{someone}"), &json!({"first_name": "X"})).await.status, 409);
    let trail = app.get(&format!("/api/v1/audit-events?resource=participants&record_id={someone}&action=erase")).await;
    assert_eq!(trail.body["total"], 1);
}

#[tokio::test]
async fn the_retention_run_anonymises_participants_of_expired_projects() {
    let app = spawn_app().await;
    let People { fx, .. } = people(&app).await;
    let kept = app.create("projects", json!({"title": "Trwa", "measure_id": fx.sub_measure, "retention_until": "2999-12-31"})).await;
    let kept_person =
        app.create("participants", json!({"project_id": kept, "first_name": "Jan", "last_name": "Trwały", "birth_date": "1980-01-01", "sex": "male"})).await;
    app.patch(&format!("/api/v1/projects/{}", fx.project), &json!({"retention_until": "2020-12-31"})).await;

    let output =
        std::process::Command::new(env!("CARGO_BIN_EXE_es-registry")).args(["retention", "run"]).env("DATABASE_URL", &app.database_url).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("anonymised 10 participant"), "{}", String::from_utf8_lossy(&output.stdout));

    let list = app.get(&format!("/api/v1/participants?project_id={}&limit=200", fx.project)).await.body;
    assert!(list["items"].as_array().unwrap().iter().all(|p| p["anonymised_at"].is_string() && p["last_name"].is_null()));
    assert_eq!(app.get(&format!("/api/v1/participants/{kept_person}")).await.body["last_name"], "Trwały");
    let trail = app.get("/api/v1/audit-events?resource=participants&action=erase").await;
    assert_eq!(trail.body["total"], 10);
}
