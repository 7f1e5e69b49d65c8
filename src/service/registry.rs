//! From a [`Collection`] of the registry to the type that implements its rules.
//! The match is exhaustive, and each arm checks at compile time that the type's
//! `COLLECTION` is the arm's, so a collection without a resource, or a resource
//! filed under another collection, does not compile.

/// Runs `$body` with `$R` standing for the resource type of `$collection`.
#[macro_export]
macro_rules! with_resource {
    ($collection:expr, $R:ident => $body:expr) => {{
        use $crate::domain::collection::Collection as C;
        match $collection {
            C::Programmes => $crate::with_resource!(@arm Programmes, $crate::db::programmes::Programmes, $R => $body),
            C::PriorityAxes => $crate::with_resource!(@arm PriorityAxes, $crate::db::priority_axes::PriorityAxes, $R => $body),
            C::Measures => $crate::with_resource!(@arm Measures, $crate::db::measures::Measures, $R => $body),
            C::Beneficiaries => $crate::with_resource!(@arm Beneficiaries, $crate::db::beneficiaries::Beneficiaries, $R => $body),
            C::Projects => $crate::with_resource!(@arm Projects, $crate::db::projects::Projects, $R => $body),
            C::Partners => $crate::with_resource!(@arm Partners, $crate::db::partners::Partners, $R => $body),
            C::Activities => $crate::with_resource!(@arm Activities, $crate::db::activities::Activities, $R => $body),
            C::Participants => $crate::with_resource!(@arm Participants, $crate::db::participants::Participants, $R => $body),
            C::Attendance => $crate::with_resource!(@arm Attendance, $crate::db::attendance::Attendances, $R => $body),
            C::Indicators => $crate::with_resource!(@arm Indicators, $crate::db::indicators::Indicators, $R => $body),
            C::IndicatorDefinitions => $crate::with_resource!(@arm IndicatorDefinitions, $crate::db::indicator_definitions::IndicatorDefinitions, $R => $body),
            C::IndicatorMeasurements => $crate::with_resource!(@arm IndicatorMeasurements, $crate::db::measurements::Measurements, $R => $body),
        }
    }};
    (@arm $variant:ident, $ty:ty, $R:ident => $body:expr) => {{
        type $R = $ty;
        const _: () = assert!(
            matches!(<$ty as $crate::service::resource::Resource>::COLLECTION, $crate::domain::collection::Collection::$variant),
            "the resource type is filed under another collection"
        );
        $body
    }};
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
