use crate::helpers::{spawn_app, Fixture};

#[tokio::test]
async fn sql_metacharacters_in_filters_are_just_text() {
    let app = spawn_app().await;
    Fixture::new(&app).await;
    let projects = app.total("projects").await;
    for nasty in ["' OR 1=1 --", "'; DROP TABLE projects; --", "%", "_", "\\", "%' OR '%'='", "\" OR \"\"=\"", "1; SELECT pg_sleep(5)"] {
        let q = urlencode(nasty);
        for path in [
            format!("/api/v1/beneficiaries?name={q}"),
            format!("/api/v1/projects?contract_number={q}"),
            format!("/api/v1/programmes?code={q}"),
            format!("/api/v1/measures?code={q}"),
            format!("/api/v1/projects?voivodeship={q}"),
            format!("/api/v1/beneficiaries?nip={q}"),
        ] {
            let reply = app.get(&path).await;
            assert_eq!(reply.status, 200, "{path}: {}", reply.body);
            assert_eq!(reply.body["total"], 0, "{path} matched as a pattern, not as text");
        }
    }
    // The organisation named with a percent sign is found only by that text.
    app.create("beneficiaries", serde_json::json!({"name": "100% Spółdzielnia", "kind": "pes"})).await;
    assert_eq!(app.total(&format!("beneficiaries?name={}", urlencode("0% S"))).await, 1);
    assert_eq!(app.total(&format!("beneficiaries?name={}", urlencode("_"))).await, 0);
    assert_eq!(app.total("projects").await, projects, "nothing was dropped");
}

fn urlencode(text: &str) -> String {
    text.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}
