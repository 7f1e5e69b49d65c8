//! The resource registry: every collection of records the registry keeps, named
//! once with what the rest of the system derives from it. Routing and the
//! OpenAPI document (`api::routes`), the permission table (`domain::access`),
//! the change feed, imports and exports (`service::registry`), the mapping of
//! constraint names to fields (`service::error`) and the database triggers (a
//! test compares them with `es_track_table`) all start from [`Collection::ALL`]
//! and from exhaustive `match`es on it, so a collection left out of one of them
//! does not compile.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A collection of records, as its path segment names it (`/api/v1/priority-axes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Collection {
    Programmes,
    PriorityAxes,
    Measures,
    Beneficiaries,
    Projects,
    Partners,
    Activities,
    Participants,
    Attendance,
    Indicators,
    IndicatorDefinitions,
    IndicatorMeasurements,
    OrganisationStatuses,
    Marks,
    Offers,
    Needs,
    Awards,
    Networks,
    NetworkMembers,
    Agreements,
    SupportedInstitutions,
    StrategyDocuments,
    Committees,
    CommitteeMembers,
    CommitteeMeetings,
    Resolutions,
    Budgets,
    PaymentClaims,
    ReportingPeriods,
    ProgrammeTargets,
}

/// What a record belongs to, for the permission table: whose it is to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// A programme (national or of one voivodeship): programmes, axes, measures, definitions.
    Programme,
    /// An organisation itself.
    Organisation,
    /// A project: the project and everything that hangs off it.
    Project,
    /// The register's official entries (an organisation's statuses, the marks it
    /// holds, the awards a region grants): kept by the ROPS of the voivodeship,
    /// never by the organisation itself.
    Register,
    /// An organisation's own entries (its offers, its needs): written by the
    /// organisation's own accounts and by the ROPS of its voivodeship.
    OwnEntries,
    /// Coordination work that belongs to a network or a project (a network, its
    /// members, agreements): a network's entries are written by its coordinating
    /// organisation's accounts, a project's as the project's records are, and the
    /// ROPS of the voivodeship writes both.
    Coordination,
}

/// Everything the system derives from a collection.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The path segment below `/api/v1`, the audit trail's and the feed's name,
    /// and the OpenAPI tag.
    pub path: &'static str,
    /// The table its records live in.
    pub table: &'static str,
    /// What one record is called in messages.
    pub noun: &'static str,
    /// The OpenAPI tag's description.
    pub description: &'static str,
    pub owner: Owner,
    /// Personal data: reads are scoped and audited, never anonymous, never in the
    /// change feed or the response cache.
    pub personal: bool,
    /// Natural keys by which an import finds a record again (each a set of stored
    /// columns; the first a row fills is used); `None` when it is not imported.
    pub import_keys: Option<&'static [&'static [&'static str]]>,
    /// Fields the server derives: shown, never taken from a client.
    pub read_only: &'static [&'static str],
    /// Fields only the record's owners read (those who may change it, and the
    /// ROPS that decides on it): notes and the reasons of decisions, which a
    /// fiche would not print. Anyone else sees them empty, on every read path.
    pub owners_only: &'static [&'static str],
    /// A record with a workflow is published once decided its way: a reported
    /// value once approved (a draft, submitted or returned one is its owners'
    /// alone), a relation naming another organisation once that organisation
    /// accepted it (a proposed or declined one is its owners' and the named
    /// organisations' alone: `Resource::named`), on every read path.
    pub public_once_decided: bool,
    /// Fields anyone reads (`domain::publication`, where every field's class
    /// is declared).
    pub public: &'static [&'static str],
    /// Typed counts of persons: exact to the record's owners, published to
    /// anyone else through the one protection rule (`domain::disclosure`), on
    /// every read path.
    pub counts_of_persons: CountsOfPersons,
}

/// A collection's typed counts of persons and what keys their rounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountsOfPersons {
    /// Fields holding one count each.
    pub counts: &'static [&'static str],
    /// Fields holding a breakdown (dimension → category → count): every cell
    /// is a count of its own.
    pub breakdowns: &'static [&'static str],
    /// Fields holding a list of groups, each saying what its counts count
    /// (`counts`: persons, unless organisations) with its `planned_count` and
    /// `actual_count` (a project's target groups).
    pub groups: &'static [&'static str],
    /// `None`: the fields always count persons, keyed by the row's own
    /// `figure_key`. `Some(column)`: they count persons when the indicator
    /// `column` names says so (`counts_persons`, its own or its definition's),
    /// keyed by that indicator's `figure_key`, so that the same count is
    /// published alike in every period and through every path.
    pub of_indicator: Option<&'static str>,
}

impl CountsOfPersons {
    pub const NONE: CountsOfPersons = CountsOfPersons { counts: &[], breakdowns: &[], groups: &[], of_indicator: None };

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty() && self.breakdowns.is_empty() && self.groups.is_empty()
    }

    /// Every field that may hold a count of persons.
    pub fn fields(&self) -> impl Iterator<Item = &'static str> {
        self.counts.iter().chain(self.breakdowns).chain(self.groups).copied()
    }
}

impl Collection {
    pub const ALL: [Collection; 30] = [
        Collection::Programmes,
        Collection::PriorityAxes,
        Collection::Measures,
        Collection::Beneficiaries,
        Collection::Projects,
        Collection::Partners,
        Collection::Activities,
        Collection::Participants,
        Collection::Attendance,
        Collection::Indicators,
        Collection::IndicatorDefinitions,
        Collection::IndicatorMeasurements,
        Collection::OrganisationStatuses,
        Collection::Marks,
        Collection::Offers,
        Collection::Needs,
        Collection::Awards,
        Collection::Networks,
        Collection::NetworkMembers,
        Collection::Agreements,
        Collection::SupportedInstitutions,
        Collection::StrategyDocuments,
        Collection::Committees,
        Collection::CommitteeMembers,
        Collection::CommitteeMeetings,
        Collection::Resolutions,
        Collection::Budgets,
        Collection::PaymentClaims,
        Collection::ReportingPeriods,
        Collection::ProgrammeTargets,
    ];

    pub const fn spec(self) -> Spec {
        use Owner::{Coordination, Organisation, OwnEntries, Programme, Project, Register};
        const NONE: &[&str] = &[];
        let (path, table, noun, owner, description) = match self {
            Collection::Programmes => ("programmes", "programmes", "programme", Programme, "Operational programmes (PO, RPO, FE)"),
            Collection::PriorityAxes => ("priority-axes", "priority_axes", "priority axis", Programme, "Priority axes of a programme"),
            Collection::Measures => ("measures", "measures", "measure", Programme, "Measures and sub-measures"),
            Collection::Beneficiaries => {
                ("beneficiaries", "beneficiaries", "beneficiary", Organisation, "Organisations: beneficiaries, partners, ROPS, OWES, JST, PES")
            }
            Collection::Projects => ("projects", "projects", "project", Project, "Projects"),
            Collection::Partners => ("partners", "partners", "partner", Project, "Roles of organisations in projects, over time"),
            Collection::Activities => ("activities", "activities", "activity", Project, "Activities (types of support) of projects"),
            Collection::Participants => ("participants", "participants", "participant", Project, "Participants: personal data, never public"),
            Collection::Attendance => {
                ("attendance", "attendance", "attendance", Project, "Participants' attendance in activities, with outcomes: personal data, never public")
            }
            Collection::Indicators => ("indicators", "indicators", "indicator", Project, "Output and result indicators of projects"),
            Collection::IndicatorDefinitions => (
                "indicator-definitions",
                "indicator_definitions",
                "indicator definition",
                Programme,
                "The catalogue of indicator definitions: ESF common and programme-specific",
            ),
            Collection::IndicatorMeasurements => {
                ("indicator-measurements", "indicator_measurements", "indicator measurement", Project, "Reported indicator values over time and their approval")
            }
            Collection::OrganisationStatuses => (
                "organisation-statuses",
                "organisation_statuses",
                "organisation status",
                Register,
                "Statuses of organisations over time: social enterprise (PS), OWES accreditation, CIS, KIS, WTZ, ZAZ, social cooperative",
            ),
            Collection::Marks => ("marks", "marks", "mark", Register, "Marks granted to organisations (Zakup Prospołeczny and others), verifiable by code"),
            Collection::Offers => {
                ("offers", "offers", "offer", OwnEntries, "Products and services social-economy entities offer, by category, CPV code and area")
            }
            Collection::Needs => ("needs", "needs", "need", OwnEntries, "Areas of cooperation local governments seek, matched with the offers that cover them"),
            Collection::Awards => ("awards", "awards", "award", Register, "Awards of the regions' competitions: edition, category, laureate, placing"),
            Collection::Networks => (
                "networks",
                "networks",
                "network",
                Coordination,
                "Networks of cooperation (thematic, territorial, reintegration, OWES): coordinator, project, members over time",
            ),
            Collection::NetworkMembers => {
                ("network-members", "network_members", "network member", Coordination, "Organisations' membership of networks, over time")
            }
            Collection::Agreements => {
                ("agreements", "agreements", "agreement", Coordination, "Agreements concluded within a network or a project: parties, subject, term")
            }
            Collection::SupportedInstitutions => (
                "supported-institutions",
                "supported_institutions",
                "supported institution",
                Project,
                "Institutions (organisations, local governments) a project supported: form of support, dates, staff reached",
            ),
            Collection::StrategyDocuments => (
                "strategy-documents",
                "strategy_documents",
                "strategy document",
                OwnEntries,
                "Local governments' strategy documents and whether and where they name the social economy",
            ),
            Collection::Committees => {
                ("committees", "committees", "committee", Register, "Regional committees for the social economy (RKES, PKRES) and their working groups")
            }
            Collection::CommitteeMembers => {
                ("committee-members", "committee_members", "committee member", Register, "Organisations' seats on committees: role and term")
            }
            Collection::CommitteeMeetings => {
                ("committee-meetings", "committee_meetings", "committee meeting", Register, "Meetings of committees and working groups")
            }
            Collection::Resolutions => {
                ("resolutions", "resolutions", "resolution", Register, "Resolutions of the regions' bodies about the social economy: number, date, subject")
            }
            Collection::Budgets => ("budgets", "budgets", "budget line", Project, "Projects' budgets per year and cost category, with their EU co-financing"),
            Collection::PaymentClaims => (
                "payment-claims",
                "payment_claims",
                "payment claim",
                Project,
                "Projects' payment claims (wnioski o płatność): period, kind, status, amounts claimed and approved; made by the project, decided by the ROPS of its voivodeship (never by the account that made or last changed the claim), frozen once approved or rejected",
            ),
            Collection::ReportingPeriods => (
                "reporting-periods",
                "reporting_periods",
                "reporting period",
                Programme,
                "Each programme's reporting calendar: periods, the day their values are due, open or locked",
            ),
            Collection::ProgrammeTargets => (
                "programme-targets",
                "programme_targets",
                "programme target",
                Programme,
                "What a programme or a measure is to achieve of an indicator definition, finally or by a milestone year",
            ),
        };
        let personal = matches!(self, Collection::Participants | Collection::Attendance);
        let import_keys: Option<&'static [&'static [&'static str]]> = match self {
            Collection::Beneficiaries => Some(&[&["nip"], &["regon"], &["krs"]]),
            Collection::Projects => Some(&[&["contract_number"]]),
            Collection::Partners => Some(&[&["project_id", "beneficiary_id", "role"]]),
            Collection::Activities => Some(&[&["project_id", "external_id"]]),
            Collection::Participants => Some(&[&["project_id", "pesel_hash"], &["project_id", "external_id"]]),
            Collection::Attendance => Some(&[&["participant_id", "activity_id"]]),
            Collection::IndicatorMeasurements => Some(&[&["indicator_id", "period_end"]]),
            Collection::OrganisationStatuses => Some(&[&["organisation_id", "status", "valid_from"]]),
            Collection::Marks => Some(&[&["code"]]),
            Collection::Offers | Collection::Needs => Some(&[&["organisation_id", "external_id"]]),
            Collection::Networks => Some(&[&["coordinator_id", "external_id"]]),
            Collection::NetworkMembers => Some(&[&["network_id", "organisation_id", "joined_on"]]),
            Collection::Agreements => Some(&[&["network_id", "external_id"], &["project_id", "external_id"]]),
            Collection::SupportedInstitutions => Some(&[&["project_id", "external_id"], &["project_id", "organisation_id", "form", "started_on"]]),
            Collection::StrategyDocuments => Some(&[&["jst_id", "external_id"], &["jst_id", "resolution_number"]]),
            Collection::CommitteeMembers => Some(&[&["committee_id", "organisation_id", "term_from"]]),
            Collection::CommitteeMeetings => Some(&[&["committee_id", "held_on"]]),
            Collection::Resolutions => Some(&[&["voivodeship", "issued_by", "number"]]),
            Collection::Committees => Some(&[&["voivodeship", "name"]]),
            Collection::Budgets => Some(&[&["project_id", "year", "category"]]),
            Collection::PaymentClaims => Some(&[&["project_id", "number"]]),
            Collection::ReportingPeriods => Some(&[&["programme_id", "period_from"]]),
            // Its key would hold empty columns (a programme-wide or final target): not imported.
            Collection::ProgrammeTargets
            | Collection::Programmes
            | Collection::PriorityAxes
            | Collection::Measures
            | Collection::Indicators
            | Collection::IndicatorDefinitions
            | Collection::Awards => None,
        };
        let read_only: &'static [&'static str] = match self {
            Collection::PriorityAxes => &["sort_key"],
            Collection::Measures => &["code_normalised"],
            Collection::Participants => &["age_at_entry", "anonymised_at"],
            Collection::IndicatorMeasurements => &["status", "return_reason", "submitted_at", "decided_at"],
            Collection::ReportingPeriods | Collection::OrganisationStatuses => &["self_decided"],
            Collection::NetworkMembers => &["status", "decided_at", "decided_by"],
            Collection::Agreements => &["status", "accepted_party_ids", "declined_party_ids"],
            _ => NONE,
        };
        // Notes are their keepers' working notes, which a fiche would not
        // print (and which may tell head counts): owners only, as comments are.
        let owners_only: &'static [&'static str] = match self {
            Collection::IndicatorMeasurements => &["comment", "return_reason"],
            Collection::NetworkMembers => &["decided_by", "notes"],
            Collection::Projects
            | Collection::Partners
            | Collection::OrganisationStatuses
            | Collection::Marks
            | Collection::Awards
            | Collection::Agreements
            | Collection::SupportedInstitutions
            | Collection::StrategyDocuments
            | Collection::Committees
            | Collection::CommitteeMembers
            | Collection::CommitteeMeetings
            | Collection::Resolutions
            | Collection::Budgets
            | Collection::PaymentClaims
            | Collection::ReportingPeriods
            | Collection::ProgrammeTargets => &["notes"],
            _ => NONE,
        };
        let public_once_decided = matches!(self, Collection::IndicatorMeasurements | Collection::NetworkMembers | Collection::Agreements);
        let counts_of_persons = match self {
            Collection::Activities => CountsOfPersons { counts: &["planned_participants", "actual_participants"], ..CountsOfPersons::NONE },
            Collection::SupportedInstitutions => CountsOfPersons { counts: &["staff_supported"], ..CountsOfPersons::NONE },
            Collection::Indicators => CountsOfPersons { counts: &["achieved_value"], of_indicator: Some("id"), ..CountsOfPersons::NONE },
            Collection::IndicatorMeasurements => CountsOfPersons {
                counts: &["value", "value_women", "value_men", "numerator", "denominator"],
                breakdowns: &["breakdown"],
                of_indicator: Some("indicator_id"),
                ..CountsOfPersons::NONE
            },
            Collection::Projects => CountsOfPersons { groups: &["target_groups"], ..CountsOfPersons::NONE },
            _ => CountsOfPersons::NONE,
        };
        let public = super::publication::public_fields(self);
        Spec { path, table, noun, description, owner, personal, import_keys, read_only, owners_only, public_once_decided, public, counts_of_persons }
    }

    pub fn path(self) -> &'static str {
        self.spec().path
    }

    /// The collection whose path segment is `path`.
    pub fn from_path(path: &str) -> Option<Collection> {
        Collection::ALL.into_iter().find(|c| c.spec().path == path)
    }

    /// The collection whose records live in `table`.
    pub fn from_table(table: &str) -> Option<Collection> {
        Collection::ALL.into_iter().find(|c| c.spec().table == table)
    }

    /// Whether the change feed (and the response cache) may carry its records.
    pub fn public(self) -> bool {
        !self.spec().personal
    }

    /// The path of its list, below the API's root: `/api/v1/projects`.
    pub fn list_path(self) -> String {
        format!("{}/{}", crate::domain::API_PREFIX, self.path())
    }

    /// The path of one of its records: `/api/v1/projects/7`.
    pub fn record_path(self, id: i64) -> String {
        format!("{}/{}/{id}", crate::domain::API_PREFIX, self.path())
    }
}

impl std::fmt::Display for Collection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_paths_and_tables_are_unique_and_round_trip() {
        let mut paths: Vec<_> = Collection::ALL.iter().map(|c| c.path()).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), Collection::ALL.len());
        for c in Collection::ALL {
            assert_eq!(Collection::from_path(c.path()), Some(c));
            assert_eq!(Collection::from_table(c.spec().table), Some(c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.path(), "the serde name is the path");
        }
    }

    #[test]
    fn personal_collections_are_the_participants_and_their_attendance() {
        let personal: Vec<_> = Collection::ALL.into_iter().filter(|c| c.spec().personal).collect();
        assert_eq!(personal, [Collection::Participants, Collection::Attendance]);
        assert!(personal.iter().all(|c| c.spec().owner == Owner::Project));
    }
}
