//! What the registry publishes, declared once: the publication class of every
//! field of every collection and of every column of every report, export and
//! official list. Records take their behaviour from `Spec` (`owners_only`,
//! `counts_of_persons`, `public_once_decided`, `personal`, and `public` from
//! here); reports, exports and official lists publish their counts of persons
//! through the one protection rule. A test built from the OpenAPI document
//! (`tests/api/publication.rs`) fails when a field or column has no class, so
//! nothing new is published by default.

use super::collection::Collection;

/// What a field or column reveals, and so who reads it as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Anyone reads it.
    Public,
    /// A count of persons: exact to the record's owners, published to anyone
    /// else through the one protection rule (`protected_count`).
    CountOfPersons,
    /// The record's owners alone (those who may change it, and the ROPS that
    /// decides on it): notes, comments, the reasons of decisions, who did what.
    OwnersOnly,
    /// Personal data: the whole record is its project's and audited, never
    /// anonymous.
    Personal,
}

/// The fields every record shows: what it is and when it changed.
pub const RECORD_FIELDS: [&str; 4] = ["id", "created_at", "updated_at", "links"];

/// The fields of `collection` anyone reads. The others are declared in its
/// `Spec` (owners only, counts of persons), or the collection is personal.
pub const fn public_fields(collection: Collection) -> &'static [&'static str] {
    match collection {
        Collection::Programmes => &["code", "name", "period", "funds", "managing_authority", "voivodeship"],
        Collection::PriorityAxes => &["programme_id", "number", "name", "sort_key"],
        Collection::Measures => &["priority_axis_id", "parent_id", "code", "name", "default_selection_mode", "code_normalised"],
        Collection::Beneficiaries => &[
            "name",
            "aliases",
            "legal_form",
            "kind",
            "pes_type",
            "nip",
            "regon",
            "krs",
            "country",
            "teryt",
            "voivodeship",
            "city",
            "website",
            "parent_id",
            "latitude",
            "longitude",
        ],
        Collection::Projects => &[
            "contract_number",
            "title",
            "objective",
            "specific_objectives",
            "description",
            "measure_id",
            "total_value",
            "eligible_value",
            "eu_amount",
            "cofinancing_rate",
            "fund",
            "intervention_field",
            "selection_mode",
            "planned_start",
            "planned_start_precision",
            "planned_end",
            "planned_end_precision",
            "actual_start",
            "actual_start_precision",
            "actual_end",
            "actual_end_precision",
            "status",
            "voivodeship",
            "support_types",
            "source_url",
            "retention_until",
            "latitude",
            "longitude",
        ],
        Collection::Partners => &["project_id", "beneficiary_id", "role", "valid_from", "valid_to"],
        Collection::Activities => &[
            "project_id",
            "activity_type",
            "title",
            "description",
            "start_date",
            "end_date",
            "teryt",
            "document_reference",
            "document_date",
            "external_id",
            "network_id",
        ],
        Collection::Indicators => &[
            "project_id",
            "definition_id",
            "name",
            "kind",
            "unit",
            "baseline_value",
            "target_value",
            "target_text",
            "achieved_text",
            "position",
            "derived_from",
            "derived_from_records",
            "derived_kinds",
            "target_breakdown",
            "counts_persons",
        ],
        Collection::IndicatorDefinitions => &[
            "code",
            "name",
            "unit",
            "kind",
            "measurement",
            "higher_is_better",
            "split_by_sex",
            "programme_id",
            "description",
            "catalogue",
            "breakdowns",
            "counts_persons",
        ],
        Collection::IndicatorMeasurements => &["indicator_id", "period_end", "value_text", "status", "submitted_at", "decided_at"],
        Collection::OrganisationStatuses => &[
            "organisation_id",
            "status",
            "decision_number",
            "granting_authority",
            "decided_on",
            "valid_from",
            "valid_to",
            "accreditation_scope",
            "revoked_on",
            "revocation_reason",
            "self_decided",
        ],
        Collection::Marks => &["code", "name", "holder_id", "edition", "granted_on", "valid_until", "revoked_on", "revocation_reason", "covers"],
        Collection::Offers => &[
            "organisation_id",
            "title",
            "description",
            "category",
            "cpv_code",
            "areas",
            "price_from",
            "price_to",
            "price_on_request",
            "contact_email",
            "contact_phone",
            "photo_urls",
            "active",
            "external_id",
        ],
        Collection::Needs => &["organisation_id", "title", "description", "category", "cpv_code", "areas", "deadline", "active", "external_id"],
        Collection::Awards => {
            &["voivodeship", "competition", "edition", "category", "laureate_id", "laureate_person_name", "person_consent_on", "placing", "awarded_on"]
        }
        Collection::Networks => {
            &["name", "kind", "coordinator_id", "project_id", "areas", "established_on", "dissolved_on", "description", "url", "external_id"]
        }
        Collection::NetworkMembers => &["network_id", "organisation_id", "joined_on", "left_on", "status", "decided_at"],
        Collection::Agreements => &[
            "title",
            "subject",
            "party_ids",
            "signed_on",
            "valid_until",
            "network_id",
            "project_id",
            "document_url",
            "external_id",
            "status",
            "accepted_party_ids",
            "declined_party_ids",
        ],
        Collection::SupportedInstitutions => &["project_id", "organisation_id", "form", "started_on", "ended_on", "external_id"],
        Collection::StrategyDocuments => &[
            "jst_id",
            "title",
            "kind",
            "adopted_on",
            "resolution_number",
            "valid_from",
            "valid_to",
            "names_social_economy",
            "social_economy_reference",
            "url",
            "external_id",
        ],
        Collection::Committees => &["voivodeship", "name", "acronym", "parent_id", "established_on", "established_by", "dissolved_on", "url"],
        Collection::CommitteeMembers => &["committee_id", "organisation_id", "role", "term_from", "term_to"],
        Collection::CommitteeMeetings => &["committee_id", "held_on", "place", "agenda", "minutes_url"],
        Collection::Resolutions => &["voivodeship", "issued_by", "number", "adopted_on", "subject", "committee_id", "meeting_id", "url"],
        Collection::Budgets => &["project_id", "year", "category", "amount", "eu_amount"],
        Collection::PaymentClaims => &[
            "project_id",
            "number",
            "period_from",
            "period_to",
            "kind",
            "status",
            "claimed_amount",
            "approved_amount",
            "eu_approved_amount",
            "submitted_on",
            "approved_on",
        ],
        Collection::ReportingPeriods => &["programme_id", "name", "period_from", "period_to", "due_on", "state", "self_decided"],
        Collection::ProgrammeTargets => &["programme_id", "measure_id", "definition_id", "year", "target_value"],
        Collection::Participants | Collection::Attendance => &[],
    }
}

/// The class of `field` of `collection`, if it has one.
pub fn class_of(collection: Collection, field: &str) -> Option<Class> {
    let spec = collection.spec();
    if spec.personal {
        Some(Class::Personal)
    } else if spec.counts_of_persons.fields().any(|f| f == field) {
        Some(Class::CountOfPersons)
    } else if spec.owners_only.contains(&field) {
        Some(Class::OwnersOnly)
    } else if RECORD_FIELDS.contains(&field) || spec.public.contains(&field) {
        Some(Class::Public)
    } else {
        None
    }
}

/// The columns of one report, export, official list or other answer that is
/// not a record, by the name of its schema in the OpenAPI document.
#[derive(Debug, Clone, Copy)]
pub struct Columns {
    pub schema: &'static str,
    pub public: &'static [&'static str],
    /// Published protected to anyone the report's figures are not exact for
    /// (an admin, the ROPS of the region the report covers, a project's owners).
    pub counts_of_persons: &'static [&'static str],
    pub owners_only: &'static [&'static str],
}

impl Columns {
    pub fn class_of(&self, column: &str) -> Option<Class> {
        if self.counts_of_persons.contains(&column) {
            Some(Class::CountOfPersons)
        } else if self.owners_only.contains(&column) {
            Some(Class::OwnersOnly)
        } else if self.public.contains(&column) {
            Some(Class::Public)
        } else {
            None
        }
    }
}

/// Every report, export and official list, and the answers that are not records.
pub const REPORTS: &[Columns] = &[
    Columns {
        schema: "CoordinationRow",
        public: &[
            "voivodeship",
            "voivodeship_name",
            "year",
            "networks_active",
            "network_members_joined",
            "agreements_signed",
            "organisations_supported",
            "gminas_supported",
            "local_governments_adopting_strategies",
            "committee_meetings",
            "resolutions",
        ],
        counts_of_persons: &["staff_supported"],
        owners_only: &[],
    },
    Columns {
        schema: "IndicatorRollup",
        public: &[
            "key",
            "code",
            "name",
            "definition_id",
            "definition_code",
            "definition_name",
            "unit",
            "measurement",
            "indicators",
            "projects",
            "sum_target",
            "projects_behind",
            "protected",
            "rounding_base",
        ],
        counts_of_persons: &["sum_achieved", "sum_numerator", "sum_denominator", "ratio_percent"],
        owners_only: &[],
    },
    Columns {
        schema: "BreakdownRollup",
        public: &["key", "code", "name", "definition_id", "definition_code", "dimension", "category", "indicators", "sum_target", "protected", "rounding_base"],
        counts_of_persons: &["sum_achieved"],
        owners_only: &[],
    },
    Columns {
        schema: "PortfolioRollup",
        public: &["key", "code", "name", "projects", "total_value", "eu_amount", "protected", "rounding_base"],
        counts_of_persons: &["participants"],
        owners_only: &[],
    },
    Columns {
        schema: "ParticipantSummary",
        public: &["protected", "rounding_base"],
        counts_of_persons: &[
            "participants",
            "unique_persons",
            "persons_completed",
            "by_sex",
            "by_age_band",
            "by_education",
            "by_labour_status",
            "by_organisation_kind",
            "attendance",
        ],
        owners_only: &[],
    },
    Columns {
        schema: "IndicatorProgress",
        public: &[
            "indicator_id",
            "project_id",
            "definition_id",
            "target_value",
            "target_text",
            "achieved_text",
            "source",
            "expected_percent",
            "protected",
            "rounding_base",
        ],
        counts_of_persons: &["achieved_value", "percent", "status"],
        owners_only: &[],
    },
    Columns {
        schema: "IndicatorBasis",
        public: &["indicator_id", "project_id", "derived_from_records", "derived_kinds", "source"],
        counts_of_persons: &["counted", "achieved_value", "items"],
        owners_only: &[],
    },
    Columns {
        schema: "TargetProgress",
        public: &[
            "target_id",
            "programme_id",
            "measure_id",
            "definition_id",
            "definition_code",
            "definition_name",
            "unit",
            "measurement",
            "year",
            "target_value",
            "projects",
            "indicators",
            "indicators_reporting",
            "protected",
            "rounding_base",
        ],
        counts_of_persons: &["achieved_value", "sum_numerator", "sum_denominator", "achieved_percent"],
        owners_only: &[],
    },
    Columns {
        schema: "SocialEnterpriseRow",
        public: &["voivodeship", "voivodeship_name", "year", "at_year_end", "granted", "revoked"],
        counts_of_persons: &[],
        owners_only: &[],
    },
    Columns {
        schema: "OverdueRollup",
        public: &["key", "code", "name", "reports_due", "reports_handed_in", "reports_overdue", "projects_overdue", "handed_in_percent"],
        counts_of_persons: &[],
        owners_only: &[],
    },
    Columns {
        schema: "SpendingRollup",
        public: &[
            "key",
            "code",
            "name",
            "projects",
            "total_value",
            "eu_amount",
            "budgeted",
            "claimed",
            "approved",
            "eu_approved",
            "spent_percent",
            "expected_percent",
            "projects_behind_spending",
        ],
        counts_of_persons: &[],
        owners_only: &[],
    },
    Columns {
        schema: "ProjectSpending",
        public: &[
            "project_id",
            "total_value",
            "starts",
            "ends",
            "budgeted",
            "claimed",
            "approved",
            "eu_approved",
            "spent_percent",
            "expected_percent",
            "behind_spending",
            "behind_threshold",
            "years",
        ],
        counts_of_persons: &[],
        owners_only: &[],
    },
    Columns {
        schema: "Operation",
        public: &[
            "id",
            "href",
            "operation_name",
            "contract_number",
            "purpose",
            "achievements",
            "beneficiary",
            "start_date",
            "start_date_precision",
            "start_date_basis",
            "end_date",
            "end_date_precision",
            "end_date_basis",
            "total_cost",
            "eligible_cost",
            "eu_amount",
            "eu_cofinancing_rate",
            "location",
            "location_source",
            "country",
            "intervention_field",
            "funds",
            "specific_objectives",
            "programme",
            "voivodeship",
            "voivodeship_name",
            "status",
            "updated_at",
        ],
        counts_of_persons: &[],
        owners_only: &[],
    },
    Columns { schema: "GrantPackage", public: &["grants"], counts_of_persons: &[], owners_only: &[] },
    Columns { schema: "ProjectFacets", public: &["total", "voivodeship", "programme", "fund", "status", "year"], counts_of_persons: &[], owners_only: &[] },
    Columns {
        schema: "MarkVerification",
        public: &[
            "code",
            "valid",
            "standing",
            "checked_on",
            "name",
            "holder",
            "edition",
            "granted_on",
            "valid_until",
            "revoked_on",
            "revocation_reason",
            "covers",
            "record",
        ],
        counts_of_persons: &[],
        owners_only: &[],
    },
    Columns { schema: "OfferMatches", public: &["need_id", "items"], counts_of_persons: &[], owners_only: &[] },
    Columns {
        schema: "ProjectReport",
        public: &[
            "project_id",
            "project_title",
            "contract_number",
            "voivodeship",
            "period_id",
            "due_on",
            "values_handed_in",
            "values_approved",
            "values_in_progress",
            "handed_in",
            "overdue",
        ],
        counts_of_persons: &[],
        owners_only: &[],
    },
    Columns {
        schema: "Evidence",
        public: &["id", "measurement_id", "activity_id", "file_name", "content_type", "size_bytes", "sha256", "description", "public", "scanned", "added_at"],
        counts_of_persons: &[],
        owners_only: &["added_by"],
    },
    Columns { schema: "MeasurementStep", public: &[], counts_of_persons: &[], owners_only: &["at", "step", "by", "status", "value", "reason"] },
    Columns { schema: "Inbox", public: &[], counts_of_persons: &[], owners_only: &["network_members", "agreements"] },
];

/// Answers whose every field is personal data, an account's or the audit
/// trail's: never anonymous, read by the person's project, the account itself
/// or an admin alone.
pub const PERSONAL_ANSWERS: [&str; 5] = ["ParticipantExport", "User", "UserView", "Page_UserView", "Page_AuditEvent"];

/// Answers that publish no data of their own: health, a file as stored (its
/// record is `Evidence`), and the change feed (records, classed per collection).
pub const NOT_DATA: [&str; 3] = ["Health", "FileContent", "Feed"];
