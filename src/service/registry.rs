//! The types behind each [`Collection`](crate::domain::collection::Collection)
//! of the registry, listed once ([`for_each_collection!`](crate::for_each_collection)).
//! The service dispatches on it ([`with_resource!`](crate::with_resource)) and
//! the HTTP edge writes each collection's handlers from it
//! (`api::routes::records`). Every use is an exhaustive match, and each entry
//! checks at compile time that its type is filed under its collection, so a
//! collection without types, types without a collection, or a resource filed
//! under another collection does not compile.

/// Calls `$callback! { [$extra] Variant: module::{Store, Data, Filter}; ... }`
/// with every collection of the registry: its variant, its module in `db`, and
/// the types there that store it, hold one record's data and filter its lists.
#[macro_export]
macro_rules! for_each_collection {
    ($callback:ident, $($extra:tt)*) => {
        $crate::$callback! {
            [$($extra)*]
            Programmes: programmes::{Programmes, ProgrammeData, ProgrammeFilter};
            PriorityAxes: priority_axes::{PriorityAxes, PriorityAxisData, PriorityAxisFilter};
            Measures: measures::{Measures, MeasureData, MeasureFilter};
            Beneficiaries: beneficiaries::{Beneficiaries, BeneficiaryData, BeneficiaryFilter};
            Projects: projects::{Projects, ProjectData, ProjectFilter};
            Partners: partners::{Partners, PartnerData, PartnerFilter};
            Activities: activities::{Activities, ActivityData, ActivityFilter};
            Participants: participants::{Participants, ParticipantData, ParticipantFilter};
            Attendance: attendance::{Attendances, AttendanceData, AttendanceFilter};
            Indicators: indicators::{Indicators, IndicatorData, IndicatorFilter};
            IndicatorDefinitions: indicator_definitions::{IndicatorDefinitions, IndicatorDefinitionData, IndicatorDefinitionFilter};
            IndicatorMeasurements: measurements::{Measurements, MeasurementData, MeasurementFilter};
            OrganisationStatuses: organisation_statuses::{OrganisationStatuses, OrganisationStatusData, OrganisationStatusFilter};
            Marks: marks::{Marks, MarkData, MarkFilter};
            Offers: offers::{Offers, OfferData, OfferFilter};
            Needs: needs::{Needs, NeedData, NeedFilter};
            Awards: awards::{Awards, AwardData, AwardFilter};
            Networks: networks::{Networks, NetworkData, NetworkFilter};
            NetworkMembers: network_members::{NetworkMembers, NetworkMemberData, NetworkMemberFilter};
            Agreements: agreements::{Agreements, AgreementData, AgreementFilter};
            SupportedInstitutions: supported_institutions::{SupportedInstitutions, SupportedInstitutionData, SupportedInstitutionFilter};
            StrategyDocuments: strategy_documents::{StrategyDocuments, StrategyDocumentData, StrategyDocumentFilter};
            Committees: committees::{Committees, CommitteeData, CommitteeFilter};
            CommitteeMembers: committee_members::{CommitteeMembers, CommitteeMemberData, CommitteeMemberFilter};
            CommitteeMeetings: committee_meetings::{CommitteeMeetings, CommitteeMeetingData, CommitteeMeetingFilter};
            Resolutions: resolutions::{Resolutions, ResolutionData, ResolutionFilter};
            Budgets: budgets::{Budgets, BudgetData, BudgetFilter};
            PaymentClaims: payment_claims::{PaymentClaims, PaymentClaimData, PaymentClaimFilter};
            ReportingPeriods: reporting_periods::{ReportingPeriods, ReportingPeriodData, ReportingPeriodFilter};
            ProgrammeTargets: programme_targets::{ProgrammeTargets, ProgrammeTargetData, ProgrammeTargetFilter};
        }
    };
}

/// Runs `$body` with `$R` standing for the resource type of `$collection`.
#[macro_export]
macro_rules! with_resource {
    ($collection:expr, $R:ident => $body:expr) => {
        $crate::for_each_collection!(with_resource_arms, $collection, $R, $body)
    };
}

/// The arms of [`with_resource!`](crate::with_resource).
#[doc(hidden)]
#[macro_export]
macro_rules! with_resource_arms {
    ([$collection:expr, $R:ident, $body:expr] $($variant:ident: $module:ident::{$store:ident, $data:ident, $filter:ident};)*) => {
        match $collection {
            $($crate::domain::collection::Collection::$variant => {
                type $R = $crate::db::$module::$store;
                const _: () = assert!(
                    matches!(<$crate::db::$module::$store as $crate::service::resource::Resource>::COLLECTION, $crate::domain::collection::Collection::$variant),
                    "the resource type is filed under another collection"
                );
                $body
            })*
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::domain::collection::Collection;
    use crate::service::resource::Resource;

    #[test]
    fn every_collection_has_its_resource() {
        for collection in Collection::ALL {
            let named = crate::with_resource!(collection, R => R::COLLECTION);
            assert_eq!(named, collection);
            assert_eq!(crate::with_resource!(collection, R => <R as crate::db::Store>::TABLE), collection.spec().table);
        }
    }
}
