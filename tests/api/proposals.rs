//! Naming another organisation needs its acceptance (issue 30): a network's
//! member and an agreement's parties are proposed until the named organisation
//! (its account, or the ROPS of its voivodeship) accepts; a proposal is not
//! public, not counted, blocks nothing, can be declined; a member can leave.

use crate::helpers::{spawn_app, Reply, TestApp};
use diesel::{Connection, RunQueryDsl};
use es_registry::domain::codes::Role;
use serde_json::{json, Value};

/// The cast: a PES of Kujawsko-Pomorskie (04) coordinating a network, an NGO
/// and another PES of Pomorskie (22), the ROPS of Pomorskie, each with an account.
struct Cast {
    pes_org: i64,
    ngo: i64,
    other_org: i64,
    network: i64,
    pes: String,
    ngo_account: String,
    other: String,
    rops_22: String,
}

async fn cast(app: &TestApp) -> Cast {
    let org = |name: &str, kind: &str, teryt: &str| json!({"name": name, "kind": kind, "teryt": teryt});
    let pes_org = app.create("beneficiaries", org("Spółdzielnia Socjalna Pod Lipami", "pes", "0463011")).await;
    let ngo = app.create("beneficiaries", org("Fundacja Morska", "ngo", "2261011")).await;
    let other_org = app.create("beneficiaries", org("Spółdzielnia Socjalna Bałtyk", "pes", "2261011")).await;
    let rops_22_org = app.create("beneficiaries", org("Regionalny Ośrodek Polityki Społecznej w Gdańsku", "rops", "2261011")).await;
    let pes = app.user_token("pes@lipy.pl", Role::Pes, Some(pes_org)).await;
    let ngo_account = app.user_token("biuro@fundacja-morska.pl", Role::Pes, Some(ngo)).await;
    let other = app.user_token("biuro@baltyk.pl", Role::Pes, Some(other_org)).await;
    let rops_22 = app.user_token("rops@gdansk.pl", Role::Rops, Some(rops_22_org)).await;
    let network = app
        .as_user(&pes)
        .post(
            "/api/v1/networks",
            &json!({"name": "Sieć spółdzielni socjalnych", "kind": "thematic", "coordinator_id": pes_org, "established_on": "2024-01-01"}),
        )
        .await;
    assert_eq!(network.status, 201, "{}", network.body);
    Cast { pes_org, ngo, other_org, network: network.id(), pes, ngo_account, other, rops_22 }
}

fn member(network: i64, organisation: i64) -> Value {
    json!({"network_id": network, "organisation_id": organisation, "joined_on": "2024-03-01"})
}

fn agreement(network: i64, parties: &[i64]) -> Value {
    json!({"title": "Porozumienie o współpracy", "party_ids": parties, "signed_on": "2024-04-01", "network_id": network})
}

fn created(reply: Reply, what: &str) -> (i64, Value) {
    assert_eq!(reply.status, 201, "{what}: {}", reply.body);
    (reply.id(), reply.body)
}

/// The region's coordination report for 2024: (members joined, agreements signed).
async fn counted(app: &TestApp, voivodeship: &str) -> (i64, i64) {
    let report = app.anonymous().get(&format!("/api/v1/reports/coordination?from_year=2024&to_year=2024&voivodeship={voivodeship}")).await;
    assert_eq!(report.status, 200, "{}", report.body);
    let rows = report.body.as_array().unwrap();
    rows.first().map_or((0, 0), |row| (row["network_members_joined"].as_i64().unwrap(), row["agreements_signed"].as_i64().unwrap()))
}

/// Every change the feed carries once it caught up (other tests' transactions
/// on the same server may hold it back for a moment).
async fn whole_feed(app: &TestApp) -> Vec<Value> {
    let mut changes = Vec::new();
    let mut path = "/api/v1/changes?limit=1000".to_owned();
    for _ in 0..200 {
        let page = app.anonymous().get(&path).await;
        assert_eq!(page.status, 200, "{}", page.body);
        changes.extend(page.body["changes"].as_array().unwrap().iter().cloned());
        if page.body["caught_up"] == true {
            return changes;
        }
        path = format!("/api/v1/changes?since={}&limit=1000", page.body["next_cursor"].as_str().unwrap());
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the feed never caught up")
}

async fn inbox(app: &TestApp, token: &str) -> (Vec<i64>, Vec<i64>) {
    let reply = app.as_user(token).get("/api/v1/proposals").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let ids = |key: &str| reply.body[key].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
    (ids("network_members"), ids("agreements"))
}

#[tokio::test]
async fn naming_an_ngo_of_another_voivodeship_is_a_proposal_until_it_accepts() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let coordinator = app.as_user(&c.pes);

    // The finding of issue 30: both writes are taken, but only as proposals.
    let (membership, body) = created(coordinator.post("/api/v1/network-members", &member(c.network, c.ngo)).await, "membership");
    assert_eq!(body["status"], "proposed");
    let (own, body) = created(coordinator.post("/api/v1/network-members", &member(c.network, c.pes_org)).await, "its own membership");
    assert_eq!(body["status"], "accepted", "the coordinator speaks for itself");
    let (deal, body) = created(coordinator.post("/api/v1/agreements", &agreement(c.network, &[c.pes_org, c.ngo])).await, "agreement");
    assert_eq!((body["status"].clone(), body["accepted_party_ids"].clone()), (json!("proposed"), json!([c.pes_org])));
    // The server keeps the word: a client cannot write it.
    let forged = coordinator.post("/api/v1/network-members", &json!({"network_id": c.network, "organisation_id": c.other_org, "status": "accepted"})).await;
    assert_eq!(forged.status, 422, "{}", forged.body);
    let patched = coordinator.patch(&format!("/api/v1/agreements/{deal}"), &json!({"title": "Porozumienie o współpracy (zmienione)"})).await;
    assert_eq!((patched.status, patched.body["status"].clone()), (200, json!("proposed")), "{}", patched.body);

    // Not public: absent for anonymous and unrelated readers, on reads and lists.
    for token in [None, Some(c.other.as_str())] {
        let reader = match token {
            Some(token) => app.as_user(token),
            None => app.anonymous(),
        };
        assert_eq!(reader.get(&format!("/api/v1/network-members/{membership}")).await.status, 404);
        assert_eq!(reader.get(&format!("/api/v1/agreements/{deal}")).await.status, 404);
        let listed = reader.get(&format!("/api/v1/network-members?network_id={}", c.network)).await;
        assert_eq!(listed.body["items"].as_array().unwrap().iter().map(|m| m["id"].as_i64().unwrap()).collect::<Vec<_>>(), [own], "{}", listed.body);
        assert_eq!(reader.get(&format!("/api/v1/agreements?network_id={}", c.network)).await.body["total"], 0);
        let csv = reader.get(&format!("/api/v1/network-members?network_id={}&format=csv", c.network)).await;
        assert!(!format!("{}", csv.body).contains(&format!("\n{membership},")), "{}", csv.body);
    }
    let feed = whole_feed(&app).await;
    for (collection, id) in [("network-members", membership), ("agreements", deal)] {
        let changes: Vec<&Value> = feed.iter().filter(|c| c["resource"] == collection && c["id"] == id).collect();
        assert!(!changes.is_empty() && changes.iter().all(|c| c["record"].is_null()), "the feed shows a proposal as absent: {changes:?}");
    }
    // Its keepers and the named organisation read it.
    for token in [&c.pes, &c.ngo_account, &c.rops_22] {
        assert_eq!(app.as_user(token).get(&format!("/api/v1/network-members/{membership}")).await.body["status"], "proposed");
        assert_eq!(app.as_user(token).get(&format!("/api/v1/agreements/{deal}")).await.status, 200);
    }
    assert_eq!(coordinator.get(&format!("/api/v1/network-members?network_id={}&status=proposed", c.network)).await.body["total"], 1);
    assert_eq!(inbox(&app, &c.ngo_account).await, (vec![membership], vec![deal]));
    assert_eq!(inbox(&app, &c.rops_22).await, (vec![membership], vec![deal]), "the ROPS of the NGO's voivodeship answers for it too");
    assert_eq!(inbox(&app, &c.other).await, (vec![], vec![]));

    // Not counted.
    assert_eq!(counted(&app, "04").await, (1, 0), "the coordinator's own membership only");

    // Only the named organisation (or its ROPS, or an admin) answers.
    let accept = |id: i64| format!("/api/v1/network-members/{id}/accept");
    assert_eq!(app.anonymous().post(&accept(membership), &json!({})).await.status, 401);
    let refused = app.as_user(&c.other).post(&accept(membership), &json!({})).await;
    assert_eq!((refused.status, refused.content_type()), (403, "application/problem+json"), "{}", refused.body);
    assert_eq!(coordinator.post(&accept(membership), &json!({})).await.status, 403, "the proposer does not accept for the named");
    assert_eq!(app.as_user(&c.other).post("/api/v1/agreements/{deal}/accept", &json!({})).await.status, 404);
    assert_eq!(app.as_user(&c.other).post(&format!("/api/v1/agreements/{deal}/accept"), &json!({})).await.status, 403);
    assert_eq!(app.as_user(&c.ngo_account).post(&accept(999_999), &json!({})).await.status, 404);

    let accepted = app.as_user(&c.ngo_account).post(&accept(membership), &json!({})).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert_eq!(accepted.body["status"], "accepted");
    assert!(accepted.body["decided_at"].is_string() && accepted.body["decided_by"].is_i64(), "{}", accepted.body);
    let again = app.as_user(&c.ngo_account).post(&accept(membership), &json!({})).await;
    assert_eq!((again.status, again.body["code"].clone()), (409, json!("not_proposed")), "{}", again.body);
    let public = app.anonymous().get(&format!("/api/v1/network-members/{membership}")).await;
    assert_eq!((public.status, public.body["decided_by"].clone()), (200, Value::Null), "public, but not who decided: {}", public.body);
    assert_eq!(counted(&app, "04").await, (2, 0));

    // The agreement is public once every party accepted (here with no body at all).
    let response = app.client.post(app.url(&format!("/api/v1/agreements/{deal}/accept"))).bearer_auth(&c.ngo_account).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let public = app.anonymous().get(&format!("/api/v1/agreements/{deal}")).await;
    assert_eq!((public.status, public.body["status"].clone()), (200, json!("accepted")), "{}", public.body);
    assert_eq!(counted(&app, "04").await, (2, 1));
    assert_eq!(inbox(&app, &c.ngo_account).await, (vec![], vec![]));

    // Every answer is audited.
    let audited = app.get(&format!("/api/v1/audit-events?resource=network-members&record_id={membership}&action=update")).await;
    assert_eq!(audited.body["items"].as_array().map(Vec::len), Some(1), "{}", audited.body);

    // A member leaves on its own word, without being the network's coordinator.
    let leave = format!("/api/v1/network-members/{membership}/leave");
    assert_eq!(app.as_user(&c.other).post(&leave, &json!({})).await.status, 403);
    assert_eq!(app.as_user(&c.ngo_account).post(&leave, &json!({"on": "2024-02-01"})).await.status, 422, "before it joined");
    let left = app.as_user(&c.ngo_account).post(&leave, &json!({"on": "2024-12-31"})).await;
    assert_eq!((left.status, left.body["left_on"].clone()), (200, json!("2024-12-31")), "{}", left.body);
    assert_eq!(app.as_user(&c.ngo_account).post(&leave, &json!({})).await.status, 409, "left already");
}

#[tokio::test]
async fn a_proposal_blocks_nothing_and_can_be_declined() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let coordinator = app.as_user(&c.pes);
    let (membership, _) = created(coordinator.post("/api/v1/network-members", &member(c.network, c.ngo)).await, "membership");
    let (deal, _) = created(coordinator.post("/api/v1/agreements", &agreement(c.network, &[c.pes_org, c.ngo])).await, "agreement");

    // The NGO is deleted by its ROPS despite the proposals, which go with it,
    // audited (its account goes first: accounts keep their organisation).
    let mut conn = diesel::PgConnection::establish(&app.database_url).unwrap();
    diesel::sql_query(format!("DELETE FROM users WHERE organisation_id = {}", c.ngo)).execute(&mut conn).unwrap();
    let deleted = app.as_user(&c.rops_22).delete(&format!("/api/v1/beneficiaries/{}", c.ngo)).await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(coordinator.get(&format!("/api/v1/network-members/{membership}")).await.status, 404);
    assert_eq!(coordinator.get(&format!("/api/v1/agreements/{deal}")).await.status, 404);
    for (resource, id) in [("network-members", membership), ("agreements", deal)] {
        let audited = app.get(&format!("/api/v1/audit-events?resource={resource}&record_id={id}&action=delete")).await;
        assert_eq!(audited.body["items"].as_array().map(Vec::len), Some(1), "{resource}: {}", audited.body);
    }

    // An accepted membership still keeps its organisation.
    let kept = app.create("beneficiaries", json!({"name": "Fundacja Trwała", "kind": "ngo", "teryt": "2261011"})).await;
    let (_, body) = created(app.post("/api/v1/network-members", &member(c.network, kept)).await, "by an admin");
    assert_eq!(body["status"], "accepted");
    let refused = app.delete(&format!("/api/v1/beneficiaries/{kept}")).await;
    assert_eq!(refused.status, 409, "{}", refused.body);

    // The named organisation declines: never public, never counted, not accepted later.
    let third = app.create("beneficiaries", json!({"name": "Stowarzyszenie Razem", "kind": "ngo", "teryt": "2261011"})).await;
    let third_account = app.user_token("razem@example.pl", Role::Pes, Some(third)).await;
    let (proposed, _) = created(coordinator.post("/api/v1/network-members", &member(c.network, third)).await, "membership");
    let (deal, _) = created(coordinator.post("/api/v1/agreements", &agreement(c.network, &[c.pes_org, third])).await, "agreement");
    let declined = app.as_user(&third_account).post(&format!("/api/v1/network-members/{proposed}/decline"), &json!({})).await;
    assert_eq!((declined.status, declined.body["status"].clone()), (200, json!("declined")), "{}", declined.body);
    assert_eq!(app.as_user(&third_account).post(&format!("/api/v1/network-members/{proposed}/accept"), &json!({})).await.status, 409);
    assert_eq!(app.anonymous().get(&format!("/api/v1/network-members/{proposed}")).await.status, 404);
    // The ROPS of the party's voivodeship answers for it, naming it.
    let for_party = json!({"organisation_id": third});
    let declined = app.as_user(&c.rops_22).post(&format!("/api/v1/agreements/{deal}/decline"), &for_party).await;
    assert_eq!((declined.status, declined.body["status"].clone()), (200, json!("declined")), "{}", declined.body);
    assert_eq!(declined.body["declined_party_ids"], json!([third]));
    assert_eq!(app.anonymous().get(&format!("/api/v1/agreements/{deal}")).await.status, 404);
    assert_eq!(counted(&app, "04").await, (1, 0), "the membership the admin made only");
}

#[tokio::test]
async fn proposals_by_the_named_organisations_rops_or_an_admin_are_accepted_at_once_through_imports_too() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let third = app.create("beneficiaries", json!({"name": "Stowarzyszenie Razem", "kind": "ngo", "teryt": "2261011"})).await;

    // By the API: the named organisation's ROPS (writing a network of its
    // region), an admin (writing any).
    let regional = app.create("networks", json!({"name": "Pomorska sieć OWES", "kind": "owes", "coordinator_id": c.other_org})).await;
    let (_, body) = created(app.as_user(&c.rops_22).post("/api/v1/network-members", &member(regional, c.ngo)).await, "by the ROPS");
    assert_eq!(body["status"], "accepted");
    let (_, body) = created(app.as_user(&c.other).post("/api/v1/network-members", &member(regional, third)).await, "by another PES");
    assert_eq!(body["status"], "proposed", "the same region's PES does not speak for another organisation");
    let (_, body) = created(app.post("/api/v1/network-members", &member(c.network, c.other_org)).await, "by an admin");
    assert_eq!(body["status"], "accepted");
    let (_, body) = created(app.post("/api/v1/agreements", &agreement(regional, &[c.other_org, c.ngo])).await, "by an admin");
    assert_eq!((body["status"].clone(), body["accepted_party_ids"].clone()), (json!("accepted"), json!([c.ngo, c.other_org])));

    // By imports: the same rule, one place.
    let upload = |token: &str, collection: &str, row: Value| {
        app.client
            .post(app.url(&format!("/api/v1/imports/{collection}")))
            .bearer_auth(token.to_owned())
            .header("content-type", "application/x-ndjson")
            .body(format!("{row}\n"))
    };
    let imported = app.send(upload(&c.pes, "network-members", member(c.network, third))).await;
    assert_eq!((imported.status, imported.body["inserted"].clone()), (200, json!(1)), "{}", imported.body);
    let imported =
        app.send(upload(&app.admin_token, "network-members", json!({"network_id": c.network, "organisation_id": c.ngo, "joined_on": "2024-06-01"}))).await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    let imported = app
        .send(upload(
            &app.admin_token,
            "agreements",
            json!({"external_id": "P-1", "title": "Porozumienie", "party_ids": [c.pes_org, c.ngo], "signed_on": "2024-05-01", "network_id": c.network}),
        ))
        .await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    let imported = app
        .send(upload(
            &c.pes,
            "agreements",
            json!({"external_id": "P-2", "title": "Porozumienie", "party_ids": [c.pes_org, third], "signed_on": "2024-05-01", "network_id": c.network}),
        ))
        .await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    let imported = app.send(upload(&c.rops_22, "network-members", json!({"network_id": regional, "organisation_id": third, "joined_on": "2024-06-01"}))).await;
    assert_eq!(imported.status, 200, "{}", imported.body);

    let listed = app.get(&format!("/api/v1/network-members?network_id={}", c.network)).await;
    let statuses: Vec<(i64, String)> =
        listed.body["items"].as_array().unwrap().iter().map(|m| (m["organisation_id"].as_i64().unwrap(), m["status"].as_str().unwrap().to_owned())).collect();
    assert!(statuses.contains(&(third, "proposed".to_owned())), "a PES's import proposes: {statuses:?}");
    assert!(statuses.contains(&(c.ngo, "accepted".to_owned())), "an admin's import accepts: {statuses:?}");
    let listed = app.get(&format!("/api/v1/network-members?network_id={regional}&organisation_id={third}&status=accepted")).await;
    assert_eq!(listed.body["total"], 1, "the ROPS's import accepts: {}", listed.body);
    let agreements = app.get(&format!("/api/v1/agreements?network_id={}", c.network)).await;
    let by_key = |key: &str| agreements.body["items"].as_array().unwrap().iter().find(|a| a["external_id"] == key).unwrap()["status"].clone();
    assert_eq!((by_key("P-1"), by_key("P-2")), (json!("accepted"), json!("proposed")));
}
