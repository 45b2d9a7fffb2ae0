//! The preview's HTTP server on a plain `TcpListener`, replacing
//! tiny_http 0.12, whose accept thread ends for good on the first accept
//! error (EMFILE under a flood) and which gives every connection a thread
//! of its own with no read timeout.
//!
//! One thread accepts connections and reads their headers without
//! blocking, so idle and slow clients cost a file descriptor, not a
//! thread; whole requests go to a fixed set of worker threads.

use super::http::{self, Parsed, Reply, Request};
use std::collections::VecDeque;
use std::io::{self, ErrorKind, Read as _};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Workers that answer page requests, besides one per reload poll.
const PAGE_WORKERS: usize = 8;
/// Every reload poll may wait in a worker and pages still find one free.
pub const WORKERS: usize = super::reload::MAX_POLLS + PAGE_WORKERS;
/// Whole requests waiting for a worker; beyond, 503 at once.
const QUEUE: usize = 64;
/// Connections still sending their header. Beyond, the oldest is closed:
/// it has had the most time, and a fresh request is likelier a real one.
pub const MAX_WAITING_CONNECTIONS: usize = 512;
/// A header must be complete this long after connecting.
const HEADER_DEADLINE: Duration = Duration::from_secs(10);
/// A client that stops reading its response frees its worker after this.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the accept thread sleeps when nothing happened; it sleeps in
/// `accept` instead while no connection is waiting.
const MAX_IDLE_SLEEP: Duration = Duration::from_millis(10);
/// After an accept error such as EMFILE, so the loop does not spin.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(50);

pub type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// Starts the accept thread and the workers; they run until the process
/// ends.
pub fn start(listener: TcpListener, handler: Arc<Handler>) -> io::Result<()> {
    let (sender, receiver) = std::sync::mpsc::sync_channel(QUEUE);
    let receiver = Arc::new(Mutex::new(receiver));
    for n in 0..WORKERS {
        let receiver = Arc::clone(&receiver);
        let handler = Arc::clone(&handler);
        std::thread::Builder::new()
            .name(format!("serve-worker-{n}"))
            .spawn(move || work(&receiver, &*handler))?;
    }
    std::thread::Builder::new()
        .name("serve-accept".into())
        // Nothing in the loop should panic; if it does, it starts over
        // rather than leave the port open with no one accepting.
        .spawn(move || {
            loop {
                let _ = super::caught(|| accept_forever(&listener, &sender));
            }
        })?;
    Ok(())
}

struct Waiting {
    stream: TcpStream,
    header: Vec<u8>,
    since: Instant,
}

fn accept_forever(listener: &TcpListener, workers: &SyncSender<(TcpStream, Request)>) {
    let mut waiting = VecDeque::new();
    let mut sleep = Duration::from_millis(1);
    loop {
        let accepted = accept_ready(listener, &mut waiting);
        let read = read_ready(&mut waiting, workers);
        if accepted || read {
            sleep = Duration::from_millis(1);
        } else if !waiting.is_empty() {
            std::thread::sleep(sleep);
            sleep = (sleep * 2).min(MAX_IDLE_SLEEP);
        }
    }
}

/// Accepts what is pending: blocking while no connection waits, so an
/// idle preview uses no CPU. Returns whether anything was accepted.
fn accept_ready(listener: &TcpListener, waiting: &mut VecDeque<Waiting>) -> bool {
    let mut accepted = false;
    let _ = listener.set_nonblocking(!waiting.is_empty());
    for _ in 0..MAX_WAITING_CONNECTIONS {
        match listener.accept() {
            Ok((stream, _)) => {
                accepted = true;
                let _ = listener.set_nonblocking(true);
                if stream.set_nonblocking(true).is_err() {
                    continue;
                }
                if waiting.len() >= MAX_WAITING_CONNECTIONS {
                    waiting.pop_front();
                }
                waiting.push_back(Waiting {
                    stream,
                    header: Vec::new(),
                    since: Instant::now(),
                });
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            // About one connection that is already gone.
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::Interrupted
                        | ErrorKind::ConnectionAborted
                        | ErrorKind::ConnectionReset
                ) => {}
            // Out of file descriptors or memory. Never a reason to stop
            // accepting: closing the older half of the waiting
            // connections (under a flood, mostly the flood's) frees
            // descriptors for the backlog, and the pause lets answered
            // connections close.
            Err(_) => {
                let shed = waiting.len().div_ceil(2);
                waiting.drain(..shed);
                std::thread::sleep(ACCEPT_ERROR_PAUSE);
                break;
            }
        }
    }
    accepted
}

/// Reads once from every waiting connection; hands complete requests to
/// the workers and closes what is done, broken or too slow. Returns
/// whether any connection made progress.
fn read_ready(waiting: &mut VecDeque<Waiting>, workers: &SyncSender<(TcpStream, Request)>) -> bool {
    let mut progressed = false;
    let mut chunk = [0; 4096];
    let mut i = 0;
    while i < waiting.len() {
        let connection = &mut waiting[i];
        let parsed = match connection.stream.read(&mut chunk) {
            Ok(0) => None,
            Ok(n) => {
                connection.header.extend_from_slice(&chunk[..n]);
                Some(http::parse(&connection.header))
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {
                if connection.since.elapsed() < HEADER_DEADLINE {
                    i += 1;
                    continue;
                }
                Some(Parsed::Bad(408, "the request header took too long\n"))
            }
            Err(_) => None,
        };
        if let Some(Parsed::Incomplete) = parsed {
            progressed = true;
            i += 1;
            continue;
        }
        progressed = true;
        let Some(mut connection) = waiting.remove(i) else {
            break;
        };
        match parsed {
            Some(Parsed::Request(request)) => {
                if let Err(TrySendError::Full((mut stream, _))) =
                    workers.try_send((connection.stream, request))
                {
                    answer_at_once(&mut stream, &busy());
                }
            }
            Some(Parsed::Bad(status, why)) => {
                answer_at_once(&mut connection.stream, &Reply::text(status, why));
            }
            Some(Parsed::Incomplete) | None => {}
        }
    }
    progressed
}

fn busy() -> Reply {
    Reply {
        retry_after: Some(1),
        ..Reply::text(503, "the preview is busy; try again in a second\n")
    }
}

/// A short answer from the accept thread, which must not block: the
/// socket is non-blocking and the reply fits its send buffer, or is lost.
fn answer_at_once(stream: &mut TcpStream, reply: &Reply) {
    let _ = reply.write_to(stream, true);
    let _ = stream.shutdown(Shutdown::Write);
}

fn work(requests: &Mutex<Receiver<(TcpStream, Request)>>, handler: &Handler) {
    loop {
        let next = requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .recv();
        let Ok((stream, request)) = next else {
            return;
        };
        // Even a panic in writing must not cost the preview a worker.
        let _ = super::caught(|| answer(stream, &request, handler));
    }
}

fn answer(mut stream: TcpStream, request: &Request, handler: &Handler) {
    let reply = super::caught(|| handler(request)).unwrap_or_else(|panic| {
        Reply::text(
            500,
            format!("the preview crashed on this request: {panic}\nsee the terminal\n"),
        )
    });
    if stream.set_nonblocking(false).is_err()
        || stream.set_write_timeout(Some(WRITE_TIMEOUT)).is_err()
    {
        return;
    }
    // The browser may have gone away (a reload cancels its poll); there is
    // no one left to tell.
    if reply
        .write_to(&mut stream, request.method != "HEAD")
        .is_err()
    {
        return;
    }
    let _ = stream.shutdown(Shutdown::Write);
    if request.has_more {
        drain(&mut stream);
    }
}

/// Reads what the client still sends, briefly, so closing does not reset
/// the connection before the client has read the response.
fn drain(stream: &mut TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut chunk = [0; 4096];
    for _ in 0..16 {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn get(port: u16, path: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    #[test]
    fn a_handler_that_panics_answers_500_and_the_server_goes_on() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handler: Arc<Handler> = Arc::new(|request: &Request| {
            assert!(request.target != "/boom", "boom");
            Reply::text(200, "fine\n")
        });
        start(listener, handler).unwrap();
        // More panics than workers: none of them may be lost.
        for _ in 0..WORKERS + 2 {
            let crashed = get(port, "/boom");
            assert!(crashed.starts_with("HTTP/1.1 500 "), "{crashed}");
            assert!(crashed.ends_with("crashed on this request: boom\nsee the terminal\n"));
        }
        let fine = get(port, "/");
        assert!(fine.starts_with("HTTP/1.1 200 OK\r\n"), "{fine}");
        assert!(fine.ends_with("\r\n\r\nfine\n"), "{fine}");
    }
}
