use super::post_raw;
use crate::helpers::spawn_app;

#[tokio::test]
async fn invalid_utf8_is_a_bad_request() {
    let app = spawn_app().await;
    let mut body = br#"{"code": "X", "name": ""#.to_vec();
    body.extend_from_slice(&[0xff, 0xfe, 0xc3]);
    body.extend_from_slice(br#"", "period": "2014-2020"}"#);
    let reply = post_raw(&app, "/api/v1/programmes", "application/json", body).await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(reply.content_type(), "application/problem+json");
    // Undecodable bytes in a query become replacement characters: no match, no error.
    let query = app.get("/api/v1/beneficiaries?name=%FF%FE").await;
    assert_eq!((query.status, query.body["total"].clone()), (200, serde_json::json!(0)));
    let path = app.get("/api/v1/projects/%FF").await;
    assert_eq!(path.status, 404);
    assert_eq!(app.total("programmes").await, 0);
}
