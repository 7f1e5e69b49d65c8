//! What regional portals rely on: search, filters, orders and cursors, HTTP
//! caching, CORS, CSV and GeoJSON, organisation look-ups and the change feed.

use crate::helpers::{spawn_app, Fixture, TestApp, PORTAL_ORIGIN};
use diesel::{Connection, PgConnection, RunQueryDsl};
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn ids(body: &Value) -> Vec<i64> {
    body["items"].as_array().unwrap_or_else(|| panic!("no items in {body}")).iter().map(|i| i["id"].as_i64().unwrap()).collect()
}

fn header<'a>(reply: &'a crate::helpers::Reply, name: &str) -> &'a str {
    reply.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

async fn organisation(app: &TestApp, body: Value) -> i64 {
    app.create("beneficiaries", body).await
}

async fn project(app: &TestApp, fx: &Fixture, title: &str, extra: Value) -> i64 {
    let mut body = json!({"title": title, "measure_id": fx.sub_measure});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    app.create("projects", body).await
}

#[tokio::test]
async fn search_ignores_case_and_polish_diacritics_matches_prefixes_and_ranks() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let strong = project(&app, &fx, "Spółdzielnie socjalne w regionie", json!({"objective": "Wsparcie spółdzielni socjalnych"})).await;
    let weak = project(&app, &fx, "Doradztwo dla PES", json!({"description": "Między innymi spółdzielnie socjalne z Torunia"})).await;
    let unrelated = project(&app, &fx, "Targi ekonomii społecznej", json!({})).await;
    let by_leader = project(&app, &fx, "Projekt partnerski", json!({})).await;
    let cistor = organisation(&app, json!({"name": "Stowarzyszenie Partnerstwo Społeczne", "aliases": ["CISTOR"], "kind": "ngo", "teryt": "0463011"})).await;
    app.create("partners", json!({"project_id": by_leader, "beneficiary_id": cistor, "role": "leader"})).await;

    let found = app.get("/api/v1/projects?q=spoldzielnie%20socjalne").await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(ids(&found.body), vec![strong, weak], "title matches rank above description matches");
    assert!(!ids(&found.body).contains(&unrelated));

    let prefix = app.get("/api/v1/projects?q=SPÓŁDZIEL").await;
    assert_eq!(ids(&prefix.body).len(), 2, "a word's beginning finds it, in any case");
    let torun = app.get("/api/v1/beneficiaries?q=torun").await;
    assert!(ids(&torun.body).contains(&fx.organisation), "'torun' finds 'Toruniu': {}", torun.body);
    let alias = app.get("/api/v1/projects?q=cistor").await;
    assert_eq!(ids(&alias.body), vec![by_leader], "projects are found by their organisations' aliases");
    let activity = app.get("/api/v1/activities?q=Szkolenie").await;
    assert_eq!(ids(&activity.body), vec![fx.activity]);

    let nothing = app.get("/api/v1/projects?q=%27%3B%20--%20%26%7C%21").await;
    assert_eq!((nothing.status, nothing.body["total"].as_i64()), (200, Some(0)), "punctuation alone matches nothing and breaks nothing");
    let relevance_without_q = app.get("/api/v1/projects?sort=relevance").await;
    assert_eq!(relevance_without_q.status, 422);
    let by_title = app.get("/api/v1/projects?q=spoldzielnie&sort=title").await;
    assert_eq!(ids(&by_title.body), vec![weak, strong], "an explicit order overrides relevance");
}

#[tokio::test]
async fn project_filters_cover_place_money_period_and_organisations() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let small = project(&app, &fx, "Mały", json!({"total_value": "100000.00", "planned_start": "2016-01-01", "planned_end": "2017-12-31"})).await;
    let big = project(&app, &fx, "Duży", json!({"total_value": "5000000.00", "planned_start": "2019-01-01", "planned_end": "2022-12-31", "fund": "ESF"})).await;
    let owes = organisation(&app, json!({"name": "OWES Bydgoszcz", "kind": "owes", "nip": "1234563218", "teryt": "0461011"})).await;
    app.create("partners", json!({"project_id": big, "beneficiary_id": owes, "role": "partner"})).await;
    app.create("activities", json!({"project_id": small, "activity_type": "training", "title": "w Toruniu", "teryt": "0463011"})).await;

    let ids_of = |reply: crate::helpers::Reply| ids(&reply.body);
    assert_eq!(ids_of(app.get("/api/v1/projects?min_total_value=1000000").await), vec![fx.project, big]);
    assert_eq!(ids_of(app.get("/api/v1/projects?max_total_value=100000").await), vec![small]);
    assert_eq!(ids_of(app.get("/api/v1/projects?period_from=2018-01-01&period_to=2018-12-31").await), vec![fx.project], "only the one without dates");
    assert_eq!(
        ids_of(app.get("/api/v1/projects?period_from=2017-06-01&period_to=2019-06-01").await),
        vec![fx.project, small, big],
        "open periods overlap everything"
    );
    assert_eq!(ids_of(app.get("/api/v1/projects?beneficiary_nip=123-456-32-18").await), vec![big]);
    assert_eq!(ids_of(app.get(&format!("/api/v1/projects?partner_id={owes}")).await), vec![big]);
    assert_eq!(ids_of(app.get("/api/v1/projects?teryt=0461").await), vec![big], "by an organisation's seat");
    assert_eq!(ids_of(app.get("/api/v1/projects?teryt=0463").await), vec![small], "by where an activity is held");
    assert_eq!(ids_of(app.get(&format!("/api/v1/projects?axis_id={}&fund=ESF", fx.axis)).await), vec![big]);
    assert_eq!(ids_of(app.get("/api/v1/projects?voivodeship=04&status=unknown&selection_mode=unknown").await).len(), 3);
    assert_eq!(ids_of(app.get("/api/v1/beneficiaries?teryt=04").await).len(), 2);
}

#[tokio::test]
async fn cursors_walk_a_sorted_list_without_gaps_or_repeats_even_while_it_changes() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let mut made = vec![fx.project];
    for i in 0..9 {
        let value = if i % 3 == 0 { json!(null) } else { json!(format!("{}.00", 1000 * (i % 4 + 1))) };
        made.push(project(&app, &fx, &format!("Projekt {i}"), json!({"total_value": value})).await);
    }
    let all = app.get("/api/v1/projects?sort=-total_value&limit=200").await;
    let expected = ids(&all.body);
    assert_eq!(expected.len(), 10);
    let values: Vec<Option<f64>> = all.body["items"].as_array().unwrap().iter().map(|i| i["total_value"].as_str().map(|v| v.parse().unwrap())).collect();
    let known: Vec<f64> = values.iter().flatten().copied().collect();
    assert!(known.windows(2).all(|w| w[0] >= w[1]), "largest first: {values:?}");
    assert!(values.iter().skip_while(|v| v.is_some()).all(Option::is_none), "unknown amounts come last: {values:?}");

    let mut walked = Vec::new();
    let mut page = app.get("/api/v1/projects?sort=-total_value&limit=3").await;
    walked.extend(ids(&page.body));
    // A record created mid-walk lands at its place in the order; it never shifts the pages already read.
    project(&app, &fx, "Nowy", json!({"total_value": "1.00"})).await;
    while let Some(cursor) = page.body["next_cursor"].as_str().map(str::to_owned) {
        page = app.get(&format!("/api/v1/projects?sort=-total_value&limit=3&cursor={cursor}")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        walked.extend(ids(&page.body));
    }
    let without_new: Vec<i64> = walked.iter().copied().filter(|id| expected.contains(id)).collect();
    assert_eq!(without_new, expected, "every record once, in order");

    let foreign = app
        .get(&format!("/api/v1/projects?sort=title&cursor={}", all.body["next_cursor"].as_str().unwrap_or("eyJzIjoiLXRvdGFsX3ZhbHVlIiwiayI6IjEiLCJpIjoxfQ")))
        .await;
    assert_eq!(foreign.status, 422, "a cursor of another order is refused: {}", foreign.body);
    let both = app.get("/api/v1/projects?offset=3&cursor=abc").await;
    assert_eq!(both.status, 422);
    assert_eq!(both.content_type(), "application/problem+json");
}

#[tokio::test]
async fn reads_carry_strong_etags_and_writes_can_be_made_conditional() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let path = format!("/api/v1/projects/{}", fx.project);
    let read = app.anonymous().get(&path).await;
    let etag = header(&read, "etag").to_owned();
    assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
    assert_eq!(header(&read, "cache-control"), "public, max-age=30");
    assert_eq!(header(&app.get(&path).await, "cache-control"), "private, no-cache", "signed-in answers are never shared");

    let again = app.send(app.client.get(app.url(&path)).header("if-none-match", &etag)).await;
    assert_eq!(again.status, 304);
    assert_eq!(header(&again, "etag"), etag);
    let list = app.anonymous().get("/api/v1/projects").await;
    let list_again = app.send(app.client.get(app.url("/api/v1/projects")).header("if-none-match", header(&list, "etag"))).await;
    assert_eq!(list_again.status, 304, "lists too");

    let stale = app
        .send(
            app.client
                .patch(app.url(&path))
                .bearer_auth(&app.admin_token)
                .header("content-type", "application/merge-patch+json")
                .header("if-match", "\"0000\"")
                .body(r#"{"title": "Nie"}"#),
        )
        .await;
    assert_eq!(stale.status, 412, "{}", stale.body);
    assert_eq!(stale.body["code"], "precondition_failed");
    assert_eq!(app.get(&path).await.body["title"], "Koordynacja rozwoju ekonomii społecznej", "a refused write changes nothing");

    let fresh = app
        .send(
            app.client
                .patch(app.url(&path))
                .bearer_auth(&app.admin_token)
                .header("content-type", "application/merge-patch+json")
                .header("if-match", &etag)
                .body(r#"{"title": "Tak"}"#),
        )
        .await;
    assert_eq!(fresh.status, 200, "{}", fresh.body);
    let new_etag = header(&fresh, "etag").to_owned();
    assert_ne!(new_etag, etag);
    assert_eq!(header(&app.anonymous().get(&path).await, "etag"), new_etag, "the write's ETag is the next read's");
    let lost_update = app.send(app.client.delete(app.url(&path)).bearer_auth(&app.admin_token).header("if-match", &etag)).await;
    assert_eq!(lost_update.status, 412, "the old version no longer matches");
    assert_eq!(app.anonymous().get(&path).await.status, 200);
}

#[tokio::test]
async fn cors_allows_the_configured_portal_and_no_other_origin() {
    let app = spawn_app().await;
    let preflight = app
        .send(
            app.client
                .request(reqwest::Method::OPTIONS, app.url("/api/v1/projects/1"))
                .header("origin", PORTAL_ORIGIN)
                .header("access-control-request-method", "PATCH")
                .header("access-control-request-headers", "authorization, if-match"),
        )
        .await;
    assert_eq!(preflight.status, 204);
    assert_eq!(header(&preflight, "access-control-allow-origin"), PORTAL_ORIGIN);
    assert!(header(&preflight, "access-control-allow-methods").contains("PATCH"));
    assert!(header(&preflight, "access-control-allow-headers").contains("If-Match"));

    let read = app.send(app.client.get(app.url("/api/v1/programmes")).header("origin", PORTAL_ORIGIN)).await;
    assert_eq!(header(&read, "access-control-allow-origin"), PORTAL_ORIGIN);
    assert!(header(&read, "access-control-expose-headers").contains("ETag"));

    let elsewhere = app.send(app.client.get(app.url("/api/v1/programmes")).header("origin", "https://evil.example")).await;
    assert_eq!(elsewhere.status, 200);
    assert!(elsewhere.headers.get("access-control-allow-origin").is_none());
    let refused = app
        .send(
            app.client
                .request(reqwest::Method::OPTIONS, app.url("/api/v1/programmes"))
                .header("origin", "https://evil.example")
                .header("access-control-request-method", "GET"),
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.content_type(), "application/problem+json");
}

#[tokio::test]
async fn every_list_is_also_csv_with_formulas_defused() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    project(&app, &fx, "=HYPERLINK(\"http://x\")", json!({"total_value": "10.00"})).await;
    let by_query = app.get("/api/v1/projects?format=csv&min_total_value=5").await;
    assert_eq!(by_query.status, 200);
    assert!(by_query.content_type().starts_with("text/csv"), "{}", by_query.content_type());
    let text = by_query.body.as_str().unwrap().to_owned();
    let mut lines = text.lines();
    let head = lines.next().unwrap();
    assert!(head.starts_with("id,contract_number,title,"), "{head}");
    assert!(head.ends_with(",created_at,updated_at"), "{head}");
    assert!(text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{text}");
    assert_eq!(lines.count(), 2, "same filters as JSON: the fixture's project and the new one");

    let collections = [
        "programmes",
        "priority-axes",
        "measures",
        "beneficiaries",
        "partners",
        "activities",
        "participants",
        "attendance",
        "indicators",
        "indicator-definitions",
        "indicator-measurements",
    ];
    for collection in collections {
        let reply = app.send(app.client.get(app.url(&format!("/api/v1/{collection}"))).bearer_auth(&app.admin_token).header("accept", "text/csv")).await;
        assert_eq!(reply.status, 200, "{collection}");
        assert!(reply.content_type().starts_with("text/csv"), "{collection}");
        assert!(reply.body.as_str().unwrap_or_default().starts_with("id,"), "{collection}: a header row even when empty");
    }
}

#[tokio::test]
async fn organisations_and_projects_are_geojson_with_centroids_where_no_coordinates() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let placed = organisation(&app, json!({"name": "CIS", "kind": "pes", "teryt": "2469011", "latitude": "50.2599", "longitude": "19.0216"})).await;
    let abroad = organisation(&app, json!({"name": "Universiteit Leiden", "kind": "other", "country": "NL"})).await;
    let reply = app.send(app.client.get(app.url("/api/v1/beneficiaries")).header("accept", "application/geo+json")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.content_type(), "application/geo+json");
    assert_eq!(reply.body["type"], "FeatureCollection");
    let features: BTreeMap<i64, &Value> = reply.body["features"].as_array().unwrap().iter().map(|f| (f["id"].as_i64().unwrap(), f)).collect();
    assert_eq!(features[&placed]["geometry"], json!({"type": "Point", "coordinates": [19.0216, 50.2599]}), "longitude first");
    assert_eq!(features[&placed]["properties"]["location_source"], "coordinates");
    assert_eq!(features[&fx.organisation]["properties"]["location_source"], "teryt:0463", "Toruń's centroid");
    assert_eq!(features[&fx.organisation]["properties"]["name"], "Regionalny Ośrodek Polityki Społecznej w Toruniu");
    assert_eq!(features[&abroad]["geometry"], Value::Null);

    let projects = app.get("/api/v1/projects?format=geojson").await;
    assert_eq!(projects.body["features"][0]["properties"]["location_source"], "teryt:04", "a project without coordinates lies at its voivodeship's centroid");
    assert_eq!(app.get("/api/v1/activities?format=geojson").await.status, 400);
    let unpaired = app.post("/api/v1/beneficiaries", &json!({"name": "X", "kind": "ngo", "latitude": "50.1"})).await;
    assert_eq!(unpaired.status, 422);
}

#[tokio::test]
async fn organisations_are_found_by_nip_regon_and_krs() {
    let app = spawn_app().await;
    let id = organisation(&app, json!({"name": "Fundacja", "kind": "ngo", "nip": "1234563218", "regon": "123456785", "krs": "0000123456"})).await;
    for query in ["nip=123-456-32-18", "regon=123456785", "krs=123456"] {
        let reply = app.anonymous().get(&format!("/api/v1/beneficiaries/lookup?{query}")).await;
        assert_eq!((reply.status, reply.body["id"].as_i64()), (200, Some(id)), "{query}: {}", reply.body);
    }
    assert_eq!(app.anonymous().get("/api/v1/beneficiaries/lookup?nip=5260250274").await.status, 404);
    assert_eq!(app.anonymous().get("/api/v1/beneficiaries/lookup?nip=1234563219").await.status, 422, "a bad check digit");
    assert_eq!(app.anonymous().get("/api/v1/beneficiaries/lookup?nip=1234563218&krs=123456").await.status, 422);
}

/// Every public record, read whole through the lists: resource → id → record.
async fn full_read(app: &TestApp) -> BTreeMap<String, BTreeMap<String, Value>> {
    let mut all = BTreeMap::new();
    for collection in [
        "programmes",
        "priority-axes",
        "measures",
        "beneficiaries",
        "projects",
        "partners",
        "activities",
        "indicators",
        "indicator-definitions",
        "indicator-measurements",
    ] {
        let mut records = BTreeMap::new();
        let mut path = format!("/api/v1/{collection}?limit=200");
        loop {
            let page = app.anonymous().get(&path).await;
            for item in page.body["items"].as_array().unwrap() {
                records.insert(item["id"].to_string(), item.clone());
            }
            match page.body["next_cursor"].as_str() {
                Some(cursor) => path = format!("/api/v1/{collection}?limit=200&cursor={cursor}"),
                None => break,
            }
        }
        if !records.is_empty() {
            all.insert(collection.to_owned(), records);
        }
    }
    all
}

async fn sync(app: &TestApp, store: &std::path::Path) -> BTreeMap<String, BTreeMap<String, Value>> {
    let (address, store) = (app.address.clone(), store.to_owned());
    let text = tokio::task::spawn_blocking(move || {
        let run = std::process::Command::new("bash").arg("scripts/portal-sync.sh").arg(&address).arg(&store).output().unwrap();
        assert!(run.status.success(), "portal-sync: {}", String::from_utf8_lossy(&run.stderr));
        std::fs::read_to_string(&store).unwrap()
    })
    .await
    .unwrap();
    let mirror: Value = serde_json::from_str(&text).unwrap();
    serde_json::from_value::<BTreeMap<String, BTreeMap<String, Value>>>(mirror["records"].clone())
        .unwrap()
        .into_iter()
        .filter(|(_, records)| !records.is_empty())
        .collect()
}

#[tokio::test]
async fn the_change_feed_mirrors_the_registry_through_creates_updates_and_deletes() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let store = std::env::temp_dir().join(format!("{}-mirror.json", app.database));
    assert_eq!(sync(&app, &store).await, full_read(&app).await);

    app.patch(&format!("/api/v1/projects/{}", fx.project), &json!({"title": "Zmieniony tytuł"})).await;
    let extra = project(&app, &fx, "Do usunięcia", json!({})).await;
    app.delete(&format!("/api/v1/activities/{}", fx.activity)).await;
    let organisation = organisation(&app, json!({"name": "Nowa fundacja", "kind": "ngo"})).await;
    assert_eq!(sync(&app, &store).await, full_read(&app).await, "after creates, an update and a delete");

    assert_eq!(app.delete(&format!("/api/v1/projects/{extra}")).await.status, 204);
    app.put(&format!("/api/v1/beneficiaries/{organisation}"), &json!({"name": "Fundacja po zmianie", "kind": "ngo"})).await;
    let mirror = sync(&app, &store).await;
    assert_eq!(mirror, full_read(&app).await);
    assert!(!mirror["projects"].contains_key(&extra.to_string()), "the deleted project is gone from the mirror");
    assert_eq!(mirror["beneficiaries"][&organisation.to_string()]["name"], "Fundacja po zmianie");

    let feed = app.anonymous().get("/api/v1/changes?limit=1000").await;
    let tombstones: Vec<&Value> = feed.body["changes"].as_array().unwrap().iter().filter(|c| c["op"] == "deleted").collect();
    assert_eq!(tombstones.len(), 2, "{}", feed.body);
    assert!(tombstones.iter().all(|t| t["record"].is_null()));
    let changes = feed.body["changes"].as_array().unwrap();
    assert!(!changes.iter().any(|c| c["resource"] == "participants"), "personal data never enters the feed");
    assert_eq!(app.anonymous().get("/api/v1/changes?since=nonsense").await.status, 422);
    let _ = std::fs::remove_file(store);
}

#[tokio::test]
async fn the_feed_never_shows_a_change_behind_one_it_has_shown() {
    use diesel::prelude::*;
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let end = end_of_feed(&app).await;

    // A transaction that writes first but commits last.
    let mut slow = PgConnection::establish(&app.database_url).unwrap();
    diesel::sql_query("BEGIN").execute(&mut slow).unwrap();
    diesel::sql_query(format!("UPDATE projects SET title = 'wolny' WHERE id = {}", fx.project)).execute(&mut slow).unwrap();
    let quick = organisation(&app, json!({"name": "Szybka fundacja", "kind": "ngo"})).await;
    let meanwhile = app.anonymous().get(&format!("/api/v1/changes?since={end}")).await;
    assert_eq!(meanwhile.body["changes"], json!([]), "the later commit waits behind the open transaction");
    assert_eq!(meanwhile.body["next_cursor"], end.as_str());
    diesel::sql_query("COMMIT").execute(&mut slow).unwrap();

    let after = read_to_the_end(&app, &end).await;
    let seen: Vec<(&str, i64)> = after.iter().map(|c| (c["resource"].as_str().unwrap(), c["id"].as_i64().unwrap())).collect();
    assert_eq!(seen, vec![("projects", fx.project), ("beneficiaries", quick)], "both, in transaction order");
    assert_eq!(after[0]["record"]["title"], "wolny");
}

/// The cursor after every change committed so far. Other tests' transactions on
/// the same server may hold the feed back for a moment: a cursor taken then
/// would come before the fixture's own changes.
async fn end_of_feed(app: &TestApp) -> String {
    let mut cursor = app.anonymous().get("/api/v1/changes?limit=1000").await.body["next_cursor"].as_str().unwrap().to_owned();
    for _ in 0..200 {
        let page = app.anonymous().get(&format!("/api/v1/changes?since={cursor}&limit=1000")).await;
        cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
        if page.body["caught_up"] == true {
            return cursor;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the feed never caught up");
}

/// The changes after `since`, read until the feed says it is caught up. Other
/// tests' transactions on the same server may hold the feed back for a moment.
async fn read_to_the_end(app: &TestApp, since: &str) -> Vec<Value> {
    let mut changes = Vec::new();
    let mut cursor = since.to_owned();
    for _ in 0..200 {
        let page = app.anonymous().get(&format!("/api/v1/changes?since={cursor}")).await;
        changes.extend(page.body["changes"].as_array().unwrap().iter().cloned());
        cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
        if page.body["caught_up"] == true {
            return changes;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the feed never caught up");
}

#[tokio::test]
async fn anonymous_reads_are_served_from_memory_until_any_write_from_any_instance() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    // The fixture's own writes are still being announced; let them arrive first.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let path = format!("/api/v1/projects/{}", fx.project);
    let cache_status = |reply: &crate::helpers::Reply| reply.headers.get("x-cache").map(|v| v.to_str().unwrap().to_owned());
    let first = app.anonymous().get(&path).await;
    assert_eq!(cache_status(&first).as_deref(), Some("miss"));
    let second = app.anonymous().get(&path).await;
    assert_eq!((cache_status(&second).as_deref(), &second.body), (Some("hit"), &first.body));
    assert_eq!(second.headers["etag"], first.headers["etag"]);
    let not_modified = app.send(app.client.get(app.url(&path)).header("If-None-Match", first.headers["etag"].clone())).await;
    assert_eq!(not_modified.status, 304);
    // Signed-in reads never come from the cache.
    assert_eq!(cache_status(&app.get(&path).await), None);

    // A write through this instance empties it at once.
    app.patch(&path, &json!({"title": "Nowy tytuł"})).await;
    let after = app.anonymous().get(&path).await;
    assert_eq!((cache_status(&after).as_deref(), after.body["title"].as_str()), (Some("miss"), Some("Nowy tytuł")));

    // A write by another instance (here: straight into the database) reaches it by NOTIFY.
    // First the PATCH's own announcement must have come and gone, then the record is kept again.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    app.anonymous().get(&path).await;
    assert_eq!(cache_status(&app.anonymous().get(&path).await).as_deref(), Some("hit"));
    let mut conn = PgConnection::establish(&app.database_url).unwrap();
    diesel::sql_query(format!("UPDATE projects SET title = 'Tytuł z innej instancji' WHERE id = {}", fx.project)).execute(&mut conn).unwrap();
    let mut seen = None;
    for _ in 0..100 {
        let reply = app.anonymous().get(&path).await;
        if reply.body["title"] == "Tytuł z innej instancji" {
            seen = Some(reply);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(seen.is_some(), "the notification emptied the cache within two seconds");
}

#[tokio::test]
async fn a_long_list_estimates_its_total_unless_asked_to_count_and_a_last_page_counts_itself() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let mut conn = PgConnection::establish(&app.database_url).unwrap();
    diesel::sql_query(format!(
        "INSERT INTO projects (title, measure_id, voivodeship, contract_number) \
         SELECT 'Projekt ' || g, {}, '04', 'EST/' || g FROM generate_series(1, 2500) g",
        fx.sub_measure
    ))
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query("ANALYZE projects").execute(&mut conn).unwrap();

    let counted = app.anonymous().get("/api/v1/projects?limit=5&count=exact").await;
    assert_eq!(counted.status, 200, "{}", counted.body);
    let exact = counted.body["total"].as_i64().unwrap();
    assert!(exact >= 2501, "every project counted: {exact}");
    assert_eq!((counted.body["total_is_estimate"].as_bool(), header(&counted, "total-is-estimate")), (Some(false), ""));

    // Above a thousand matches the planner's estimate answers, and says so.
    let estimated = app.anonymous().get("/api/v1/projects?limit=5").await;
    assert_eq!(estimated.body["total_is_estimate"].as_bool(), Some(true), "{}", estimated.body);
    assert_eq!(header(&estimated, "total-is-estimate"), "true");
    let total = estimated.body["total"].as_i64().unwrap();
    assert!((total - exact).abs() * 5 <= exact, "an estimate of {total} is within a fifth of {exact}");
    assert_eq!(ids(&estimated.body).len(), 5);

    // A few matches are counted exactly; so is a page that ends the list.
    let few = app.anonymous().get("/api/v1/projects?contract_number=EST/7").await;
    assert_eq!((few.body["total"].as_i64(), few.body["total_is_estimate"].as_bool()), (Some(1), Some(false)));
    let last = app.anonymous().get(&format!("/api/v1/projects?limit=200&offset={}", exact - 10)).await;
    assert_eq!(ids(&last.body).len(), 10);
    assert_eq!((last.body["total"].as_i64(), last.body["total_is_estimate"].as_bool()), (Some(exact), Some(false)));
    // Past the end there is nothing to count from: the estimate answers, never below what is known.
    let beyond = app.anonymous().get(&format!("/api/v1/projects?limit=5&offset={}", exact + 100)).await;
    assert_eq!(ids(&beyond.body).len(), 0);
    assert!(beyond.body["total"].as_i64().unwrap() >= 1000, "{}", beyond.body);

    let bad = app.anonymous().get("/api/v1/projects?count=roughly").await;
    assert_eq!(bad.status, 400, "{}", bad.body);
}

#[tokio::test]
async fn a_write_names_its_log_position_and_a_read_may_ask_to_see_it() {
    // The test instance's "replica" is the primary itself (DATABASE_READ_URL set to
    // it): the positions are real, and the replica always has replayed them.
    // scripts/scale-out shows a real, lagging replica.
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    let path = format!("/api/v1/projects/{}", fx.project);
    let written = app.patch(&path, &json!({"title": "Tytuł po zmianie"})).await;
    assert_eq!(written.status, 200, "{}", written.body);
    let position = header(&written, "x-write-position").to_owned();
    let (high, low) = position.split_once('/').unwrap_or_else(|| panic!("a log position, not {position:?}"));
    assert!(u32::from_str_radix(high, 16).is_ok() && u32::from_str_radix(low, 16).is_ok(), "{position}");

    let read = app.send(app.client.get(app.url(&path)).header("X-Read-After", &position)).await;
    assert_eq!((read.status, read.body["title"].as_str()), (200, Some("Tytuł po zmianie")));
    // A later write names a later position.
    let again = app.patch(&path, &json!({"title": "Tytuł po drugiej zmianie"})).await;
    let later = header(&again, "x-write-position").to_owned();
    let number = |p: &str| p.split_once('/').map(|(h, l)| (u64::from_str_radix(h, 16).unwrap() << 32) | u64::from_str_radix(l, 16).unwrap()).unwrap();
    assert!(number(&later) > number(&position), "{later} after {position}");
    // Reads do not name one; a malformed position is refused before any work.
    assert_eq!(header(&read, "x-write-position"), "");
    let bad = app.send(app.client.get(app.url(&path)).header("X-Read-After", "yesterday")).await;
    assert_eq!((bad.status, bad.content_type()), (422, "application/problem+json"), "{}", bad.body);
    assert_eq!(bad.error_fields(), vec!["X-Read-After".to_owned()]);

    // A position no write has reached would send every read past the cache and
    // the replica: it is refused, with a replica and without one.
    let ahead = app.send(app.client.get(app.url(&path)).header("X-Read-After", "FFFFFFFF/FFFFFFFF")).await;
    assert_eq!((ahead.status, ahead.content_type()), (422, "application/problem+json"), "{}", ahead.body);
    assert_eq!(ahead.error_fields(), vec!["X-Read-After".to_owned()]);
    let primary_only = app.another_instance(|settings| settings.database_read_url = None).await;
    let read_there = |position: &str| app.client.get(format!("{primary_only}{path}")).header("X-Read-After", position.to_owned());
    assert_eq!(app.send(read_there("FFFFFFFF/FFFFFFFF")).await.status, 422);
    assert_eq!(app.send(read_there("yesterday")).await.status, 422);
    assert_eq!(app.send(read_there(&later)).await.status, 200, "a position a write gave is honoured");
}

#[tokio::test]
async fn only_a_write_that_succeeded_empties_the_cache() {
    let app = spawn_app().await;
    let fx = Fixture::new(&app).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let path = format!("/api/v1/projects/{}", fx.project);
    let cache_status = |reply: &crate::helpers::Reply| header(reply, "x-cache").to_owned();
    app.anonymous().get(&path).await;
    assert_eq!(cache_status(&app.anonymous().get(&path).await), "hit");

    // Writes that were refused changed nothing, so they empty nothing: not here,
    // and not through the notification the other instances hear.
    assert_eq!(app.delete("/api/v1/projects/999999999").await.status, 404);
    assert_eq!(app.anonymous().delete(&path).await.status, 401);
    assert_eq!(app.patch(&path, &json!({"title": 7})).await.status, 422);
    assert_eq!(app.anonymous().delete("/api/v1/x").await.status, 404);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(cache_status(&app.anonymous().get(&path).await), "hit", "refused writes left the cache as it was");
}

#[tokio::test]
async fn one_cache_entry_serves_every_accept_header_that_chooses_the_same_form() {
    let app = spawn_app().await;
    Fixture::new(&app).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let cache_status = |reply: &crate::helpers::Reply| header(reply, "x-cache").to_owned();
    // Entries are kept by the form an Accept header chooses, not by its text.
    let list = "/api/v1/projects?voivodeship=04";
    let accepting = |accept: &str| app.client.get(app.url(list)).header("Accept", accept.to_owned());
    let json = app.send(accepting("application/json")).await;
    assert_eq!((cache_status(&json), json.content_type()), ("miss".to_owned(), "application/json"));
    for variant in ["application/json, */*;q=0.1", "*/*", "application/json; charset=utf-8, text/plain"] {
        let reply = app.send(accepting(variant)).await;
        assert_eq!((cache_status(&reply), reply.content_type()), ("hit".to_owned(), "application/json"), "{variant}");
    }
    let csv = app.send(accepting("text/csv")).await;
    assert_eq!((cache_status(&csv), csv.content_type()), ("miss".to_owned(), "text/csv; charset=utf-8"));
    let csv_again = app.send(accepting("text/csv;q=1.0, application/json;q=0.5")).await;
    assert_eq!((cache_status(&csv_again), csv_again.content_type()), ("hit".to_owned(), "text/csv; charset=utf-8"));
    assert!(header(&csv_again, "vary").contains("Accept"), "the representation varies with Accept");
}

/// A flood of reads without a token from one client is refused (429, with
/// `Retry-After` and the `RateLimit` headers), cache hits included, while
/// another client and signed-in callers read on.
#[tokio::test]
async fn a_flood_of_anonymous_reads_from_one_client_is_shed_and_others_read_on() {
    let app = crate::helpers::spawn_app_with(|settings| {
        settings.anonymous_reads = es_registry::config::AnonymousReads { per_second: 1, burst: 5 };
        settings.trust_forwarded_for = true;
    })
    .await;
    let read = |client: &'static str| app.client.get(app.url("/api/v1/programmes")).header("X-Forwarded-For", client);
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(app.send(read("198.51.100.7")).await.status);
    }
    assert_eq!(&statuses[..5], &[200; 5], "the burst is served (from the cache after the first): {statuses:?}");
    assert!(statuses[5..].iter().all(|s| *s == 429), "then refused: {statuses:?}");
    let refused = app.send(read("198.51.100.7")).await;
    assert_eq!((refused.status, refused.content_type()), (429, "application/problem+json"));
    assert_eq!(refused.body["code"], "too_many_requests", "{}", refused.body);
    let header = |name: &str| refused.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(header("retry-after").parse::<u64>().is_ok_and(|s| (1..=2).contains(&s)), "{:?}", refused.headers);
    assert_eq!(header("ratelimit-policy"), "\"anonymous\";q=1;w=1");
    assert!(header("ratelimit").starts_with("\"anonymous\";r=0;"), "{:?}", refused.headers);

    let other = app.send(read("203.0.113.9")).await;
    assert_eq!(other.status, 200, "another client reads on");
    assert!(other.headers.get("ratelimit").is_some_and(|v| v.to_str().unwrap().starts_with("\"anonymous\";r=4")), "{:?}", other.headers);
    let signed_in = app.send(app.client.get(app.url("/api/v1/programmes")).header("X-Forwarded-For", "198.51.100.7").bearer_auth(&app.admin_token)).await;
    assert_eq!(signed_in.status, 200, "a caller with a token is not limited here");
}
