//! The handlers of every collection of the registry, each written by
//! [`crud_routes!`](crate::crud_routes) from its registry entry.

pub mod programmes {
    use crate::db::programmes::{ProgrammeData, ProgrammeFilter};
    crate::crud_routes!(Programmes, crate::db::programmes::Programmes, ProgrammeData, ProgrammeFilter);
}

pub mod priority_axes {
    use crate::db::priority_axes::{PriorityAxisData, PriorityAxisFilter};
    crate::crud_routes!(PriorityAxes, crate::db::priority_axes::PriorityAxes, PriorityAxisData, PriorityAxisFilter);
}

pub mod measures {
    use crate::db::measures::{MeasureData, MeasureFilter};
    crate::crud_routes!(Measures, crate::db::measures::Measures, MeasureData, MeasureFilter);
}

pub mod beneficiaries {
    use crate::db::beneficiaries::{BeneficiaryData, BeneficiaryFilter};
    crate::crud_routes!(Beneficiaries, crate::db::beneficiaries::Beneficiaries, BeneficiaryData, BeneficiaryFilter);
}

pub mod projects {
    use crate::db::projects::{ProjectData, ProjectFilter};
    crate::crud_routes!(Projects, crate::db::projects::Projects, ProjectData, ProjectFilter);
}

pub mod partners {
    use crate::db::partners::{PartnerData, PartnerFilter};
    crate::crud_routes!(Partners, crate::db::partners::Partners, PartnerData, PartnerFilter);
}

pub mod activities {
    use crate::db::activities::{ActivityData, ActivityFilter};
    crate::crud_routes!(Activities, crate::db::activities::Activities, ActivityData, ActivityFilter);
}

pub mod participants {
    use crate::db::participants::{ParticipantData, ParticipantFilter};
    crate::crud_routes!(Participants, crate::db::participants::Participants, ParticipantData, ParticipantFilter);
}

pub mod attendance {
    use crate::db::attendance::{AttendanceData, AttendanceFilter};
    crate::crud_routes!(Attendance, crate::db::attendance::Attendances, AttendanceData, AttendanceFilter);
}

pub mod indicators {
    use crate::db::indicators::{IndicatorData, IndicatorFilter};
    crate::crud_routes!(Indicators, crate::db::indicators::Indicators, IndicatorData, IndicatorFilter);
}

pub mod indicator_definitions {
    use crate::db::indicator_definitions::{IndicatorDefinitionData, IndicatorDefinitionFilter};
    crate::crud_routes!(IndicatorDefinitions, crate::db::indicator_definitions::IndicatorDefinitions, IndicatorDefinitionData, IndicatorDefinitionFilter);
}

pub mod measurements {
    use crate::db::measurements::{MeasurementData, MeasurementFilter};
    crate::crud_routes!(IndicatorMeasurements, crate::db::measurements::Measurements, MeasurementData, MeasurementFilter);
}

use crate::domain::collection::Collection;

/// A route family: its routes and its part of the OpenAPI document.
pub type Registration = (fn(&mut actix_web::web::ServiceConfig), fn() -> utoipa::openapi::OpenApi);

/// The handlers of `collection`. The match is exhaustive: a collection added to
/// the registry without handlers does not compile.
pub fn of(collection: Collection) -> Registration {
    use utoipa::OpenApi;
    match collection {
        Collection::Programmes => (programmes::configure, programmes::Api::openapi),
        Collection::PriorityAxes => (priority_axes::configure, priority_axes::Api::openapi),
        Collection::Measures => (measures::configure, measures::Api::openapi),
        Collection::Beneficiaries => (beneficiaries::configure, beneficiaries::Api::openapi),
        Collection::Projects => (projects::configure, projects::Api::openapi),
        Collection::Partners => (partners::configure, partners::Api::openapi),
        Collection::Activities => (activities::configure, activities::Api::openapi),
        Collection::Participants => (participants::configure, participants::Api::openapi),
        Collection::Attendance => (attendance::configure, attendance::Api::openapi),
        Collection::Indicators => (indicators::configure, indicators::Api::openapi),
        Collection::IndicatorDefinitions => (indicator_definitions::configure, indicator_definitions::Api::openapi),
        Collection::IndicatorMeasurements => (measurements::configure, measurements::Api::openapi),
    }
}
