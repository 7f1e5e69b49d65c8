use super::post_raw;
use crate::helpers::spawn_app;

#[tokio::test]
async fn wrong_content_types_are_refused() {
    let app = spawn_app().await;
    let body = br#"{"code": "X", "name": "X", "period": "2014-2020"}"#.to_vec();
    for content_type in ["text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/jsonx"] {
        let reply = post_raw(&app, "/api/v1/programmes", content_type, body.clone()).await;
        assert_eq!(reply.status, 415, "{content_type}");
        assert_eq!(reply.content_type(), "application/problem+json");
    }
    let none = app.send(app.client.post(app.url("/api/v1/programmes")).bearer_auth(&app.admin_token).body(body.clone())).await;
    assert_eq!(none.status, 415);
    assert_eq!(post_raw(&app, "/api/v1/programmes", "application/json; charset=utf-8", body).await.status, 201);
    assert_eq!(app.total("programmes").await, 1);
}
