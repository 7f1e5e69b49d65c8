//! Hostile input, a file per kind: none of it may change anything or give a 500.

mod content_types;
mod dates;
mod duplicate_keys;
mod invalid_utf8;
mod long_strings;
mod nested_json;
mod numbers;
mod sql_metacharacters;

use crate::helpers::TestApp;

/// Posts raw bytes with a content type and returns the status.
pub async fn post_raw(app: &TestApp, path: &str, content_type: &str, body: Vec<u8>) -> crate::helpers::Reply {
    let request = app.client.post(app.url(path)).bearer_auth(&app.admin_token).header("content-type", content_type).body(body);
    app.send(request).await
}
