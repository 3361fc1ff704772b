// mimalloc instead of glibc malloc: under load glibc's allocator (malloc, free, consolidation)
// took over a fifth of the server's CPU (perf, docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn give_back_freed_memory() {
    // SAFETY: mi_collect only returns mimalloc's free pages to the OS; it takes no pointers and
    // may be called from any thread.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

fn main() -> std::process::ExitCode {
    anjian_db::user::on_memory_release(give_back_freed_memory);
    anjian_app::cli::main()
}
