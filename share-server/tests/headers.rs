//! Security headers on every route: every operation the served OpenAPI
//! description lists (so a new route is covered as soon as it is described),
//! the static site and the error answers, each checked for the CSP (scripts
//! only from our origin plus wasm compilation, no inline script, no plugins,
//! framing allowed only on the embed page), `nosniff`, `no-referrer`, the
//! Permissions-Policy and a Cache-Control; and the site's HTML itself holds no
//! inline script or event handler that such a CSP would have to allow.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use axum::response::Response;
use serde_json::Value;
use share_server::clock::FakeClock;
use share_server::{ApiState, AppConfig, app};
use tower::ServiceExt;

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../web")
}

/// Small, so that the too-large upload below is small too.
const MAX_UPLOAD_BYTES: u64 = 1 << 16;

fn open_app() -> (tempfile::TempDir, Router) {
    let data = tempfile::tempdir().expect("temp dir");
    let mut config = AppConfig::new(web_dir()).with_data_dir(data.path().join("data"));
    config.create_per_minute = 0;
    config.reads_per_minute = 0;
    config.max_upload_bytes = MAX_UPLOAD_BYTES;
    let state = ApiState::open(&config, Arc::new(FakeClock::new(1_800_000_000))).expect("open storage");
    (data, app(&config, state))
}

async fn send(app: &Router, method: Method, uri: &str, authorization: Option<&str>, body: &[u8]) -> Response {
    let mut request = Request::builder().method(method).uri(uri).header(header::CONTENT_LENGTH, body.len());
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    app.clone().oneshot(request.body(Body::from(body.to_vec())).expect("request")).await.expect("infallible")
}

fn header_str<'a>(response: &'a Response, name: &str) -> &'a str {
    response.headers().get(name).map_or("", |value| value.to_str().expect("ASCII header"))
}

/// Every header rule, for the response to `what` (a method and path).
fn check(what: &str, response: &Response) -> Vec<String> {
    let mut problems = Vec::new();
    let mut want = |ok: bool, rule: &str| {
        if !ok {
            problems.push(format!("{what} ({}): {rule}", response.status()));
        }
    };
    let csp = header_str(response, "content-security-policy");
    let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
    want(directives.contains(&"script-src 'self' 'wasm-unsafe-eval'"), "CSP script-src 'self' 'wasm-unsafe-eval'");
    want(directives.contains(&"object-src 'none'"), "CSP object-src 'none'");
    want(directives.contains(&"default-src 'self'"), "CSP default-src 'self'");
    want(!csp.contains("'unsafe-inline'") && !csp.contains("'unsafe-eval'"), "CSP allows no inline script or eval");
    let path = what.split_whitespace().nth(1).unwrap_or("");
    let framing = if path.starts_with("/e/") { "frame-ancestors *" } else { "frame-ancestors 'none'" };
    want(directives.contains(&framing), &format!("CSP {framing}"));
    want(header_str(response, "x-content-type-options") == "nosniff", "X-Content-Type-Options: nosniff");
    want(header_str(response, "referrer-policy") == "no-referrer", "Referrer-Policy: no-referrer");
    want(
        header_str(response, "permissions-policy").contains("camera=()"),
        "Permissions-Policy denying camera, microphone, geolocation",
    );
    want(!header_str(response, "cache-control").is_empty(), "a Cache-Control header");
    problems
}

#[tokio::test]
async fn every_described_route_and_every_error_carries_the_security_headers() {
    let (_data, app) = open_app();
    let description: Value = {
        let response = send(&app, Method::GET, "/api/openapi.json", None, b"").await;
        serde_json::from_slice(&to_bytes(response.into_body(), 1 << 20).await.expect("body")).expect("JSON")
    };
    let paths = description["paths"].as_object().expect("paths");
    assert!(paths.len() >= 8, "the description lists {} paths", paths.len());

    // A real share, so that the id routes answer 200 rather than only 404.
    let created = send(&app, Method::POST, "/api/shares?expires_in=3600", None, b"ciphertext").await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let problems_on_create = check("POST /api/shares", &created);
    let receipt: Value =
        serde_json::from_slice(&to_bytes(created.into_body(), 1 << 16).await.expect("body")).expect("JSON");
    let id = receipt["id"].as_str().expect("id").to_owned();
    let token = format!("Bearer {}", receipt["owner_token"].as_str().expect("owner token"));

    let mut problems = problems_on_create;
    let mut checked = 0;
    let mut deletes = Vec::new();
    for (path, operations) in paths {
        for method in ["get", "head", "post", "delete"] {
            if operations.get(method).is_none() && !(method == "head" && operations.get("get").is_some()) {
                continue;
            }
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let uri = path.replace("{id}", &id);
            if method == Method::DELETE {
                // Deleting comes last, after every read of the share.
                deletes.push(uri);
                continue;
            }
            let response = send(&app, method.clone(), &uri, None, b"").await;
            assert!(!response.status().is_server_error(), "{method} {uri}: {}", response.status());
            problems.extend(check(&format!("{method} {uri}"), &response));
            checked += 1;
        }
    }

    // The static site, and the answers that are errors: unknown and malformed ids,
    // unknown files, a wrong method, a wrong token, an upload that is too large.
    let unknown = "AAAAAAAAAAAAAAAAAAAAAA";
    let others = [
        (Method::GET, "/".to_owned()),
        (Method::GET, "/index.html".to_owned()),
        (Method::GET, "/page/main.js".to_owned()),
        (Method::GET, "/style.css".to_owned()),
        (Method::GET, "/no-such-file.js".to_owned()),
        (Method::GET, format!("/api/shares/{unknown}")),
        (Method::GET, format!("/api/shares/{unknown}/meta")),
        (Method::GET, "/api/shares/not..an..id".to_owned()),
        (Method::GET, format!("/s/{unknown}")),
        (Method::GET, format!("/e/{unknown}")),
        (Method::PUT, "/api/shares".to_owned()),
        (Method::POST, "/healthz".to_owned()),
    ];
    for (method, uri) in others {
        let response = send(&app, method.clone(), &uri, None, b"").await;
        assert!(!response.status().is_server_error(), "{method} {uri}: {}", response.status());
        problems.extend(check(&format!("{method} {uri}"), &response));
        checked += 1;
    }
    let wrong_token = send(&app, Method::DELETE, &format!("/api/shares/{id}"), Some("Bearer wrong"), b"").await;
    assert!(wrong_token.status().is_client_error(), "{}", wrong_token.status());
    problems.extend(check("DELETE /api/shares/{id} with a wrong token", &wrong_token));
    let too_large = vec![0u8; MAX_UPLOAD_BYTES as usize + 1];
    let rejected = send(&app, Method::POST, "/api/shares", None, &too_large).await;
    assert_eq!(rejected.status(), StatusCode::PAYLOAD_TOO_LARGE);
    problems.extend(check("POST /api/shares too large", &rejected));

    for uri in deletes {
        let response = send(&app, Method::DELETE, &uri, Some(&token), b"").await;
        assert!(response.status().is_success(), "DELETE {uri}: {}", response.status());
        problems.extend(check(&format!("DELETE {uri}"), &response));
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} requests were checked");
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

#[tokio::test]
async fn share_ciphertext_is_never_cached() {
    let (_data, app) = open_app();
    let created = send(&app, Method::POST, "/api/shares", None, b"ciphertext").await;
    let receipt: Value =
        serde_json::from_slice(&to_bytes(created.into_body(), 1 << 16).await.expect("body")).expect("JSON");
    let id = receipt["id"].as_str().expect("id");
    for uri in [format!("/api/shares/{id}"), format!("/api/shares/{id}/meta")] {
        let response = send(&app, Method::GET, &uri, None, b"").await;
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        // A shared cache or the browser's disk cache would outlive the share's expiry and deletion.
        assert_eq!(header_str(&response, "cache-control"), "no-store", "{uri}");
    }
}

/// Every `<script>` of the site's HTML has a `src`, and no element has an inline
/// event handler or a `javascript:` URL: the CSP above would block them, so a
/// page that relied on one would silently break.
#[test]
fn the_site_html_has_no_inline_script() {
    let mut pages = 0;
    for entry in std::fs::read_dir(web_dir()).expect("web dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        pages += 1;
        let html = std::fs::read_to_string(&path).expect("read").to_ascii_lowercase();
        let name = path.display();
        for script in html.split("<script").skip(1) {
            let tag = &script[..script.find('>').expect("closed tag")];
            assert!(tag.contains(" src="), "{name}: a <script> without src: <script{tag}>");
            let after = &script[script.find('>').expect("closed tag") + 1..];
            assert!(after.trim_start().starts_with("</script>"), "{name}: a <script> with inline code");
        }
        assert!(!html.contains("javascript:"), "{name}: a javascript: URL");
        for (i, _) in html.match_indices(" on") {
            let rest = &html[i + 3..];
            let attribute: String = rest.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
            let is_handler = !attribute.is_empty() && rest[attribute.len()..].trim_start().starts_with('=');
            // Text such as "drop a model on the page" is not an attribute; `onclick=` inside a tag is.
            let inside_tag = html[..i].rfind('<') > html[..i].rfind('>');
            assert!(!(is_handler && inside_tag), "{name}: an inline event handler on{attribute}=");
        }
    }
    assert!(pages >= 3, "found {pages} HTML pages");
}
