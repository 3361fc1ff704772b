fn main() -> std::process::ExitCode {
    anjian_app::cli::main()
}
