# Schemathesis hooks for tests/integration/api-fuzz.test.ts (loaded through SCHEMATHESIS_HOOKS).
#
# Every request is sent as a signed-in person: the session's cookies and its X-CSRF-Token
# come from the test's session broker (tests/support/fuzz.ts), which makes a fresh account
# of the run's role and signs it in as a browser would. Each operation starts with an
# account of its own, so what one operation does to its account (signing out everywhere,
# restricting processing, a used-up rate limit) never decides how another is answered.
# When an answer says the session is gone or spent (401, 429, or a 403 about the account
# rather than the route), the operation's next request gets a fresh account: the fuzz keeps
# reaching the operation's own code instead of its guards. The 401s and 429s themselves
# are documented answers and are checked like any other.
import json
import os
import random
import threading
import urllib.request

import schemathesis

BROKER = os.environ["CLIPWISE_FUZZ_BROKER"]
ROLE = os.environ["CLIPWISE_FUZZ_ROLE"]
# Error codes that are about the session or the account, not about the request.
RENEW_ON = {
    "unauthenticated",
    "rate_limited",
    "mfa_required",
    "account_inactive",
    "policy_acceptance_required",
    "csrf_failed",
    "email_unverified",
}

_lock = threading.Lock()
_sessions: dict[str, dict] = {}


def _fresh_session() -> dict:
    with urllib.request.urlopen(f"{BROKER}/session?role={ROLE}", timeout=120) as response:
        return json.load(response)


def _session_for(label: str) -> dict:
    with _lock:
        session = _sessions.get(label)
    if session is None:
        session = _fresh_session()
        with _lock:
            _sessions[label] = session
    return session


def _without(headers: dict, names: set) -> dict:
    return {k: v for k, v in headers.items() if k.lower() not in names}


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    session = _session_for(case.operation.label)
    headers = _without(case.headers or {}, {"cookie", "x-csrf-token", "x-forwarded-for"})
    headers["Cookie"] = session["cookie"]
    headers["X-CSRF-Token"] = session["csrfToken"]
    # A client address of its own per request: limits keyed by address (sign-in and sign-up
    # before a session) are not what the fuzz is about.
    headers["X-Forwarded-For"] = "10.%d.%d.%d" % (
        random.randrange(256),
        random.randrange(256),
        random.randrange(1, 255),
    )
    case.headers = headers


@schemathesis.hook
def after_call(ctx, case, response):
    if response.status_code not in (401, 403, 429):
        return
    try:
        code = json.loads(response.content)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return
    if code in RENEW_ON:
        with _lock:
            _sessions.pop(case.operation.label, None)
