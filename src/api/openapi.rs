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

/// The bearer scheme behind Swagger UI's Authorize button, and the metrics token.
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
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some("The service's metrics token (METRICS_TOKEN), for /metrics only")).build(),
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
(Authorize button above, with a token from `POST /api/v1/auth/token`).\n\n\
Where the service reads from a replica, a successful write answers with `X-Write-Position`; send it back as \
`X-Read-After` on a read that must see that write (a replica not yet that far is passed over). Lists give \
`total`, counted up to 1 000 matches and the planner's estimate above (`total_is_estimate`; `count=exact` counts).",
        license(name = "MIT"),
    ),
    components(schemas(Problem, FieldError, crate::api::paging::Format, crate::api::paging::CountMode, crate::api::routes::imports::ExportFormat)),
    modifiers(&BearerScheme),
    tags(
        (name = "auth", description = "Sign-in with email and password; JWT access tokens and rotating refresh tokens"),
        (name = "users", description = "User accounts (admin, rops)"),
        (name = "proposals", description = "Relations naming another organisation (a network's member, an agreement's party) that await its word: accepted, they are public and counted; proposed or declined, they are their keepers' and the named organisation's alone"),
        (name = "audit", description = "The audit trail of every write and every read of personal data"),
        (name = "reports", description = "Roll-ups of indicators and of the project portfolio, as JSON or CSV"),
        (name = "exports", description = "The official lists, public: the list of operations of Article 49(3) of Regulation (EU) 2021/1060 (JSON or CSV) and the 360Giving data package"),
        (name = "changes", description = "The change feed: created, updated and deleted public records in commit order, for mirrors"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
struct BaseDoc;

/// The tags of the registry's collections, first and in its order.
fn collection_tags() -> Vec<Tag> {
    Collection::ALL.into_iter().map(|c| TagBuilder::new().name(c.path()).description(Some(c.spec().description)).build()).collect()
}

/// The whole document. It is JSON rather than utoipa's model, which has no
/// place for the components it cannot express (shared response headers).
pub fn document() -> Value {
    let mut doc = BaseDoc::openapi();
    let mut tags = collection_tags();
    tags.extend(doc.tags.take().unwrap_or_default());
    doc.tags = Some(tags);
    for part in super::routes::documents() {
        doc.merge(part);
    }
    let mut value = serde_json::to_value(&doc).expect("the OpenAPI document serialises");
    flatten_compositions(&mut value);
    refer_to_named_schemas(&mut value);
    name_enum_members(&mut value);
    add_common_errors(&mut value);
    add_response_headers(&mut value);
    mark_server_kept_fields(&mut value);
    *member(&mut value, &["servers"]) = json!([{"url": "/", "description": "The server this document is served by"}]);
    *member(&mut value, &["info", "license"]) = json!({"name": "MIT", "identifier": "MIT"});
    value
}

/// Completes a collection's operations with what the registry says of it and
/// the handlers' attributes cannot: a summary for each from the collection's
/// names; the schema of its `sort` parameter (utoipa names, but does not
/// collect, the schemas of parameters); its merge-patch body, every field
/// optional; and GeoJSON only for collections on a map.
pub fn complete_collection(
    declared: utoipa::openapi::OpenApi,
    collection: Collection,
    data_schema: &str,
    sort: (String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>),
    on_map: bool,
) -> utoipa::openapi::OpenApi {
    let mut doc = serde_json::to_value(&declared).expect("a collection's document serialises");
    let spec = collection.spec();
    let plural = spec.path.replace('-', " ");
    let article = if spec.noun.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    let noun = spec.noun;
    let patch_schema = format!("{data_schema}Patch");
    let schemas = member(&mut doc, &["components", "schemas"]);
    *member(schemas, &[&sort.0]) = serde_json::to_value(&sort.1).expect("a schema serialises");
    let mut patch = member(schemas, &[data_schema]).clone();
    if let Some(patch) = patch.as_object_mut() {
        let required: Vec<Value> = patch.remove("required").and_then(|r| r.as_array().cloned()).unwrap_or_default();
        for (name, property) in patch.get_mut("properties").and_then(Value::as_object_mut).into_iter().flat_map(|p| p.iter_mut()) {
            // A field left out of a patch is kept, never set to its default.
            if let Some(property) = property.as_object_mut() {
                property.remove("default");
            }
            // `null` clears a field the record may lack (back to its default:
            // none, an empty list, `PL`); a field it must have cannot be cleared.
            if !required.contains(&json!(name)) {
                nullable(property);
            }
        }
        patch.insert(
            "description".into(),
            json!(format!("A JSON merge patch (RFC 7386) of {article} {noun}: only the fields to change; `null` clears a field that may be empty.")),
        );
    }
    // A field the server keeps is never patched.
    if let Some(properties) = patch.get_mut("properties").and_then(Value::as_object_mut) {
        properties.retain(|name, _| !spec.read_only.contains(&name.as_str()));
    }
    *member(schemas, &[&patch_schema]) = patch;
    if !on_map {
        *member(schemas, &["TabularFormat"]) =
            json!({"type": "string", "enum": ["json", "csv"], "description": "The forms a list of records without a place on a map is answered in."});
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return declared };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, operation) in item.iter_mut() {
            let summary = match (method.as_str(), path.ends_with('}')) {
                ("get", false) => format!("List {plural}"),
                ("post", false) => format!("Create {article} {noun}"),
                ("get", true) => format!("Read {article} {noun}"),
                ("put", true) => format!("Replace {article} {noun}"),
                ("patch", true) => format!("Change fields of {article} {noun}"),
                ("delete", true) => format!("Delete {article} {noun}"),
                _ => continue,
            };
            *member(operation, &["summary"]) = json!(summary);
            if method == "patch" {
                *member(operation, &["requestBody", "content", "application/merge-patch+json", "schema"]) =
                    json!({"$ref": format!("#/components/schemas/{patch_schema}")});
            }
            if method == "get" && !on_map {
                if let Some(content) = operation.pointer_mut("/responses/200/content").and_then(Value::as_object_mut) {
                    content.remove("application/geo+json");
                }
                let parameters = operation.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten();
                for format in parameters.filter(|p| p.get("name") == Some(&json!("format"))) {
                    *member(format, &["schema"]) = json!({"$ref": "#/components/schemas/TabularFormat"});
                    *member(format, &["description"]) = json!("`json` (default) or `csv`; the `Accept` header may choose instead.");
                }
            }
        }
    }
    serde_json::from_value(doc).expect("the completed collection document is still an OpenAPI document")
}

/// Marks the fields each collection's server keeps (`Spec::read_only`: a
/// workflow's state, who decided and when, what is derived) `readOnly` in its
/// record's schema and view, the record's schema being the body its list's
/// POST takes: a client leaves them out of a request (they are refused) and
/// finds them in every answer. utoipa drops the mark beside a reference (a
/// state is one), so it is set here, on the finished document.
fn mark_server_kept_fields(doc: &mut Value) {
    for collection in Collection::ALL {
        let read_only = collection.spec().read_only;
        if read_only.is_empty() {
            continue;
        }
        let pointer = format!("/paths/{}/post/requestBody/content/application~1json/schema/$ref", collection.list_path().replace('/', "~1"));
        let Some(data) = doc.pointer(&pointer).and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/")).map(str::to_owned) else {
            continue;
        };
        for name in [data.clone(), format!("View_{data}")] {
            let Some(properties) = doc.pointer_mut(&format!("/components/schemas/{name}/properties")).and_then(Value::as_object_mut) else { continue };
            for (_, property) in properties.iter_mut().filter(|(field, _)| read_only.contains(&field.as_str())) {
                *member(property, &["readOnly"]) = json!(true);
            }
        }
    }
}

/// The headers answers carry, declared once and referred to by each response.
fn add_response_headers(doc: &mut Value) {
    *member(doc, &["components", "headers"]) = json!({
        "ETag": {"description": "The strong entity tag of this answer: send it in `If-None-Match` to revalidate, or in `If-Match` to write only over this version", "schema": {"type": "string"}},
        "Link": {"description": "RFC 8288 links to the next (`rel=\"next\"`) and previous (`rel=\"prev\"`) pages, keeping the filters", "schema": {"type": "string"}},
        "Location": {"description": "The path of the record created", "schema": {"type": "string"}},
        "Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "integer", "minimum": 0}},
        "Idempotent-Replayed": {"description": "`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`", "schema": {"type": "boolean"}},
    });
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for (method, operation) in item.iter_mut() {
            let is_list = operation["operationId"].as_str().is_some_and(|id| id.starts_with("list_")) && method == "get";
            let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else { continue };
            for (status, response) in responses.iter_mut() {
                let mut names = Vec::new();
                if matches!(method.as_str(), "get" | "put" | "patch") && status == "200" || status == "304" {
                    names.push("ETag");
                }
                if is_list && status == "200" {
                    names.push("Link");
                }
                if status == "201" {
                    names.push("Location");
                }
                if status == "429" || status == "503" {
                    names.push("Retry-After");
                }
                if method == "post" && status.starts_with('2') {
                    names.push("Idempotent-Replayed");
                }
                for name in names {
                    *member(response, &["headers", name]) = json!({"$ref": format!("#/components/headers/{name}")});
                }
            }
        }
    }
}

/// Gives generators a name for each member of a closed set whose values are not
/// names (`2014-2020`, `-start_date`), as the `x-enum-varnames` extension that
/// OpenAPI Generator and openapi-python-client read; without it they number them.
fn name_enum_members(doc: &mut Value) {
    fn member_name(value: &str, set: &str) -> String {
        let (value, descending) = value.strip_prefix('-').map_or((value, false), |v| (v, true));
        let mut name: String = value.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
        if name.starts_with(|c: char| c.is_ascii_digit()) {
            // `ProgrammingPeriod` members become `PERIOD_2014_2020`.
            let word = set.rfind(|c: char| c.is_ascii_uppercase()).map_or(set, |at| &set[at..]);
            name = format!("{}_{name}", word.to_ascii_uppercase());
        }
        if descending {
            name.push_str("_DESC");
        }
        name
    }
    fn walk(value: &mut Value, set: &str) {
        match value {
            Value::Object(map) => {
                let names: Option<Vec<String>> = map.get("enum").and_then(Value::as_array).and_then(|members| {
                    let texts: Vec<&str> = members.iter().filter_map(Value::as_str).collect();
                    let needed = texts.len() == members.len()
                        && texts
                            .iter()
                            .any(|t| !t.starts_with(|c: char| c.is_ascii_alphabetic()) || t.contains(|c: char| !c.is_ascii_alphanumeric() && c != '_'));
                    needed.then(|| texts.iter().map(|t| member_name(t, set)).collect())
                });
                if let Some(names) = names {
                    map.insert("x-enum-varnames".into(), json!(names));
                }
                map.values_mut().for_each(|v| walk(v, set));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, set)),
            _ => {}
        }
    }
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for (name, schema) in schemas.iter_mut() {
            walk(schema, name);
        }
    }
    if let Some(paths) = doc.get_mut("paths") {
        walk(paths, "Value");
    }
}

/// Replaces every inline copy of a named schema by a reference to it (utoipa
/// writes the data of a record's view and the items of a page out in full),
/// so clients get one type per schema.
fn refer_to_named_schemas(doc: &mut Value) {
    let named: Vec<(String, Value)> =
        doc.pointer("/components/schemas").and_then(Value::as_object).map(|s| s.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default();
    fn replace(value: &mut Value, named: &[(String, Value)], top: Option<&str>) {
        if top.is_none() {
            if let Some((name, _)) =
                named.iter().find(|(_, schema)| schema == value && ["properties", "allOf", "oneOf", "enum"].iter().any(|k| schema.get(k).is_some()))
            {
                *value = json!({"$ref": format!("#/components/schemas/{name}")});
                return;
            }
        }
        match value {
            Value::Object(map) => map.values_mut().for_each(|v| replace(v, named, None)),
            Value::Array(items) => items.iter_mut().for_each(|v| replace(v, named, None)),
            _ => {}
        }
    }
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        for (name, schema) in schemas.iter_mut() {
            replace(schema, &named, Some(name));
        }
    }
    if let Some(paths) = doc.get_mut("paths") {
        replace(paths, &named, None);
    }
}

/// Writes a composition of inline objects (a record's view: its writable fields
/// plus id, timestamps and links) as the one object it describes: clients get a
/// plain type, and no part forbids the properties its siblings add.
fn flatten_compositions(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.values_mut().for_each(flatten_compositions);
            // A field with a default is written as a `oneOf` of its one type; in
            // OpenAPI 3.1 a reference may stand beside `default` itself.
            if let Some(Value::Array(only)) = map.get("oneOf") {
                if let [Value::Object(only)] = only.as_slice() {
                    let only = only.clone();
                    map.remove("oneOf");
                    map.extend(only);
                }
            }
            let Some(Value::Array(parts)) = map.get("allOf") else { return };
            if !parts.iter().all(|p| p.get("type") == Some(&json!("object")) && p.get("$ref").is_none()) {
                return;
            }
            let mut merged = serde_json::Map::new();
            let mut properties = serde_json::Map::new();
            let mut required: Vec<Value> = Vec::new();
            for part in parts {
                for (key, v) in part.as_object().into_iter().flatten() {
                    match key.as_str() {
                        "properties" => properties.extend(v.as_object().cloned().unwrap_or_default()),
                        "required" => required.extend(v.as_array().cloned().unwrap_or_default()),
                        "additionalProperties" => {}
                        _ => {
                            merged.entry(key.clone()).or_insert_with(|| v.clone());
                        }
                    }
                }
            }
            merged.insert("required".into(), Value::Array(required));
            merged.insert("properties".into(), Value::Object(properties));
            map.remove("allOf");
            map.extend(merged);
        }
        Value::Array(items) => items.iter_mut().for_each(flatten_compositions),
        _ => {}
    }
}

/// Lets a schema also take `null`, as OpenAPI 3.1 writes it.
fn nullable(schema: &mut Value) {
    // Not named `null`: inside `json!` that is the JSON literal.
    let null_schema = json!({"type": "null"});
    match schema.get_mut("type") {
        Some(Value::Array(types)) if types.contains(&json!("null")) => {}
        Some(Value::Array(types)) => types.push(json!("null")),
        Some(single @ Value::String(_)) => *single = json!([single.clone(), "null"]),
        _ => match schema.get_mut("oneOf").and_then(Value::as_array_mut) {
            Some(alternatives) if alternatives.contains(&null_schema) => {}
            Some(alternatives) => alternatives.push(null_schema),
            None => *schema = json!({"oneOf": [schema.clone(), null_schema]}),
        },
    }
}

/// The member at `path`, made (empty) where it is missing.
fn member<'a>(value: &'a mut Value, path: &[&str]) -> &'a mut Value {
    path.iter().fold(value, |value, key| {
        if !value.is_object() {
            *value = json!({});
        }
        match value {
            Value::Object(map) => map.entry(*key).or_insert(Value::Null),
            other => other,
        }
    })
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
                add_read_limit(operation);
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

/// A read without a token may be refused when its client reads too much (`api::load_shed`).
fn add_read_limit(operation: &mut Value) {
    let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else { return };
    let mut refused = problem("Too many reads without a token from this client address; see Retry-After, or sign in");
    *member(&mut refused, &["headers"]) = json!({
        "Retry-After": {"description": "Seconds until a read is taken again", "schema": {"type": "integer"}},
        "RateLimit-Policy": {"description": "The limit of reads without a token (IETF httpapi RateLimit headers): `\"anonymous\";q=50;w=1`, reads a second", "schema": {"type": "string"}},
        "RateLimit": {"description": "What is left of it: `\"anonymous\";r=0;t=1`", "schema": {"type": "string"}}
    });
    responses.entry("429".to_owned()).or_insert(refused);
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
    let mut text = serde_json::to_string_pretty(&document()).expect("the OpenAPI document serialises");
    text.push('\n');
    text
}
