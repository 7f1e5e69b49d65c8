//! The OpenAPI document: a base with the shared schemas, merged with each
//! resource's fragment. `es-registry openapi` prints it; `openapi/openapi.json`
//! is a copy that a test keeps in step.

use super::problem::Problem;
use crate::domain::collection::Collection;
use crate::domain::FieldError;
use serde_json::{json, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::tag::{Tag, TagBuilder};
use utoipa::{Modify, OpenApi};

/// The bearer scheme behind Swagger UI's Authorize button.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from POST /api/v1/auth/token"))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "es-registry",
        description = "The system of record for EU-co-financed social-economy projects in Polish regions: \
programmes, priority axes, measures, projects, organisations (beneficiaries) and their roles, activities, \
participants and outcome indicators.\n\nErrors are RFC 9457 `application/problem+json` with a stable `code`. \
Money is a decimal string in PLN (`\"3359267.15\"`); dates are ISO 8601 dates; times are UTC.\n\n\
Reads of public collections need no sign-in; writes and participants need `Authorization: Bearer <access token>` \
(Authorize button above, with a token from `POST /api/v1/auth/token`).",
        license(name = "MIT"),
    ),
    components(schemas(Problem, FieldError)),
    modifiers(&BearerScheme),
    tags(
        (name = "auth", description = "Sign-in with email and password; JWT access tokens and rotating refresh tokens"),
        (name = "users", description = "User accounts (admin, rops)"),
        (name = "audit", description = "The audit trail of every write and every read of personal data"),
        (name = "reports", description = "Roll-ups of indicators and of the project portfolio, as JSON or CSV"),
        (name = "changes", description = "The change feed: created, updated and deleted public records in commit order, for mirrors"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
struct BaseDoc;

/// The tags of the registry's collections, first and in its order.
fn collection_tags() -> Vec<Tag> {
    Collection::ALL.into_iter().map(|c| TagBuilder::new().name(c.path()).description(Some(c.spec().description)).build()).collect()
}

pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = BaseDoc::openapi();
    let mut tags = collection_tags();
    tags.extend(doc.tags.take().unwrap_or_default());
    doc.tags = Some(tags);
    for part in super::routes::documents() {
        doc.merge(part);
    }
    let mut value = serde_json::to_value(&doc).expect("the OpenAPI document serialises");
    open_composed_schemas(&mut value);
    add_common_errors(&mut value);
    serde_json::from_value(value).expect("the completed document is still an OpenAPI document")
}

/// A schema inside `allOf` cannot forbid the properties its siblings add (a
/// record's view is its writable fields plus id, timestamps and links).
fn open_composed_schemas(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(parts)) = map.get_mut("allOf") {
                for part in parts.iter_mut() {
                    if let Value::Object(part) = part {
                        if part.get("additionalProperties") == Some(&Value::Bool(false)) {
                            part.remove("additionalProperties");
                        }
                    }
                }
            }
            map.values_mut().for_each(open_composed_schemas);
        }
        Value::Array(items) => items.iter_mut().for_each(open_composed_schemas),
        _ => {}
    }
}

fn problem(description: &str) -> Value {
    json!({"description": description, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}})
}

/// The answers any operation may give, documented once here rather than on each.
fn add_common_errors(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let has_path_parameters = path.contains('{');
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            add_errors_to(operation, has_path_parameters);
            if method == "get" {
                add_conditional_get(operation);
            }
            if method == "post" {
                add_idempotency_key(operation);
            }
        }
    }
}

fn add_errors_to(operation: &mut Value, has_path_parameters: bool) {
    let has_body = operation.get("requestBody").is_some();
    let has_query = operation.get("parameters").and_then(Value::as_array).is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
    let secured = operation.get("security").is_some_and(|s| s.to_string().contains("bearer"));
    let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    let mut add = |status: &str, description: &str| {
        responses.entry(status.to_owned()).or_insert_with(|| problem(description));
    };
    add("400", "Malformed request: query, path or JSON that cannot be read");
    if has_path_parameters {
        add("404", "No such record (or an id that is not a number)");
    }
    if has_body {
        add("413", "Body too large");
        add("415", "The body is not JSON");
        add("422", "Invalid fields, listed in `errors`");
    }
    if has_query {
        add("422", "A query value that is well-formed but cannot be used (a cursor of another list, an order that needs a search), listed in `errors`");
    }
    if secured {
        add("401", "Sign-in required, or a bad token");
        add("403", "Not the caller's to see or change");
    }
    add("503", "The database is unavailable; retry shortly");
}

fn add_parameter(operation: &mut Value, parameter: Value) {
    if let Some(parameters) = operation.get_mut("parameters").and_then(Value::as_array_mut) {
        parameters.push(parameter);
    } else if let Some(operation) = operation.as_object_mut() {
        operation.insert("parameters".into(), json!([parameter]));
    }
}

/// Every read carries a strong `ETag`; `If-None-Match` with it gives `304`.
fn add_conditional_get(operation: &mut Value) {
    let header = json!({"name": "If-None-Match", "in": "header", "required": false,
        "description": "ETags of versions the client holds; `304 Not Modified` if one is current",
        "schema": {"type": "string"}});
    add_parameter(operation, header);
    if let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) {
        responses.entry("304").or_insert_with(|| json!({"description": "Not modified: If-None-Match names the current version"}));
    }
}

/// Any POST may carry an `Idempotency-Key` (see `api::idempotency`).
fn add_idempotency_key(operation: &mut Value) {
    let header = json!({"name": "Idempotency-Key", "in": "header", "required": false,
        "description": "Makes a retry safe (signed-in callers): the same key with the same request (method, path, body) within 24 hours replays the first successful answer (`Idempotent-Replayed: true`) instead of doing the work again; with a different request it is a 422, and while the first is still running a 409",
        "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"}});
    add_parameter(operation, header);
    if let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) {
        responses.entry("409").or_insert_with(|| problem("A request with this Idempotency-Key is still running"));
        responses.entry("422").or_insert_with(|| problem("The Idempotency-Key was used for a different request"));
    }
}

/// The document as `openapi/openapi.json` holds it.
pub fn document_json() -> String {
    let mut text = document().to_pretty_json().expect("the OpenAPI document serialises");
    text.push('\n');
    text
}
