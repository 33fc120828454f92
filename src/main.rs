use std::process::ExitCode;

/// mimalloc: ingest allocates many small strings on the reader thread and frees them on the
/// writer thread, where glibc's allocator spends a tenth of the run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    rolecall::cli::main()
}
