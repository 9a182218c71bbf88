//! The OpenAPI documents against real traffic: `stack/tests/openapi/journey.py` registers, logs in,
//! verifies, quotes, applies, is paid out through the admin API and repays, with errors on the way,
//! and checks every request and response against the `/openapi.json` each port serves (jsonschema
//! from PyPI). `TEST_PYTHON` names a Python with `jsonschema` and `pycryptodome` (`.ci/run` sets
//! it, so CI never skips); without one, and without them in `python3`, the test says so and passes.

use std::path::PathBuf;
use std::process::Command;

use crate::e2e;

fn python() -> Option<String> {
    if let Ok(python) = std::env::var("TEST_PYTHON") {
        return Some(python);
    }
    Command::new("python3")
        .args(["-c", "import jsonschema, referencing, Crypto"])
        .output()
        .is_ok_and(|o| o.status.success())
        .then(|| "python3".to_owned())
}

e2e!(every_exchange_of_an_app_journey_matches_the_openapi_documents(app) {
    let Some(python) = python() else {
        eprintln!("no Python with jsonschema and pycryptodome: the OpenAPI traffic test is skipped (set TEST_PYTHON)");
        return;
    };
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/openapi/journey.py");
    let output = Command::new(&python)
        .arg(script)
        .env("API_URL", app.url(""))
        .env("ADMIN_URL", &app.admin)
        .env("ADMIN_TOKEN", &app.admin_token)
        .env("SMS_SPOOL_DIR", app.config.sms_spool_dir())
        .output()
        .expect("python runs");
    let (out, err) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the documents do not match the traffic:\n{out}\n{err}");
    eprintln!("{out}");
});
