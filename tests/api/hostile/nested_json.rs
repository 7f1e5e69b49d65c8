use super::post_raw;
use crate::helpers::spawn_app;

#[tokio::test]
async fn deeply_nested_json_is_refused_without_a_crash() {
    let app = spawn_app().await;
    let depth = 100_000;
    let body = format!("{{\"code\": {}1{}}}", "[".repeat(depth), "]".repeat(depth));
    // A typed body stops at the first wrong type; a free-form one at the depth limit.
    let reply = post_raw(&app, "/api/v1/programmes", "application/json", body.into_bytes()).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let deep_body = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    assert_eq!(post_raw(&app, "/api/v1/programmes", "application/json", deep_body.into_bytes()).await.status, 422);
    let patch = app.send(
        app.client.patch(app.url("/api/v1/programmes/1")).bearer_auth(&app.admin_token).header("content-type", "application/merge-patch+json").body(format!(
            "{}{}",
            "{\"a\":".repeat(5_000),
            "}".repeat(5_000)
        )),
    );
    assert_eq!(patch.await.status, 400);
    assert_eq!(app.get("/health/ready").await.status, 200, "the service is still up");
}
