//! The permission table of the README, role × resource × method × own / foreign
//! record, as one table-driven test: this test is its proof.

use crate::helpers::{spawn_app, TestApp};
use es_registry::domain::codes::Role;
use serde_json::{json, Value};

/// Two voivodeships, national and regional programmes, organisations and projects
/// on both sides of every line the table draws.
pub struct World {
    pub national: i64,
    pub kp: i64,
    pub pm: i64,
    pub kp_axis: i64,
    pub pm_axis: i64,
    pub kp_measure: i64,
    pub pm_measure: i64,
    pub rops_kp_org: i64,
    pub rops_pm_org: i64,
    pub owes_a: i64,
    pub owes_b: i64,
    pub owes_pm: i64,
    pub jst_org: i64,
    pub project_a: i64,
    pub project_b: i64,
    pub project_pm: i64,
    pub activity_a: i64,
    pub activity_b: i64,
    pub indicator_a: i64,
    pub indicator_b: i64,
    pub partner_a: i64,
    pub leader_b: i64,
    pub implementer_a: i64,
    pub participant_a: i64,
    pub participant_b: i64,
}

pub async fn world(app: &TestApp) -> World {
    let national = app.create("programmes", json!({"code": "POKL", "name": "PO Kapitał Ludzki", "period": "2007-2013"})).await;
    let kp = app.create("programmes", json!({"code": "RPKP", "name": "RPO K-P", "period": "2014-2020", "voivodeship": "04"})).await;
    let pm = app.create("programmes", json!({"code": "RPPM", "name": "RPO Pomorskie", "period": "2014-2020", "voivodeship": "22"})).await;
    let kp_axis = app.create("priority-axes", json!({"programme_id": kp, "number": "9"})).await;
    let pm_axis = app.create("priority-axes", json!({"programme_id": pm, "number": "6"})).await;
    let kp_measure = app.create("measures", json!({"priority_axis_id": kp_axis, "code": "9.4", "name": "ES"})).await;
    let pm_measure = app.create("measures", json!({"priority_axis_id": pm_axis, "code": "06.03", "name": "ES"})).await;
    let org = |name: &str, kind: &str, voivodeship: &str| json!({"name": name, "kind": kind, "voivodeship": voivodeship});
    let rops_kp_org = app.create("beneficiaries", org("ROPS Toruń", "rops", "04")).await;
    let rops_pm_org = app.create("beneficiaries", org("ROPS Gdańsk", "rops", "22")).await;
    let owes_a = app.create("beneficiaries", org("OWES A", "owes", "04")).await;
    let owes_b = app.create("beneficiaries", org("OWES B", "owes", "04")).await;
    let owes_pm = app.create("beneficiaries", org("OWES Gdańsk", "owes", "22")).await;
    let jst_org = app.create("beneficiaries", org("Gmina Miasta Toruń", "jst", "04")).await;
    let project_a = app.create("projects", json!({"title": "A", "measure_id": kp_measure})).await;
    let project_b = app.create("projects", json!({"title": "B", "measure_id": kp_measure})).await;
    let project_pm = app.create("projects", json!({"title": "PM", "measure_id": pm_measure})).await;
    let partner_a = app.create("partners", json!({"project_id": project_a, "beneficiary_id": owes_a, "role": "beneficiary"})).await;
    // OWES B leads project A beside OWES A: a role OWES A may not touch.
    let leader_b = app.create("partners", json!({"project_id": project_a, "beneficiary_id": owes_b, "role": "leader"})).await;
    // The local government carries out part of project A: a role OWES A keeps.
    let implementer_a = app.create("partners", json!({"project_id": project_a, "beneficiary_id": jst_org, "role": "implementer"})).await;
    app.create("partners", json!({"project_id": project_b, "beneficiary_id": owes_b, "role": "beneficiary"})).await;
    // OWES A was project B's partner once, but no longer.
    app.create("partners", json!({"project_id": project_b, "beneficiary_id": owes_a, "role": "partner", "valid_to": "2020-12-31"})).await;
    let activity = |project| json!({"project_id": project, "activity_type": "training", "title": "szkolenie"});
    let activity_a = app.create("activities", activity(project_a)).await;
    let activity_b = app.create("activities", activity(project_b)).await;
    let indicator = |project| json!({"project_id": project, "name": "osoby", "kind": "output", "target_value": "10"});
    let indicator_a = app.create("indicators", indicator(project_a)).await;
    let indicator_b = app.create("indicators", indicator(project_b)).await;
    let person = |project| json!({"project_id": project, "first_name": "Anna", "last_name": "Nowak", "birth_date": "1990-01-01", "sex": "female"});
    let participant_a = app.create("participants", person(project_a)).await;
    let participant_b = app.create("participants", person(project_b)).await;
    World {
        national,
        kp,
        pm,
        kp_axis,
        pm_axis,
        kp_measure,
        pm_measure,
        rops_kp_org,
        rops_pm_org,
        owes_a,
        owes_b,
        owes_pm,
        jst_org,
        project_a,
        project_b,
        project_pm,
        activity_a,
        activity_b,
        indicator_a,
        indicator_b,
        partner_a,
        leader_b,
        implementer_a,
        participant_a,
        participant_b,
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Anonymous,
    Admin,
    RopsKp,
    RopsPm,
    OwesA,
    Jst,
}

enum Method {
    Get,
    Post(Value),
    Patch(Value),
    Delete,
}

struct Case {
    who: Who,
    method: Method,
    path: String,
    status: u16,
    what: &'static str,
}

fn case(who: Who, method: Method, path: String, status: u16, what: &'static str) -> Case {
    Case { who, method, path, status, what }
}

fn table(w: &World) -> Vec<Case> {
    use Method::*;
    use Who::*;
    let p = |collection: &str, id: i64| format!("/api/v1/{collection}/{id}");
    let c = |collection: &str| format!("/api/v1/{collection}");
    let rename = || json!({"name": "nowa nazwa"});
    let title = || json!({"title": "nowy tytuł"});
    let notes = || json!({"notes": "uwaga"});
    vec![
        // Public reads, for everyone; personal data for nobody anonymous.
        case(Anonymous, Get, c("projects"), 200, "anonymous lists projects"),
        case(Anonymous, Get, p("programmes", w.kp), 200, "anonymous reads a programme"),
        case(Anonymous, Get, p("beneficiaries", w.owes_a), 200, "anonymous reads an organisation"),
        case(Anonymous, Get, format!("/api/v1/activities?project_id={}", w.project_a), 200, "anonymous lists activities"),
        case(Anonymous, Get, p("participants", w.participant_a), 401, "anonymous never reads a participant"),
        case(Anonymous, Get, format!("/api/v1/participants?project_id={}", w.project_a), 401, "anonymous never lists participants"),
        case(Anonymous, Patch(title()), p("projects", w.project_a), 401, "anonymous never writes"),
        case(Anonymous, Post(json!({"code": "X", "name": "X", "period": "2014-2020"})), c("programmes"), 401, "anonymous never creates"),
        case(Anonymous, Get, c("audit-events"), 401, "anonymous never reads the audit trail"),
        // Programmes, axes, measures.
        case(RopsKp, Patch(rename()), p("programmes", w.kp), 200, "rops writes its regional programme"),
        case(RopsKp, Patch(rename()), p("programmes", w.pm), 403, "rops cannot write another region's programme"),
        case(RopsKp, Patch(rename()), p("programmes", w.national), 403, "rops cannot write a national programme"),
        case(Admin, Patch(rename()), p("programmes", w.national), 200, "admin writes a national programme"),
        case(
            RopsKp,
            Post(json!({"code": "RPKP2", "name": "X", "period": "2021-2027", "voivodeship": "04"})),
            c("programmes"),
            201,
            "rops creates a programme of its region",
        ),
        case(
            RopsKp,
            Post(json!({"code": "RPPM2", "name": "X", "period": "2021-2027", "voivodeship": "22"})),
            c("programmes"),
            403,
            "rops cannot create another region's programme",
        ),
        case(RopsKp, Post(json!({"code": "PO2", "name": "X", "period": "2021-2027"})), c("programmes"), 403, "rops cannot create a national programme"),
        case(RopsKp, Patch(rename()), p("priority-axes", w.kp_axis), 200, "rops writes its programme's axis"),
        case(RopsKp, Patch(rename()), p("priority-axes", w.pm_axis), 403, "rops cannot write another region's axis"),
        case(RopsKp, Patch(json!({"programme_id": w.pm})), p("priority-axes", w.kp_axis), 403, "rops cannot move its axis to another region's programme"),
        case(RopsKp, Patch(rename()), p("measures", w.kp_measure), 200, "rops writes its measure"),
        case(RopsPm, Patch(rename()), p("measures", w.kp_measure), 403, "a Pomorskie rops cannot write a Kujawsko-Pomorskie measure"),
        case(OwesA, Patch(rename()), p("programmes", w.kp), 403, "owes cannot write programmes"),
        case(OwesA, Patch(rename()), p("measures", w.kp_measure), 403, "owes cannot write measures"),
        case(Jst, Patch(rename()), p("priority-axes", w.kp_axis), 403, "jst cannot write axes"),
        // Organisations.
        case(RopsKp, Patch(json!({"city": "Toruń"})), p("beneficiaries", w.owes_b), 200, "rops writes an organisation of its region"),
        case(RopsKp, Patch(json!({"city": "Gdańsk"})), p("beneficiaries", w.rops_pm_org), 403, "rops cannot write another region's organisation"),
        case(RopsKp, Patch(json!({"voivodeship": "22"})), p("beneficiaries", w.owes_b), 403, "rops cannot move an organisation out of its region"),
        case(RopsKp, Patch(json!({"voivodeship": "04"})), p("beneficiaries", w.owes_pm), 403, "rops cannot take another region's organisation into its own"),
        case(Jst, Patch(json!({"website": "https://torun.pl"})), p("beneficiaries", w.jst_org), 200, "jst updates its own organisation"),
        case(Jst, Patch(json!({"website": "https://x.pl"})), p("beneficiaries", w.owes_a), 403, "jst cannot update another organisation"),
        case(Jst, Delete, p("beneficiaries", w.jst_org), 403, "jst cannot delete its organisation"),
        case(Jst, Patch(json!({"voivodeship": "14"})), p("beneficiaries", w.jst_org), 403, "jst cannot move its organisation to another voivodeship"),
        case(Jst, Post(json!({"name": "Nowa", "kind": "ngo"})), c("beneficiaries"), 403, "jst cannot create organisations"),
        case(OwesA, Patch(json!({"city": "Toruń"})), p("beneficiaries", w.owes_a), 403, "owes does not edit organisation records"),
        // Projects.
        case(OwesA, Patch(title()), p("projects", w.project_a), 200, "owes writes the project it is beneficiary of"),
        case(OwesA, Patch(title()), p("projects", w.project_b), 403, "owes cannot write another organisation's project (its partnership ended)"),
        case(
            OwesA,
            Patch(json!({"measure_id": w.pm_measure, "voivodeship": "22"})),
            p("projects", w.project_a),
            403,
            "owes cannot move its project to another region",
        ),
        case(OwesA, Post(json!({"title": "Nowy", "measure_id": w.kp_measure})), c("projects"), 201, "owes creates a project in its region"),
        case(OwesA, Post(json!({"title": "Nowy", "measure_id": w.pm_measure})), c("projects"), 403, "owes cannot create a project in another region"),
        case(RopsKp, Patch(title()), p("projects", w.project_b), 200, "rops writes any project of its region"),
        case(RopsPm, Patch(title()), p("projects", w.project_a), 403, "a Pomorskie rops cannot change a Kujawsko-Pomorskie project"),
        case(
            RopsKp,
            Patch(json!({"measure_id": w.kp_measure, "voivodeship": "04"})),
            p("projects", w.project_pm),
            403,
            "rops cannot take another region's project",
        ),
        case(RopsKp, Delete, p("projects", w.project_pm), 403, "rops cannot delete another region's project"),
        case(Jst, Patch(title()), p("projects", w.project_a), 403, "jst cannot write projects"),
        case(Admin, Patch(title()), p("projects", w.project_pm), 200, "admin writes any project"),
        // What hangs off a project.
        case(OwesA, Patch(title()), p("activities", w.activity_a), 200, "owes writes its project's activity"),
        case(OwesA, Patch(title()), p("activities", w.activity_b), 403, "owes cannot write another project's activity"),
        case(OwesA, Patch(json!({"project_id": w.project_b})), p("activities", w.activity_a), 403, "owes cannot move an activity into another project"),
        case(OwesA, Patch(json!({"achieved_value": "12"})), p("indicators", w.indicator_a), 200, "owes reports its indicator"),
        case(OwesA, Patch(json!({"achieved_value": "12"})), p("indicators", w.indicator_b), 403, "owes cannot report another project's indicator"),
        case(OwesA, Patch(notes()), p("partners", w.implementer_a), 200, "owes writes its project's other roles"),
        case(OwesA, Patch(notes()), p("partners", w.partner_a), 403, "owes does not change who runs its project, not even its own beneficiary row"),
        case(OwesA, Delete, p("partners", w.partner_a), 403, "owes does not end its own beneficiary row"),
        case(
            OwesA,
            Post(json!({"project_id": w.project_a, "beneficiary_id": w.owes_a, "role": "leader"})),
            c("partners"),
            403,
            "owes does not make itself leader of its project",
        ),
        case(
            RopsKp,
            Post(json!({"project_id": w.project_a, "beneficiary_id": w.owes_b, "role": "beneficiary", "valid_from": "2019-01-01", "valid_to": "2019-12-31"})),
            c("partners"),
            201,
            "rops sets who runs its region's project",
        ),
        case(OwesA, Patch(json!({"role": "partner"})), p("partners", w.leader_b), 403, "owes cannot demote another organisation from leader"),
        case(OwesA, Patch(json!({"beneficiary_id": w.owes_a})), p("partners", w.leader_b), 403, "owes cannot take over another organisation's leadership"),
        case(OwesA, Delete, p("partners", w.leader_b), 403, "owes cannot remove another organisation's leadership"),
        case(
            OwesA,
            Post(json!({"project_id": w.project_b, "beneficiary_id": w.owes_a, "role": "partner"})),
            c("partners"),
            403,
            "owes cannot make itself partner of another project",
        ),
        case(
            OwesA,
            Post(json!({"project_id": w.project_a, "beneficiary_id": w.jst_org, "role": "partner"})),
            c("partners"),
            201,
            "owes adds a partner to its project",
        ),
        case(
            OwesA,
            Post(json!({"project_id": w.project_a, "beneficiary_id": w.owes_b, "role": "leader"})),
            c("partners"),
            403,
            "owes cannot name another organisation leader of its project",
        ),
        case(
            RopsKp,
            Post(json!({"project_id": w.project_pm, "beneficiary_id": w.rops_kp_org, "role": "partner"})),
            c("partners"),
            403,
            "rops cannot add roles to another region's project",
        ),
        case(Jst, Post(json!({"project_id": w.project_a, "activity_type": "fair", "title": "targi"})), c("activities"), 403, "jst cannot add activities"),
        // Money: a project's budgets and payment claims, written as the project is.
        case(
            OwesA,
            Post(json!({"project_id": w.project_a, "year": 2020, "category": "staff", "amount": "1.00"})),
            c("budgets"),
            201,
            "owes plans its project's budget",
        ),
        case(
            OwesA,
            Post(json!({"project_id": w.project_b, "year": 2020, "category": "staff", "amount": "1.00"})),
            c("budgets"),
            403,
            "owes cannot plan another project's budget",
        ),
        case(
            RopsPm,
            Post(json!({"project_id": w.project_a, "year": 2020, "category": "staff", "amount": "1.00"})),
            c("budgets"),
            403,
            "rops cannot plan another region's budget",
        ),
        case(
            RopsKp,
            Post(
                json!({"project_id": w.project_b, "number": "WNP/1", "period_from": "2020-01-01", "period_to": "2020-06-30", "kind": "interim", "status": "submitted", "claimed_amount": "1.00"}),
            ),
            c("payment-claims"),
            201,
            "rops records a claim of its region's project",
        ),
        case(
            OwesA,
            Post(
                json!({"project_id": w.project_a, "number": "WNP/2", "period_from": "2020-01-01", "period_to": "2020-06-30", "kind": "interim", "status": "approved", "claimed_amount": "1.00", "approved_amount": "1.00"}),
            ),
            c("payment-claims"),
            403,
            "owes does not approve its own claim",
        ),
        case(
            RopsKp,
            Post(
                json!({"project_id": w.project_b, "number": "WNP/3", "period_from": "2020-01-01", "period_to": "2020-06-30", "kind": "interim", "status": "approved", "claimed_amount": "1.00", "approved_amount": "1.00"}),
            ),
            c("payment-claims"),
            403,
            "rops does not approve a claim it makes: the maker never decides alone",
        ),
        case(
            Admin,
            Post(
                json!({"project_id": w.project_b, "number": "WNP/4", "period_from": "2020-01-01", "period_to": "2020-06-30", "kind": "interim", "status": "approved", "claimed_amount": "1.00", "approved_amount": "1.00"}),
            ),
            c("payment-claims"),
            201,
            "admin records an approved claim",
        ),
        case(Jst, Post(json!({"project_id": w.project_a, "year": 2020, "category": "other", "amount": "1.00"})), c("budgets"), 403, "jst cannot write budgets"),
        case(Anonymous, Get, c("reports/spending"), 200, "anonymous reads the spending report"),
        // The reporting calendar: a programme's, kept by its region's ROPS.
        case(
            RopsKp,
            Post(json!({"programme_id": w.kp, "name": "2020", "period_from": "2020-01-01", "period_to": "2020-12-31", "due_on": "2021-01-31"})),
            c("reporting-periods"),
            201,
            "rops keeps its programme's reporting calendar",
        ),
        case(
            RopsPm,
            Post(json!({"programme_id": w.kp, "name": "2021", "period_from": "2021-01-01", "period_to": "2021-12-31", "due_on": "2022-01-31"})),
            c("reporting-periods"),
            403,
            "rops cannot keep another region's calendar",
        ),
        case(
            OwesA,
            Post(json!({"programme_id": w.kp, "name": "2022", "period_from": "2022-01-01", "period_to": "2022-12-31", "due_on": "2023-01-31"})),
            c("reporting-periods"),
            403,
            "owes cannot open or lock reporting periods",
        ),
        case(
            RopsKp,
            Post(json!({"programme_id": w.national, "name": "2023", "period_from": "2023-01-01", "period_to": "2023-12-31", "due_on": "2024-01-31"})),
            c("reporting-periods"),
            403,
            "rops cannot keep a national programme's calendar",
        ),
        case(Anonymous, Get, c("reporting-periods"), 200, "anonymous reads the reporting calendar"),
        case(Anonymous, Get, c("reports/reporting"), 200, "anonymous reads the overdue report"),
        case(Anonymous, Get, "/api/v1/indicator-measurements/1/history".to_owned(), 401, "anonymous cannot read a value's history"),
        // Participants: person-level data.
        case(OwesA, Get, format!("/api/v1/participants?project_id={}", w.project_a), 200, "owes lists its project's participants"),
        case(OwesA, Get, format!("/api/v1/participants?project_id={}", w.project_b), 403, "owes cannot list another project's participants"),
        case(OwesA, Get, c("participants"), 403, "owes cannot list every participant"),
        case(OwesA, Get, p("participants", w.participant_a), 200, "owes reads its participant"),
        case(OwesA, Get, p("participants", w.participant_b), 403, "owes cannot read another project's participant"),
        case(
            OwesA,
            Post(json!({"project_id": w.project_a, "first_name": "Jan", "last_name": "Kowalski", "pesel": "44051401359"})),
            c("participants"),
            201,
            "owes enrols a participant in its project",
        ),
        case(
            OwesA,
            Post(json!({"project_id": w.project_b, "first_name": "Jan", "last_name": "Kowalski", "pesel": "44051401359"})),
            c("participants"),
            403,
            "owes cannot enrol in another project",
        ),
        case(RopsKp, Get, p("participants", w.participant_b), 200, "rops reads participants of its region"),
        case(RopsPm, Get, p("participants", w.participant_a), 403, "rops cannot read another region's participants"),
        case(RopsPm, Get, format!("/api/v1/participants?project_id={}", w.project_a), 403, "rops cannot list another region's participants"),
        case(Jst, Get, format!("/api/v1/participants?project_id={}", w.project_a), 403, "jst never sees person-level data"),
        case(Jst, Get, p("participants", w.participant_a), 403, "jst never reads a participant"),
        case(Admin, Get, c("participants"), 200, "admin lists every participant"),
        case(
            OwesA,
            Post(json!({"participant_id": w.participant_a, "activity_id": w.activity_a, "outcome": "completed"})),
            c("attendance"),
            201,
            "owes records attendance in its project",
        ),
        case(
            OwesA,
            Post(json!({"participant_id": w.participant_b, "activity_id": w.activity_b})),
            c("attendance"),
            403,
            "owes cannot record attendance in another project",
        ),
        case(OwesA, Get, format!("/api/v1/attendance?project_id={}", w.project_a), 200, "owes reads its project's attendance"),
        case(Jst, Get, format!("/api/v1/attendance?project_id={}", w.project_a), 403, "jst never reads attendance"),
        case(Anonymous, Get, format!("/api/v1/attendance?activity_id={}", w.activity_a), 401, "anonymous never reads attendance"),
        // Accounts.
        case(
            RopsKp,
            Post(json!({"email": "owes2@x.pl", "password": "a long password!", "role": "owes", "organisation_id": w.owes_b})),
            c("users"),
            201,
            "rops creates an owes user in its region",
        ),
        case(
            RopsKp,
            Post(json!({"email": "owes3@x.pl", "password": "a long password!", "role": "owes", "organisation_id": w.owes_pm})),
            c("users"),
            403,
            "rops cannot create users in another region",
        ),
        case(
            RopsKp,
            Post(json!({"email": "jst2@x.pl", "password": "a long password!", "role": "jst", "organisation_id": w.rops_kp_org})),
            c("users"),
            422,
            "an account's role must suit its organisation's kind",
        ),
        case(RopsKp, Post(json!({"email": "adm@x.pl", "password": "a long password!", "role": "admin"})), c("users"), 403, "rops cannot create admins"),
        case(
            RopsKp,
            Post(json!({"email": "rops2@x.pl", "password": "a long password!", "role": "rops", "organisation_id": w.rops_kp_org})),
            c("users"),
            403,
            "rops cannot create rops users",
        ),
        case(
            Admin,
            Post(json!({"email": "rops3@x.pl", "password": "a long password!", "role": "rops", "organisation_id": w.rops_pm_org})),
            c("users"),
            201,
            "admin creates rops users",
        ),
        case(
            OwesA,
            Post(json!({"email": "owes4@x.pl", "password": "a long password!", "role": "owes", "organisation_id": w.owes_a})),
            c("users"),
            403,
            "owes cannot create users",
        ),
        case(OwesA, Get, c("users"), 403, "owes cannot list users"),
        // Audit trail.
        case(Admin, Get, c("audit-events"), 200, "admin reads the audit trail"),
        case(RopsKp, Get, c("audit-events"), 200, "rops reads its region's audit trail"),
        case(OwesA, Get, c("audit-events"), 403, "owes cannot read the audit trail"),
    ]
}

/// The access token of each caller of the table (none for anonymous).
struct Tokens {
    admin: String,
    rops_kp: String,
    rops_pm: String,
    owes: String,
    jst: String,
}

impl Tokens {
    async fn sign_in(app: &TestApp, w: &World) -> Self {
        Self {
            admin: app.admin_token.clone(),
            rops_kp: app.user_token("rops-kp@x.pl", Role::Rops, Some(w.rops_kp_org)).await,
            rops_pm: app.user_token("rops-pm@x.pl", Role::Rops, Some(w.rops_pm_org)).await,
            owes: app.user_token("owes-a@x.pl", Role::Owes, Some(w.owes_a)).await,
            jst: app.user_token("jst@x.pl", Role::Jst, Some(w.jst_org)).await,
        }
    }

    fn of(&self, who: Who) -> Option<&str> {
        match who {
            Who::Anonymous => None,
            Who::Admin => Some(&self.admin),
            Who::RopsKp => Some(&self.rops_kp),
            Who::RopsPm => Some(&self.rops_pm),
            Who::OwesA => Some(&self.owes),
            Who::Jst => Some(&self.jst),
        }
    }
}

#[tokio::test]
async fn the_permission_table_holds() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let tokens = Tokens::sign_in(&app, &w).await;
    let mut failures = Vec::new();
    for case in table(&w) {
        let session = match tokens.of(case.who) {
            None => app.anonymous(),
            Some(token) => app.as_user(token),
        };
        let reply = match &case.method {
            Method::Get => session.get(&case.path).await,
            Method::Post(body) => session.post(&case.path, body).await,
            Method::Patch(body) => session.patch(&case.path, body).await,
            Method::Delete => session.delete(&case.path).await,
        };
        if reply.status != case.status {
            failures.push(format!("{:?} {} → {} (expected {}): {} {}", case.who, case.path, reply.status, case.status, case.what, reply.body));
        }
        if reply.status >= 400 {
            assert_eq!(reply.content_type(), "application/problem+json", "{}", case.what);
        }
    }
    assert!(failures.is_empty(), "{} cases failed:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test]
async fn a_project_an_owes_creates_names_it_as_beneficiary_and_is_then_its_own() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let owes = app.user_token("owes-a@x.pl", Role::Owes, Some(w.owes_a)).await;
    let created = app.as_user(&owes).post("/api/v1/projects", &json!({"title": "Nowy", "measure_id": w.kp_measure})).await;
    assert_eq!(created.status, 201);
    let roles = app.get(&format!("/api/v1/partners?project_id={}", created.id())).await;
    assert_eq!(roles.body["total"], 1);
    assert_eq!(roles.body["items"][0]["beneficiary_id"], w.owes_a);
    assert_eq!(roles.body["items"][0]["role"], "beneficiary");
    let activity = json!({"project_id": created.id(), "activity_type": "training", "title": "szkolenie"});
    assert_eq!(app.as_user(&owes).post("/api/v1/activities", &activity).await.status, 201);
}

/// A day `days` before today, wherever the registry's today is.
fn days_ago(days: i64) -> String {
    (chrono::Utc::now().date_naive() - chrono::Duration::days(days)).to_string()
}

#[tokio::test]
async fn a_partner_promotes_neither_itself_nor_another_and_writes_only_while_its_role_lasts() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let owes = app.user_token("owes-a@roles.pl", Role::Owes, Some(w.owes_a)).await;
    let rops = app.user_token("rops-kp@roles.pl", Role::Rops, Some(w.rops_kp_org)).await;
    // OWES B runs project P; OWES A is only its partner.
    let p = app.create("projects", json!({"title": "P", "measure_id": w.kp_measure})).await;
    let beneficiary = app.create("partners", json!({"project_id": p, "beneficiary_id": w.owes_b, "role": "beneficiary"})).await;
    let partner = app.create("partners", json!({"project_id": p, "beneficiary_id": w.owes_a, "role": "partner", "valid_from": days_ago(30)})).await;
    let refused = |reply: crate::helpers::Reply, what: &str| {
        assert_eq!(reply.status, 403, "{what}: {}", reply.body);
        assert_eq!(reply.content_type(), "application/problem+json", "{what}");
    };
    let activity = json!({"project_id": p, "activity_type": "training", "title": "szkolenie"});
    assert_eq!(app.as_user(&owes).post("/api/v1/activities", &activity).await.status, 201, "a partner writes the project's records");

    // The tester's finding: the partner names itself beneficiary.
    let itself = json!({"project_id": p, "beneficiary_id": w.owes_a, "role": "beneficiary", "valid_from": days_ago(1)});
    refused(app.as_user(&owes).post("/api/v1/partners", &itself).await, "a partner does not make itself beneficiary");
    refused(app.as_user(&owes).post("/api/v1/partners", &json!({"project_id": p, "beneficiary_id": w.owes_a, "role": "leader"})).await, "nor leader");
    refused(
        app.as_user(&owes).post("/api/v1/partners", &json!({"project_id": p, "beneficiary_id": w.jst_org, "role": "leader"})).await,
        "nor another organisation leader",
    );
    refused(app.as_user(&owes).patch(&format!("/api/v1/partners/{partner}"), &json!({"role": "beneficiary"})).await, "nor turns its partner row into one");
    refused(app.as_user(&owes).patch(&format!("/api/v1/partners/{beneficiary}"), &json!({"valid_to": days_ago(1)})).await, "nor ends the beneficiary's");
    let import = app
        .send(app.client.post(app.url("/api/v1/imports/partners")).bearer_auth(&owes).header("content-type", "text/csv").body(format!(
            "project_id,beneficiary_id,role,valid_from\n{p},{},beneficiary,{}\n",
            w.owes_a,
            days_ago(1)
        )))
        .await;
    assert_eq!((import.status, import.body["errors"][0]["code"].clone()), (422, json!("forbidden")), "nor through an import: {}", import.body);
    let roles = app.get(&format!("/api/v1/partners?project_id={p}&role=beneficiary")).await;
    assert_eq!((roles.body["total"].clone(), roles.body["items"][0]["beneficiary_id"].clone()), (json!(1), json!(w.owes_b)), "{}", roles.body);
    assert_eq!(roles.body["items"][0]["valid_to"], Value::Null);

    // Who runs it is the ROPS's to set.
    let named =
        app.as_user(&rops).post("/api/v1/partners", &json!({"project_id": p, "beneficiary_id": w.jst_org, "role": "leader", "valid_from": days_ago(1)})).await;
    assert_eq!(named.status, 201, "{}", named.body);
    let co_beneficiary = json!({"project_id": p, "beneficiary_id": w.owes_pm, "role": "beneficiary", "valid_from": days_ago(1)});
    assert_eq!(app.as_user(&rops).post("/api/v1/partners", &co_beneficiary).await.status, 201, "the ROPS adds a beneficiary row");

    // The ROPS ends the partnership: from then on the partner writes nothing of the project.
    let ended = app.as_user(&rops).patch(&format!("/api/v1/partners/{partner}"), &json!({"valid_to": days_ago(1)})).await;
    assert_eq!(ended.status, 200, "{}", ended.body);
    refused(app.as_user(&owes).post("/api/v1/activities", &activity).await, "no more activities");
    refused(app.as_user(&owes).patch(&format!("/api/v1/projects/{p}"), &json!({"title": "Mój"})).await, "nor the project");
    refused(app.as_user(&owes).patch(&format!("/api/v1/partners/{partner}"), &json!({"valid_to": null})).await, "nor its own role back");
    let claim = json!({"project_id": p, "number": "WNP/1", "period_from": "2020-01-01", "period_to": "2020-06-30", "kind": "interim", "status": "draft", "claimed_amount": "1.00"});
    refused(app.as_user(&owes).post("/api/v1/payment-claims", &claim).await, "nor its claims");
}

#[tokio::test]
async fn nobody_changes_their_own_role_or_organisation() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let me = app.get("/api/v1/auth/me").await.body["id"].as_i64().unwrap();
    let reply = app.patch(&format!("/api/v1/users/{me}"), &json!({"role": "owes", "organisation_id": w.owes_a})).await;
    assert_eq!(reply.status, 403);
    let rops = app.user_token("rops-kp@x.pl", Role::Rops, Some(w.rops_kp_org)).await;
    let rops_id = app.as_user(&rops).get("/api/v1/auth/me").await.body["id"].as_i64().unwrap();
    assert_eq!(app.as_user(&rops).patch(&format!("/api/v1/users/{rops_id}"), &json!({"role": "admin"})).await.status, 403);
    // Unknown fields are refused rather than ignored.
    let sneaky = app
        .as_user(&rops)
        .post("/api/v1/users", &json!({"email": "o@x.pl", "password": "a long password!", "role": "owes", "organisation_id": w.owes_a, "is_admin": true}))
        .await;
    assert_eq!(sneaky.status, 422);
    // The rops may disable an owes user of its region, but not move it to another region.
    let owes = app.user_token("owes-a@x.pl", Role::Owes, Some(w.owes_a)).await;
    let owes_id = app.as_user(&owes).get("/api/v1/auth/me").await.body["id"].as_i64().unwrap();
    assert_eq!(app.as_user(&rops).patch(&format!("/api/v1/users/{owes_id}"), &json!({"organisation_id": w.owes_pm})).await.status, 403);
    assert_eq!(app.as_user(&rops).patch(&format!("/api/v1/users/{owes_id}"), &json!({"enabled": false})).await.status, 200);
    assert_eq!(app.sign_in("owes-a@x.pl", crate::helpers::PASSWORD).await.status, 401);
    // Its access token still has minutes to live, but the account is what counts.
    let write = app.as_user(&owes).patch(&format!("/api/v1/projects/{}", w.project_a), &json!({"notes": "x"})).await;
    assert_eq!(write.status, 401, "{}", write.body);
    let again = app.as_user(&owes).patch(&format!("/api/v1/users/{owes_id}"), &json!({"enabled": true})).await;
    assert_eq!(again.status, 401, "nobody re-enables themselves: a disabled account's token opens nothing");
    let _ = (w.national, w.pm, w.owes_b, w.project_pm, w.activity_b, w.indicator_b, w.participant_b, w.pm_axis);
}

/// What a caller was told, as far as the permission table is concerned.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Verdict {
    Allowed,
    Unauthorized,
    Forbidden,
    /// Refused for what the request holds, not for who sent it.
    Invalid,
}

fn single_write_verdict(status: u16) -> Verdict {
    match status {
        200..=299 => Verdict::Allowed,
        401 => Verdict::Unauthorized,
        403 => Verdict::Forbidden,
        _ => Verdict::Invalid,
    }
}

fn import_verdict(reply: &crate::helpers::Reply) -> Verdict {
    match reply.status {
        200 => Verdict::Allowed,
        401 => Verdict::Unauthorized,
        422 if reply.body["errors"].as_array().is_some_and(|e| !e.is_empty() && e.iter().all(|e| e["code"] == "forbidden")) => Verdict::Forbidden,
        _ => Verdict::Invalid,
    }
}

/// A valid NIP for `n` (mod-11 check digit), for organisations an import creates.
fn nip(n: u32) -> String {
    (0..)
        .map(|k| format!("{:09}", 123_456_000 + n * 10 + k))
        .find_map(|body| {
            let sum: u32 = body.chars().zip([6, 5, 7, 2, 3, 4, 5, 6, 7]).map(|(d, w)| d.to_digit(10).unwrap() * w).sum();
            (sum % 11 != 10).then(|| format!("{body}{}", sum % 11))
        })
        .unwrap()
}

/// The import row that makes the same write as `case`, and its collection: a
/// create's body (with a natural key, which an import needs), or the record as
/// exported with the patch applied. `None` for acts an import does not make.
async fn import_row(app: &TestApp, case: &Case, n: u32) -> Option<(String, Value)> {
    let rest = case.path.strip_prefix("/api/v1/")?;
    let (collection, id) = match rest.split_once('/') {
        Some((collection, id)) => (collection, Some(id.parse::<i64>().ok()?)),
        None => (rest, None),
    };
    let bulk = ["beneficiaries", "projects", "partners", "activities", "participants", "attendance", "indicator-measurements"];
    if !bulk.contains(&collection) {
        return None;
    }
    let row = match (&case.method, id) {
        (Method::Post(body), None) => {
            let mut row = body.clone();
            let key = match collection {
                "projects" => Some(("contract_number", json!(format!("PERM/{n}")))),
                "activities" => Some(("external_id", json!(format!("PERM-{n}")))),
                "participants" if row.get("pesel").is_none() => Some(("external_id", json!(format!("PERM-{n}")))),
                "beneficiaries" => Some(("nip", json!(nip(n)))),
                _ => None,
            };
            if let Some((field, value)) = key {
                row[field] = value;
            }
            row
        }
        (Method::Patch(patch), Some(id)) => {
            let exported = app
                .client
                .get(app.url(&format!("/api/v1/exports/{collection}?format=ndjson")))
                .bearer_auth(&app.admin_token)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let mut row: Value = exported.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()).find(|r| r["id"] == id)?;
            for (field, value) in patch.as_object().unwrap() {
                row[field] = value.clone();
            }
            row
        }
        _ => return None,
    };
    Some((collection.to_owned(), row))
}

/// The permission table through imports: every write an import can make (a
/// create or an update in a collection loaded in bulk) gets the verdict its
/// single write gets. The command line goes through the same rules for accounts.
#[tokio::test]
async fn the_permission_table_holds_for_imports_and_the_command_line() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let tokens = Tokens::sign_in(&app, &w).await;
    let (mut compared, mut failures) = (0, Vec::new());
    for (n, case) in table(&w).into_iter().enumerate() {
        let Some((collection, row)) = import_row(&app, &case, n as u32).await else { continue };
        let token = tokens.of(case.who);
        let mut request =
            app.client.post(app.url(&format!("/api/v1/imports/{collection}"))).header("content-type", "application/x-ndjson").body(format!("{row}\n"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let reply = app.send(request).await;
        let (expected, got) = (single_write_verdict(case.status), import_verdict(&reply));
        if expected != got {
            failures.push(format!("{:?} import of {row} into {collection}: {got:?}, the single write {expected:?} ({}): {}", case.who, case.what, reply.body));
        }
        compared += 1;
    }
    assert!(compared >= 25, "only {compared} cases were comparable");
    assert!(failures.is_empty(), "{} of {compared} verdicts differ:\n{}", failures.len(), failures.join("\n"));

    // The command line creates accounts as the system, by the same rules: a role
    // must suit its organisation's kind, and the act is in the audit trail.
    let cli = |args: &[&str]| crate::auth::cli(&app, args, "a long enough password\n");
    let refused = cli(&["users", "create", "--email", "jst9@x.pl", "--role", "jst", "--organisation-id", &w.rops_kp_org.to_string()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("cannot act for an organisation of kind rops"), "{}", String::from_utf8_lossy(&refused.stderr));
    let api =
        app.post("/api/v1/users", &json!({"email": "jst9@x.pl", "password": "a long enough password", "role": "jst", "organisation_id": w.rops_kp_org})).await;
    assert_eq!((api.status, api.body["errors"][0]["code"].clone()), (422, json!("role_kind_mismatch")), "the same refusal over the API");
    let created = cli(&["users", "create", "--email", "rops9@x.pl", "--role", "rops", "--organisation-id", &w.rops_kp_org.to_string()]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let trail = app.get("/api/v1/audit-events?resource=users&action=create").await;
    assert!(trail.body["items"].as_array().unwrap().iter().any(|e| e["user_email"] == "command line" && e["after"]["email"] == "rops9@x.pl"), "{}", trail.body);
}
