//! Timings of the targets (issue 3): importing 10,000 rows (preview + confirm) in ≤ 5 s and
//! exporting 100,000 rows in ≤ 10 s. Ignored by default (they load a lot); run in release:
//! `cargo test --release -p anjian-it --test it hazard_excel::perf -- --ignored --nocapture`
//! (and with ANJIAN_TEST_PG_URL for PostgreSQL). Peak memory is measured on the real server by
//! bench/hazards.sh; here the process's VmHWM is printed for orientation only.

use std::time::{Duration, Instant};

use axum::http::StatusCode;

use anjian_db::{Arg, Q};

use super::*;
use crate::hazard::{day, world};

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|v| v.parse().unwrap_or(0)))
        })
        .unwrap_or(0)
}

#[tokio::test]
#[ignore]
async fn import_of_10000_rows() {
    let w = world().await;
    let app = &w.app;
    let officer = login(app, &w.officer).await;
    let unit = w.f.unit_a.id.to_string();
    let rows: Vec<Vec<C>> = (0..10_000)
        .map(|i| {
            let found = day(-(i % 30) - 1);
            row([
                if i % 2 == 0 {
                    "甲库点"
                } else {
                    unit.as_str()
                },
                "3号仓房",
                &format!("第{i}项：配电箱未上锁，线路老化（导入）"),
                "用电安全",
                "一般",
                "",
                &found.to_string(),
                "张三",
                &day(30).to_string(),
                "",
            ])
        })
        .collect();
    let file = workbook(&HEADER, &rows);
    let before = hazard_count(app).await;
    let t = Instant::now();
    let preview = app
        .upload("/hazards/import", &officer, "big.xlsx", &file)
        .await;
    let tp = t.elapsed();
    assert_eq!(preview.status, StatusCode::OK);
    let tok = token(&preview.text());
    let t = Instant::now();
    let res = app
        .post(
            "/hazards/import/confirm",
            &officer,
            &[("token", tok.as_str())],
        )
        .await;
    let tc = t.elapsed();
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(hazard_count(app).await, before + 10_000);
    println!(
        "import 10000 rows ({}): preview {tp:?}, confirm {tc:?}, total {:?}",
        if app.is_postgres() {
            "postgres"
        } else {
            "sqlite"
        },
        tp + tc
    );
    assert!(tp + tc <= Duration::from_secs(5), "≤ 5 s");
}

#[tokio::test]
#[ignore]
async fn export_of_100000_rows() {
    let w = world().await;
    let app = &w.app;
    let now = anjian_db::now();
    // Bulk rows straight into the table: the export is measured, not registration.
    for batch in 0..200 {
        let mut q = Q::new(
            "INSERT INTO hazard (org_id, location, description, category, grade, major_criterion, found_on, \
             found_by, status, immediate, deadline, original_deadline, row_version, created_at, updated_at) VALUES ",
        );
        for i in 0..500 {
            let n = batch * 500 + i;
            if i > 0 {
                q.push(", ");
            }
            q.push("(").push_arg(w.f.site_a.id);
            q.push(", ").push_arg(Arg::Text(Some("3号仓房".into())));
            q.push(", ")
                .push_arg(format!("第{n}项：配电箱未上锁，线路老化，消防通道堆放杂物"));
            q.push(", '用电安全', 'general', '', ")
                .push_arg(day(-(n % 300) - 1));
            q.push(", '张三', 'pending', ").push_arg(false);
            q.push(", ").push_arg(day((n % 60) - 30));
            q.push(", ").push_arg(day((n % 60) - 30));
            q.push(", 1, ").push_arg(now);
            q.push(", ").push_arg(now);
            q.push(")");
        }
        app.db.execute(&q).await.unwrap();
    }
    let officer = login(app, &w.officer).await;
    let hwm = vm_hwm_kib();
    let t = Instant::now();
    let res = app.get("/hazards/export", &officer).await;
    let te = t.elapsed();
    assert_eq!(res.status, StatusCode::OK);
    let s = sheet(&res.body);
    assert_eq!(s.height(), 3 + 100_000);
    println!(
        "export 100000 rows ({}): {te:?}, {} KiB, VmHWM {} → {} KiB (test process, file read back in memory)",
        if app.is_postgres() { "postgres" } else { "sqlite" },
        res.body.len() / 1024,
        hwm,
        vm_hwm_kib()
    );
    assert!(te <= Duration::from_secs(10), "≤ 10 s");
}
