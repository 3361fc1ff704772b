//! `serve --demo` loads the demo, prints its accounts and then serves from a fresh image of the
//! program: the same process (pid, stdout), started again as `serve` without `--demo`, so the
//! memory the seeding used is not kept by the server (docs/benchmarks.md, issue 2's idle RSS).

use crate::client::{client, Browser};
use crate::harness::Store;

fn cmdline(pid: u32) -> Vec<String> {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .expect("cmdline of the server")
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

#[tokio::test]
async fn serve_demo_seeds_then_serves_from_a_fresh_image_of_the_same_process() {
    let store = Store::new().await;
    if store.is_postgres() {
        // Re-starting the image does not depend on the backend, and the demo's load is tested on
        // both (tests/it/demo.rs); a debug build seeds PostgreSQL too slowly for this suite.
        return;
    }
    let server = store.spawn_args(&["--demo"], &[]).ready();
    let pid = server.pid().expect("running");
    let args = cmdline(pid);
    assert!(args.iter().any(|a| a == "serve"), "{args:?}");
    assert!(
        !args.iter().any(|a| a == "--demo"),
        "the serving image runs without --demo: {args:?}"
    );
    assert!(
        args.iter().any(|a| a == "127.0.0.1:0"),
        "same arguments otherwise: {args:?}"
    );
    // The accounts printed before the restart are the ones the restarted server knows.
    let password = server
        .printed_password("supervisor")
        .expect("the demo accounts were printed");
    let c = client();
    let mut b = Browser::login(&c, &server.base, "supervisor", &password).await;
    let orgs = b.get(&c, &server.base, "/orgs").await;
    assert_eq!(orgs.status, 200);
    assert!(
        orgs.text().contains("市储备粮管理有限公司"),
        "the demo's organisations are served"
    );
}
