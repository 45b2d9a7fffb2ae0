//! A progress line for long commands: after a second, and only when
//! stderr is a terminal, `building… 2.4 s` is redrawn in place until the
//! work ends, then erased. Captured or piped output never gets a byte of it.
//!
//! `ERRORSMITH_PROGRESS_AFTER_MS` changes the one-second delay (the tests
//! use it to see the line on a fast build).

use std::io::{IsTerminal as _, Write as _};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const DELAY: Duration = Duration::from_secs(1);
const REDRAW: Duration = Duration::from_millis(100);

/// Shows the line while it lives; dropping it erases the line.
pub struct Progress {
    stop: Option<(Sender<()>, JoinHandle<()>)>,
}

impl Progress {
    /// `label` is what is going on; nothing is shown unless `enabled` and
    /// stderr is a terminal.
    pub fn start(label: &'static str, enabled: bool) -> Progress {
        if !enabled || !std::io::stderr().is_terminal() {
            return Progress { stop: None };
        }
        let delay = std::env::var("ERRORSMITH_PROGRESS_AFTER_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map_or(DELAY, Duration::from_millis);
        let (sender, receiver) = mpsc::channel::<()>();
        let started = Instant::now();
        let thread = std::thread::spawn(move || {
            if receiver.recv_timeout(delay) != Err(RecvTimeoutError::Timeout) {
                return;
            }
            let mut stderr = std::io::stderr();
            loop {
                let seconds = started.elapsed().as_secs_f64();
                let _ = write!(stderr, "\r{label}\u{2026} {seconds:.1} s");
                let _ = stderr.flush();
                if receiver.recv_timeout(REDRAW) != Err(RecvTimeoutError::Timeout) {
                    break;
                }
            }
            // Back to the line's start and clear it.
            let _ = write!(stderr, "\r\x1b[2K");
            let _ = stderr.flush();
        });
        Progress {
            stop: Some((sender, thread)),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some((sender, thread)) = self.stop.take() {
            let _ = sender.send(());
            let _ = thread.join();
        }
    }
}
