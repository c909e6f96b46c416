//! The `nimara` binary: parse the command line, hand over to the library.

fn main() -> std::process::ExitCode {
    nimara::cli::main()
}
