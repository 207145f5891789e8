//! A tiny blocking HTTP/1.1 client over one keep-alive TCP connection: enough for
//! the tests that drive the real binary with many threads, without an HTTP crate.
//!
//! Every request has a read and a write timeout, so a hung server fails a test
//! instead of hanging it. A failed request is an error, never retried: a retried
//! `POST` could store a share the test does not know about.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Longest a single request may take on a loaded machine.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Largest response head accepted, a guard against reading garbage forever.
const MAX_HEAD_BYTES: usize = 64 * 1024;

pub struct Response {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The `error` code of a JSON error body, if it is one.
    pub fn error_code(&self) -> Option<String> {
        let json: serde_json::Value = serde_json::from_slice(&self.body).ok()?;
        json.get("error")?.as_str().map(str::to_owned)
    }
}

/// One client: a connection opened on first use and kept until the server closes it.
pub struct Client {
    addr: String,
    /// Sent with every request, e.g. `X-Forwarded-For` to act as a distinct client.
    fixed_headers: String,
    connection: Option<BufReader<TcpStream>>,
}

impl Client {
    pub fn new(addr: &str) -> Self {
        Self { addr: addr.to_owned(), fixed_headers: String::new(), connection: None }
    }

    /// A client whose requests appear to come from `ip` to a server that trusts
    /// `X-Forwarded-For` (`--client-ip-header x-forwarded-for`).
    pub fn forwarded_for(addr: &str, ip: &str) -> Self {
        Self { fixed_headers: format!("X-Forwarded-For: {ip}\r\n"), ..Self::new(addr) }
    }

    fn connection(&mut self) -> io::Result<&mut BufReader<TcpStream>> {
        if self.connection.is_none() {
            let stream = TcpStream::connect(&self.addr)?;
            stream.set_read_timeout(Some(REQUEST_TIMEOUT))?;
            stream.set_write_timeout(Some(REQUEST_TIMEOUT))?;
            stream.set_nodelay(true)?;
            self.connection = Some(BufReader::with_capacity(64 * 1024, stream));
        }
        Ok(self.connection.as_mut().expect("connection was just opened"))
    }

    /// Sends one request and reads the whole response. `headers` are complete
    /// `Name: value` lines without the line break.
    pub fn request(&mut self, method: &str, path: &str, headers: &[&str], body: &[u8]) -> io::Result<Response> {
        let reused = self.connection.is_some();
        let mut result = self.exchange(method, path, headers, body);
        if reused && result.as_ref().is_err_and(|e| e.kind() == io::ErrorKind::ConnectionAborted) {
            // A server may close a kept-alive connection whenever it is idle (RFC 9112
            // §9.3.1); hyper does so after answering a request whose body it did not
            // read, such as a 429 to an upload. Nothing of this request was answered
            // on the old connection, so it is sent again on a new one, as HTTP clients do.
            self.connection = None;
            result = self.exchange(method, path, headers, body);
        }
        match &result {
            // The server said it will close, or the connection broke: start afresh next time.
            Ok(response) if response.header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close")) => {
                self.connection = None;
            }
            Err(_) => self.connection = None,
            Ok(_) => {}
        }
        result
    }

    /// One request on the current connection. Failing to send it, or the connection
    /// ending before any byte of a response, is `ConnectionAborted`: the server had
    /// closed the connection.
    fn exchange(&mut self, method: &str, path: &str, headers: &[&str], body: &[u8]) -> io::Result<Response> {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n{}", self.addr, self.fixed_headers);
        for line in headers {
            head.push_str(line);
            head.push_str("\r\n");
        }
        if method == "POST" || method == "PUT" || !body.is_empty() {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        let connection = self.connection()?;
        let sent = {
            let stream = connection.get_mut();
            stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body)).and_then(|()| stream.flush())
        };
        if let Err(e) = sent {
            // The server may have answered before reading the whole body (a 429 to an
            // upload) and closed: its answer can still be waiting in the receive buffer.
            let answered = read_response(connection, method == "HEAD");
            self.connection = None;
            return answered.map_err(|_| closed(e));
        }
        read_response(connection, method == "HEAD")
    }
}

/// The error for a connection the server had closed (see [`Client::request`]).
fn closed(e: io::Error) -> io::Error {
    match e.kind() {
        io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset | io::ErrorKind::UnexpectedEof => {
            io::Error::new(io::ErrorKind::ConnectionAborted, format!("the server had closed the connection ({e})"))
        }
        _ => e,
    }
}

fn read_response(reader: &mut BufReader<TcpStream>, is_head: bool) -> io::Result<Response> {
    let mut status_line = String::new();
    if reader.read_line(&mut status_line).map_err(closed)? == 0 {
        return Err(io::Error::new(io::ErrorKind::ConnectionAborted, "connection closed before a response"));
    }
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, format!("bad status line {status_line:?}")))?;
    let mut headers = Vec::new();
    let mut head_bytes = status_line.len();
    loop {
        let mut line = String::new();
        let read = reader.read_line(&mut line)?;
        head_bytes += read;
        if read == 0 || head_bytes > MAX_HEAD_BYTES {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "unterminated response head"));
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let find = |name: &str| headers.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone());
    let mut body = Vec::new();
    if is_head || status == 204 || status == 304 {
        // No body, whatever Content-Length says.
    } else if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        read_chunked(reader, &mut body)?;
    } else if let Some(length) = find("content-length") {
        let length: u64 =
            length.parse().map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad Content-Length"))?;
        reader.take(length).read_to_end(&mut body)?;
        if body.len() as u64 != length {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "body shorter than Content-Length"));
        }
    } else {
        // Neither length nor chunking: the body runs to the end of the connection.
        reader.read_to_end(&mut body)?;
    }
    Ok(Response { status, headers, body })
}

fn read_chunked(reader: &mut BufReader<TcpStream>, body: &mut Vec<u8>) -> io::Result<()> {
    loop {
        let mut size_line = String::new();
        reader.read_line(&mut size_line)?;
        let size_hex = size_line.trim().split(';').next().unwrap_or("");
        let size = u64::from_str_radix(size_hex, 16)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, format!("bad chunk size {size_line:?}")))?;
        if size == 0 {
            // Trailers (none expected) end with an empty line.
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
                    return Ok(());
                }
            }
        }
        let before = body.len();
        reader.take(size).read_to_end(body)?;
        if (body.len() - before) as u64 != size {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "short chunk"));
        }
        let mut crlf = [0u8; 2];
        reader.read_exact(&mut crlf)?;
    }
}
