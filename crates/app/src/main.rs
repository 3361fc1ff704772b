// mimalloc instead of glibc malloc: under load glibc's allocator (malloc, free, consolidation)
// took over a fifth of the server's CPU (perf, docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn give_back_freed_memory() {
    // SAFETY: mi_collect only returns mimalloc's free pages to the OS; it takes no pointers and
    // may be called from any thread.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

/// Keeps the process off transparent huge pages. With THP the first small allocation of each
/// thread faulted in a 2 MiB page of mimalloc's arena: the idle server held 18.2 MiB of
/// anonymous memory instead of 4.2 MiB (docs/benchmarks.md). mimalloc does the same itself
/// when `MIMALLOC_ALLOW_THP=0` is in the environment, but it reads that option when the
/// allocator starts, before `main` could set it.
#[cfg(target_os = "linux")]
fn keep_off_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE only sets a flag on this process; it takes no pointers.
    let rc = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    if rc != 0 {
        // Not fatal: the server runs the same, only with more memory on THP kernels.
        eprintln!("anjian: could not turn transparent huge pages off (prctl: {rc})");
    }
}

#[cfg(not(target_os = "linux"))]
fn keep_off_huge_pages() {}

fn main() -> std::process::ExitCode {
    keep_off_huge_pages();
    anjian_db::user::on_memory_release(give_back_freed_memory);
    anjian_app::cli::main()
}
