//! The registry's code lists. Each is stored as text (guarded by a CHECK constraint)
//! and appears in the OpenAPI document as an enum.

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};
use std::io::Write;
use utoipa::ToSchema;

macro_rules! code_list {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema, AsExpression, FromSqlRow)]
        #[diesel(sql_type = Text)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s { $($text => Ok($name::$variant),)+ other => Err(format!("unknown {} {other:?}", stringify!($name))) }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ToSql<Text, Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                out.write_all(self.as_str().as_bytes())?;
                Ok(serialize::IsNull::No)
            }
        }

        impl FromSql<Text, Pg> for $name {
            fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
                let text = std::str::from_utf8(bytes.as_bytes())?;
                Ok(text.parse()?)
            }
        }
    };
}

code_list!(
    /// Programming period of EU cohesion policy.
    ProgrammingPeriod { P2007_2013 => "2007-2013", P2014_2020 => "2014-2020", P2021_2027 => "2021-2027" }
);

code_list!(
    /// The EU fund that co-finances.
    Fund { Esf => "ESF", EsfPlus => "ESF_PLUS", Erdf => "ERDF", Cf => "CF", Jtf => "JTF" }
);

code_list!(
    /// How projects are chosen: tryb konkursowy / pozakonkursowy / systemowy.
    SelectionMode { Competitive => "competitive", NonCompetitive => "non_competitive", Systemic => "systemic", Unknown => "unknown" }
);

code_list!(
    /// What an organisation is in the social-economy landscape.
    OrganisationKind {
        Rops => "rops", Owes => "owes", Jst => "jst", Pes => "pes", Ngo => "ngo",
        PublicInstitution => "public_institution", Other => "other",
    }
);

code_list!(
    /// The type of a social economy entity (podmiot ekonomii społecznej).
    PesType {
        SocialCooperative => "social_cooperative", Cis => "cis", Kis => "kis", Wtz => "wtz", Zaz => "zaz",
        Foundation => "foundation", Association => "association", NonProfitCompany => "non_profit_company", Other => "other",
    }
);

code_list!(
    /// Where a project stands.
    ProjectStatus { Planned => "planned", Ongoing => "ongoing", Completed => "completed", Terminated => "terminated", Unknown => "unknown" }
);

code_list!(
    /// How much of a date is known: seed 003 gives only months, seed 004 only years.
    DatePrecision { Day => "day", Month => "month", Year => "year" }
);

code_list!(
    /// An organisation's role in a project.
    PartnerRole {
        Beneficiary => "beneficiary", Leader => "leader", Partner => "partner",
        Implementer => "implementer", OnBehalfOf => "on_behalf_of",
    }
);

code_list!(
    /// An official status of an organisation: a social enterprise (przedsiębiorstwo
    /// społeczne, granted by the voivode's decision), an OWES accreditation, a CIS,
    /// KIS, WTZ or ZAZ status, or being a social cooperative.
    OrganisationStatus {
        Ps => "ps", OwesAccreditation => "owes_accreditation", Cis => "cis", Kis => "kis",
        Wtz => "wtz", Zaz => "zaz", SocialCooperative => "social_cooperative",
    }
);

code_list!(
    /// Where a laureate placed in a competition.
    Placing {
        Winner => "winner", Second => "second", Third => "third", Distinction => "distinction", Nominee => "nominee",
    }
);

code_list!(
    /// The type of support an activity gives.
    ActivityType {
        Training => "training", NetworkingMeeting => "networking_meeting", StudyVisit => "study_visit",
        Conference => "conference", Consulting => "consulting", Campaign => "campaign", Fair => "fair",
        Competition => "competition", Certification => "certification", Portal => "portal",
        Publication => "publication", MediaProduction => "media_production", Evaluation => "evaluation",
        Committee => "committee", Other => "other",
    }
);

code_list!(
    /// A participant's sex as the ESF data set records it.
    Sex { Female => "female", Male => "male", NotStated => "not_stated" }
);

code_list!(
    /// Output (wskaźnik produktu) or result (wskaźnik rezultatu).
    IndicatorKind { Output => "output", Result => "result" }
);

code_list!(
    /// What a signed-in user may do; see the permission table in the README.
    Role { Admin => "admin", Rops => "rops", Owes => "owes", Jst => "jst", Pes => "pes" }
);

code_list!(
    /// How a participant's part in an activity ended.
    AttendanceOutcome { Ongoing => "ongoing", Completed => "completed", DroppedOut => "dropped_out" }
);

code_list!(
    /// Education by ISCED band.
    Education { Isced0To2 => "isced_0_2", Isced3To4 => "isced_3_4", Isced5To8 => "isced_5_8", NotStated => "not_stated" }
);

code_list!(
    /// A participant's status on the labour market at entry.
    LabourStatus {
        Employed => "employed", UnemployedRegistered => "unemployed_registered", UnemployedUnregistered => "unemployed_unregistered",
        LongTermUnemployed => "long_term_unemployed", Inactive => "inactive", InEducation => "in_education", NotStated => "not_stated",
    }
);

code_list!(
    /// The kind of organisation a participant represents.
    RepresentedKind {
        Pes => "pes", Jst => "jst", Owes => "owes", PublicInstitution => "public_institution", Ngo => "ngo",
        Business => "business", Other => "other", None => "none",
    }
);

code_list!(
    /// Where a participant lives.
    AreaType { Urban => "urban", Rural => "rural" }
);

code_list!(
    /// An answer to a sensitive question, which a person may refuse.
    Answer { Yes => "yes", No => "no", Refused => "refused" }
);

code_list!(
    /// The legal basis for processing a participant's data (RODO art. 6).
    LegalBasis { Consent => "consent", Contract => "contract", LegalObligation => "legal_obligation", PublicTask => "public_task" }
);

code_list!(
    /// Whether an indicator is measured in numbers or described in words.
    /// `ratio`: a share kept as numerator and denominator (values are percentages
    /// of them), so that roll-ups divide sums instead of averaging percentages.
    MeasurementType { Quantitative => "quantitative", Qualitative => "qualitative", Ratio => "ratio" }
);

code_list!(
    /// A catalogue of definitions kept by the registry, not by a programme:
    /// `esf_plus`, the ESF+ common output and result indicators (Regulation (EU)
    /// 2021/1057, Annex I: EECO and EECR codes).
    Catalogue { EsfPlus => "esf_plus" }
);

code_list!(
    /// What a value is broken down by (a disaggregation): `sex` (women, men,
    /// non-binary persons, as ESF+ monitoring asks), `age` (below 18, 18-29,
    /// 30-54, 55 and above), `disability` (with, without, not declared),
    /// `territory` (the powiat, by its 4-digit TERYT code).
    BreakdownDimension { Sex => "sex", Age => "age", Disability => "disability", Territory => "territory" }
);

code_list!(
    /// Where a reported indicator value stands in its approval.
    MeasurementStatus { Draft => "draft", Submitted => "submitted", Approved => "approved", Returned => "returned" }
);

code_list!(
    /// What a project's target group counts: persons (counts of persons,
    /// protected on publication) or organisations.
    GroupCounts { Persons => "persons", Organisations => "organisations" }
);

code_list!(
    /// Where a relation naming another organisation stands (a network's member,
    /// an agreement): proposed until the named organisation accepts or declines.
    ProposalStatus { Proposed => "proposed", Accepted => "accepted", Declined => "declined" }
);

code_list!(
    /// Where an indicator stands against its target.
    IndicatorStatus { NotStarted => "not_started", Behind => "behind", OnTrack => "on_track", Achieved => "achieved", Exceeded => "exceeded" }
);

code_list!(
    /// What a network of cooperation joins: a theme, a territory, reintegration
    /// entities (CIS, KIS, WTZ, ZAZ), or the region's OWES.
    NetworkKind { Thematic => "thematic", Territorial => "territorial", Reintegration => "reintegration", Owes => "owes" }
);

code_list!(
    /// How a project supported an institution.
    SupportForm {
        Consulting => "consulting", StaffTraining => "staff_training", Networking => "networking", StudyVisit => "study_visit",
        Animation => "animation", Financial => "financial", Other => "other",
    }
);

code_list!(
    /// The kind of a local government's strategy document.
    StrategyKind {
        SocialProblemsStrategy => "social_problems_strategy", DevelopmentStrategy => "development_strategy",
        NgoCooperationProgramme => "ngo_cooperation_programme", SocialEconomyProgramme => "social_economy_programme",
        LocalEsPlan => "local_es_plan", Other => "other",
    }
);

code_list!(
    /// An organisation's seat on a committee.
    CommitteeRole { Chair => "chair", DeputyChair => "deputy_chair", Secretary => "secretary", Member => "member", Observer => "observer" }
);

code_list!(
    /// The records an indicator is counted from (`derived_from_records`): the
    /// organisations a project supported, the gminas it covered, the local
    /// governments it supported that adopted a strategy document naming the social
    /// economy within its period, the agreements of it and its networks, the staff
    /// of the institutions it supported.
    RecordBasis {
        OrganisationsSupported => "organisations_supported", GminasCovered => "gminas_covered",
        StrategyDocuments => "strategy_documents", AgreementsSigned => "agreements_signed", StaffSupported => "staff_supported",
    }
);

code_list!(
    /// A budget line's cost category (kategoria kosztów): `staff` (koszty
    /// personelu), `services` (usługi zewnętrzne: trainings, consulting, venues),
    /// `equipment` (środki trwałe i wyposażenie), `grants` (wsparcie finansowe:
    /// grants for new jobs in social enterprises), `cross_financing`
    /// (cross-financing, ERDF-type costs in an ESF project), `indirect` (koszty
    /// pośrednie, the flat rate) and `other`.
    CostCategory {
        Staff => "staff", Services => "services", Equipment => "equipment", Grants => "grants",
        CrossFinancing => "cross_financing", Indirect => "indirect", Other => "other",
    }
);

code_list!(
    /// What a payment claim (wniosek o płatność) asks for: an `advance` (zaliczka,
    /// money paid ahead, not spending), an `interim` settlement of spending
    /// (pośredni), or the `final` one (końcowy).
    PaymentClaimKind { Advance => "advance", Interim => "interim", Final => "final" }
);

code_list!(
    /// Where a payment claim stands: a `draft` not yet handed in, `submitted` to
    /// the managing authority, `returned` for correction, `approved` (with the
    /// amount approved) or `rejected`. The last three are the verdicts of the ROPS
    /// of the project's voivodeship (or an admin), never of the account that made
    /// or last changed the claim; an approved or rejected claim is frozen but for
    /// an admin.
    PaymentClaimStatus { Draft => "draft", Submitted => "submitted", Returned => "returned", Approved => "approved", Rejected => "rejected" }
);

impl PaymentClaimStatus {
    /// A verdict of the managing authority (returned, approved, rejected), not
    /// a step of the project's own (draft, submitted).
    pub fn is_verdict(self) -> bool {
        matches!(self, PaymentClaimStatus::Returned | PaymentClaimStatus::Approved | PaymentClaimStatus::Rejected)
    }

    /// Decided for good: approved or rejected.
    pub fn is_final(self) -> bool {
        matches!(self, PaymentClaimStatus::Approved | PaymentClaimStatus::Rejected)
    }
}

code_list!(
    /// Whether a reporting period still takes values: `open`, or `locked` once
    /// the ROPS has closed it (its values are then frozen, whatever writes them).
    ReportingPeriodState { Open => "open", Locked => "locked" }
);
