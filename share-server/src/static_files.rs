//! Static files of the web build.
//!
//! File serving itself (path validation, `index.html` for directories, conditional and
//! range requests, `ETag`/`Last-Modified`) is tower-http's [`ServeDir`]. It rejects any
//! path with a `..`, root or prefix component after percent-decoding, so requests cannot
//! escape the web directory. Note that it does follow symlinks inside the web directory,
//! so the directory must only contain what is meant to be public.
//!
//! On top of that this module pins the `Content-Type` of the formats the viewer relies
//! on (`mime_guess`, which `ServeDir` uses, maps e.g. `.mjs` and `.stl` to other types)
//! and marks every response `Cache-Control: no-cache`.

use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::handler::HandlerWithoutStateExt;
use axum::http::StatusCode;
use axum::http::header::{self, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

/// Content types we set ourselves, keyed by lowercase file extension.
///
/// Browsers enforce some of these strictly: `WebAssembly.instantiateStreaming` needs
/// `application/wasm` and module scripts need a JavaScript type (with `nosniff`, there
/// is no guessing to fall back on).
const MIME_TYPES: &[(&str, &str)] = &[
    ("html", "text/html; charset=utf-8"),
    ("js", "text/javascript; charset=utf-8"),
    ("mjs", "text/javascript; charset=utf-8"),
    ("css", "text/css; charset=utf-8"),
    ("json", "application/json"),
    ("wasm", "application/wasm"),
    ("png", "image/png"),
    ("svg", "image/svg+xml"),
    ("glb", "model/gltf-binary"),
    ("gltf", "model/gltf+json"),
    ("stl", "model/stl"),
    ("bin", "application/octet-stream"),
];

/// Router serving `web_dir`; meant to be used as the application's fallback.
pub fn router(web_dir: &Path) -> Router {
    // ServeDir's own 404 has an empty body; a short text is friendlier in a browser.
    let serve_dir = ServeDir::new(web_dir).not_found_service(not_found.into_service());
    // gzip when the browser accepts it: the engine's wasm shrinks to about a third,
    // which is most of the page weight. (Ciphertext on the API routes is not compressed:
    // it would not shrink.)
    Router::new()
        .fallback_service(serve_dir)
        .layer(middleware::from_fn(static_headers))
        .layer(CompressionLayer::new().gzip(true))
}

async fn not_found() -> &'static str {
    "not found"
}

/// The `Content-Type` we insist on for a request path, if it is one of `MIME_TYPES`.
///
/// A path ending in `/` is served from that directory's `index.html`.
pub fn mime_type_for_path(path: &str) -> Option<&'static str> {
    let file_name = match path.rsplit('/').next() {
        Some("") | None => "index.html",
        Some(name) => name,
    };
    let (_, extension) = file_name.rsplit_once('.')?;
    MIME_TYPES.iter().find(|(known, _)| known.eq_ignore_ascii_case(extension)).map(|&(_, mime)| mime)
}

async fn static_headers(request: Request, next: Next) -> Response {
    let mime = mime_type_for_path(request.uri().path());
    let mut response = next.run(request).await;
    // Only file bodies get the file's type; 404 text, redirects and 304s keep theirs.
    let serves_file = matches!(response.status(), StatusCode::OK | StatusCode::PARTIAL_CONTENT);
    let headers = response.headers_mut();
    if let Some(mime) = mime
        && serves_file
    {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    }
    // The build output has no content hashes in its file names yet, so browsers must
    // revalidate every time (cheap: ServeDir answers 304 from ETag/Last-Modified).
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::mime_type_for_path;

    #[test]
    fn mime_types_by_extension() {
        assert_eq!(mime_type_for_path("/pkg/viewer_bg.wasm"), Some("application/wasm"));
        assert_eq!(mime_type_for_path("/a.MJS"), Some("text/javascript; charset=utf-8"));
        assert_eq!(mime_type_for_path("/m/cube.stl"), Some("model/stl"));
        assert_eq!(mime_type_for_path("/"), Some("text/html; charset=utf-8"));
        assert_eq!(mime_type_for_path("/sub/"), Some("text/html; charset=utf-8"));
        assert_eq!(mime_type_for_path("/README"), None);
        assert_eq!(mime_type_for_path("/x.unknown"), None);
        // The extension belongs to the last segment only.
        assert_eq!(mime_type_for_path("/dir.js/file"), None);
    }
}
