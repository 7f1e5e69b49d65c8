//! Evidence files (issue 20): attached to a reported value or an activity,
//! checked (type, content, size, the configured scan), read only by the
//! project's writers and the ROPS unless marked public, frozen with the value.

use crate::helpers::{spawn_app, Fixture, Reply, TestApp};
use es_registry::domain::codes::Role;
use serde_json::json;
use sha2::{Digest, Sha256};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn upload(app: &TestApp, base: &str, token: Option<&str>, query: &str, content_type: &str, body: &[u8]) -> Reply {
    let mut request = app.client.post(format!("{base}/api/v1/evidence?{query}")).header("content-type", content_type).body(body.to_vec());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    app.send(request).await
}

async fn download(app: &TestApp, id: i64, token: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url(&format!("/api/v1/evidence/{id}/content")));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn evidence_is_checked_kept_with_its_author_and_shown_only_to_whom_it_belongs() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let admin = app.admin_token.clone();
    let base = app.address.clone();
    let other_region = app.create("beneficiaries", json!({"name": "ROPS Gdańsk", "kind": "rops", "teryt": "2261011"})).await;
    let rops_pm = app.user_token("rops-pm@x.pl", Role::Rops, Some(other_region)).await;
    let rops_kp = app.user_token("rops-kp@x.pl", Role::Rops, Some(fx.organisation)).await;
    let indicator =
        app.create("indicators", json!({"project_id": fx.project, "name": "Liczba PES", "kind": "output", "unit": "PES", "target_value": "10"})).await;
    let value = app.create("indicator-measurements", json!({"indicator_id": indicator, "period_end": "2024-06-30", "value": "3"})).await;
    let of_value = format!("measurement_id={value}");

    // Kept: named without its path, with its digest, who added it and when; not public.
    let kept =
        upload(&app, &base, Some(&admin), &format!("{of_value}&file_name=C:%5Cskany%5Clista%20obecno%C5%9Bci.pdf&description=marzec"), "application/pdf", PDF)
            .await;
    assert_eq!(kept.status, 201, "{}", kept.body);
    let id = kept.id();
    assert_eq!(kept.headers["location"], format!("/api/v1/evidence/{id}").as_str());
    let digest: String = Sha256::digest(PDF).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        (&kept.body["file_name"], &kept.body["content_type"], &kept.body["size_bytes"], &kept.body["sha256"], &kept.body["public"], &kept.body["scanned"]),
        (&json!("lista obecności.pdf"), &json!("application/pdf"), &json!(PDF.len()), &json!(digest), &json!(false), &json!(false))
    );
    assert_eq!(kept.body["added_by"], "admin@test.es-registry.pl");
    assert!(kept.body.get("content").is_none());

    // Not public: the ROPS of the region reads it; anonymous readers and another region do not.
    assert_eq!(app.as_user(&rops_kp).get(&format!("/api/v1/evidence?{of_value}")).await.body.as_array().map(Vec::len), Some(1));
    assert_eq!(app.anonymous().get(&format!("/api/v1/evidence?{of_value}")).await.body, json!([]));
    assert_eq!(app.as_user(&rops_pm).get(&format!("/api/v1/evidence?{of_value}")).await.body, json!([]));
    assert_eq!(app.anonymous().get(&format!("/api/v1/evidence/{id}")).await.status, 401);
    assert_eq!(app.as_user(&rops_pm).get(&format!("/api/v1/evidence/{id}")).await.status, 403);
    assert_eq!(download(&app, id, None).await.status().as_u16(), 401);
    assert_eq!(download(&app, id, Some(&rops_pm)).await.status().as_u16(), 403);
    let refused = upload(&app, &base, Some(&rops_pm), &format!("{of_value}&file_name=x.pdf"), "application/pdf", PDF).await;
    assert_eq!(refused.status, 403, "another region's ROPS attaches nothing");

    // The download is the file, as an attachment of its own type that no browser sniffs.
    let file = download(&app, id, Some(&rops_kp)).await;
    assert_eq!(file.status().as_u16(), 200);
    let header = |name: &str| file.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!(header("content-type"), "application/pdf");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(header("content-disposition").starts_with("attachment; filename*=UTF-8''lista%20obecno"), "{}", header("content-disposition"));
    assert!(header("cache-control").starts_with("private"), "no shared cache keeps it");
    assert_eq!(file.bytes().await.unwrap().as_ref(), PDF);

    // Marked public, anyone reads it.
    let public = app.patch(&format!("/api/v1/evidence/{id}"), &json!({"public": true})).await;
    assert_eq!((public.status, &public.body["public"], &public.body["description"]), (200, &json!(true), &json!("marzec")), "{}", public.body);
    let seen = app.anonymous().get(&format!("/api/v1/evidence?{of_value}")).await.body;
    assert_eq!(seen.as_array().map(Vec::len), Some(1));
    assert_eq!(seen[0]["added_by"], serde_json::Value::Null, "an account's e-mail is not for public readers");
    assert_eq!(app.anonymous().get(&format!("/api/v1/evidence/{id}")).await.body["added_by"], serde_json::Value::Null);
    assert_eq!(download(&app, id, None).await.bytes().await.unwrap().as_ref(), PDF);
    assert_eq!(app.as_user(&rops_pm).patch(&format!("/api/v1/evidence/{id}"), &json!({"public": false})).await.status, 403);

    // Files that are not what they say, or not taken at all, are refused and not kept.
    let disguised = upload(&app, &base, Some(&admin), &format!("{of_value}&file_name=zdjecie.png"), "image/png", PDF).await;
    assert_eq!((disguised.status, disguised.error_fields()), (422, vec!["content".to_owned()]), "{}", disguised.body);
    let html = upload(&app, &base, Some(&admin), &format!("{of_value}&file_name=x.html"), "text/html", b"<script>alert(1)</script>").await;
    assert_eq!((html.status, html.content_type()), (415, "application/problem+json"));
    let empty = upload(&app, &base, Some(&admin), &format!("{of_value}&file_name=x.pdf"), "application/pdf", b"").await;
    assert_eq!(empty.status, 422);
    let both = upload(&app, &base, Some(&admin), &format!("{of_value}&activity_id={}&file_name=x.pdf", fx.activity), "application/pdf", PDF).await;
    assert_eq!((both.status, both.error_fields()), (422, vec!["measurement_id".to_owned()]), "{}", both.body);
    let missing = upload(&app, &base, Some(&admin), "measurement_id=999999&file_name=x.pdf", "application/pdf", PDF).await;
    assert_eq!(missing.status, 404);
    assert_eq!(upload(&app, &base, None, &format!("{of_value}&file_name=x.pdf"), "application/pdf", PDF).await.status, 401);
    assert_eq!(app.get(&format!("/api/v1/evidence?{of_value}")).await.body.as_array().map(Vec::len), Some(1), "nothing refused was kept");

    // Bytes take their type from the name; a name gets its type's extension.
    let bytes = upload(&app, &base, Some(&admin), &format!("{of_value}&file_name=skan.PDF"), "application/octet-stream", PDF).await;
    assert_eq!((bytes.status, &bytes.body["content_type"]), (201, &json!("application/pdf")), "{}", bytes.body);
    let program = upload(&app, &base, Some(&admin), &format!("{of_value}&file_name=run.hta"), "text/plain", b"lista\n").await;
    assert_eq!(program.body["file_name"], "run.hta.txt", "{}", program.body);
    assert_eq!(app.delete(&format!("/api/v1/evidence/{}", program.id())).await.status, 204);

    // An activity's attendance list.
    let list = upload(
        &app,
        &base,
        Some(&admin),
        &format!("activity_id={}&file_name=lista.csv", fx.activity),
        "text/csv; charset=utf-8",
        "imię;nazwisko;podpis\n".as_bytes(),
    )
    .await;
    assert_eq!((list.status, &list.body["activity_id"]), (201, &json!(fx.activity)), "{}", list.body);

    // Submitted, the value and its evidence are history: nothing is added or removed.
    assert_eq!(app.post(&format!("/api/v1/indicator-measurements/{value}/submit"), &json!({})).await.status, 200);
    let late = upload(&app, &base, Some(&admin), &format!("{of_value}&file_name=y.pdf"), "application/pdf", PDF).await;
    assert_eq!((late.status, &late.body["code"]), (409, &json!("measurement_locked")), "{}", late.body);
    assert_eq!(app.delete(&format!("/api/v1/evidence/{id}")).await.status, 409);
    assert_eq!(app.patch(&format!("/api/v1/evidence/{id}"), &json!({"description": "inny"})).await.status, 409, "what is said of it is frozen too");
    assert_eq!(app.as_user(&rops_pm).delete(&format!("/api/v1/evidence/{id}")).await.status, 403, "the refusal comes before the state");

    // The trail keeps what was added and changed, never the content.
    let trail = app.get("/api/v1/audit-events?resource=evidence").await;
    let actions: Vec<&str> = trail.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "delete", "create", "create", "update", "create"], "newest first: {}", trail.body);
    assert!(!trail.body.to_string().contains("%PDF"));
}

/// A scanner made for a test: a script in a folder of its own, with the folder's path.
fn scanner(name: &str, script: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("es-scanner-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[tokio::test]
async fn the_size_limit_and_the_configured_scan_decide_what_is_kept() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    // Like `clamdscan -`: reads the file, answers 0 (clean) or 1 (infected). This one
    // also writes down the environment it was given, to the file its argument names.
    let script = scanner("scan", r#"env > "$1"; ! grep -q EICAR-STANDARD-ANTIVIRUS-TEST-FILE"#);
    let environment = script.with_file_name("environment");
    let command = format!("{} {}", script.display(), environment.display());
    let scanned = app
        .another_instance(|settings| {
            settings.evidence.max_bytes = 256;
            settings.evidence.scan_command = Some(command);
        })
        .await;
    let broken = scanner("broken", "cat > /dev/null; exit 2");
    let broken = app.another_instance(|settings| settings.evidence.scan_command = Some(broken.display().to_string())).await;
    let query = format!("activity_id={}&file_name=lista.txt", fx.activity);
    let admin = app.admin_token.clone();

    let clean = upload(&app, &scanned, Some(&admin), &query, "text/plain", b"lista obecnosci\n").await;
    assert_eq!((clean.status, &clean.body["scanned"]), (201, &json!(true)), "{}", clean.body);
    // The scanner saw no environment but PATH (and what its shell adds): none of
    // the service's secrets, which a test process's variables stand for here.
    let seen = std::fs::read_to_string(&environment).unwrap();
    let mut names: Vec<&str> = seen.lines().filter_map(|line| line.split_once('=').map(|(name, _)| name)).collect();
    names.retain(|name| !matches!(*name, "PWD" | "SHLVL" | "OLDPWD" | "_"));
    assert_eq!(names, ["PATH"], "the scanner's environment: {seen}");
    let infected = upload(&app, &scanned, Some(&admin), &query, "text/plain", b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*").await;
    assert_eq!((infected.status, &infected.body["errors"][0]["code"]), (422, &json!("infected")), "{}", infected.body);
    let large = upload(&app, &scanned, Some(&admin), &query, "text/plain", &[b'a'; 257]).await;
    assert_eq!((large.status, large.content_type()), (413, "application/problem+json"));
    let failed = upload(&app, &broken, Some(&admin), &query, "text/plain", b"lista\n").await;
    assert_eq!(failed.status, 503, "{}", failed.body);

    // The command is a program and its arguments, never shell text: `exit 0` names no program.
    let shell_text = app.another_instance(|settings| settings.evidence.scan_command = Some("exit 0".into())).await;
    let refused = upload(&app, &shell_text, Some(&admin), &query, "text/plain", b"lista\n").await;
    assert_eq!((refused.status, refused.content_type()), (503, "application/problem+json"), "{}", refused.body);

    // A scanner that never answers (nor reads what it is sent) is given up after
    // the configured time, its own children with it.
    let stuck = scanner("stuck", "sleep 30");
    let stuck = app
        .another_instance(|settings| {
            settings.evidence.scan_command = Some(stuck.display().to_string());
            settings.evidence.scan_timeout = std::time::Duration::from_secs(1);
        })
        .await;
    let started = std::time::Instant::now();
    let timed_out = upload(&app, &stuck, Some(&admin), &query, "text/plain", &vec![b'a'; 512 * 1024]).await;
    assert_eq!(timed_out.status, 503, "{}", timed_out.body);
    assert!(timed_out.body["detail"].as_str().unwrap().contains("no answer within"), "{}", timed_out.body);
    assert!(started.elapsed() < std::time::Duration::from_secs(15), "answered after {:?}", started.elapsed());

    let kept = app.get(&format!("/api/v1/evidence?activity_id={}", fx.activity)).await;
    assert_eq!(kept.body.as_array().map(Vec::len), Some(1), "only the clean file was kept: {}", kept.body);
}

#[tokio::test]
async fn a_file_is_served_as_stored_tagged_by_its_digest_and_never_compressed() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let query = format!("activity_id={}&file_name=lista.csv&public=true", fx.activity);
    let content = "imie;nazwisko\n".repeat(400);
    let kept = upload(&app, &app.address, Some(&app.admin_token), &query, "text/csv", content.as_bytes()).await;
    assert_eq!(kept.status, 201, "{}", kept.body);
    let id = kept.id();
    let digest = kept.body["sha256"].as_str().unwrap().to_owned();
    let request = || app.client.get(app.url(&format!("/api/v1/evidence/{id}/content"))).header("Accept-Encoding", "gzip, br, zstd");
    let served = request().send().await.unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["etag"], format!("\"{digest}\"").as_str(), "the stored digest is the tag");
    assert!(served.headers().get("content-encoding").is_none(), "served as stored: {:?}", served.headers());
    assert_eq!(served.bytes().await.unwrap(), content.as_bytes());
    let unchanged = request().header("If-None-Match", format!("\"{digest}\"")).send().await.unwrap();
    assert_eq!(unchanged.status(), 304);
}

#[tokio::test]
async fn an_office_document_is_checked_as_the_package_its_type_names_not_as_any_zip() {
    use std::io::Write;
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let archive = |entries: &[(&str, &str)]| {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, content) in entries {
            zip.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(content.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    };
    let query = format!("activity_id={}&file_name=raport.docx", fx.activity);
    let any_zip = archive(&[("raport.txt", "to nie jest dokument")]);
    let refused = upload(&app, &app.address, Some(&app.admin_token), &query, "application/octet-stream", &any_zip).await;
    assert_eq!((refused.status, &refused.body["errors"][0]["code"]), (422, &json!("content_mismatch")), "{}", refused.body);
    let main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml";
    let types = format!(r#"<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType="{main}"/></Types>"#);
    let docx = archive(&[("[Content_Types].xml", &types), ("word/document.xml", "<w:document/>")]);
    let kept = upload(&app, &app.address, Some(&app.admin_token), &query, "application/octet-stream", &docx).await;
    assert_eq!(kept.status, 201, "{}", kept.body);
}

#[tokio::test]
async fn an_activitys_evidence_freezes_with_the_values_it_supports_and_every_removal_is_audited() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let rops = app.user_token("rops-kp@x.pl", Role::Rops, Some(fx.organisation)).await;
    let session = |title: &str, start: &str| json!({"project_id": fx.project, "activity_type": "consulting", "title": title, "start_date": start});
    let early = app.create("activities", session("doradztwo w marcu", "2024-03-12")).await;
    let late = app.create("activities", session("doradztwo w lipcu", "2024-07-02")).await;
    let app = &app;
    let attach = |activity: i64| async move {
        let query = format!("activity_id={activity}&file_name=lista.pdf");
        upload(app, &app.address, Some(&app.admin_token), &query, "application/pdf", PDF).await
    };
    let early_list = attach(early).await.id();
    let late_list = attach(late).await.id();
    let extra = attach(late).await.id();

    // A value for the half-year to June is approved: it counted the March session, not July's.
    let indicator =
        app.create("indicators", json!({"project_id": fx.project, "name": "Liczba osób", "kind": "output", "unit": "osoby", "target_value": "10"})).await;
    let value = app.post("/api/v1/indicator-measurements", &json!({"indicator_id": indicator, "period_end": "2024-06-30", "value": "3"})).await.id();
    assert_eq!(app.post(&format!("/api/v1/indicator-measurements/{value}/submit"), &json!({})).await.status, 200);
    assert_eq!(app.as_user(&rops).post(&format!("/api/v1/indicator-measurements/{value}/approve"), &json!({})).await.status, 200);

    // Frozen for the region's ROPS, which writes the project's activities.
    let regional = app.as_user(&rops);
    let frozen = regional.delete(&format!("/api/v1/evidence/{early_list}")).await;
    assert_eq!((frozen.status, &frozen.body["code"]), (409, &json!("evidence_frozen")), "{}", frozen.body);
    let late_add = upload(app, &app.address, Some(&rops), &format!("activity_id={early}&file_name=lista.pdf"), "application/pdf", PDF).await;
    assert_eq!(late_add.status, 409, "nothing is added to it either: {}", late_add.body);
    let described = regional.patch(&format!("/api/v1/evidence/{early_list}"), &json!({"description": "inna"})).await;
    assert_eq!(described.status, 409, "{}", described.body);
    assert_eq!(regional.delete(&format!("/api/v1/activities/{early}")).await.status, 409, "nor is the activity deleted with it");
    assert_eq!(app.get(&format!("/api/v1/evidence/{early_list}")).await.status, 200);
    // An admin's correction is what changes it.
    let corrected = app.patch(&format!("/api/v1/evidence/{early_list}"), &json!({"description": "lista po korekcie"})).await;
    assert_eq!(corrected.status, 200, "{}", corrected.body);

    // July's evidence still moves; removing July's activity removes its files, each audited.
    assert_eq!(app.delete(&format!("/api/v1/evidence/{extra}")).await.status, 204);
    assert_eq!(app.delete(&format!("/api/v1/activities/{late}")).await.status, 204);
    assert_eq!(app.get(&format!("/api/v1/evidence/{late_list}")).await.status, 404);
    let trail = app.get("/api/v1/audit-events?resource=evidence&action=delete").await;
    let removed: Vec<i64> =
        trail.body["items"].as_array().unwrap().iter().filter(|e| e["action"] == "delete").map(|e| e["record_id"].as_i64().unwrap()).collect();
    assert!(removed.contains(&extra) && removed.contains(&late_list), "both removals audited: {}", trail.body);
}
