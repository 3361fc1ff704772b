//! What the soak measures: every request's latency per route (kept whole, so p99 is exact), the
//! errors with their first messages, and the server's resident set sampled from /proc.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[derive(Default)]
struct Route {
    micros: Vec<u32>,
    errors: u64,
}

#[derive(Default)]
pub struct Stats {
    routes: Mutex<BTreeMap<&'static str, Route>>,
    /// Distinct error messages (status and start of the body) with their counts.
    messages: Mutex<BTreeMap<String, u64>>,
}

impl Stats {
    pub fn ok(&self, route: &'static str, micros: u64) {
        let mut r = self.routes.lock().expect("stats lock");
        r.entry(route)
            .or_default()
            .micros
            .push(micros.min(u64::from(u32::MAX)) as u32);
    }

    pub fn error(&self, route: &'static str, micros: u64, message: String) {
        {
            let mut r = self.routes.lock().expect("stats lock");
            let e = r.entry(route).or_default();
            e.errors += 1;
            e.micros.push(micros.min(u64::from(u32::MAX)) as u32);
        }
        let mut m = self.messages.lock().expect("stats lock");
        if m.len() < 50 || m.contains_key(&message) {
            *m.entry(message).or_default() += 1;
        }
    }

    pub fn errors(&self) -> u64 {
        let r = self.routes.lock().expect("stats lock");
        r.values().map(|x| x.errors).sum()
    }

    pub fn requests(&self) -> u64 {
        let r = self.routes.lock().expect("stats lock");
        r.values().map(|x| x.micros.len() as u64).sum()
    }

    /// Per route and in all: requests, errors, p50, p99, max (ms); writes are the POST routes.
    pub fn summary(&self, seconds: f64) -> Value {
        let r = self.routes.lock().expect("stats lock");
        let mut rows = Vec::new();
        let mut all = Vec::new();
        let (mut reads, mut writes, mut errors) = (0u64, 0u64, 0u64);
        for (name, route) in r.iter() {
            let mut v = route.micros.clone();
            v.sort_unstable();
            all.extend_from_slice(&v);
            if name.starts_with("POST") {
                writes += v.len() as u64;
            } else {
                reads += v.len() as u64;
            }
            errors += route.errors;
            rows.push(json!({
                "route": name,
                "requests": v.len(),
                "errors": route.errors,
                "p50_ms": pct(&v, 50.0),
                "p99_ms": pct(&v, 99.0),
                "max_ms": v.last().map(|m| f64::from(*m) / 1000.0),
            }));
        }
        all.sort_unstable();
        let messages: Vec<Value> = self
            .messages
            .lock()
            .expect("stats lock")
            .iter()
            .map(|(m, n)| json!({"count": n, "message": m}))
            .collect();
        json!({
            "seconds": seconds,
            "requests": all.len(),
            "requests_per_second": all.len() as f64 / seconds.max(0.001),
            "reads": reads,
            "writes": writes,
            "write_share": writes as f64 / (reads + writes).max(1) as f64,
            "errors": errors,
            "p50_ms": pct(&all, 50.0),
            "p99_ms": pct(&all, 99.0),
            "max_ms": all.last().map(|m| f64::from(*m) / 1000.0),
            "routes": rows,
            "error_messages": messages,
        })
    }
}

/// The nearest-rank percentile of sorted microseconds, in milliseconds.
fn pct(sorted: &[u32], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    let i = rank.clamp(1, sorted.len()) - 1;
    Some(f64::from(sorted[i]) / 1000.0)
}

/// VmRSS of a process in KiB, from /proc/PID/status.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Samples the server's RSS every `every` until `until`: (seconds since `start`, KiB).
pub async fn sample_rss(
    pid: u32,
    start: Instant,
    every: Duration,
    until: Instant,
) -> Vec<(f64, u64)> {
    let mut out = Vec::new();
    loop {
        if let Some(k) = rss_kib(pid) {
            out.push((start.elapsed().as_secs_f64(), k));
        }
        let next = Instant::now() + every;
        if next > until {
            break;
        }
        tokio::time::sleep_until(next.into()).await;
    }
    if let Some(k) = rss_kib(pid) {
        out.push((start.elapsed().as_secs_f64(), k));
    }
    out
}

/// Growth after warm-up, robust to a passing peak: the baseline is the mean of the first three
/// samples from `warmup` seconds on, the end the mean of the last three, growth (end − baseline) /
/// baseline. A leak shows as a sustained rise; a single busy moment (a large page being rendered
/// when the sample is taken) does not. Returns (baseline, max, end, growth); None with fewer than
/// two samples after the warm-up.
pub fn rss_growth(samples: &[(f64, u64)], warmup: f64) -> Option<(u64, u64, u64, f64)> {
    let i = samples.iter().position(|(t, _)| *t >= warmup)?;
    let after: Vec<u64> = samples[i..].iter().map(|s| s.1).collect();
    if after.len() < 2 {
        return None;
    }
    let k = 3.min(after.len() / 2).max(1);
    let mean = |v: &[u64]| v.iter().sum::<u64>() / v.len() as u64;
    let base = mean(&after[..k]);
    let end = mean(&after[after.len() - k..]);
    let max = after.iter().copied().max().unwrap_or(base);
    Some((base, max, end, (end as f64 - base as f64) / base as f64))
}

#[cfg(test)]
mod tests {
    use super::{pct, rss_growth};

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<u32> = (1..=100).map(|x| x * 1000).collect();
        assert_eq!(pct(&v, 99.0), Some(99.0));
        assert_eq!(pct(&v, 50.0), Some(50.0));
        assert_eq!(pct(&[5000], 99.0), Some(5.0));
        assert_eq!(pct(&[], 99.0), None);
    }

    #[test]
    fn growth_compares_the_ends_after_warm_up_not_a_peak() {
        let s = [
            (0.0, 50),
            (60.0, 200),
            (120.0, 100),
            (130.0, 102),
            (140.0, 98),
            (150.0, 160),
            (160.0, 110),
            (170.0, 112),
            (180.0, 111),
        ];
        let (base, max, end, g) = rss_growth(&s, 120.0).unwrap();
        // Baseline 100 (100, 102, 98), end 111 (110, 112, 111), the 160 peak only in max.
        assert_eq!((base, max, end), (100, 160, 111));
        assert!((g - 0.11).abs() < 1e-9);
        assert_eq!(rss_growth(&s, 175.0), None);
    }
}
