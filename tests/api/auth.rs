//! Sign-in, tokens per RFC 8725, refresh rotation, throttling and the command line.

use crate::helpers::{spawn_app, TestApp, PASSWORD};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

fn claims(overrides: Value) -> Value {
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({
        "iss": "es-registry", "aud": "es-registry-api", "sub": "1", "exp": now + 600, "nbf": now - 10, "iat": now - 10,
        "jti": "test", "typ": "access", "email": "admin@test.es-registry.pl", "role": "admin", "org": null, "voiv": null
    });
    for (key, value) in overrides.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(key);
        } else {
            claims[key] = value.clone();
        }
    }
    claims
}

fn sign(app: &TestApp, algorithm: Algorithm, claims: &Value) -> String {
    encode(&Header::new(algorithm), claims, &EncodingKey::from_secret(&app.jwt_key)).unwrap()
}

async fn me(app: &TestApp, token: &str) -> u16 {
    app.as_user(token).get("/api/v1/auth/me").await.status
}

#[tokio::test]
async fn sign_in_gives_a_short_lived_bearer_token_and_a_refresh_token() {
    let app = spawn_app().await;
    let reply = app.sign_in("admin@test.es-registry.pl", PASSWORD).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["token_type"], "Bearer");
    assert!(reply.body["expires_in"].as_u64().unwrap() <= 900);
    assert!(reply.body["refresh_token"].as_str().unwrap().starts_with("rt_"));
    assert_eq!(reply.headers.get("cache-control").unwrap(), "no-store");
    let token = reply.body["access_token"].as_str().unwrap();
    let who = app.as_user(token).get("/api/v1/auth/me").await;
    assert_eq!(who.status, 200);
    assert_eq!(who.body["role"], "admin");
    assert_eq!(who.body["email"], "admin@test.es-registry.pl");
    // Email is case-insensitive.
    assert_eq!(app.sign_in("ADMIN@test.es-registry.pl", PASSWORD).await.status, 200);
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    let app = spawn_app().await;
    let wrong_password = app.sign_in("admin@test.es-registry.pl", "not the password at all").await;
    let unknown_email = app.sign_in("nobody@test.es-registry.pl", "not the password at all").await;
    assert_eq!(wrong_password.status, 401);
    assert_eq!(unknown_email.status, 401);
    assert_eq!(wrong_password.body, unknown_email.body);
}

#[tokio::test]
async fn forged_and_misused_tokens_are_refused() {
    let app = spawn_app().await;
    let now = chrono::Utc::now().timestamp();
    assert_eq!(me(&app, &sign(&app, Algorithm::HS256, &claims(json!({})))).await, 200, "the control token works");

    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims(json!({})).to_string());
    let refresh = app.sign_in("admin@test.es-registry.pl", PASSWORD).await.body["refresh_token"].as_str().unwrap().to_owned();
    let wrong_key = encode(&Header::new(Algorithm::HS256), &claims(json!({})), &EncodingKey::from_secret(&[7u8; 32])).unwrap();
    let forged = [
        ("alg none", format!("{header}.{body}.")),
        ("HS512 with the right key", sign(&app, Algorithm::HS512, &claims(json!({})))),
        ("wrong key", wrong_key),
        ("expired", sign(&app, Algorithm::HS256, &claims(json!({"exp": now - 120})))),
        ("not yet valid", sign(&app, Algorithm::HS256, &claims(json!({"nbf": now + 600})))),
        ("wrong audience", sign(&app, Algorithm::HS256, &claims(json!({"aud": "someone-else"})))),
        ("wrong issuer", sign(&app, Algorithm::HS256, &claims(json!({"iss": "evil"})))),
        ("no subject", sign(&app, Algorithm::HS256, &claims(json!({"sub": null})))),
        ("no expiry", sign(&app, Algorithm::HS256, &claims(json!({"exp": null})))),
        ("not an access token", sign(&app, Algorithm::HS256, &claims(json!({"typ": "refresh"})))),
        ("a refresh token as bearer", refresh.clone()),
        ("garbage", "abc.def.ghi".to_owned()),
    ];
    for (what, token) in forged {
        let reply = app.as_user(&token).get("/api/v1/auth/me").await;
        assert_eq!(reply.status, 401, "{what}");
        assert_eq!(reply.content_type(), "application/problem+json");
        // A bad token on a public read is refused too, not silently ignored.
        assert_eq!(app.as_user(&token).get("/api/v1/projects").await.status, 401, "{what}");
    }
    // And an access token where a refresh token is expected.
    let access = app.admin_token.clone();
    assert_eq!(app.anonymous().post("/api/v1/auth/refresh", &json!({"refresh_token": access})).await.status, 401);
    assert_eq!(app.anonymous().get("/api/v1/auth/me").await.status, 401);
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_its_family() {
    let app = spawn_app().await;
    let first = app.sign_in("admin@test.es-registry.pl", PASSWORD).await.body;
    let refresh = |token: &Value| json!({"refresh_token": token.as_str().unwrap()});
    let second = app.anonymous().post("/api/v1/auth/refresh", &refresh(&first["refresh_token"])).await;
    assert_eq!(second.status, 200);
    assert_ne!(second.body["refresh_token"], first["refresh_token"]);
    assert_eq!(me(&app, second.body["access_token"].as_str().unwrap()).await, 200);

    // The first token is spent: presenting it again revokes the rotated one too.
    assert_eq!(app.anonymous().post("/api/v1/auth/refresh", &refresh(&first["refresh_token"])).await.status, 401);
    assert_eq!(app.anonymous().post("/api/v1/auth/refresh", &refresh(&second.body["refresh_token"])).await.status, 401);

    // Logout revokes.
    let session = app.sign_in("admin@test.es-registry.pl", PASSWORD).await.body;
    assert_eq!(app.anonymous().post("/api/v1/auth/logout", &refresh(&session["refresh_token"])).await.status, 204);
    assert_eq!(app.anonymous().post("/api/v1/auth/refresh", &refresh(&session["refresh_token"])).await.status, 401);
}

#[tokio::test]
async fn repeated_failures_are_throttled_per_account_and_per_client() {
    let app = spawn_app().await;
    for _ in 0..5 {
        assert_eq!(app.sign_in("admin@test.es-registry.pl", "wrong password!!").await.status, 401);
    }
    // Now even the right password waits.
    let blocked = app.sign_in("admin@test.es-registry.pl", PASSWORD).await;
    assert_eq!(blocked.status, 429, "{}", blocked.body);
    let retry_after: i64 = blocked.headers.get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!(retry_after > 0 && retry_after <= 60);
    assert_eq!(blocked.content_type(), "application/problem+json");

    // Per client: many accounts from one address.
    let app = spawn_app().await;
    for i in 0..20 {
        assert_eq!(app.sign_in(&format!("nobody{i}@test.es-registry.pl"), "wrong password!!").await.status, 401, "attempt {i}");
    }
    assert_eq!(app.sign_in("admin@test.es-registry.pl", PASSWORD).await.status, 429);
}

pub fn cli(app: &TestApp, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_es-registry"))
        .args(args)
        .env("DATABASE_URL", &app.database_url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn the_command_line_creates_disables_and_resets_accounts() {
    let app = spawn_app().await;
    let org = app.create("beneficiaries", json!({"name": "OWES Toruń", "kind": "owes", "voivodeship": "04"})).await;
    let created =
        cli(&app, &["users", "create", "--email", "Owes@Example.org", "--role", "owes", "--organisation-id", &org.to_string()], "a long enough password\n");
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let stdout = String::from_utf8_lossy(&created.stdout);
    assert!(stdout.contains("owes@example.org") && !stdout.contains("a long enough password"));
    let signed_in = app.sign_in("owes@example.org", "a long enough password").await;
    assert_eq!(signed_in.status, 200);
    assert_eq!(app.as_user(signed_in.body["access_token"].as_str().unwrap()).get("/api/v1/auth/me").await.body["organisation_id"], org);

    let weak = cli(&app, &["users", "create", "--email", "x@example.org", "--role", "admin"], "short\n");
    assert!(!weak.status.success());
    let orphan = cli(&app, &["users", "create", "--email", "y@example.org", "--role", "owes"], "a long enough password\n");
    assert!(!orphan.status.success(), "an owes account needs an organisation");

    assert!(cli(&app, &["users", "disable", "--email", "owes@example.org"], "").status.success());
    assert_eq!(app.sign_in("owes@example.org", "a long enough password").await.status, 401);
    let refresh = json!({"refresh_token": signed_in.body["refresh_token"]});
    assert_eq!(app.anonymous().post("/api/v1/auth/refresh", &refresh).await.status, 401, "disabling revokes refresh tokens");

    assert!(cli(&app, &["users", "reset-password", "--email", "owes@example.org"], "another long password\n").status.success());
    assert_eq!(app.sign_in("owes@example.org", "another long password").await.status, 200);
}

#[tokio::test]
async fn every_write_is_in_the_audit_trail_with_before_and_after() {
    let app = spawn_app().await;
    let id = app.create("programmes", json!({"code": "X", "name": "Before", "period": "2014-2020", "voivodeship": "04"})).await;
    app.patch(&format!("/api/v1/programmes/{id}"), &json!({"name": "After"})).await;
    app.delete(&format!("/api/v1/programmes/{id}")).await;
    let events = app.get(&format!("/api/v1/audit-events?resource=programmes&record_id={id}")).await;
    assert_eq!(events.status, 200);
    let items = events.body["items"].as_array().unwrap();
    let actions: Vec<&str> = items.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["delete", "update", "create"]);
    assert_eq!(items[1]["before"]["name"], "Before");
    assert_eq!(items[1]["after"]["name"], "After");
    assert_eq!(items[1]["user_email"], "admin@test.es-registry.pl");
    assert_eq!(items[1]["voivodeship"], "04");
}

#[tokio::test]
async fn parallel_guesses_cannot_slip_past_the_limit() {
    let app = spawn_app().await;
    let mut guesses = tokio::task::JoinSet::new();
    for _ in 0..30 {
        let request = app.client.post(app.url("/api/v1/auth/token")).json(&json!({"email": "admin@test.es-registry.pl", "password": "wrong password!!"}));
        guesses.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    let statuses = guesses.join_all().await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + throttled, 30, "{statuses:?}");
    assert!(checked <= 5, "at most the limit reach the password check: {statuses:?}");
}

#[tokio::test]
async fn reads_of_participants_are_audited_and_the_trail_keeps_no_pesel() {
    let app = spawn_app().await;
    let fx = crate::helpers::Fixture::new(&app).await;
    let id = app.create("participants", json!({"project_id": fx.project, "first_name": "Anna", "last_name": "Nowak", "pesel": "02270803624"})).await;
    let shown = app.get(&format!("/api/v1/participants/{id}")).await;
    assert_eq!(shown.body["pesel"], "*******3624");
    assert_eq!(shown.body["birth_date"], "2002-07-08");
    assert_eq!(app.get(&format!("/api/v1/participants?project_id={}", fx.project)).await.status, 200);
    let events = app.get(&format!("/api/v1/audit-events?resource=participants&record_id={id}")).await;
    let actions: Vec<&str> = events.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["read", "read", "create"], "a list read and a single read, newest first");
    let trail = events.body.to_string();
    assert!(!trail.contains("3624") && !trail.contains("02270803624"), "{trail}");
    assert!(trail.contains("[sealed]"));
    assert!(!trail.contains("Anna") && !trail.contains("Nowak"), "names stay sealed: {trail}");
}

#[test]
fn production_refuses_to_start_without_a_strong_key() {
    let run = |vars: &[(&str, &str)]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_es-registry"));
        command.arg("serve").env("APP_ENV", "production").env("LISTEN_ADDR", "127.0.0.1:0").env_remove("JWT_SECRET").env_remove("JWT_SECRET_FILE");
        for (k, v) in vars {
            command.env(k, v);
        }
        command.output().unwrap()
    };
    let missing = run(&[]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("JWT_SECRET"));
    let weak = run(&[("JWT_SECRET", "c2hvcnQ=")]);
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("256 bits"));
}
