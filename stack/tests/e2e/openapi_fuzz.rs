//! Schema-driven fuzzing of the app API: Schemathesis (PyPI) draws requests from the served
//! `/openapi.json`, `stack/tests/openapi/fuzz_hooks.py` signs them and adds a verified user's
//! session, and every answer must be no HTTP 5xx, never 99999999, valid against the document's
//! schema for it, and within 1 s. Bounded: a fixed number of examples per operation, a fixed seed.
//! `TEST_PYTHON` names a Python with Schemathesis (`.ci/run` sets it); without one the test says so
//! and passes.

use std::path::PathBuf;
use std::process::Command;

use crate::e2e;
use crate::loans::verified_user;

/// Examples drawn per operation.
const EXAMPLES: &str = "30";

fn python() -> Option<String> {
    let python = std::env::var("TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    Command::new(&python)
        .args(["-c", "import schemathesis"])
        .output()
        .is_ok_and(|o| o.status.success())
        .then_some(python)
}

e2e!(generated_requests_get_documented_answers(app) {
    let Some(python) = python() else {
        eprintln!("no Python with Schemathesis: the fuzzing test is skipped (set TEST_PYTHON)");
        return;
    };
    let (_, session) = verified_user(&app).await;
    let hooks = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/openapi");
    let output = Command::new(&python)
        .args(["-m", "schemathesis.cli", "run", &app.url("/openapi.json"), "--url", &app.url("")])
        .args(["--mode", "positive", "--phases", "examples,coverage,fuzzing", "--max-examples", EXAMPLES, "--seed", "20261201"])
        .args(["--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,no_system_error,SignedCallsGetThrough"])
        // No response-time check: how fast a loaded CI machine answers is not the contract. One
        // worker: with two, Hypothesis's source inspection races in Python's `ast` and reports
        // its own "recursion depth mismatch" as an error of the run.
        .args(["--workers", "1", "--no-color", "--warnings", "off"])
        .env("PYTHONPATH", &hooks)
        .env("SCHEMATHESIS_HOOKS", "fuzz_hooks")
        .env("FUZZ_SESSION", &session)
        // Its caches and Hypothesis's database go there, not into the repository.
        .current_dir(std::env::temp_dir())
        .output()
        .expect("schemathesis runs");
    let (out, err) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "fuzzing found answers the document does not allow:\n{out}\n{err}");
    eprintln!("{}", out.lines().rev().take(12).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n"));
});
