"""Schemathesis hooks for fuzzing the app API from its OpenAPI document.

Schemathesis draws each request body from the document; this signs it the way API.md §3 says
(fresh `timestamp` and `nonce`, then `sign`), so generated requests get past the signature and the
replay guard and reach the handlers, and adds the session (FUZZ_SESSION, a logged-in user) to
every call. A custom check fails any answer 99999999: an unexpected error is never an answer.
Environment: FUZZ_SESSION, APP_KEY (default 12345678).
"""

import datetime
import hashlib
import json
import os
import random

import schemathesis

APP_KEY = os.environ.get("APP_KEY", "12345678")
SESSION = os.environ.get("FUZZ_SESSION", "")


def canonical(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


@schemathesis.hook
def before_call(ctx, case, kwargs):
    if case.method.upper() != "POST" or not isinstance(case.body, dict):
        return
    body = {k: v for k, v in case.body.items() if k != "sign"}
    body["timestamp"] = str(int(datetime.datetime.now().timestamp() * 1000))
    body["nonce"] = f"{random.randrange(10**8):08d}"
    # The shared session stays: logging out ends the session the call carries.
    logout = case.path == "/appApi/quitMobileLogin"
    if logout:
        body["sessionId"] = "F" * 32
    text = APP_KEY + body["timestamp"] + body["nonce"] + canonical(body)
    body["sign"] = hashlib.sha1(text.encode("utf-8")).hexdigest()
    case.body = body
    if SESSION and not logout:
        case.headers = dict(case.headers or {}, Authorization="Bearer " + SESSION)


def one_written_form(value):
    """The value with every number given one written form, the same in Python and in the server:
    API.md §3 does not pin how a float's exponent is written nor integers past 64 bits (the apps
    send amounts and rates as strings), so such numbers become ordinary ones."""
    if isinstance(value, dict):
        return {k: one_written_form(v) for k, v in value.items()}
    if isinstance(value, list):
        return [one_written_form(v) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not -(2**63) <= value < 2**64:
        return 12345
    if isinstance(value, float) and ("e" in repr(value) or abs(value) >= 1e15):
        return 1.5
    return value


@schemathesis.hook
def map_body(ctx, body):
    return one_written_form(body)


@schemathesis.check
class SignedCallsGetThrough:
    """Every signed call passed the signature, the time window and the replay guard: otherwise
    the run fuzzed the signature check, not the handlers."""

    def __init__(self):
        self.refused = set()

    def after_response(self, ctx, response, case):
        try:
            code = response.json().get("responseCode")
        except (ValueError, AttributeError):
            return
        if code in ("99990001", "99990002", "99990003"):
            self.refused.add(f"{case.path} {code}")

    def after_run(self, ctx):
        if self.refused:
            raise AssertionError("signed calls refused: " + ", ".join(sorted(self.refused)))


@schemathesis.check
def no_system_error(ctx, response, case):
    try:
        code = response.json().get("responseCode")
    except (ValueError, AttributeError):
        return
    if code == "99999999":
        raise AssertionError("answered 99999999 系统错误")


@schemathesis.hook
def after_call(ctx, case, response):
    if os.environ.get("FUZZ_LOG"):
        with open(os.environ["FUZZ_LOG"], "a") as log:
            try:
                code = response.json().get("responseCode")
            except Exception:
                code = f"HTTP {response.status_code}"
            log.write(f"{case.path} {code}\n")
            if code == "99990001":
                log.write(f"  {response.request.body!r}\n")
