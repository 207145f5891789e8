//! Per-client rate limits on creating and reading shares: a token bucket per
//! client address, refilled continuously, that answers 429 with `Retry-After`.
//!
//! The client address is the socket's peer, or, behind a reverse proxy that the
//! operator names with `--client-ip-header`, the address in that header (for
//! `X-Forwarded-For`, the last one: the address the proxy itself saw). Addresses
//! are kept in memory only, for at most a minute of idleness, and never logged.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::clock::SharedClock;

/// Buckets beyond this many are pruned of idle ones first; a flood of new
/// addresses then shares one bucket rather than growing memory.
const MAX_CLIENTS: usize = 100_000;

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    last_unix: u64,
}

/// One limit: `per_minute` requests, in bursts of up to `per_minute`.
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    /// `per_minute == 0` disables the limit.
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter { per_minute, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one token for `client`, or says in how many whole seconds one is back.
    pub fn check(&self, client: IpAddr, now_unix: u64) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(&client) {
            // A full bucket is the same as no bucket: forget clients idle for a minute.
            buckets.retain(|_, b| now_unix.saturating_sub(b.last_unix) < 60);
        }
        let key = if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(&client) {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        } else {
            client
        };
        let bucket = buckets.entry(key).or_insert(Bucket { tokens: capacity, last_unix: now_unix });
        let elapsed = now_unix.saturating_sub(bucket.last_unix) as f64;
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.last_unix = now_unix.max(bucket.last_unix);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / per_second).ceil().max(1.0) as u64)
        }
    }
}

/// The limits and how to find the client's address.
pub struct Limits {
    /// Limit on `POST /api/shares`.
    pub create: RateLimiter,
    /// Limit on `GET`s below `/api/shares/` (ciphertext and metadata).
    pub read: RateLimiter,
    /// Header naming the client's address behind a reverse proxy (its last
    /// comma-separated entry is used); `None`, or no parsable address in it: the socket's peer.
    pub client_ip_header: Option<HeaderName>,
    /// Time source for refilling the buckets.
    pub clock: SharedClock,
}

/// The address a request counts against.
pub fn client_ip(request: &Request, header_name: Option<&HeaderName>) -> IpAddr {
    if let Some(name) = header_name {
        let from_header = request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok());
        if let Some(ip) = from_header {
            return ip;
        }
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(addr)| addr.ip())
}

/// Middleware for the share API: `POST /api/shares` counts against the create
/// limit, `GET` of a share or its metadata against the read limit.
pub async fn limit(State(limits): State<Arc<Limits>>, request: Request, next: Next) -> Response {
    let limiter = match (request.method(), request.uri().path()) {
        (&Method::POST, crate::api::SHARES_PATH) => Some(&limits.create),
        (&Method::GET, path) if path.starts_with("/api/shares/") => Some(&limits.read),
        _ => None,
    };
    if let Some(limiter) = limiter {
        let client = client_ip(&request, limits.client_ip_header.as_ref());
        if let Err(retry_after_secs) = limiter.check(client, limits.clock.now_unix()) {
            let mut response =
                (StatusCode::TOO_MANY_REQUESTS, axum::Json(json!({ "error": "rate_limited" }))).into_response();
            let headers = response.headers_mut();
            headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            return response;
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_refills_continuously() {
        let limiter = RateLimiter::new(60);
        let ip: IpAddr = "192.0.2.1".parse().expect("ip");
        for _ in 0..60 {
            assert_eq!(limiter.check(ip, 1000), Ok(()));
        }
        assert_eq!(limiter.check(ip, 1000), Err(1));
        assert_eq!(limiter.check(ip, 1001), Ok(()), "one per second comes back");
        assert_eq!(limiter.check(ip, 1001), Err(1));
        let other: IpAddr = "192.0.2.2".parse().expect("ip");
        assert_eq!(limiter.check(other, 1001), Ok(()), "clients are independent");
        assert_eq!(RateLimiter::new(0).check(ip, 0), Ok(()), "0 disables");
    }

    #[test]
    fn slow_limits_say_how_long_to_wait() {
        let limiter = RateLimiter::new(2);
        let ip: IpAddr = "2001:db8::1".parse().expect("ip");
        assert!(limiter.check(ip, 0).is_ok() && limiter.check(ip, 0).is_ok());
        assert_eq!(limiter.check(ip, 0), Err(30));
    }
}
