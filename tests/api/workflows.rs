//! The workflows as declared (`domain::workflow`), walked through the API: every
//! declared transition of every workflow, tried as every role, is made by the
//! roles its decider names and refused, changing nothing, to everyone else.
//! The expectations come from the declaration; the outcomes from the running
//! server.

use crate::helpers::{spawn_app, Reply, TestApp};
use crate::permissions::{world, World};
use es_registry::domain::codes::Role;
use es_registry::domain::collection::Collection;
use es_registry::domain::workflow::{self, Decider, FreezesWith, Transition};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicI64, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    /// The OWES of the project (a current beneficiary), which makes its values and claims.
    Owes,
    /// An OWES of the same voivodeship with no part in the project.
    OtherOwes,
    Jst,
    Pes,
    /// The ROPS of the voivodeship, one account and another.
    Rops,
    SecondRops,
    /// Another voivodeship's ROPS.
    OtherRops,
    Admin,
}

const EVERYONE: [Who; 9] = [Who::Anonymous, Who::Owes, Who::OtherOwes, Who::Jst, Who::Pes, Who::Rops, Who::SecondRops, Who::OtherRops, Who::Admin];

struct Walk<'a> {
    app: &'a TestApp,
    w: World,
    tokens: Vec<(Who, String)>,
    /// Makes each record's key (a day, a number, a year) its own.
    serial: AtomicI64,
}

impl Walk<'_> {
    async fn as_who(&self, who: Who, method: &str, path: &str, body: &Value) -> Reply {
        let session = match self.tokens.iter().find(|(w, _)| *w == who) {
            Some((_, token)) => self.app.as_user(token),
            None if who == Who::Anonymous => self.app.anonymous(),
            None => return self.as_admin(method, path, body).await,
        };
        match method {
            "POST" => session.post(path, body).await,
            "PATCH" => session.patch(path, body).await,
            "DELETE" => session.delete(path).await,
            other => panic!("no {other}"),
        }
    }

    async fn as_admin(&self, method: &str, path: &str, body: &Value) -> Reply {
        match method {
            "POST" => self.app.post(path, body).await,
            "PATCH" => self.app.patch(path, body).await,
            "DELETE" => self.app.delete(path).await,
            other => panic!("no {other}"),
        }
    }

    fn next(&self) -> i64 {
        self.serial.fetch_add(1, Ordering::Relaxed)
    }

    /// A new record of `collection` in `state`, made as its workflow would
    /// have it (a project's record by the project's OWES, decided by the
    /// second ROPS account), and the body that makes one in `state` at once.
    async fn record_in(&self, collection: Collection, state: &str) -> i64 {
        let (path, body) = self.new_body(collection, state);
        match (collection, state) {
            (Collection::IndicatorMeasurements, _) => {
                let made = self.as_who(Who::Owes, "POST", &path, &body).await;
                assert_eq!(made.status, 201, "{}", made.body);
                let id = made.id();
                if state != "draft" {
                    must(self.as_who(Who::Owes, "POST", &format!("{path}/{id}/submit"), &json!({})).await);
                }
                if state == "returned" {
                    must(self.as_who(Who::SecondRops, "POST", &format!("{path}/{id}/return"), &json!({"reason": "brak list obecności"})).await);
                }
                id
            }
            (Collection::PaymentClaims, _) => {
                let returned = state == "returned";
                let mut body = body;
                if returned {
                    body["status"] = json!("submitted");
                }
                let made = self.as_who(Who::Owes, "POST", &path, &body).await;
                assert_eq!(made.status, 201, "{}", made.body);
                let id = made.id();
                if returned {
                    must(self.as_who(Who::SecondRops, "PATCH", &format!("{path}/{id}"), &json!({"status": "returned"})).await);
                }
                id
            }
            _ => {
                let made = self.as_admin("POST", &path, &body).await;
                assert_eq!(made.status, 201, "{}", made.body);
                made.id()
            }
        }
    }

    /// The path of `collection` and a body that makes a new record in `state`.
    fn new_body(&self, collection: Collection, state: &str) -> (String, Value) {
        let n = self.next();
        let body = match collection {
            Collection::IndicatorMeasurements => json!({"indicator_id": self.w.indicator_a, "period_end": day(n), "value": "3"}),
            Collection::PaymentClaims => {
                let mut claim = json!({"project_id": self.w.project_a, "number": format!("WNP/{n}"), "period_from": "2020-01-01", "period_to": "2020-06-30",
                                       "kind": "interim", "status": state, "claimed_amount": "100.00"});
                if state == "approved" {
                    claim["approved_amount"] = json!("90.00");
                    claim["approved_on"] = json!("2020-09-01");
                }
                claim
            }
            // Far from the values' days, so that no lock freezes another walk's values.
            Collection::ReportingPeriods => json!({"programme_id": self.w.kp, "name": format!("okres {n}"), "period_from": format!("{}-01-01", 2100 + n),
                                                   "period_to": format!("{}-06-30", 2100 + n), "due_on": format!("{}-07-31", 2100 + n), "state": state}),
            Collection::OrganisationStatuses => {
                let mut status =
                    json!({"organisation_id": self.w.owes_a, "status": "owes_accreditation", "valid_from": day(n), "decision_number": format!("D/{n}")});
                if state == "revoked" {
                    status["revoked_on"] = json!("2023-01-01");
                    status["revocation_reason"] = json!("cofnięcie akredytacji");
                }
                status
            }
            other => panic!("no way to make a {other} record: add one for its workflow"),
        };
        (collection.list_path(), body)
    }

    /// Tries `transition` of `collection` as `who`: the reply, and the record's id.
    async fn attempt(&self, collection: Collection, transition: Transition, who: Who) -> (Reply, Option<i64>) {
        let Some(from) = transition.from else {
            let (path, body) = self.new_body(collection, transition.to);
            return (self.as_who(who, "POST", &path, &body).await, None);
        };
        let id = self.record_in(collection, from).await;
        let path = collection.record_path(id);
        let reply = match (collection, transition.to) {
            (Collection::IndicatorMeasurements, "submitted") => self.as_who(who, "POST", &format!("{path}/submit"), &json!({})).await,
            (Collection::IndicatorMeasurements, "approved") => self.as_who(who, "POST", &format!("{path}/approve"), &json!({})).await,
            (Collection::IndicatorMeasurements, "returned") => self.as_who(who, "POST", &format!("{path}/return"), &json!({"reason": "do poprawy"})).await,
            // A returned value changed is a draft again.
            (Collection::IndicatorMeasurements, "draft") => self.as_who(who, "PATCH", &path, &json!({"value": "4"})).await,
            (Collection::PaymentClaims, "approved") => {
                self.as_who(who, "PATCH", &path, &json!({"status": "approved", "approved_amount": "90.00", "approved_on": "2020-09-01"})).await
            }
            (Collection::PaymentClaims, to) => self.as_who(who, "PATCH", &path, &json!({"status": to})).await,
            (Collection::ReportingPeriods, to) => self.as_who(who, "PATCH", &path, &json!({"state": to})).await,
            (Collection::OrganisationStatuses, "revoked") => {
                self.as_who(who, "PATCH", &path, &json!({"revoked_on": "2023-01-01", "revocation_reason": "cofnięcie akredytacji"})).await
            }
            (Collection::OrganisationStatuses, "granted") => self.as_who(who, "PATCH", &path, &json!({"revoked_on": null, "revocation_reason": null})).await,
            (other, to) => panic!("no way to move a {other} record to {to}: add one for its workflow"),
        };
        (reply, Some(id))
    }
}

fn must(reply: Reply) {
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// The `n`th day from 1 January 2010.
fn day(n: i64) -> String {
    (chrono::NaiveDate::from_ymd_opt(2010, 1, 1).unwrap() + chrono::Days::new(n as u64)).to_string()
}

/// Whether `who` may make a move its workflow gives to `by`, on a record of
/// `collection` (a project's, or a regional programme's or organisation's of
/// the same voivodeship) that the project's OWES made.
fn may(by: Decider, collection: Collection, who: Who) -> bool {
    let project_record = matches!(collection, Collection::IndicatorMeasurements | Collection::PaymentClaims);
    match by {
        Decider::Writers => matches!(who, Who::Rops | Who::SecondRops | Who::Admin) || (project_record && who == Who::Owes),
        Decider::SecondPair | Decider::RopsConfirmed => matches!(who, Who::Rops | Who::SecondRops | Who::Admin),
        Decider::Admin => who == Who::Admin,
    }
}

/// A token for every role of the walk but the admin's and the anonymous caller.
async fn tokens(app: &TestApp, w: &World) -> Vec<(Who, String)> {
    let org = |name: &str, kind: &str| json!({"name": name, "kind": kind, "voivodeship": "04"});
    let other_owes = app.create("beneficiaries", org("OWES C", "owes")).await;
    let pes = app.create("beneficiaries", org("Spółdzielnia Socjalna", "pes")).await;
    vec![
        (Who::Owes, app.user_token("owes@walk.pl", Role::Owes, Some(w.owes_a)).await),
        (Who::OtherOwes, app.user_token("owes-c@walk.pl", Role::Owes, Some(other_owes)).await),
        (Who::Jst, app.user_token("jst@walk.pl", Role::Jst, Some(w.jst_org)).await),
        (Who::Pes, app.user_token("pes@walk.pl", Role::Pes, Some(pes)).await),
        (Who::Rops, app.user_token("rops@walk.pl", Role::Rops, Some(w.rops_kp_org)).await),
        (Who::SecondRops, app.user_token("rops-2@walk.pl", Role::Rops, Some(w.rops_kp_org)).await),
        (Who::OtherRops, app.user_token("rops-pm@walk.pl", Role::Rops, Some(w.rops_pm_org)).await),
    ]
}

#[tokio::test]
async fn every_declared_transition_is_made_by_its_decider_and_refused_to_everyone_else() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let tokens = tokens(&app, &w).await;
    let walk = Walk { app: &app, w, tokens, serial: AtomicI64::new(0) };
    let mut walked = 0;
    for declared in workflow::ALL {
        let collection = declared.collection;
        for transition in declared.transitions {
            for who in EVERYONE {
                let what = format!("{collection}: {:?} → {} as {who:?} ({:?})", transition.from, transition.to, transition.by);
                let (reply, id) = walk.attempt(collection, *transition, who).await;
                if may(transition.by, collection, who) {
                    assert!(reply.status == 200 || reply.status == 201, "{what}: {} {}", reply.status, reply.body);
                    assert_eq!(declared.state_of(&reply.body).as_deref(), Some(transition.to), "{what}: {}", reply.body);
                    if declared.confirmable {
                        let alone = transition.by == Decider::RopsConfirmed && who != Who::Admin;
                        assert_eq!(reply.body["self_decided"], json!(alone), "{what}: {}", reply.body);
                    }
                } else {
                    let expected = if who == Who::Anonymous { 401 } else { 403 };
                    assert_eq!(reply.status, expected, "{what}: {}", reply.body);
                    assert_eq!(reply.content_type(), "application/problem+json", "{what}");
                    if let Some(id) = id {
                        let stored = app.get(&collection.record_path(id)).await;
                        assert_eq!(declared.state_of(&stored.body).as_deref(), transition.from, "{what}: nothing was written");
                    }
                }
                walked += 1;
            }
        }
    }
    let declared: usize = workflow::ALL.iter().map(|w| w.transitions.len()).sum();
    assert_eq!(walked, declared * EVERYONE.len());
}

#[tokio::test]
async fn a_ropss_own_entry_stays_self_decided_until_another_account_confirms_it() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let rops = app.user_token("rops@confirm.pl", Role::Rops, Some(w.rops_kp_org)).await;
    let second = app.user_token("rops-2@confirm.pl", Role::Rops, Some(w.rops_kp_org)).await;
    let elsewhere = app.user_token("rops-pm@confirm.pl", Role::Rops, Some(w.rops_pm_org)).await;
    let owes = app.user_token("owes@confirm.pl", Role::Owes, Some(w.owes_a)).await;

    // A status one ROPS account grants alone is in force, and shown as self-decided to anyone.
    let granted = app
        .as_user(&rops)
        .post(
            "/api/v1/organisation-statuses",
            &json!({"organisation_id": w.owes_a, "status": "owes_accreditation", "valid_from": "2020-01-01", "self_decided": false}),
        )
        .await;
    assert_eq!(granted.status, 201, "{}", granted.body);
    assert_eq!(granted.body["self_decided"], true, "the server keeps it, whatever the body says");
    let id = granted.id();
    let path = format!("/api/v1/organisation-statuses/{id}");
    assert_eq!(app.anonymous().get(&path).await.body["self_decided"], true);
    let in_force = app.anonymous().get(&format!("/api/v1/organisation-statuses?organisation_id={}&on=2024-01-01", w.owes_a)).await;
    assert_eq!(in_force.body["items"].as_array().map(Vec::len), Some(1), "in force meanwhile: {}", in_force.body);

    // Its maker does not confirm it; nor a writer, nor another region, nor anyone unsigned.
    let confirm = format!("{path}/confirm");
    for (token, expected) in [(&rops, 403), (&owes, 403), (&elsewhere, 403)] {
        let refused = app.as_user(token).post(&confirm, &json!({})).await;
        assert_eq!(refused.status, expected, "{}", refused.body);
        assert_eq!(refused.content_type(), "application/problem+json");
    }
    assert_eq!(app.anonymous().post(&confirm, &json!({})).await.status, 401);
    assert_eq!(app.get(&path).await.body["self_decided"], true, "nothing was written");
    // A PATCH cannot clear it either.
    assert_eq!(app.as_user(&rops).patch(&path, &json!({"self_decided": false, "notes": "x"})).await.body["self_decided"], true);

    // Another account of the ROPS confirms it, once, audited.
    let confirmed = app.as_user(&second).post(&confirm, &json!({})).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert_eq!(confirmed.body["self_decided"], false);
    let again = app.as_user(&second).post(&confirm, &json!({})).await;
    assert_eq!(again.status, 409, "{}", again.body);
    let trail = app.get(&format!("/api/v1/audit-events?resource=organisation-statuses&record_id={id}")).await;
    assert!(
        trail.body["items"].as_array().unwrap().iter().any(|e| e["after"]["self_decided"] == false && e["before"]["self_decided"] == true),
        "the confirmation is audited: {}",
        trail.body
    );

    // Revoking it alone makes it self-decided again; notes alone do not.
    let revoked = app.as_user(&second).patch(&path, &json!({"revoked_on": "2024-06-30", "revocation_reason": "wygaśnięcie"})).await;
    assert_eq!((revoked.status, revoked.body["self_decided"].clone()), (200, json!(true)), "{}", revoked.body);
    assert_eq!(app.as_user(&second).post(&confirm, &json!({})).await.status, 403, "not by the account that revoked it");
    assert_eq!(app.post(&confirm, &json!({})).await.body["self_decided"], false, "an admin confirms");
    assert_eq!(app.as_user(&rops).patch(&path, &json!({"notes": "sprawdzone"})).await.body["self_decided"], false);

    // A lock likewise; an admin's lock is decided at once.
    let period = |year: i32, state: &str| json!({"programme_id": w.kp, "name": format!("{year}"), "period_from": format!("{year}-01-01"), "period_to": format!("{year}-12-31"), "due_on": format!("{}-01-31", year + 1), "state": state});
    let open = app.as_user(&rops).post("/api/v1/reporting-periods", &period(2030, "open")).await;
    assert_eq!((open.status, open.body["self_decided"].clone()), (201, json!(false)), "opening is no decision: {}", open.body);
    let locked = app.as_user(&second).patch(&format!("/api/v1/reporting-periods/{}", open.id()), &json!({"state": "locked"})).await;
    assert_eq!((locked.status, locked.body["self_decided"].clone()), (200, json!(true)), "{}", locked.body);
    let confirm = format!("/api/v1/reporting-periods/{}/confirm", open.id());
    assert_eq!(app.as_user(&elsewhere).post(&confirm, &json!({})).await.status, 403);
    assert_eq!(app.as_user(&second).post(&confirm, &json!({})).await.status, 403, "not by the account that locked it");
    let confirmed = app.as_user(&rops).post(&confirm, &json!({})).await;
    assert_eq!(
        (confirmed.status, confirmed.body["self_decided"].clone()),
        (200, json!(false)),
        "the other account, which opened it, confirms the lock: {}",
        confirmed.body
    );
    let by_admin = app.post("/api/v1/reporting-periods", &period(2031, "locked")).await;
    assert_eq!((by_admin.status, by_admin.body["self_decided"].clone()), (201, json!(false)), "{}", by_admin.body);
}

/// A decided value is frozen for everyone but an admin, whose correction is
/// audited (it shows in the value's history) and leaves it decided; a
/// submitted value waits for its decision, an admin's included.
#[tokio::test]
async fn an_approved_value_is_corrected_by_an_admin_alone_and_stays_decided() {
    let app = spawn_app().await;
    let fx = crate::helpers::Fixture::new(&app).await;
    let owes_org = app.create("beneficiaries", json!({"name": "Stowarzyszenie Korekta", "kind": "owes", "teryt": "0463011"})).await;
    app.create("partners", json!({"project_id": fx.project, "beneficiary_id": owes_org, "role": "beneficiary"})).await;
    let owes = app.as_user(&app.user_token("owes@correction.pl", Role::Owes, Some(owes_org)).await);
    let rops = app.as_user(&app.user_token("rops@correction.pl", Role::Rops, Some(fx.organisation)).await);
    let indicator =
        app.create("indicators", json!({"project_id": fx.project, "name": "Liczba sieci", "kind": "output", "unit": "sieci", "target_value": "20"})).await;
    let value = owes.post("/api/v1/indicator-measurements", &json!({"indicator_id": indicator, "period_end": "2023-12-31", "value": "12"})).await.id();
    let path = format!("/api/v1/indicator-measurements/{value}");
    must(owes.post(&format!("{path}/submit"), &json!({})).await);
    let waiting = app.patch(&path, &json!({"value": "11"})).await;
    assert_eq!((waiting.status, &waiting.body["code"]), (409, &json!("measurement_locked")), "{}", waiting.body);
    must(rops.post(&format!("{path}/approve"), &json!({})).await);

    for (who, session) in [("the project's OWES", &owes), ("the region's ROPS", &rops)] {
        let refused = session.patch(&path, &json!({"value": "13"})).await;
        assert_eq!(refused.status, 403, "{who}: {}", refused.body);
        assert_eq!(session.delete(&path).await.status, 403, "{who} deletes a decided value");
    }
    let corrected = app.patch(&path, &json!({"value": "13"})).await;
    assert_eq!(corrected.status, 200, "{}", corrected.body);
    assert_eq!((&corrected.body["value"], &corrected.body["status"]), (&json!("13"), &json!("approved")), "{}", corrected.body);
    let history = rops.get(&format!("{path}/history")).await.body;
    let steps: Vec<&str> = history.as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(steps.last(), Some(&"changed"), "the correction is audited: {history}");
    let progress = app.anonymous().get(&format!("/api/v1/indicators/{indicator}/progress")).await.body;
    assert_eq!(progress["achieved_value"], "13", "the corrected value is what is published: {progress}");
}

impl Walk<'_> {
    /// A value of project A's indicator on day `n`, made by the project's OWES
    /// and approved by the second ROPS account.
    async fn approved_value(&self, n: i64) -> i64 {
        let body = json!({"indicator_id": self.w.indicator_a, "period_end": day(n), "value": "3"});
        let made = self.as_who(Who::Owes, "POST", "/api/v1/indicator-measurements", &body).await;
        assert_eq!(made.status, 201, "{}", made.body);
        let id = made.id();
        must(self.as_who(Who::Owes, "POST", &format!("/api/v1/indicator-measurements/{id}/submit"), &json!({})).await);
        must(self.as_who(Who::SecondRops, "POST", &format!("/api/v1/indicator-measurements/{id}/approve"), &json!({})).await);
        id
    }

    /// A file kept as evidence of a new record of `declared.of`, frozen as the
    /// declaration says: its value, or a value its activity supports, approved.
    async fn frozen_evidence(&self, declared: workflow::Evidence) -> i64 {
        let n = self.next();
        let upload = |query: String| async move {
            let request = self.app.client.post(self.app.url(&format!("/api/v1/evidence?{query}&file_name=lista.csv")));
            let kept = self.app.send(request.bearer_auth(&self.app.admin_token).header("content-type", "text/csv").body("imię;podpis\n")).await;
            assert_eq!(kept.status, 201, "{}", kept.body);
            kept.id()
        };
        match (declared.of, declared.freezes_with) {
            (Collection::IndicatorMeasurements, FreezesWith::Record) => {
                let body = json!({"indicator_id": self.w.indicator_a, "period_end": day(n), "value": "3"});
                let value = self.as_who(Who::Owes, "POST", "/api/v1/indicator-measurements", &body).await.id();
                let file = upload(format!("measurement_id={value}")).await;
                must(self.as_who(Who::Owes, "POST", &format!("/api/v1/indicator-measurements/{value}/submit"), &json!({})).await);
                must(self.as_who(Who::SecondRops, "POST", &format!("/api/v1/indicator-measurements/{value}/approve"), &json!({})).await);
                file
            }
            (Collection::Activities, FreezesWith::SupportedValues) => {
                let body = json!({"project_id": self.w.project_a, "activity_type": "consulting", "title": format!("doradztwo {n}"), "start_date": day(n)});
                let activity = self.as_admin("POST", "/api/v1/activities", &body).await.id();
                let file = upload(format!("activity_id={activity}")).await;
                self.approved_value(n).await;
                file
            }
            (other, freezes) => panic!("no way to freeze the evidence of a {other} record ({freezes:?}): add one for its declaration"),
        }
    }
}

/// Every record that holds evidence, as declared (`workflow::EVIDENCE`): once
/// what the evidence supports is decided, a file is removed by an admin alone
/// (audited); the record's writers are told it is frozen, everyone else is
/// refused, and the file stays.
#[tokio::test]
async fn frozen_evidence_is_removed_by_an_admin_alone_as_declared() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let tokens = tokens(&app, &w).await;
    let walk = Walk { app: &app, w, tokens, serial: AtomicI64::new(0) };
    for declared in workflow::EVIDENCE {
        for who in EVERYONE {
            let what = format!("evidence of {} as {who:?}", declared.of);
            let file = walk.frozen_evidence(declared).await;
            let path = format!("/api/v1/evidence/{file}");
            let reply = walk.as_who(who, "DELETE", &path, &json!(null)).await;
            let writes_the_record = matches!(who, Who::Owes | Who::Rops | Who::SecondRops);
            match who {
                Who::Admin => {
                    assert_eq!(reply.status, 204, "{what}: {}", reply.body);
                    let trail = app.get(&format!("/api/v1/audit-events?resource=evidence&action=delete&record_id={file}")).await;
                    assert!(
                        trail.body["items"].as_array().is_some_and(|events| events.iter().any(|e| e["record_id"] == file)),
                        "{what}: audited: {}",
                        trail.body
                    );
                }
                Who::Anonymous => assert_eq!(reply.status, 401, "{what}: {}", reply.body),
                _ if writes_the_record => assert_eq!((reply.status, &reply.body["code"]), (409, &json!("evidence_frozen")), "{what}: {}", reply.body),
                _ => assert_eq!(reply.status, 403, "{what}: {}", reply.body),
            }
            if who != Who::Admin {
                assert_eq!(app.get(&path).await.status, 200, "{what}: the file stays");
            }
        }
    }
}
