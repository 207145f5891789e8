//! In-process tests of the router: MIME types, security headers, traversal, health.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use axum::response::Response;
use share_server::clock::SystemClock;
use share_server::{ApiState, AppConfig, app};
use tempfile::TempDir;
use tower::ServiceExt;

const SECRET: &str = "SECRET-OUTSIDE-WEB-DIR";

/// A temp dir holding `web/` (served) next to `Cargo.toml` (must stay unreachable).
struct Fixture {
    _root: TempDir,
    app: Router,
}

fn fixture() -> Fixture {
    let root = tempfile::tempdir().expect("temp dir");
    let web = root.path().join("web");
    write(&web.join("index.html"), "<!doctype html><title>viewer</title>");
    write(&web.join("app.js"), "export const x = 1;");
    write(&web.join("worker.mjs"), "export {};");
    write(&web.join("style.css"), "body {}");
    write(&web.join("pkg/viewer_bg.wasm"), "\0asm\x01\0\0\0");
    write(&web.join("models/cube.stl"), "solid cube\nendsolid cube\n");
    write(&web.join("models/cube.glb"), "glTF");
    write(&web.join("sub/index.html"), "<p>sub</p>");
    write(&web.join("share.html"), "<title>recipient</title>");
    write(&web.join("embed.html"), "<title>embed</title>");
    write(&root.path().join("Cargo.toml"), SECRET);
    let config = AppConfig::new(web).with_data_dir(root.path().join("data"));
    let shares = ApiState::open(&config, Arc::new(SystemClock)).expect("open share storage");
    let app = app(&config, shares);
    Fixture { _root: root, app }
}

fn write(path: &Path, contents: &str) {
    fs::create_dir_all(path.parent().expect("has parent")).expect("create dirs");
    fs::write(path, contents).expect("write file");
}

async fn send(app: &Router, method: Method, uri: &str) -> Response {
    let request = Request::builder().method(method).uri(uri).body(Body::empty()).expect("valid request");
    app.clone().oneshot(request).await.expect("infallible")
}

async fn get(app: &Router, uri: &str) -> Response {
    send(app, Method::GET, uri).await
}

async fn body_text(response: Response) -> String {
    let bytes = to_bytes(response.into_body(), 1 << 20).await.expect("body");
    String::from_utf8_lossy(&bytes).into_owned()
}

fn header_str<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).map(|value| value.to_str().expect("ascii header"))
}

fn content_type(response: &Response) -> Option<&str> {
    header_str(response, header::CONTENT_TYPE.as_str())
}

const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
     img-src 'self' blob: data:; connect-src 'self' https: http: blob: data:; worker-src 'self' blob:; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn assert_security_headers(response: &Response) {
    assert_eq!(header_str(response, "content-security-policy"), Some(CSP));
    assert_eq!(header_str(response, "x-content-type-options"), Some("nosniff"));
    assert_eq!(header_str(response, "referrer-policy"), Some("no-referrer"));
    assert_eq!(header_str(response, "permissions-policy"), Some("camera=(), microphone=(), geolocation=()"));
    assert_eq!(header_str(response, "cross-origin-opener-policy"), Some("same-origin"));
}

#[tokio::test]
async fn serves_files_with_explicit_mime_types() {
    let f = fixture();
    let cases = [
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/worker.mjs", "text/javascript; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/pkg/viewer_bg.wasm", "application/wasm"),
        ("/models/cube.stl", "model/stl"),
        ("/models/cube.glb", "model/gltf-binary"),
    ];
    for (uri, expected) in cases {
        let response = get(&f.app, uri).await;
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        assert_eq!(content_type(&response), Some(expected), "{uri}");
        assert_eq!(header_str(&response, "cache-control"), Some("no-cache"), "{uri}");
        assert_security_headers(&response);
    }
}

#[tokio::test]
async fn root_serves_index_html() {
    let f = fixture();
    let response = get(&f.app, "/").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(content_type(&response), Some("text/html; charset=utf-8"));
    assert_security_headers(&response);
    assert_eq!(body_text(response).await, "<!doctype html><title>viewer</title>");

    let response = get(&f.app, "/sub/").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_text(response).await, "<p>sub</p>");
}

#[tokio::test]
async fn head_request_has_headers_without_body() {
    let f = fixture();
    let response = send(&f.app, Method::HEAD, "/pkg/viewer_bg.wasm").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(content_type(&response), Some("application/wasm"));
    assert_security_headers(&response);
    assert_eq!(body_text(response).await, "");
}

#[tokio::test]
async fn missing_file_is_404_with_security_headers() {
    let f = fixture();
    let response = get(&f.app, "/nope.js").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // The 404 text must not be labelled as the JavaScript that was asked for.
    assert_eq!(content_type(&response), Some("text/plain; charset=utf-8"));
    assert_security_headers(&response);
    assert_eq!(body_text(response).await, "not found");
}

#[tokio::test]
async fn healthz_is_ok_with_security_headers() {
    let f = fixture();
    let response = get(&f.app, "/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_security_headers(&response);
    assert_eq!(header_str(&response, "cache-control"), Some("no-store"));
    assert_eq!(body_text(response).await, "ok");
}

#[tokio::test]
async fn frame_ancestors_none_everywhere() {
    let f = fixture();
    for uri in ["/", "/app.js", "/healthz", "/missing"] {
        let response = get(&f.app, uri).await;
        let csp = header_str(&response, "content-security-policy").expect("csp present");
        assert!(csp.ends_with("frame-ancestors 'none'"), "{uri}: {csp}");
    }
}

#[tokio::test]
async fn share_pages_are_served_and_only_the_embed_page_may_be_framed() {
    let f = fixture();
    let id = "AAAAAAAAAAAAAAAAAAAAAA";
    let recipient = get(&f.app, &format!("/s/{id}")).await;
    assert_eq!(recipient.status(), StatusCode::OK);
    assert_security_headers(&recipient);
    assert_eq!(content_type(&recipient), Some("text/html; charset=utf-8"));
    assert_eq!(body_text(recipient).await, "<title>recipient</title>");

    let embed = get(&f.app, &format!("/e/{id}")).await;
    assert_eq!(embed.status(), StatusCode::OK);
    let csp = header_str(&embed, "content-security-policy").expect("csp");
    assert_eq!(csp, CSP.replace("frame-ancestors 'none'", "frame-ancestors *"));
    assert_eq!(header_str(&embed, "referrer-policy"), Some("no-referrer"));
    assert_eq!(header_str(&embed, "x-content-type-options"), Some("nosniff"));
    assert_eq!(body_text(embed).await, "<title>embed</title>");

    for uri in ["/s/short", "/e/AAAAAAAAAAAAAAAAAAAAA%2F", "/s/..%2F..%2FCargo.toml", "/e/AAAAAAAAAAAAAAAAAAAAA!"] {
        let response = get(&f.app, uri).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{uri}");
        assert!(header_str(&response, "content-security-policy").expect("csp").ends_with("frame-ancestors 'none'"));
    }
}

#[tokio::test]
async fn traversal_cannot_escape_web_dir() {
    let f = fixture();
    let attempts = [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/%2E%2E/Cargo.toml",
        "/..%2fCargo.toml",
        "/%2e%2e%2fCargo.toml",
        "/sub/../../Cargo.toml",
        "/sub/%2e%2e/%2e%2e/Cargo.toml",
        "/.%2e/Cargo.toml",
        "/..%5cCargo.toml",
        "//../Cargo.toml",
    ];
    for uri in attempts {
        let response = get(&f.app, uri).await;
        assert_ne!(response.status(), StatusCode::OK, "{uri}");
        assert!(response.status().is_client_error(), "{uri}: {}", response.status());
        assert_security_headers(&response);
        let body = body_text(response).await;
        assert!(!body.contains(SECRET), "{uri} leaked a file outside the web dir");
    }
}

#[tokio::test]
async fn non_get_methods_are_rejected() {
    let f = fixture();
    let response = send(&f.app, Method::POST, "/index.html").await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_security_headers(&response);
}

#[tokio::test]
async fn static_files_are_gzipped_when_the_browser_accepts_it() {
    let fixture = fixture();
    let big = "export const data = 'the same words again and again';\n".repeat(200);
    write(&fixture._root.path().join("web/big.js"), &big);
    let request = Request::builder()
        .uri("/big.js")
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Body::empty())
        .expect("valid request");
    let response = fixture.app.clone().oneshot(request).await.expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header_str(&response, "content-encoding"), Some("gzip"));
    assert_eq!(content_type(&response), Some("text/javascript; charset=utf-8"));
    assert_security_headers(&response);
    let compressed = to_bytes(response.into_body(), 1 << 20).await.expect("body");
    assert!(compressed.len() < big.len() / 10, "{} bytes from {}", compressed.len(), big.len());
    // Without Accept-Encoding the file comes as it is.
    let plain = get(&fixture.app, "/big.js").await;
    assert_eq!(header_str(&plain, "content-encoding"), None);
    assert_eq!(body_text(plain).await, big);
}
