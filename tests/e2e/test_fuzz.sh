# The libFuzzer harness on the shared parser and state machine, bounded in
# time (FUZZ_SECONDS, default 60): a crash or a broken invariant fails.
exec "$TOP/tests/fuzz/run" "${FUZZ_SECONDS:-60}"
