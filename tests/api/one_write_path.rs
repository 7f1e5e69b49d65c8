//! The findings of the one-write-path issue, each as the attack that worked:
//! imports that took over another region's records, an organisation that
//! changed its own kind, tokens of disabled accounts, attendance left behind by
//! a moved participant, personal data kept in the idempotency store and in the
//! audit trail after erasure, and a password changed with a stolen token.

use crate::helpers::{spawn_app, Reply, TestApp, PASSWORD};
use crate::permissions::world;
use diesel::prelude::*;
use es_registry::domain::codes::Role;
use serde_json::{json, Value};

async fn import(app: &TestApp, token: &str, collection: &str, rows: &[Value]) -> Reply {
    let body: String = rows.iter().map(|row| format!("{row}\n")).collect();
    let request =
        app.client.post(app.url(&format!("/api/v1/imports/{collection}"))).bearer_auth(token).header("content-type", "application/x-ndjson").body(body);
    app.send(request).await
}

fn codes(reply: &Reply) -> Vec<String> {
    reply.body["errors"].as_array().map(|errors| errors.iter().map(|e| e["code"].as_str().unwrap_or_default().to_owned()).collect()).unwrap_or_default()
}

async fn my_id(app: &TestApp, token: &str) -> i64 {
    app.as_user(token).get("/api/v1/auth/me").await.body["id"].as_i64().unwrap()
}

#[derive(QueryableByName)]
struct Text {
    #[diesel(sql_type = diesel::sql_types::Text)]
    text: String,
}

/// Everything a table holds, as text: what someone reading the database sees.
fn table_text(app: &TestApp, sql: &str) -> String {
    let mut conn = PgConnection::establish(&app.database_url).unwrap();
    diesel::sql_query(sql).load::<Text>(&mut conn).unwrap().into_iter().map(|t| t.text).collect::<Vec<_>>().join("\n")
}

#[tokio::test]
async fn an_import_cannot_carry_another_regions_records_into_ones_own() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let rops_kp = app.user_token("rops-kp@x.pl", Role::Rops, Some(w.rops_kp_org)).await;
    let rops_pm = app.user_token("rops-pm@x.pl", Role::Rops, Some(w.rops_pm_org)).await;
    let person = json!({"project_id": w.project_pm, "first_name": "Ewa", "last_name": "Gdańska", "birth_date": "1990-01-01", "sex": "female"});
    app.create("participants", person).await;
    assert_eq!(app.patch(&format!("/api/v1/projects/{}", w.project_pm), &json!({"contract_number": "RPPM.06.03.00-22-0001/15"})).await.status, 200);

    // By id and by natural key, a project of voivodeship 22 is not for the ROPS of 04 to move home.
    let by_id = json!({"id": w.project_pm, "title": "Przejęty", "measure_id": w.kp_measure, "voivodeship": "04"});
    let by_key = json!({"contract_number": "RPPM.06.03.00-22-0001/15", "title": "Przejęty", "measure_id": w.kp_measure});
    for row in [by_id, by_key] {
        let refused = import(&app, &rops_kp, "projects", &[row]).await;
        assert_eq!((refused.status, codes(&refused)), (422, vec!["forbidden".to_owned()]), "{}", refused.body);
        assert_eq!(refused.body["errors"][0]["line"], 1);
    }
    let project = app.get(&format!("/api/v1/projects/{}", w.project_pm)).await;
    assert_eq!((project.body["voivodeship"].clone(), project.body["title"].clone()), (json!("22"), json!("PM")));
    // The region's own ROPS still reads its people; the other still does not.
    assert_eq!(app.as_user(&rops_pm).get(&format!("/api/v1/participants?project_id={}", w.project_pm)).await.status, 200);
    assert_eq!(app.as_user(&rops_kp).get(&format!("/api/v1/participants?project_id={}", w.project_pm)).await.status, 403);
    assert_eq!(
        app.as_user(&rops_kp).put(&format!("/api/v1/projects/{}", w.project_pm), &json!({"title": "Przejęty", "measure_id": w.kp_measure})).await.status,
        403
    );

    // Organisations: by id and by NIP.
    assert_eq!(app.patch(&format!("/api/v1/beneficiaries/{}", w.owes_pm), &json!({"nip": "1234563218"})).await.status, 200);
    let by_id = json!({"id": w.owes_pm, "name": "OWES Gdańsk", "kind": "owes", "voivodeship": "04"});
    let by_nip = json!({"nip": "1234563218", "name": "OWES Gdańsk", "kind": "owes", "voivodeship": "04"});
    for row in [by_id, by_nip] {
        let refused = import(&app, &rops_kp, "beneficiaries", &[row]).await;
        assert_eq!((refused.status, codes(&refused)), (422, vec!["forbidden".to_owned()]), "{}", refused.body);
    }
    assert_eq!(app.get(&format!("/api/v1/beneficiaries/{}", w.owes_pm)).await.body["voivodeship"], "22");

    // Control: the same import of its own region's organisation goes through.
    let own = json!({"id": w.owes_b, "name": "OWES B", "kind": "owes", "voivodeship": "04", "city": "Toruń"});
    let done = import(&app, &rops_kp, "beneficiaries", &[own]).await;
    assert_eq!((done.status, done.body["updated"].clone()), (200, json!(1)), "{}", done.body);
}

#[tokio::test]
async fn an_organisations_kind_is_its_rops_business_and_suits_its_accounts() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let jst = app.user_token("jst@x.pl", Role::Jst, Some(w.jst_org)).await;
    let rops = app.user_token("rops-kp@x.pl", Role::Rops, Some(w.rops_kp_org)).await;
    app.user_token("owes-a@x.pl", Role::Owes, Some(w.owes_a)).await;

    // A local government does not make itself a regional centre, by PATCH or by import.
    let patched = app.as_user(&jst).patch(&format!("/api/v1/beneficiaries/{}", w.jst_org), &json!({"kind": "rops"})).await;
    assert_eq!(patched.status, 403, "{}", patched.body);
    let imported = import(&app, &jst, "beneficiaries", &[json!({"id": w.jst_org, "name": "Gmina Miasta Toruń", "kind": "rops", "voivodeship": "04"})]).await;
    assert_eq!((imported.status, codes(&imported)), (422, vec!["forbidden".to_owned()]), "{}", imported.body);
    assert_eq!(app.get(&format!("/api/v1/beneficiaries/{}", w.jst_org)).await.body["kind"], "jst");
    // Its own website it may still change.
    assert_eq!(app.as_user(&jst).patch(&format!("/api/v1/beneficiaries/{}", w.jst_org), &json!({"website": "https://torun.pl"})).await.status, 200);

    // The ROPS changes kinds, but never to one the organisation's accounts cannot have.
    let mismatch = app.as_user(&rops).patch(&format!("/api/v1/beneficiaries/{}", w.owes_a), &json!({"kind": "jst"})).await;
    assert_eq!((mismatch.status, codes(&mismatch)), (422, vec!["role_kind_mismatch".to_owned()]), "{}", mismatch.body);
    let by_admin = app.patch(&format!("/api/v1/beneficiaries/{}", w.jst_org), &json!({"kind": "pes"})).await;
    assert_eq!((by_admin.status, codes(&by_admin)), (422, vec!["role_kind_mismatch".to_owned()]), "not even an admin: {}", by_admin.body);
    let imported = import(&app, &rops, "beneficiaries", &[json!({"id": w.owes_a, "name": "OWES A", "kind": "jst", "voivodeship": "04"})]).await;
    assert_eq!((imported.status, codes(&imported)), (422, vec!["role_kind_mismatch".to_owned()]), "{}", imported.body);
    let suits = app.as_user(&rops).patch(&format!("/api/v1/beneficiaries/{}", w.owes_a), &json!({"kind": "ngo"})).await;
    assert_eq!(suits.status, 200, "an OWES account may act for the NGO that runs it: {}", suits.body);
    assert_eq!(app.as_user(&jst).get("/api/v1/auth/me").await.status, 200);
}

#[tokio::test]
async fn a_disabled_or_changed_accounts_token_opens_nothing() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let rops = app.user_token("rops-kp@x.pl", Role::Rops, Some(w.rops_kp_org)).await;
    let owes = app.user_token("owes-a@x.pl", Role::Owes, Some(w.owes_a)).await;
    let (rops_id, owes_id) = (my_id(&app, &rops).await, my_id(&app, &owes).await);
    let reads = [
        "/api/v1/auth/me".to_owned(),
        "/api/v1/audit-events".to_owned(),
        "/api/v1/reports/participants?voivodeship=04".to_owned(),
        format!("/api/v1/projects/{}/participants/summary", w.project_a),
        format!("/api/v1/participants?project_id={}", w.project_a),
    ];
    for path in &reads[..4] {
        assert_eq!(app.as_user(&rops).get(path).await.status, 200, "control: {path}");
    }
    assert_eq!(app.patch(&format!("/api/v1/users/{rops_id}"), &json!({"enabled": false})).await.status, 200);
    for path in &reads {
        let reply = app.as_user(&rops).get(path).await;
        assert_eq!(reply.status, 401, "a disabled account's token: {path} {}", reply.body);
    }

    assert_eq!(app.as_user(&owes).get(&reads[4]).await.status, 200, "control");
    assert_eq!(app.patch(&format!("/api/v1/users/{owes_id}"), &json!({"organisation_id": w.owes_b})).await.status, 200);
    for path in [&reads[0], &reads[4]] {
        assert_eq!(app.as_user(&owes).get(path).await.status, 401, "a token of the account's old organisation: {path}");
    }
}

#[tokio::test]
async fn attendance_stays_with_its_participants_project() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let owes = app.user_token("owes-a@x.pl", Role::Owes, Some(w.owes_a)).await;
    app.create("attendance", json!({"participant_id": w.participant_a, "activity_id": w.activity_a, "outcome": "completed"})).await;

    // A person with attendance in one project's activities cannot be moved to another
    // project, nor the activity: the attendance would be left in the first project's sight.
    let moved = app.patch(&format!("/api/v1/participants/{}", w.participant_a), &json!({"project_id": w.project_b})).await;
    assert_eq!((moved.status, moved.body["code"].clone()), (409, json!("has_attendance")), "{}", moved.body);
    let moved = app.patch(&format!("/api/v1/activities/{}", w.activity_a), &json!({"project_id": w.project_b})).await;
    assert_eq!((moved.status, moved.body["code"].clone()), (409, json!("has_attendance")), "{}", moved.body);
    let row =
        json!({"id": w.participant_a, "project_id": w.project_b, "first_name": "Anna", "last_name": "Nowak", "birth_date": "1990-01-01", "sex": "female"});
    let imported = import(&app, &app.admin_token, "participants", &[row]).await;
    assert_eq!(imported.status, 422, "{}", imported.body);
    let shown = app.as_user(&owes).get(&format!("/api/v1/attendance?project_id={}", w.project_a)).await;
    assert_eq!((shown.status, shown.body["total"].clone()), (200, json!(1)));

    // Without attendance the person moves, and the first project's OWES sees nothing of them.
    let attendance = shown.body["items"][0]["id"].as_i64().unwrap();
    assert_eq!(app.delete(&format!("/api/v1/attendance/{attendance}")).await.status, 204);
    assert_eq!(app.patch(&format!("/api/v1/participants/{}", w.participant_a), &json!({"project_id": w.project_b})).await.status, 200);
    assert_eq!(app.as_user(&owes).get(&format!("/api/v1/participants/{}", w.participant_a)).await.status, 403);
}

#[tokio::test]
async fn the_idempotency_store_keeps_no_personal_data_in_clear_and_forgets_the_erased() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let person = json!({"project_id": w.project_a, "first_name": "Bożydar", "last_name": "Wścibski", "email": "bozydar@example.org",
                        "phone": "+48 600 700 800", "birth_date": "1987-06-05", "sex": "male"});
    let post = || app.client.post(app.url("/api/v1/participants")).bearer_auth(&app.admin_token).header("Idempotency-Key", "zapis-1").json(&person);
    let first = app.send(post()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let stored = table_text(&app, "SELECT encode(coalesce(body, ''::bytea), 'escape') AS text FROM idempotency_keys");
    assert!(!stored.is_empty(), "control: the answer is kept");
    for secret in ["Bożydar", "Wścibski", "bozydar@example.org", "600 700 800", "1987-06-05"] {
        assert!(!stored.contains(secret), "{secret} is kept in clear");
    }
    let replayed = app.send(post()).await;
    assert_eq!((replayed.status, replayed.body["id"].clone(), replayed.body["last_name"].clone()), (201, first.body["id"].clone(), json!("Wścibski")));

    let id = first.id();
    assert_eq!(app.post(&format!("/api/v1/participants/{id}/erase"), &json!({})).await.status, 200);
    let kept = table_text(&app, "SELECT count(*)::text AS text FROM idempotency_keys WHERE body IS NOT NULL");
    assert_eq!(kept, "0", "erasure takes the kept answer with it");
    let after = app.send(post()).await;
    assert_eq!((after.status, after.body["code"].clone()), (409, json!("answer_erased")), "{}", after.body);
}

#[tokio::test]
async fn erasure_leaves_no_residence_or_external_id_in_the_trail() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let person = json!({"project_id": w.project_a, "first_name": "Ala", "last_name": "Kot", "birth_date": "1990-01-01", "sex": "female",
                        "residence_teryt": "0463011", "external_id": "ZEW-0077"});
    let id = app.create("participants", person).await;
    assert_eq!(app.patch(&format!("/api/v1/participants/{id}"), &json!({"residence_teryt": "0462011", "external_id": "ZEW-0078"})).await.status, 200);
    assert_eq!(app.post(&format!("/api/v1/participants/{id}/erase"), &json!({})).await.status, 200);

    let export = app.get(&format!("/api/v1/participants/{id}/export")).await;
    assert_eq!(export.status, 200);
    assert!(export.body["history"].as_array().is_some_and(|h| h.len() >= 3), "{}", export.body);
    let trail = table_text(
        &app,
        &format!(
            "SELECT coalesce(before::text, '') || coalesce(after::text, '') AS text FROM audit_events WHERE resource = 'participants' AND record_id = {id}"
        ),
    );
    for secret in ["0463011", "0462011", "ZEW-0077", "ZEW-0078"] {
        assert!(!export.body.to_string().contains(secret), "{secret} in the export");
        assert!(!trail.contains(secret), "{secret} in the audit trail");
    }
    assert_eq!((export.body["participant"]["residence_teryt"].clone(), export.body["participant"]["external_id"].clone()), (Value::Null, Value::Null));
}

#[tokio::test]
async fn ones_own_password_changes_only_with_the_current_one_and_ends_the_other_sessions() {
    let app = spawn_app().await;
    let w = world(&app).await;
    app.create_user("owes-a@x.pl", Role::Owes, Some(w.owes_a));
    let other = app.sign_in("owes-a@x.pl", PASSWORD).await.body;
    let this = app.sign_in("owes-a@x.pl", PASSWORD).await.body;
    let token = this["access_token"].as_str().unwrap();
    let me = my_id(&app, token).await;
    let path = format!("/api/v1/users/{me}");
    let new_password = "a brand new passphrase";

    let without = app.as_user(token).patch(&path, &json!({"password": new_password})).await;
    assert_eq!((without.status, without.error_fields()), (422, vec!["current_password".to_owned()]), "{}", without.body);
    let wrong = app.as_user(token).patch(&path, &json!({"password": new_password, "current_password": "not my password"})).await;
    assert_eq!((wrong.status, wrong.error_fields()), (422, vec!["current_password".to_owned()]), "{}", wrong.body);
    assert_eq!(app.sign_in("owes-a@x.pl", PASSWORD).await.status, 200, "the password is unchanged");

    let changed = app.as_user(token).patch(&path, &json!({"password": new_password, "current_password": PASSWORD})).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let refresh = |pair: &Value| json!({"refresh_token": pair["refresh_token"]});
    assert_eq!(app.anonymous().post("/api/v1/auth/refresh", &refresh(&other)).await.status, 401, "the other session ends");
    assert_eq!(app.anonymous().post("/api/v1/auth/refresh", &refresh(&this)).await.status, 200, "this session goes on");
    assert_eq!(app.sign_in("owes-a@x.pl", PASSWORD).await.status, 401);
    assert_eq!(app.sign_in("owes-a@x.pl", new_password).await.status, 200);
}

/// Refusals of an import, as `(line, code, message)`.
fn refusals(reply: &Reply) -> Vec<(i64, String, String)> {
    reply.body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| (e["line"].as_i64().unwrap_or(0), e["code"].as_str().unwrap_or("").to_owned(), e["message"].as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn an_import_tells_outsiders_nothing_of_a_projects_people() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let known = "44051401359";
    app.create("participants", json!({"project_id": w.project_a, "first_name": "Jan", "last_name": "Znany", "pesel": known, "external_id": "ZN-1"})).await;
    let jst = app.user_token("jst@x.pl", Role::Jst, Some(w.jst_org)).await;
    let rops_pm = app.user_token("rops-pm@x.pl", Role::Rops, Some(w.rops_pm_org)).await;
    let owes_elsewhere = app.user_token("owes-pm@x.pl", Role::Owes, Some(w.owes_pm)).await;
    let person = |pesel: &str, external: &str| json!({"project_id": w.project_a, "first_name": "X", "last_name": "Y", "pesel": pesel, "external_id": external});
    // Probes: a PESEL that is there and one that is not; an external id that is there
    // and one that is not; a row that breaks a rule (no names).
    let probes = [
        person(known, "A"),
        person("02270803624", "B"),
        json!({"project_id": w.project_a, "external_id": "ZN-1", "first_name": "X", "last_name": "Y", "birth_date": "1990-01-01", "sex": "male"}),
        json!({"project_id": w.project_a, "external_id": "ZZ-9", "birth_date": "1990-01-01", "sex": "male"}),
    ];
    for token in [&jst, &rops_pm, &owes_elsewhere] {
        let reply = import(&app, token, "participants", &probes).await;
        assert_eq!(reply.status, 422, "{}", reply.body);
        let seen = refusals(&reply);
        assert_eq!(seen.len(), probes.len(), "one refusal a line: {seen:?}");
        assert!(seen.iter().all(|(_, code, message)| code == "forbidden" && *message == seen[0].2), "every line gets the same answer: {seen:?}");
    }
    // The same through a single write.
    let single = app.as_user(&jst).post("/api/v1/participants", &probes[3]).await;
    assert_eq!(single.status, 403, "not a 422 that tells which rule the row broke: {}", single.body);
    // Control: the project's own OWES is told which line is whose.
    let owes_a = app.user_token("owes-a@x.pl", Role::Owes, Some(w.owes_a)).await;
    let reply = import(&app, &owes_a, "participants", &probes[3..]).await;
    assert_eq!(refusals(&reply).first().map(|r| r.1.clone()), Some("required".to_owned()), "{}", reply.body);
}

#[tokio::test]
async fn an_import_finds_a_record_by_the_first_key_it_gives_and_refuses_a_key_taken() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let first = app
        .create("participants", json!({"project_id": w.project_a, "first_name": "Jan", "last_name": "Pierwszy", "pesel": "44051401359", "external_id": "K-1"}))
        .await;
    // A new PESEL with someone else's external id is not that someone.
    let row = json!({"project_id": w.project_a, "first_name": "Anna", "last_name": "Druga", "pesel": "02270803624", "external_id": "K-1"});
    let reply = import(&app, &app.admin_token, "participants", &[row]).await;
    assert_eq!((reply.status, codes(&reply)), (422, vec!["key_taken".to_owned()]), "{}", reply.body);
    let shown = app.get(&format!("/api/v1/participants/{first}")).await;
    assert_eq!(shown.body["last_name"], "Pierwszy");
    // A NUL in a value is refused by its line, as a single write refuses it.
    let reply = import(
        &app,
        &app.admin_token,
        "activities",
        &[json!({"project_id": w.project_a, "external_id": "A-1", "activity_type": "training", "title": "a\u{0}b"})],
    )
    .await;
    assert_eq!((reply.status, codes(&reply), reply.body["errors"][0]["line"].clone()), (422, vec!["nul_character".to_owned()], json!(1)), "{}", reply.body);
}

#[tokio::test]
async fn an_import_waits_for_an_erasure_in_progress_and_does_not_undo_it() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let id = app.create("participants", json!({"project_id": w.project_a, "first_name": "Jan", "last_name": "Zapomniany", "pesel": "44051401359"})).await;
    // An erasure that has begun and not yet committed.
    let mut eraser = PgConnection::establish(&app.database_url).unwrap();
    diesel::sql_query("BEGIN").execute(&mut eraser).unwrap();
    diesel::sql_query(format!("UPDATE participants SET anonymised_at = now(), first_name_sealed = NULL, last_name_sealed = NULL, pesel_sealed = NULL, pesel_hash = NULL WHERE id = {id}"))
        .execute(&mut eraser)
        .unwrap();
    let row = json!({"id": id, "project_id": w.project_a, "first_name": "Jan", "last_name": "Przywrócony", "pesel": "44051401359"});
    let body = format!("{row}\n");
    let request =
        app.client.post(app.url("/api/v1/imports/participants")).bearer_auth(&app.admin_token).header("content-type", "application/x-ndjson").body(body);
    let pending = tokio::spawn(request.send());
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert!(!pending.is_finished(), "the import waits for the record it changes");
    diesel::sql_query("COMMIT").execute(&mut eraser).unwrap();
    let response = pending.await.unwrap().unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_eq!((status, body["errors"][0]["code"].clone()), (422, json!("anonymised")), "{body}");
    let shown = app.get(&format!("/api/v1/participants/{id}")).await;
    assert_eq!((shown.body["last_name"].clone(), shown.body["anonymised_at"].is_string()), (Value::Null, true), "the erasure stands");
}

#[tokio::test]
async fn a_stalled_import_by_an_outsider_holds_no_project() {
    use tokio::io::AsyncWriteExt;
    let app = spawn_app().await;
    let w = world(&app).await;
    let jst = app.user_token("jst@x.pl", Role::Jst, Some(w.jst_org)).await;
    // A full batch of rows naming project A, then nothing more: the upload stalls.
    let rows: String = (0..5_001).map(|n| format!("{}\n", json!({"project_id": w.project_a, "external_id": format!("S-{n}"), "first_name": "X", "last_name": "Y", "birth_date": "1990-01-01", "sex": "male"}))).collect();
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!("POST /api/v1/imports/participants HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {jst}\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(format!("{:x}\r\n{rows}\r\n", rows.len()).as_bytes()).await.unwrap();
    stream.flush().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    // Meanwhile the project's own writes go through (they would wait for the
    // statement timeout if the refused rows held the project).
    let (person, person_change) = (format!("/api/v1/participants/{}", w.participant_a), json!({"education": "isced_3_4"}));
    let done = tokio::time::timeout(std::time::Duration::from_secs(5), app.patch(&person, &person_change))
        .await
        .expect("the write does not wait for the stalled import");
    assert_eq!(done.status, 200, "{}", done.body);
    let (project, project_change) = (format!("/api/v1/projects/{}", w.project_a), json!({"notes": "w toku"}));
    let done = tokio::time::timeout(std::time::Duration::from_secs(5), app.patch(&project, &project_change)).await.expect("nor does a change of the project");
    assert_eq!(done.status, 200, "{}", done.body);
    drop(stream);
}
