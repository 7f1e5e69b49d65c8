//! Bulk imports and exports: all or nothing, idempotent, checked row by row.

use crate::helpers::{spawn_app, Fixture, Reply, TestApp};
use es_registry::domain::codes::Role;
use serde_json::{json, Value};

/// A valid PESEL for person `n` (distinct for distinct `n` below 2.8 million).
fn pesel(n: u32) -> String {
    let (day_index, serial) = (n / 10_000, n % 10_000);
    let digits = format!("{:02}{:02}{:02}{serial:04}", 60 + day_index / 336 % 40, 1 + (day_index / 28) % 12, 1 + day_index % 28);
    let weights = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    let sum: u32 = digits.chars().zip(weights).map(|(d, w)| d.to_digit(10).unwrap() * w).sum();
    format!("{digits}{}", (10 - sum % 10) % 10)
}

/// `rows` participants of `projects` (taken in turn) as CSV.
fn participants_csv(projects: &[i64], rows: u32) -> String {
    let mut csv = String::from("project_id,external_id,first_name,last_name,pesel,education,joined_on\n");
    for n in 0..rows {
        let project = projects[n as usize % projects.len()];
        csv.push_str(&format!("{project},K-{n:05},Anna,Nowak-{n},{},isced_3_4,2024-03-01\n", pesel(n)));
    }
    csv
}

async fn upload(app: &TestApp, token: &str, path: &str, content_type: &str, body: String) -> Reply {
    app.send(app.client.post(app.url(path)).bearer_auth(token).header("content-type", content_type).body(body)).await
}

async fn export(app: &TestApp, path: &str) -> String {
    let response = app.client.get(app.url(path)).bearer_auth(&app.admin_token).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200, "{path}");
    response.text().await.unwrap()
}

fn counts(reply: &Reply) -> (u64, u64, u64, u64) {
    let n = |k: &str| reply.body[k].as_u64().unwrap_or_else(|| panic!("{k} in {}", reply.body));
    (n("inserted"), n("updated"), n("unchanged"), n("rejected"))
}

#[tokio::test]
async fn a_file_with_one_bad_row_writes_nothing_then_loads_once_and_again_changes_nothing() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let before = app.total(&format!("participants?project_id={}", fx.project)).await;
    let good = participants_csv(&[fx.project], 10_000);
    // Data row 5000 (line 5001 after the header) gets a wrong PESEL check digit.
    let mut lines: Vec<String> = good.lines().map(str::to_owned).collect();
    let broken_pesel = pesel(4999);
    let wrong_digit = (broken_pesel.as_bytes()[10] - b'0' + 1) % 10;
    lines[5000] = lines[5000].replace(&broken_pesel, &format!("{}{wrong_digit}", &broken_pesel[..10]));
    let bad = lines.join("\n") + "\n";

    let refused = upload(&app, &app.admin_token, "/api/v1/imports/participants", "text/csv", bad).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.body["code"], "rows_rejected");
    assert_eq!(refused.body["errors"], json!([{"field": "pesel", "code": "pesel_checksum", "message": refused.body["errors"][0]["message"], "line": 5001}]));
    assert!(!refused.body.to_string().contains(&broken_pesel[..10]), "the refusal does not echo the PESEL");
    assert_eq!(app.total(&format!("participants?project_id={}", fx.project)).await, before, "nothing was written");

    let dry = upload(&app, &app.admin_token, "/api/v1/imports/participants?dry_run=true", "text/csv", good.clone()).await;
    assert_eq!(dry.status, 200, "{}", dry.body);
    assert_eq!((dry.body["dry_run"].clone(), counts(&dry)), (json!(true), (10_000, 0, 0, 0)));
    assert_eq!(app.total(&format!("participants?project_id={}", fx.project)).await, before, "a dry run writes nothing");

    let loaded = upload(&app, &app.admin_token, "/api/v1/imports/participants", "text/csv", good.clone()).await;
    assert_eq!(loaded.status, 200, "{}", loaded.body);
    assert_eq!(counts(&loaded), (10_000, 0, 0, 0));
    assert_eq!(app.total(&format!("participants?project_id={}", fx.project)).await, before + 10_000);
    let found = app.get(&format!("/api/v1/participants?project_id={}&pesel={}", fx.project, pesel(1234))).await;
    assert_eq!(found.body["items"][0]["last_name"], "Nowak-1234");
    assert_eq!(found.body["items"][0]["external_id"], "K-01234");

    let again = upload(&app, &app.admin_token, "/api/v1/imports/participants", "text/csv", good.clone()).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(counts(&again), (0, 0, 10_000, 0), "the same file twice changes nothing");
    assert_eq!(app.total(&format!("participants?project_id={}", fx.project)).await, before + 10_000);

    // A changed name is an update (found by PESEL), and a dry run of it reports without writing.
    let renamed = good.replace("Nowak-77,", "Nowak-Kowalska,");
    let dry = upload(&app, &app.admin_token, "/api/v1/imports/participants?dry_run=true", "text/csv", renamed.clone()).await;
    assert_eq!(counts(&dry), (0, 1, 9_999, 0));
    let person = app.get(&format!("/api/v1/participants?project_id={}&pesel={}", fx.project, pesel(77))).await;
    assert_eq!(person.body["items"][0]["last_name"], "Nowak-77");
    let updated = upload(&app, &app.admin_token, "/api/v1/imports/participants", "text/csv", renamed).await;
    assert_eq!(counts(&updated), (0, 1, 9_999, 0));
    let person = app.get(&format!("/api/v1/participants?project_id={}&pesel={}", fx.project, pesel(77))).await;
    assert_eq!(person.body["items"][0]["last_name"], "Nowak-Kowalska");

    let metrics = app.client.get(app.url("/metrics")).bearer_auth(crate::helpers::METRICS_TOKEN).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("imported_rows_total 10001"), "metrics count written rows:\n{metrics}");
}

#[tokio::test]
async fn every_row_is_judged_by_the_permission_table() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let owes_org = app.create("beneficiaries", json!({"name": "OWES Toruń", "kind": "owes", "voivodeship": "04"})).await;
    app.create("partners", json!({"project_id": fx.project, "beneficiary_id": owes_org, "role": "beneficiary"})).await;
    let other = app.create("projects", json!({"title": "Projekt innego OWES", "measure_id": fx.sub_measure})).await;
    let owes = app.user_token("owes@x.pl", Role::Owes, Some(owes_org)).await;

    // Rows of the OWES's project pass; rows of another organisation's project are refused, each by line.
    let mixed = participants_csv(&[fx.project, other], 6);
    let refused = upload(&app, &owes, "/api/v1/imports/participants", "text/csv", mixed).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let lines: Vec<i64> = refused.body["errors"].as_array().unwrap().iter().map(|e| e["line"].as_i64().unwrap()).collect();
    assert_eq!(lines, vec![3, 5, 7]);
    assert!(refused.body["errors"].as_array().unwrap().iter().all(|e| e["code"] == "forbidden"));
    assert_eq!(app.total(&format!("participants?project_id={other}")).await, 0);
    assert_eq!(app.total(&format!("participants?project_id={}", fx.project)).await, 1);

    let own = upload(&app, &owes, "/api/v1/imports/participants", "text/csv", participants_csv(&[fx.project], 3)).await;
    assert_eq!((own.status, counts(&own)), (200, (3, 0, 0, 0)), "{}", own.body);
    // Each imported person is in the audit trail of the project's region (besides the fixture's one).
    let rops_org = app.create("beneficiaries", json!({"name": "ROPS Toruń", "kind": "rops", "voivodeship": "04"})).await;
    let rops = app.user_token("rops@x.pl", Role::Rops, Some(rops_org)).await;
    let trail = app.as_user(&rops).get("/api/v1/audit-events?resource=participants&action=create").await;
    assert_eq!((trail.status, trail.body["total"].as_i64()), (200, Some(4)), "{}", trail.body);

    // A project an OWES creates in bulk names it as beneficiary, as POST /projects does.
    let projects = format!("contract_number,title,measure_id\nRPKP.1/24,Nowy,{}\n", fx.sub_measure);
    let created = upload(&app, &owes, "/api/v1/imports/projects", "text/csv", projects).await;
    assert_eq!((created.status, created.body["inserted"].clone()), (200, json!(1)), "{}", created.body);
    let project = app.get("/api/v1/projects?contract_number=RPKP.1/24").await.body["items"][0]["id"].as_i64().unwrap();
    let roles = app.get(&format!("/api/v1/partners?project_id={project}")).await.body;
    assert_eq!(
        (roles["total"].clone(), roles["items"][0]["beneficiary_id"].clone(), roles["items"][0]["role"].clone()),
        (json!(1), json!(owes_org), json!("beneficiary"))
    );

    let anonymous = app.send(app.client.post(app.url("/api/v1/imports/participants")).header("content-type", "text/csv").body("project_id\n1\n")).await;
    assert_eq!(anonymous.status, 401);
    let wrong_type = upload(&app, &app.admin_token, "/api/v1/imports/participants", "application/json", "[]".into()).await;
    assert_eq!(wrong_type.status, 415);
}

#[tokio::test]
async fn an_export_imports_back_unchanged_and_an_edited_export_updates_only_what_changed() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    app.create("partners", json!({"project_id": fx.project, "beneficiary_id": fx.organisation, "role": "leader"})).await;
    app.create("attendance", json!({"participant_id": fx.participant, "activity_id": fx.activity, "outcome": "completed"})).await;
    let indicator =
        app.create("indicators", json!({"project_id": fx.project, "name": "Liczba PES", "kind": "output", "unit": "PES", "target_value": "10"})).await;
    app.create("indicator-measurements", json!({"indicator_id": indicator, "period_end": "2024-06-30", "value": "4"})).await;
    let upload_participants = upload(&app, &app.admin_token, "/api/v1/imports/participants", "text/csv", participants_csv(&[fx.project], 25)).await;
    assert_eq!(upload_participants.status, 200, "{}", upload_participants.body);

    for collection in ["beneficiaries", "projects", "partners", "activities", "participants", "attendance", "indicator-measurements"] {
        for (format, content_type) in [("csv", "text/csv"), ("ndjson", "application/x-ndjson")] {
            let exported = export(&app, &format!("/api/v1/exports/{collection}?format={format}")).await;
            let header = usize::from(format == "csv");
            assert!(exported.lines().count() > header, "{collection} {format}: {exported}");
            let back = upload(&app, &app.admin_token, &format!("/api/v1/imports/{collection}"), content_type, exported.clone()).await;
            assert_eq!(back.status, 200, "{collection} {format}: {}", back.body);
            let (inserted, updated, unchanged, _) = counts(&back);
            assert_eq!((inserted, updated), (0, 0), "{collection} {format} re-imported: {}", back.body);
            assert!(unchanged >= 1);
        }
    }

    // Exports carry the participant's whole PESEL (to those who may read it), so the key survives.
    let exported = export(&app, &format!("/api/v1/exports/participants?format=csv&project_id={}", fx.project)).await;
    assert!(exported.contains(&pesel(3)));
    let edited = exported.replace("Nowak-3,", "Nowak-Wiśniewska,");
    let back = upload(&app, &app.admin_token, "/api/v1/imports/participants", "text/csv", edited).await;
    assert_eq!(counts(&back), (0, 1, 25, 0), "{}", back.body);

    // The export of one project is that project's; its filters are the list's.
    let rows: Vec<Value> = export(&app, &format!("/api/v1/exports/activities?format=ndjson&project_id={}", fx.project))
        .await
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"], fx.activity);
    assert_eq!(rows[0]["project_id"], fx.project);

    // Participants are personal data: no export without the right to read them.
    let anonymous = app.client.get(app.url("/api/v1/exports/participants")).send().await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);

    // An export streams: no length known ahead and no digest of the whole (which
    // would mean holding it all in memory first).
    let streamed = app.client.get(app.url("/api/v1/exports/participants?format=csv")).bearer_auth(&app.admin_token).send().await.unwrap();
    assert_eq!(streamed.status().as_u16(), 200);
    assert!(streamed.headers().get("content-length").is_none(), "{:?}", streamed.headers());
    assert_eq!(streamed.headers().get("transfer-encoding").map(|v| v.to_str().unwrap()), Some("chunked"));
    assert!(streamed.headers().get("etag").is_none(), "{:?}", streamed.headers());
    assert!(streamed.text().await.unwrap().contains(&pesel(3)));
}

#[tokio::test]
async fn a_retried_post_with_an_idempotency_key_is_done_once() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let post = |key: &str, body: Value| {
        app.client.post(app.url("/api/v1/activities")).bearer_auth(&app.admin_token).header("Idempotency-Key", key.to_owned()).json(&body)
    };
    let body = json!({"project_id": fx.project, "activity_type": "training", "title": "Szkolenie z ekonomii społecznej"});
    let first = app.send(post("k-1", body.clone())).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let again = app.send(post("k-1", body.clone())).await;
    assert_eq!((again.status, again.body["id"].clone()), (201, first.body["id"].clone()), "the retry gets the first answer");
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.headers["location"], first.headers["location"]);
    assert_eq!(app.total(&format!("activities?project_id={}", fx.project)).await, 2, "one activity was created, not two");

    let other_body = app.send(post("k-1", json!({"project_id": fx.project, "activity_type": "training", "title": "Inne"}))).await;
    assert_eq!((other_body.status, other_body.body["errors"][0]["code"].clone()), (422, json!("key_reused")));

    // Keys are per caller: another user's k-1 is a different key.
    let rops_org = app.create("beneficiaries", json!({"name": "ROPS Toruń", "kind": "rops", "voivodeship": "04"})).await;
    let rops = app.user_token("rops@x.pl", Role::Rops, Some(rops_org)).await;
    let theirs = app.send(app.client.post(app.url("/api/v1/activities")).bearer_auth(&rops).header("Idempotency-Key", "k-1").json(&body)).await;
    assert_eq!(theirs.status, 201);
    assert_ne!(theirs.body["id"], first.body["id"]);

    // A refused request gives its key up; an import is replayed like any POST.
    let refused = app.send(post("k-2", json!({"project_id": fx.project}))).await;
    assert_eq!(refused.status, 422);
    let fixed = app.send(post("k-2", body.clone())).await;
    assert_eq!(fixed.status, 201, "{}", fixed.body);
    let csv = participants_csv(&[fx.project], 5);
    let import = |key: &'static str| {
        app.client
            .post(app.url("/api/v1/imports/participants"))
            .bearer_auth(&app.admin_token)
            .header("Idempotency-Key", key)
            .header("content-type", "text/csv")
            .body(csv.clone())
    };
    let loaded = app.send(import("load-1")).await;
    let replayed = app.send(import("load-1")).await;
    assert_eq!(counts(&loaded), (5, 0, 0, 0));
    assert_eq!((counts(&replayed), replayed.headers["idempotent-replayed"].to_str().unwrap()), ((5, 0, 0, 0), "true"), "the replay is the first report");

    let bad_key = app.send(post(&"x".repeat(300), body)).await;
    assert_eq!(bad_key.status, 400);
}
