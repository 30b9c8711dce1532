//! One gate for every request of a client, whatever the number of threads sharing it:
//! at most so many requests a second, a pause for everyone after a 429, and a stop once
//! Zoom's daily limit is reached.

use core::time::Duration;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use crate::error::{Error, ErrorKind};

/// How a client's requests went, counted over every thread.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Requests sent (retries included).
    pub requests: u64,
    /// Pages received.
    pub pages: u64,
    /// Answers of HTTP 429 (rate limited), each of which paused every thread.
    pub rate_limited: u64,
}

#[derive(Debug)]
struct State {
    /// The earliest time the next request may go.
    next: Instant,
    /// No request before this (a 429 asked for it).
    paused_until: Instant,
    /// Where a sleeper that only records its waits (a test's) would have woken: the
    /// gate's clock never runs behind it. A real sleep never returns early, so this never
    /// passes the real time otherwise.
    slept_until: Instant,
    /// The daily limit met: its reset and the path that met it. No request goes any more.
    stopped: Option<(Option<String>, String)>,
}

#[derive(Debug)]
pub(crate) struct Gate {
    /// The spacing of requests: 1 / rate. `None`: no limit.
    interval: Option<Duration>,
    state: Mutex<State>,
    requests: AtomicU64,
    pages: AtomicU64,
    rate_limited: AtomicU64,
}

impl Gate {
    /// A gate letting `per_second` requests a second through (`None` or a rate that is not
    /// a positive number: no limit). A rate below one request an hour is one an hour: an
    /// interval of any size could overflow the clock.
    pub(crate) fn new(per_second: Option<f64>) -> Gate {
        const LONGEST: Duration = Duration::from_secs(3600);
        let interval = per_second
            .filter(|r| r.is_finite() && *r > 0.0)
            .map(|r| Duration::try_from_secs_f64(1.0 / r).map_or(LONGEST, |d| d.min(LONGEST)));
        let now = Instant::now();
        Gate {
            interval,
            state: Mutex::new(State {
                next: now,
                paused_until: now,
                slept_until: now,
                stopped: None,
            }),
            requests: AtomicU64::new(0),
            pages: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
        }
    }

    /// Waits (with `sleep`) for this request's turn: after the previous one by the
    /// interval, and after any pause.
    ///
    /// # Errors
    /// [`ErrorKind::DailyLimit`] once [`stop`](Self::stop) was called, also while this
    /// request waited.
    pub(crate) fn admit(&self, sleep: fn(Duration)) -> Result<(), Error> {
        let (at, wait) = {
            let mut state = self.lock()?;
            let now = Instant::now().max(state.slept_until);
            let at = now.max(state.next).max(state.paused_until);
            // The next request goes after this one, and after any pause this one honours.
            state.next = at + self.interval.unwrap_or_default();
            (at, at - now)
        };
        if !wait.is_zero() {
            sleep(wait);
        }
        // Checked after the wait: a daily limit met meanwhile stops this request too.
        let mut state = self.lock()?;
        if Instant::now() < at {
            state.slept_until = state.slept_until.max(at);
        }
        drop(state);
        self.requests.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Every thread waits `after` from now before its next request (a 429).
    pub(crate) fn pause(&self, after: Duration) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut state) = self.state.lock() {
            let until = Instant::now().max(state.slept_until) + after;
            state.paused_until = state.paused_until.max(until);
        }
    }

    /// No request goes any more: the daily limit was met at `path`, resetting at `reset`.
    pub(crate) fn stop(&self, reset: Option<String>, path: String) {
        if let Ok(mut state) = self.state.lock() {
            state.stopped.get_or_insert((reset, path));
        }
    }

    pub(crate) fn count_page(&self) {
        self.pages.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn counters(&self) -> Counters {
        Counters {
            requests: self.requests.load(Ordering::Relaxed),
            pages: self.pages.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
        }
    }

    /// The state, unless the gate was stopped.
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, State>, Error> {
        let state = self.state.lock().map_err(|_| {
            Error::from(ErrorKind::Transport {
                message: "a thread failed while holding the request gate".to_owned(),
            })
        })?;
        match &state.stopped {
            Some((reset, path)) => Err(ErrorKind::DailyLimit {
                reset: reset.clone(),
                path: path.clone(),
            }
            .into()),
            None => Ok(state),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_sleep(_: Duration) {}

    #[test]
    fn requests_are_spaced_and_a_stop_is_final() {
        let gate = Gate::new(Some(10.0));
        assert!(gate.admit(no_sleep).is_ok());
        assert!(gate.admit(no_sleep).is_ok());
        {
            let state = gate.state.lock().expect("lock");
            // Two requests reserved: the third may go 200 ms after the first.
            assert!(state.next >= state.paused_until + Duration::from_millis(150));
        }
        gate.pause(Duration::from_secs(3));
        gate.stop(
            Some("2020-05-31T00:00:00Z".into()),
            "/v2/metrics/meetings".into(),
        );
        let error = gate.admit(no_sleep).expect_err("stopped");
        assert!(
            matches!(error.kind(), ErrorKind::DailyLimit { reset: Some(r), .. } if r.starts_with("2020")),
            "{error}"
        );
        assert_eq!(
            gate.counters(),
            Counters {
                requests: 2,
                pages: 0,
                rate_limited: 1
            }
        );
    }
}
