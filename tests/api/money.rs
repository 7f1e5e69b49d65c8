//! Money over time: budgets, payment claims, the spending report and a
//! project's spending. Expected figures are added up by hand from the records
//! each test creates.

use crate::helpers::{spawn_app, Reply, TestApp};
use crate::permissions::world;
use es_registry::domain::codes::Role;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::str::FromStr;

fn dec(value: &Value) -> Decimal {
    Decimal::from_str(value.as_str().unwrap_or_else(|| panic!("a decimal string, not {value}"))).unwrap()
}

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn budget(project: i64, year: i32, category: &str, amount: &str) -> Value {
    json!({"project_id": project, "year": year, "category": category, "amount": amount})
}

/// A claim for the calendar year `year`.
fn claim(project: i64, number: &str, year: i32, kind: &str, status: &str, claimed: &str, approved: Option<&str>) -> Value {
    let mut body = json!({"project_id": project, "number": number, "period_from": format!("{year}-01-01"), "period_to": format!("{year}-12-31"),
                          "kind": kind, "status": status, "claimed_amount": claimed, "submitted_on": format!("{}-01-20", year + 1)});
    if let Some(approved) = approved {
        body["approved_amount"] = json!(approved);
        body["approved_on"] = json!(format!("{}-03-15", year + 1));
    }
    body
}

async fn upload(app: &TestApp, path: &str, body: String) -> Reply {
    app.send(app.client.post(app.url(path)).bearer_auth(&app.admin_token).header("content-type", "text/csv").body(body)).await
}

#[tokio::test]
async fn budgets_and_claims_are_written_by_whoever_may_write_the_project() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let owes_a = app.user_token("owes-a@money.pl", Role::Owes, Some(w.owes_a)).await;
    let rops_kp = app.user_token("rops-kp@money.pl", Role::Rops, Some(w.rops_kp_org)).await;
    let rops_pm = app.user_token("rops-pm@money.pl", Role::Rops, Some(w.rops_pm_org)).await;

    // Admin, the project's OWES and its voivodeship's ROPS write its money.
    app.create("budgets", budget(w.project_a, 2020, "staff", "100000.00")).await;
    let owes_line = app.as_user(&owes_a).post("/api/v1/budgets", &budget(w.project_a, 2020, "services", "50000.00")).await;
    assert_eq!(owes_line.status, 201, "{}", owes_line.body);
    let rops_claim = app
        .as_user(&rops_kp)
        .post("/api/v1/payment-claims", &claim(w.project_a, "RPKP.09.04.00-04-0001/17-001", 2020, "interim", "submitted", "60000.00", None))
        .await;
    assert_eq!(rops_claim.status, 201, "{}", rops_claim.body);
    let owes_claim = app
        .as_user(&owes_a)
        .post("/api/v1/payment-claims", &claim(w.project_a, "RPKP.09.04.00-04-0001/17-002", 2021, "interim", "draft", "10000.00", None))
        .await;
    assert_eq!(owes_claim.status, 201, "{}", owes_claim.body);
    assert_eq!(owes_claim.body["links"]["project"], format!("/api/v1/projects/{}", w.project_a), "{}", owes_claim.body);

    // Another organisation's OWES and another voivodeship's ROPS are refused.
    let b_line = app.create("budgets", budget(w.project_b, 2020, "staff", "1.00")).await;
    let refused = app.as_user(&owes_a).post("/api/v1/budgets", &budget(w.project_b, 2021, "staff", "1.00")).await;
    assert_eq!(refused.status, 403, "OWES A's partnership of project B ended: {}", refused.body);
    assert_eq!(refused.content_type(), "application/problem+json");
    assert_eq!(app.as_user(&owes_a).patch(&format!("/api/v1/budgets/{b_line}"), &json!({"amount": "2.00"})).await.status, 403);
    assert_eq!(app.as_user(&owes_a).delete(&format!("/api/v1/budgets/{b_line}")).await.status, 403);
    let moved = app.as_user(&owes_a).patch(&format!("/api/v1/payment-claims/{}", owes_claim.id()), &json!({"project_id": w.project_b})).await;
    assert_eq!(moved.status, 403, "nor is a claim moved into another organisation's project: {}", moved.body);
    let foreign = app.as_user(&rops_pm).post("/api/v1/payment-claims", &claim(w.project_a, "X/1", 2020, "interim", "draft", "1.00", None)).await;
    assert_eq!(foreign.status, 403, "{}", foreign.body);
    assert_eq!(app.as_user(&rops_pm).patch(&format!("/api/v1/payment-claims/{}", rops_claim.id()), &json!({"notes": "x"})).await.status, 403);
    assert_eq!(app.as_user(&rops_pm).post("/api/v1/budgets", &budget(w.project_pm, 2020, "staff", "1.00")).await.status, 201, "its own region's project");
    let missing = app.post("/api/v1/budgets", &budget(999_999, 2020, "staff", "1.00")).await;
    assert_eq!((missing.status, missing.error_fields()), (422, vec!["project_id".to_owned()]), "{}", missing.body);

    // Money is public; writing it is not.
    let listed = app.anonymous().get(&format!("/api/v1/budgets?project_id={}&sort=-amount", w.project_a)).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.body["total"], 2);
    assert_eq!(listed.body["items"][0]["amount"], "100000.00");
    assert_eq!(app.anonymous().post("/api/v1/budgets", &budget(w.project_a, 2022, "staff", "1.00")).await.status, 401);
    let drafts = app.anonymous().get(&format!("/api/v1/payment-claims?project_id={}&status=draft", w.project_a)).await;
    assert_eq!(drafts.body["total"], 1, "{}", drafts.body);
}

#[tokio::test]
async fn money_that_cannot_be_is_refused_field_by_field() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let project = app
        .create(
            "projects",
            json!({"title": "Z datami", "measure_id": w.kp_measure, "total_value": "100000.00", "planned_start": "2019-03-01", "planned_end": "2020-06-30"}),
        )
        .await;
    let refused = |reply: Reply| {
        assert_eq!(reply.status, 422, "{}", reply.body);
        assert_eq!(reply.content_type(), "application/problem+json");
        let mut fields = reply.error_fields();
        fields.sort();
        fields
    };
    let negative =
        app.post("/api/v1/budgets", &json!({"project_id": project, "year": 2019, "category": "staff", "amount": "-1.00", "eu_amount": "5.00"})).await;
    assert_eq!(refused(negative), ["amount", "eu_amount"], "a negative amount, and an EU share above it");
    let grosze = app.post("/api/v1/budgets", &budget(project, 2019, "staff", "1.001")).await;
    assert_eq!(refused(grosze), ["amount"]);
    assert_eq!(refused(app.post("/api/v1/budgets", &budget(project, 2021, "staff", "1.00")).await), ["year"], "after the project's end");
    assert_eq!(refused(app.post("/api/v1/budgets", &budget(project, 2018, "staff", "1.00")).await), ["year"], "before its start");
    let unknown = app.post("/api/v1/budgets", &budget(project, 2019, "catering", "1.00")).await;
    assert_eq!(unknown.status, 422, "an unknown category: {}", unknown.body);
    app.create("budgets", budget(project, 2020, "staff", "1.00")).await;
    let twice = app.post("/api/v1/budgets", &budget(project, 2020, "staff", "2.00")).await;
    assert_eq!(twice.status, 409, "one line per project, year and category: {}", twice.body);
    // A project without dates takes any plausible year.
    let undated = app.create("projects", json!({"title": "Bez dat", "measure_id": w.kp_measure})).await;
    app.create("budgets", budget(undated, 2031, "other", "1.00")).await;

    let above = claim(project, "K/1", 2019, "interim", "approved", "1000.00", Some("1000.01"));
    assert_eq!(refused(app.post("/api/v1/payment-claims", &above).await), ["approved_amount"], "more approved than claimed");
    let mut draft = claim(project, "K/2", 2019, "interim", "draft", "1000.00", None);
    draft["approved_amount"] = json!("500.00");
    assert_eq!(refused(app.post("/api/v1/payment-claims", &draft).await), ["approved_amount"], "an approved amount on a draft");
    let unstated = claim(project, "K/3", 2019, "final", "approved", "1000.00", None);
    assert_eq!(refused(app.post("/api/v1/payment-claims", &unstated).await), ["approved_amount"], "an approved claim without its amount");
    let mut eu = claim(project, "K/4", 2019, "interim", "approved", "1000.00", Some("900.00"));
    eu["eu_approved_amount"] = json!("900.01");
    assert_eq!(refused(app.post("/api/v1/payment-claims", &eu).await), ["eu_approved_amount"]);
    let backwards = json!({"project_id": project, "number": "K/5", "period_from": "2019-12-31", "period_to": "2019-01-01", "kind": "interim",
                           "status": "approved", "claimed_amount": "-5.00", "approved_amount": "1.00", "submitted_on": "2020-02-01", "approved_on": "2020-01-01"});
    assert_eq!(refused(app.post("/api/v1/payment-claims", &backwards).await), ["approved_amount", "approved_on", "claimed_amount", "period_to"]);
    let blank = json!({"project_id": project, "number": "  ", "period_from": "2019-01-01", "period_to": "2019-12-31", "kind": "advance", "status": "draft", "claimed_amount": "1.00"});
    assert_eq!(refused(app.post("/api/v1/payment-claims", &blank).await), ["number"]);
    let unreadable = app.post("/api/v1/payment-claims", &json!({"project_id": project, "number": "K/6", "claimed_amount": 12.5})).await;
    assert!(unreadable.status == 400 || unreadable.status == 422, "{}", unreadable.body);
    let first = app.create("payment-claims", claim(project, "K/7", 2019, "interim", "submitted", "1000.00", None)).await;
    assert_eq!(
        app.post("/api/v1/payment-claims", &claim(project, " K/7 ", 2020, "interim", "draft", "1.00", None)).await.status,
        409,
        "a number once per project"
    );
    // Approving is a change of status with its amount; approving twice as much is not.
    let approve = json!({"status": "approved", "approved_amount": "2000.00", "approved_on": "2020-03-01"});
    assert_eq!(refused(app.patch(&format!("/api/v1/payment-claims/{first}"), &approve).await), ["approved_amount"]);
    let approve = json!({"status": "approved", "approved_amount": "950.00", "approved_on": "2020-03-01"});
    assert_eq!(app.patch(&format!("/api/v1/payment-claims/{first}"), &approve).await.status, 200);
}

#[tokio::test]
async fn spending_rolls_up_by_programme_and_year_and_flags_projects_behind() {
    let app = spawn_app().await;
    let programme = |code: &str| json!({"code": code, "name": format!("Program {code}"), "period": "2014-2020", "voivodeship": "04"});
    let p1 = app.create("programmes", programme("RPKP.2014-2020")).await;
    let p2 = app.create("programmes", programme("FEKP.2021-2027")).await;
    let axis1 = app.create("priority-axes", json!({"programme_id": p1, "number": "9"})).await;
    let axis2 = app.create("priority-axes", json!({"programme_id": p2, "number": "8"})).await;
    let m1 = app.create("measures", json!({"priority_axis_id": axis1, "code": "9.4", "name": "ES"})).await;
    let m2 = app.create("measures", json!({"priority_axis_id": axis2, "code": "8.1", "name": "ES"})).await;
    // A and B ran 2019-2020 (their whole period has elapsed); C runs 2030-2031 (none of it has).
    let project = |title: &str, measure: i64, value: &str, from: &str, to: &str| json!({"title": title, "measure_id": measure, "total_value": value, "planned_start": from, "planned_end": to});
    let a = app.create("projects", project("A", m1, "1000000.00", "2019-01-01", "2020-12-31")).await;
    let b = app.create("projects", project("B", m1, "500000.00", "2019-01-01", "2020-12-31")).await;
    let c = app.create("projects", project("C", m2, "200000.00", "2030-01-01", "2031-12-31")).await;
    for (p, year, category, amount) in [
        (a, 2019, "staff", "400000.00"),
        (a, 2019, "services", "100000.00"),
        (a, 2020, "staff", "500000.00"),
        (b, 2019, "other", "250000.00"),
        (b, 2020, "other", "250000.00"),
        (c, 2030, "staff", "200000.00"),
    ] {
        app.create("budgets", budget(p, year, category, amount)).await;
    }
    let mut a2019 = claim(a, "A/1", 2019, "interim", "approved", "450000.00", Some("440000.00"));
    a2019["eu_approved_amount"] = json!("374000.00");
    app.create("payment-claims", a2019).await;
    app.create("payment-claims", claim(a, "A/2", 2020, "final", "approved", "500000.00", Some("480000.00"))).await;
    app.create("payment-claims", claim(a, "A/0", 2019, "advance", "approved", "200000.00", Some("200000.00"))).await; // money ahead, not spending
    app.create("payment-claims", claim(a, "A/3", 2020, "interim", "draft", "10000.00", None)).await; // not handed in
    app.create("payment-claims", claim(b, "B/1", 2019, "interim", "approved", "100000.00", Some("100000.00"))).await;
    let b2 = app.create("payment-claims", claim(b, "B/2", 2020, "interim", "submitted", "150000.00", None)).await;
    app.create("payment-claims", claim(b, "B/3", 2020, "interim", "rejected", "70000.00", None)).await; // refused: not claimed

    // By programme. P1: A and B. Budgeted 400 000 + 100 000 + 500 000 + 250 000 + 250 000;
    // claimed 450 000 + 500 000 (A) + 100 000 + 150 000 (B); approved 440 000 + 480 000 + 100 000
    // of 1 500 000 = 68.0 %; both periods over: 100.0 % expected. B (100 000 of 500 000 = 20.0 %)
    // is more than 25 points behind; A (92.0 %) is not. P2: C, nothing spent and nothing expected.
    let report = app.anonymous().get("/api/v1/reports/spending?group_by=programme").await;
    assert_eq!(report.status, 200, "{}", report.body);
    let rows = report.body.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{}", report.body);
    let (r1, r2) = (&rows[0], &rows[1]);
    assert_eq!((r1["key"].clone(), r1["code"].clone(), r1["projects"].clone()), (json!(p1.to_string()), json!("RPKP.2014-2020"), json!(2)));
    let money = |row: &Value| ["total_value", "budgeted", "claimed", "approved", "eu_approved"].map(|k| dec(&row[k]));
    let hand = |values: [&str; 5]| values.map(d);
    assert_eq!(
        money(r1),
        hand([
            "1500000",
            &(400_000 + 100_000 + 500_000 + 250_000 + 250_000).to_string(),
            &(450_000 + 500_000 + 100_000 + 150_000).to_string(),
            &(440_000 + 480_000 + 100_000).to_string(),
            "374000"
        ])
    );
    assert_eq!((dec(&r1["spent_percent"]), dec(&r1["expected_percent"]), r1["projects_behind_spending"].clone()), (d("68.0"), d("100.0"), json!(1)));
    assert_eq!(r2["code"], "FEKP.2021-2027");
    assert_eq!(money(r2), hand(["200000", "200000", "0", "0", "0"]));
    assert_eq!((dec(&r2["spent_percent"]), dec(&r2["expected_percent"]), r2["projects_behind_spending"].clone()), (d("0"), d("0"), json!(0)));

    // By year: money by the year of the budget line and of the claim's period end. Each of
    // A's and B's two-year periods has half its days in 2019 and half in 2020 (365 of 730),
    // so 50.0 % was expected within each year; 2019 approved 440 000 + 100 000 and 2020
    // 480 000 of their 1 500 000. C's 2030 has not begun.
    let by_year = app.anonymous().get("/api/v1/reports/spending?group_by=year").await;
    assert_eq!(by_year.status, 200, "{}", by_year.body);
    let years: Vec<(Value, Value)> = by_year.body.as_array().unwrap().iter().map(|r| (r["key"].clone(), r["projects"].clone())).collect();
    assert_eq!(years, [(json!("2019"), json!(2)), (json!("2020"), json!(2)), (json!("2030"), json!(1))]);
    let y = &by_year.body;
    assert_eq!(money(&y[0]), hand(["1500000", "750000", &(450_000 + 100_000).to_string(), &(440_000 + 100_000).to_string(), "374000"]));
    assert_eq!(money(&y[1]), hand(["1500000", "750000", &(500_000 + 150_000).to_string(), "480000", "0"]));
    assert_eq!((dec(&y[0]["spent_percent"]), dec(&y[0]["expected_percent"])), (d("36.0"), d("50.0")));
    assert_eq!((dec(&y[1]["spent_percent"]), dec(&y[1]["expected_percent"])), (d("32.0"), d("50.0")));
    assert_eq!((dec(&y[2]["budgeted"]), dec(&y[2]["expected_percent"]), y[2]["projects_behind_spending"].clone()), (d("200000"), d("0"), json!(0)));
    assert_eq!(y[0]["projects_behind_spending"], 1);

    // Filters narrow the projects; unknown parameters and groupings are refused.
    let filtered = app.anonymous().get(&format!("/api/v1/reports/spending?group_by=measure&programme_id={p2}")).await.body;
    assert_eq!((filtered.as_array().unwrap().len(), filtered[0]["code"].clone()), (1, json!("8.1")), "{filtered}");
    let voivodeship = app.anonymous().get("/api/v1/reports/spending?group_by=voivodeship").await.body;
    assert_eq!((voivodeship[0]["code"].clone(), voivodeship[0]["projects"].clone()), (json!("04"), json!(3)), "{voivodeship}");
    for bad in ["group_by=definition", "grup_by=year", "group_by=year&colour=red"] {
        let reply = app.anonymous().get(&format!("/api/v1/reports/spending?{bad}")).await;
        assert_eq!((reply.status, reply.content_type()), (400, "application/problem+json"), "{bad}: {}", reply.body);
    }
    let csv = app.anonymous().get("/api/v1/reports/spending?group_by=programme&format=csv").await;
    let text = csv.body.as_str().unwrap();
    assert!(csv.content_type().starts_with("text/csv"), "{}", csv.content_type());
    assert!(
        text.starts_with(
            "key,code,name,projects,total_value,eu_amount,budgeted,claimed,approved,eu_approved,spent_percent,expected_percent,projects_behind_spending\r\n"
        ),
        "{text}"
    );
    assert!(text.contains(",1500000,,1500000,1200000,1020000,374000,68.0,100.0,1\r\n"), "{text}");

    // The project's own view says the same, year by year.
    let spending = app.anonymous().get(&format!("/api/v1/projects/{b}/spending")).await;
    assert_eq!(spending.status, 200, "{}", spending.body);
    let s = &spending.body;
    assert_eq!((dec(&s["spent_percent"]), dec(&s["expected_percent"]), s["behind_spending"].clone()), (d("20.0"), d("100.0"), json!(true)));
    assert_eq!(dec(&s["behind_threshold"]), d("25"));
    assert_eq!((dec(&s["claimed"]), dec(&s["approved"]), dec(&s["budgeted"])), (d("250000"), d("100000"), d("500000")));
    let per_year: Vec<(i64, Decimal, Decimal, Decimal, bool)> = s["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| {
            (
                y["year"].as_i64().unwrap(),
                dec(&y["approved_to_date"]),
                dec(&y["spent_percent"]),
                dec(&y["expected_percent"]),
                y["behind_spending"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(per_year, [(2019, d("100000"), d("20.0"), d("50.0"), true), (2020, d("100000"), d("20.0"), d("100.0"), true)]);
    let a_spending = app.anonymous().get(&format!("/api/v1/projects/{a}/spending")).await.body;
    assert_eq!((dec(&a_spending["spent_percent"]), a_spending["behind_spending"].clone()), (d("92.0"), json!(false)));
    assert_eq!(a_spending["years"][0]["behind_spending"], false, "44.0 % against 50.0 % is within 25 points");
    let c_spending = app.anonymous().get(&format!("/api/v1/projects/{c}/spending")).await.body;
    assert_eq!((c_spending["behind_spending"].clone(), c_spending["years"][0]["expected_percent"].clone()), (json!(false), Value::Null), "{c_spending}");
    assert_eq!(app.anonymous().get("/api/v1/projects/999999/spending").await.status, 404);

    // B's 2020 claim approved (and its amount corrected): 100 000 + 300 000 of 500 000 = 80.0 %, no longer behind.
    let approved = app
        .patch(
            &format!("/api/v1/payment-claims/{b2}"),
            &json!({"status": "approved", "claimed_amount": "300000.00", "approved_amount": "300000.00", "approved_on": "2021-03-15"}),
        )
        .await;
    assert_eq!(approved.status, 200, "{}", approved.body);
    let s = app.anonymous().get(&format!("/api/v1/projects/{b}/spending")).await.body;
    assert_eq!((dec(&s["spent_percent"]), s["behind_spending"].clone()), (d("80.0"), json!(false)));
    let r = app.anonymous().get(&format!("/api/v1/reports/spending?programme_id={p1}")).await.body;
    assert_eq!((dec(&r[0]["approved"]), r[0]["projects_behind_spending"].clone()), (d("1320000"), json!(0)), "{r}");
}

#[tokio::test]
async fn budgets_import_by_project_year_and_category() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let p = w.project_a;
    let file = format!(
        "project_id,year,category,amount,eu_amount,notes\n{p},2020,staff,100000.00,85000.00,\n{p},2020,indirect,15000.00,,ryczałt\n{p},2021,staff,90000.00,,\n"
    );
    let loaded = upload(&app, "/api/v1/imports/budgets", file.clone()).await;
    assert_eq!(loaded.status, 200, "{}", loaded.body);
    assert_eq!((loaded.body["inserted"].clone(), loaded.body["updated"].clone()), (json!(3), json!(0)), "{}", loaded.body);
    let again = upload(&app, "/api/v1/imports/budgets", file.replace("2021,staff,90000.00", "2021,staff,95000.00")).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(
        (again.body["inserted"].clone(), again.body["updated"].clone(), again.body["unchanged"].clone()),
        (json!(0), json!(1), json!(2)),
        "the line is found again by its key: {}",
        again.body
    );
    assert_eq!(app.total(&format!("budgets?project_id={p}")).await, 3);
    let line = app.get(&format!("/api/v1/budgets?project_id={p}&year=2021")).await;
    assert_eq!(line.body["items"][0]["amount"], "95000.00");
    // A bad line refuses the whole file, with its line number.
    let bad = upload(&app, "/api/v1/imports/budgets", format!("project_id,year,category,amount\n{p},2022,staff,1.00\n{p},2022,services,-1.00\n")).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!((bad.body["errors"][0]["field"].clone(), bad.body["errors"][0]["line"].clone()), (json!("amount"), json!(3)), "{}", bad.body);
    assert_eq!(app.total(&format!("budgets?project_id={p}")).await, 3, "nothing of it was written");
    // Claims import by their number within the project.
    let claims = format!("project_id,number,period_from,period_to,kind,status,claimed_amount,approved_amount\n{p},WNP/1,2020-01-01,2020-06-30,interim,approved,5000.00,4000.00\n");
    let loaded = upload(&app, "/api/v1/imports/payment-claims", claims.clone()).await;
    assert_eq!(loaded.body["inserted"], 1, "{}", loaded.body);
    let again = upload(&app, "/api/v1/imports/payment-claims", claims).await;
    assert_eq!(again.body["unchanged"], 1, "{}", again.body);
}

#[tokio::test]
async fn the_demo_money_adds_up() {
    let app = spawn_app().await;
    crate::seeds::load_demo(&app).await;
    let projects = app.anonymous().get("/api/v1/projects?limit=200").await;
    let p000 = projects.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["title"].as_str().unwrap().starts_with("Koordynacja rozwoju ekonomii społecznej w województwie kujawsko-pomorskim"))
        .and_then(|p| p["id"].as_i64())
        .unwrap();
    let s = app.anonymous().get(&format!("/api/v1/projects/{p000}/spending")).await.body;
    // demo/22-money.json: the budget lines add up to the fiche's total value; the
    // advance is left out; the final claim is submitted, not yet approved.
    assert_eq!(dec(&s["budgeted"]), d("3359267.15"), "{s}");
    assert_eq!(dec(&s["claimed"]), d("598400.00") + d("688950.00") + d("702300.00") + d("715000.00") + d("585100.00"));
    assert_eq!(dec(&s["approved"]), d("590120.35") + d("681200.00") + d("699870.10") + d("709450.00"));
    assert_eq!((dec(&s["expected_percent"]), s["behind_spending"].clone()), (d("100.0"), json!(false)), "the period ended in 2023");
    let report = app.anonymous().get("/api/v1/reports/spending?group_by=voivodeship&format=csv").await;
    assert_eq!(report.status, 200);
}

/// Claim `id` as stored.
async fn stored_claim(app: &TestApp, id: i64) -> Value {
    let reply = app.get(&format!("/api/v1/payment-claims/{id}")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

/// Refused for who asked, with a problem document that says why.
fn forbidden(reply: &Reply, what: &str) {
    assert_eq!(reply.status, 403, "{what}: {}", reply.body);
    assert_eq!(reply.content_type(), "application/problem+json", "{what}");
    assert!(reply.body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{what}: {}", reply.body);
}

#[tokio::test]
async fn a_claim_is_made_by_its_project_and_decided_by_its_rops_never_by_its_maker() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let owes = app.user_token("owes-a@claims.pl", Role::Owes, Some(w.owes_a)).await;
    let rops = app.user_token("rops-kp@claims.pl", Role::Rops, Some(w.rops_kp_org)).await;
    let second_rops = app.user_token("rops-kp-2@claims.pl", Role::Rops, Some(w.rops_kp_org)).await;
    let rops_pm = app.user_token("rops-pm@claims.pl", Role::Rops, Some(w.rops_pm_org)).await;
    let p = w.project_a;
    let path = |id: i64| format!("/api/v1/payment-claims/{id}");
    let approve = |amount: &str| json!({"status": "approved", "approved_amount": amount, "approved_on": "2021-03-15"});

    // The tester's finding: an OWES approving its own claim as it makes it.
    let own = claim(p, "W/1", 2020, "interim", "approved", "300000.00", Some("300000.00"));
    forbidden(&app.as_user(&owes).post("/api/v1/payment-claims", &own).await, "an OWES does not approve its own claim");
    for status in ["rejected", "returned"] {
        let verdict = claim(p, "W/1", 2020, "interim", status, "300000.00", None);
        forbidden(&app.as_user(&owes).post("/api/v1/payment-claims", &verdict).await, status);
    }
    let mut amount = claim(p, "W/1", 2020, "interim", "submitted", "300000.00", None);
    amount["approved_amount"] = json!("300000.00");
    let refused = app.as_user(&owes).post("/api/v1/payment-claims", &amount).await;
    assert!(refused.status == 403 || refused.status == 422, "an approved amount is not the project's to give: {}", refused.body);
    assert_eq!(refused.content_type(), "application/problem+json");
    assert_eq!(app.total(&format!("payment-claims?project_id={p}")).await, 0, "nothing was written");
    let spending = app.anonymous().get(&format!("/api/v1/projects/{p}/spending")).await.body;
    assert_eq!(dec(&spending["approved"]), Decimal::ZERO, "{spending}");

    // The project makes, changes and deletes its claims while they are undecided.
    let draft = app.as_user(&owes).post("/api/v1/payment-claims", &claim(p, "W/1", 2020, "interim", "draft", "300000.00", None)).await;
    assert_eq!(draft.status, 201, "{}", draft.body);
    let submitted = app.as_user(&owes).patch(&path(draft.id()), &json!({"status": "submitted", "claimed_amount": "290000.00"})).await;
    assert_eq!(submitted.status, 200, "{}", submitted.body);
    let spare = app.as_user(&owes).post("/api/v1/payment-claims", &claim(p, "W/9", 2021, "interim", "draft", "1.00", None)).await;
    assert_eq!(app.as_user(&owes).delete(&path(spare.id())).await.status, 204);
    // ... but does not decide them, once made.
    forbidden(&app.as_user(&owes).patch(&path(draft.id()), &approve("290000.00")).await, "an OWES does not approve its claim");
    forbidden(&app.as_user(&owes).patch(&path(draft.id()), &json!({"status": "rejected"})).await, "nor reject it");
    assert_eq!(stored_claim(&app, draft.id()).await["status"], "submitted", "nothing was written");

    // The ROPS of the region decides, and another region's does not.
    forbidden(&app.as_user(&rops_pm).patch(&path(draft.id()), &approve("290000.00")).await, "another region's ROPS");
    let returned = app.as_user(&rops).patch(&path(draft.id()), &json!({"status": "returned", "notes": "brak faktur"})).await;
    assert_eq!(returned.status, 200, "{}", returned.body);
    // A returned claim is the project's to correct and hand in again.
    let again = app.as_user(&owes).patch(&path(draft.id()), &json!({"status": "submitted", "claimed_amount": "280000.00"})).await;
    assert_eq!(again.status, 200, "{}", again.body);
    // A ROPS that changed the claim does not approve it alone, nor changes it in the approving write.
    let corrected = app.as_user(&rops).patch(&path(draft.id()), &json!({"claimed_amount": "270000.00"})).await;
    assert_eq!(corrected.status, 200, "{}", corrected.body);
    forbidden(&app.as_user(&rops).patch(&path(draft.id()), &approve("270000.00")).await, "the ROPS account that last changed it");
    let mut both = approve("260000.00");
    both["claimed_amount"] = json!("260000.00");
    forbidden(&app.as_user(&second_rops).patch(&path(draft.id()), &both).await, "changing and deciding at once");
    let decided = app.as_user(&second_rops).patch(&path(draft.id()), &approve("265000.00")).await;
    assert_eq!(decided.status, 200, "another account of the ROPS approves: {}", decided.body);
    assert_eq!((decided.body["status"].clone(), decided.body["approved_amount"].clone()), (json!("approved"), json!("265000.00")));

    // A claim a ROPS account made is decided by another account, or an admin.
    let made = app.as_user(&rops).post("/api/v1/payment-claims", &claim(p, "W/2", 2020, "interim", "submitted", "1000.00", None)).await;
    assert_eq!(made.status, 201, "{}", made.body);
    forbidden(&app.as_user(&rops).patch(&path(made.id()), &approve("900.00")).await, "the ROPS account that made it");
    forbidden(&app.as_user(&rops).post("/api/v1/payment-claims", &claim(p, "W/3", 2021, "final", "approved", "10.00", Some("10.00"))).await, "made approved");
    assert_eq!(app.patch(&path(made.id()), &json!({"status": "rejected"})).await.status, 200, "an admin decides");

    // A decided claim is frozen for everyone but an admin.
    let approved = draft.id();
    forbidden(&app.as_user(&owes).patch(&path(approved), &json!({"notes": "x"})).await, "the OWES changes no approved claim");
    forbidden(&app.as_user(&owes).patch(&path(approved), &json!({"status": "draft", "approved_amount": null, "approved_on": null})).await, "nor reopens it");
    forbidden(&app.as_user(&owes).delete(&path(approved)).await, "nor deletes it");
    forbidden(&app.as_user(&owes).patch(&path(made.id()), &json!({"status": "submitted"})).await, "nor takes a rejected one back");
    forbidden(&app.as_user(&second_rops).patch(&path(approved), &approve("1.00")).await, "the ROPS does not decide twice");
    forbidden(&app.as_user(&rops).delete(&path(made.id())).await, "nor deletes a decided claim");
    let stored = stored_claim(&app, approved).await;
    assert_eq!(
        (stored["status"].clone(), stored["approved_amount"].clone(), stored["notes"].clone()),
        (json!("approved"), json!("265000.00"), json!("brak faktur"))
    );
    let spending = app.anonymous().get(&format!("/api/v1/projects/{p}/spending")).await.body;
    assert_eq!(dec(&spending["approved"]), d("265000.00"), "only the ROPS's approval counts: {spending}");
    let corrected = app.patch(&path(approved), &json!({"approved_amount": "264000.00"})).await;
    assert_eq!(corrected.status, 200, "an admin corrects a decided claim: {}", corrected.body);
    let trail = app.get(&format!("/api/v1/audit-events?resource=payment-claims&record_id={approved}&action=update")).await;
    assert_eq!(trail.body["items"][0]["after"]["approved_amount"], "264000.00", "and is audited: {}", trail.body);
}

#[tokio::test]
async fn an_import_decides_no_claim_a_single_write_may_not() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let owes = app.user_token("owes-a@imports.pl", Role::Owes, Some(w.owes_a)).await;
    let rops = app.user_token("rops-kp@imports.pl", Role::Rops, Some(w.rops_kp_org)).await;
    let p = w.project_a;
    let import = |token: &str, body: String| {
        app.send(app.client.post(app.url("/api/v1/imports/payment-claims")).bearer_auth(token).header("content-type", "text/csv").body(body))
    };
    let header = "project_id,number,period_from,period_to,kind,status,claimed_amount,approved_amount,approved_on\n";
    let approved = format!("{header}{p},WNP/1,2020-01-01,2020-06-30,interim,approved,300000.00,300000.00,2020-09-01\n");
    let refused = import(&owes, approved.clone()).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!((refused.body["errors"][0]["code"].clone(), refused.body["errors"][0]["line"].clone()), (json!("forbidden"), json!(2)), "{}", refused.body);
    assert_eq!(import(&rops, approved.clone()).await.body["errors"][0]["code"], "forbidden", "the ROPS making it does not approve it alone");
    assert_eq!(app.total(&format!("payment-claims?project_id={p}")).await, 0, "nothing was written");

    // The project imports its undecided claims; an import then approving them is the ROPS's.
    let submitted = format!("{header}{p},WNP/1,2020-01-01,2020-06-30,interim,submitted,300000.00,,\n");
    let loaded = import(&owes, submitted).await;
    assert_eq!((loaded.status, loaded.body["inserted"].clone()), (200, json!(1)), "{}", loaded.body);
    let by_owes = import(&owes, approved.clone()).await;
    assert_eq!((by_owes.status, by_owes.body["errors"][0]["code"].clone()), (422, json!("forbidden")), "{}", by_owes.body);
    let by_rops = import(&rops, approved.clone()).await;
    assert_eq!((by_rops.status, by_rops.body["updated"].clone()), (200, json!(1)), "{}", by_rops.body);
    // Once decided, the OWES's import of it unchanged changes nothing, and of it changed is refused.
    assert_eq!(import(&owes, approved.clone()).await.body["unchanged"], 1);
    let changed = import(&owes, approved.replace("2020-09-01", "2020-09-02")).await;
    assert_eq!((changed.status, changed.body["errors"][0]["code"].clone()), (422, json!("forbidden")), "{}", changed.body);
}
