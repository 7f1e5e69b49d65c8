//! The service layer's vocabulary: the records, rows, filters and paging terms
//! its functions take and give, which the HTTP edge names and the contract
//! shows. They are defined beside their storage (`db`); the edge reaches them
//! only through here, and storage itself only through the services.

pub use crate::db::audit::{AuditEvent, AuditFilter};
pub use crate::db::changes::{ChangeOp, LogPosition};
pub use crate::db::coordination::CoordinationRow;
pub use crate::db::evidence::{Attachment, EvidenceFile};
pub use crate::db::indicator_progress::{GroupBy, ReportFilter};
pub use crate::db::listing::{Count, ListFilter, ListRequest, Listed, Position, SortKey, Window};
pub use crate::db::organisation_statuses::SocialEnterpriseRow;
pub use crate::db::reporting_periods::ProjectReport;
pub use crate::db::store::PageRequest;
pub use crate::db::{Record, Store};

/// Every collection's store (the resource's name), record data and list filter.
#[doc(hidden)]
#[macro_export]
macro_rules! collection_vocabulary {
    ([] $($variant:ident: $module:ident::{$store:ident, $data:ident, $filter:ident};)*) => {
        $(pub use $crate::db::$module::{$store, $data, $filter};)*
    };
}

crate::for_each_collection!(collection_vocabulary,);
