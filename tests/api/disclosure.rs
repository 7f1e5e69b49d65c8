//! Counts of people that no reader can narrow down to one or two persons,
//! however the published tables are combined (issue 16): the demo data plus six
//! participants, five in one project of voivodeship 04 and one in another, read
//! by a local government and by anyone.

use crate::helpers::{spawn_app, TestApp};
use crate::personal_data::{counts_in, pesel};
use crate::seeds::load_demo;
use es_registry::domain::codes::Role;
use serde_json::{json, Value};

/// The five persons of project A: (sex, education, year joined).
const FIVE: [(&str, &str, i32); 5] =
    [("female", "isced_3_4", 2020), ("female", "isced_3_4", 2020), ("female", "isced_5_8", 2021), ("male", "isced_3_4", 2020), ("male", "isced_5_8", 2021)];

struct World {
    project_a: Value,
    project_b: Value,
    jst: String,
    rops: String,
}

async fn five_and_one(app: &TestApp) -> World {
    load_demo(app).await;
    let projects = app.get("/api/v1/projects?voivodeship=04&limit=10").await.body["items"].as_array().unwrap().clone();
    assert!(projects.len() >= 2, "the demo has several projects in voivodeship 04");
    let (project_a, project_b) = (projects[0].clone(), projects[1].clone());
    let person = |project: &Value, i: usize, (sex, education, year): (&str, &str, i32)| {
        json!({"project_id": project["id"], "first_name": format!("Osoba{i}"), "last_name": "Chroniona", "sex": sex, "education": education,
               "pesel": pesel(1970 + i as i32, 4, 1 + i as u32, 100 + i as u32, sex == "female"), "joined_on": format!("{year}-03-01")})
    };
    for (i, spec) in FIVE.into_iter().enumerate() {
        app.create("participants", person(&project_a, i, spec)).await;
    }
    app.create("participants", person(&project_b, 5, ("female", "isced_0_2", 2020))).await;
    let jst_org = app.create("beneficiaries", json!({"name": "Gmina Chełmno", "kind": "jst", "voivodeship": "04"})).await;
    let rops_org = app.create("beneficiaries", json!({"name": "ROPS w Toruniu (test)", "kind": "rops", "voivodeship": "04"})).await;
    let jst = app.user_token("jst-chelmno@x.pl", Role::Jst, Some(jst_org)).await;
    let rops = app.user_token("rops-torun@x.pl", Role::Rops, Some(rops_org)).await;
    World { project_a, project_b, jst, rops }
}

/// Every count a reader gets, labelled by where it was read.
#[derive(Default)]
struct Published(Vec<(String, i64)>);

impl Published {
    fn summary(&mut self, source: &str, body: &Value) {
        assert_eq!(body["protected"], true, "{source}: {body}");
        self.0.extend(counts_in(body).into_iter().map(|(cell, n)| (format!("{source} {cell}"), n)));
    }

    fn portfolio(&mut self, source: &str, body: &Value) {
        for row in body.as_array().unwrap() {
            assert_eq!(row["protected"], true, "{source}: {row}");
            self.0.push((format!("{source} [{}]", row["key"]), row["participants"].as_i64().unwrap()));
        }
    }

    fn get(&self, label: &str) -> i64 {
        self.0.iter().find(|(l, _)| l == label).unwrap_or_else(|| panic!("nothing published as {label}")).1
    }
}

fn neither_one_nor_two(what: &str, derived: i64) {
    assert!(!matches!(derived.abs(), 1 | 2), "{what} gives {derived}: a person could be singled out");
}

const REGIONAL: [&str; 4] = ["voivodeship=04", "voivodeship=04&year=2020", "voivodeship=04&year=2021", "voivodeship=04&year=2019"];
const GROUPS: [&str; 5] = ["programme", "axis", "measure", "year", "voivodeship"];

/// The URLs of every table of people a local government and an anonymous reader get.
fn tables(world: &World) -> (Vec<String>, Vec<String>) {
    let mut signed = vec![
        format!("/api/v1/projects/{}/participants/summary", world.project_a["id"]),
        format!("/api/v1/projects/{}/participants/summary", world.project_b["id"]),
    ];
    signed.extend(REGIONAL.iter().map(|filter| format!("/api/v1/reports/participants?{filter}")));
    signed.push(format!("/api/v1/reports/participants?voivodeship=04&measure_id={}", world.project_a["measure_id"]));
    let mut anonymous: Vec<String> = GROUPS.iter().map(|group| format!("/api/v1/reports/portfolio?group_by={group}")).collect();
    anonymous.extend(GROUPS.iter().map(|group| format!("/api/v1/reports/portfolio?group_by={group}&voivodeship=04")));
    anonymous.push(format!("/api/v1/reports/portfolio?group_by=measure&measure_id={}", world.project_a["measure_id"]));
    (signed, anonymous)
}

async fn read_all(app: &TestApp, world: &World) -> (Published, Vec<Value>) {
    let (signed, anonymous) = tables(world);
    let mut published = Published::default();
    let mut bodies = Vec::new();
    for path in signed {
        let reply = app.as_user(&world.jst).get(&path).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        published.summary(&path, &reply.body);
        bodies.push(reply.body);
    }
    for path in anonymous {
        let reply = app.anonymous().get(&path).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        published.portfolio(&path, &reply.body);
        bodies.push(reply.body);
    }
    (published, bodies)
}

#[tokio::test]
async fn no_count_of_one_or_two_can_be_derived_from_the_published_tables() {
    let app = spawn_app().await;
    let world = five_and_one(&app).await;
    let (published, _) = read_all(&app, &world).await;
    let (a, b) = (&world.project_a["id"], &world.project_b["id"]);
    let summary_a = format!("/api/v1/projects/{a}/participants/summary");
    let summary_b = format!("/api/v1/projects/{b}/participants/summary");
    let regional = "/api/v1/reports/participants?voivodeship=04";

    // Any shown cell.
    for (label, n) in &published.0 {
        neither_one_nor_two(label, *n);
    }
    // A margin minus its shown cells.
    for summary in [&summary_a, &summary_b, &regional.to_owned()] {
        let total = published.get(&format!("{summary} participants"));
        for dimension in ["by_sex", "by_education", "by_age_band", "by_labour_status", "by_organisation_kind"] {
            let cells: Vec<i64> = published.0.iter().filter(|(l, _)| l.starts_with(&format!("{summary} {dimension}."))).map(|(_, n)| *n).collect();
            for left_out in 0..cells.len() {
                let others: i64 = cells.iter().enumerate().filter(|(i, _)| *i != left_out).map(|(_, n)| n).sum();
                neither_one_nor_two(&format!("{summary}: total minus the {dimension} cells but one"), total - others);
            }
        }
    }
    // A regional total minus the shown project totals.
    let region = published.get(&format!("{regional} participants"));
    neither_one_nor_two("region minus project A", region - published.get(&format!("{summary_a} participants")));
    neither_one_nor_two("region minus project B", region - published.get(&format!("{summary_b} participants")));
    // Two overlapping filters, and any other pair of published counts.
    for (i, (first, m)) in published.0.iter().enumerate() {
        for (second, n) in &published.0[i + 1..] {
            neither_one_nor_two(&format!("{first} minus {second}"), m - n);
        }
    }
    // The figures stay near the truth, and hide it: the owner sees what the others do not.
    let exact = app.as_user(&world.rops).get(&summary_a).await.body;
    assert_eq!(exact["protected"], false);
    assert_eq!((exact["participants"].as_i64(), exact["by_sex"]["female"].as_i64(), exact["by_sex"]["male"].as_i64()), (Some(5), Some(3), Some(2)));
    assert_eq!(app.as_user(&world.rops).get(regional).await.body["participants"], 6);
    for (label, n) in &published.0 {
        assert_eq!(n % 5, 0, "{label} = {n} is a multiple of the base");
    }
    assert_eq!(published.get(&format!("{summary_a} participants")), 5, "five persons are five");
    assert!([5, 10].contains(&region), "six persons are published as 5 or 10, not {region}");
}

#[tokio::test]
async fn the_same_cell_gets_the_same_figure_however_often_and_wherever_it_is_asked_for() {
    let app = spawn_app().await;
    let world = five_and_one(&app).await;
    let (first, first_bodies) = read_all(&app, &world).await;
    // A write elsewhere empties the answers kept for anonymous readers, so the
    // second round is computed again.
    app.create("programmes", json!({"code": "TEST.2021-2027", "name": "Program testowy", "period": "2021-2027", "funds": ["ESF"], "voivodeship": "04"})).await;
    let (second, second_bodies) = read_all(&app, &world).await;
    assert_eq!(first.0, second.0);
    assert_eq!(first_bodies, second_bodies);

    // Voivodeship 04 counted three ways: the maintained roll-up, the filtered
    // report and the regional summary. The persons are the same, so is the figure.
    let rolled = first.get("/api/v1/reports/portfolio?group_by=voivodeship [\"04\"]");
    assert_eq!(rolled, first.get("/api/v1/reports/portfolio?group_by=voivodeship&voivodeship=04 [\"04\"]"));
    assert_eq!(rolled, first.get("/api/v1/reports/participants?voivodeship=04 participants"));
    assert_eq!(rolled, first.get("/api/v1/reports/participants?voivodeship=04 unique_persons"));

    // An admin reads the same report exactly, and says so.
    let exact = app.get("/api/v1/reports/portfolio?group_by=voivodeship").await.body;
    let row = exact.as_array().unwrap().iter().find(|r| r["key"] == "04").unwrap().clone();
    assert_eq!((row["participants"].clone(), row["protected"].clone(), row["rounding_base"].clone()), (json!(6), json!(false), Value::Null));
}

#[derive(diesel::QueryableByName)]
struct Rounded {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    people: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    keys: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    shown: i64,
}

/// The rounding rule (`protected_count`, in the database) for every count up to
/// 200 and every cell key.
#[tokio::test]
async fn the_rounding_rule_publishes_multiples_of_the_base_near_the_truth_and_unbiased() {
    use diesel::prelude::*;
    let app = spawn_app().await;
    let mut conn = PgConnection::establish(&app.database_url).unwrap();
    let rounded: Vec<Rounded> = diesel::sql_query(
        "SELECT n AS people, k AS keys, protected_count(n, k, 5) AS shown FROM generate_series(0::bigint, 199) n, generate_series(0::bigint, 255) k",
    )
    .load(&mut conn)
    .unwrap();
    assert_eq!(rounded.len(), 200 * 256);
    for r in &rounded {
        assert_eq!(r.shown % 5, 0, "{} with keys {} shown as {}", r.people, r.keys, r.shown);
        assert!((r.shown - r.people).abs() < 5, "{} with keys {} shown as {}", r.people, r.keys, r.shown);
        if r.people == 0 {
            assert_eq!(r.shown, 0, "nobody is nobody");
        }
    }
    for people in 1..5 {
        let up = rounded.iter().filter(|r| r.people == people && r.shown == 5).count() as i64;
        // A share people/5 of the 256 keys rounds up, to the key: unbiased.
        assert!((up - people * 256 / 5).abs() <= 1, "{people}: {up} of 256 keys round up");
    }
    let mean = rounded.iter().filter(|r| r.people == 7).map(|r| r.shown as f64).sum::<f64>() / 256.0;
    assert!((mean - 7.0).abs() < 0.05, "mean {mean}");
    let wrapped: Vec<Rounded> =
        diesel::sql_query("SELECT 6::bigint AS people, 40::bigint AS keys, protected_count(6, 40 + 256 * 9, 5) - protected_count(6, 40, 5) AS shown")
            .load(&mut conn)
            .unwrap();
    assert_eq!(wrapped[0].shown, 0, "a cell's key is its keys' sum modulo 256");
}

/// The base is configuration: an instance started with another one puts it into
/// effect, figures the database keeps (indicator roll-ups) included.
#[tokio::test]
async fn another_rounding_base_applies_to_every_published_count() {
    let app = spawn_app().await;
    let fx = crate::helpers::Fixture::new(&app).await;
    let indicator = app
        .create(
            "indicators",
            json!({"project_id": fx.project, "name": "Osoby przeszkolone", "kind": "output", "target_value": "20", "derived_from": ["training"]}),
        )
        .await;
    for i in 0..7 {
        let person = app
            .create(
                "participants",
                json!({"project_id": fx.project, "first_name": format!("O{i}"), "last_name": "T", "sex": "female", "birth_date": "1990-01-01"}),
            )
            .await;
        app.create("attendance", json!({"participant_id": person, "activity_id": fx.activity, "outcome": "completed"})).await;
    }
    let other = app.another_instance(|settings| settings.disclosure = es_registry::domain::disclosure::Rounding::new(10).unwrap()).await;
    let read = |path: String| app.send(app.client.get(format!("{other}{path}")));

    let progress = read(format!("/api/v1/indicators/{indicator}/progress")).await.body;
    assert_eq!(progress["rounding_base"], 10);
    assert!(["0", "10"].contains(&progress["achieved_value"].as_str().unwrap()), "7 persons with base 10: {progress}");
    let rollup = read("/api/v1/reports/indicators?group_by=voivodeship".to_owned()).await.body;
    assert_eq!(rollup[0]["sum_achieved"], progress["achieved_value"], "the maintained roll-ups were refreshed: {rollup}");
    let portfolio = read("/api/v1/reports/portfolio?group_by=voivodeship".to_owned()).await.body;
    assert!([0, 10].contains(&portfolio[0]["participants"].as_i64().unwrap()), "8 participants with base 10: {portfolio}");
    // An admin still reads the truth.
    let exact = app.send(app.client.get(format!("{other}/api/v1/indicators/{indicator}/progress")).bearer_auth(&app.admin_token)).await.body;
    assert_eq!(exact["achieved_value"], "7");
}
