"""Perceived chat latency in a real browser: RO Tracker against a bare Chainlit app, same run.

Debian's Chromium, driven by Playwright, opens N pages (each its own browser context and
signed-in user) against `gt serve` on the embedded default with demo data (offline model), then
against the bare Chainlit app of bench/bare_chainlit.py. Each page sends M "RO <number>" lookups
(numbers from `gt ro list --json`), one after the other; the pages run at once. A turn is
timed in the page (performance.now() and a MutationObserver, not Python polling):

- first: from pressing Enter to the first visible assistant content of the turn (a step or a
  message after the turn's own user message, with text);
- final: from pressing Enter to the last change of that content, once the page is done with
  the turn (an assistant message with the RO number shown, Chainlit's stop button gone, and
  nothing changing for a while).

    python -m bench.chat_browser [--sessions 1 20] [--turns 10]

The client (Chromium's renderers) runs on the same cores as the servers: at 20 pages its own
work is in the figures, for both apps alike.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid

from bench.chat import PASSWORD, pct, serve, stop
from bench.common import PROJECT_DIR, checkout_env, emit

CHROMIUM = os.environ.get("GT_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TURN_TIMEOUT_MS = 120_000  # generous: 20 pages and two servers on two cores
QUIET_MS = 800  # a turn is final once its content has not changed for this long


def user(i: int) -> str:
    return f"bench{i}@genthrust.test"


# Installed in every page once; `__benchTurn(text, number)` arms the watch for one turn, the
# keydown listener stamps the Enter, and `__bench` holds the turn's times when it is done.
WATCH = """
() => {
  if (window.__benchTurn) return;
  const isNew = (el, old) => !old.has(el);
  window.__benchTurn = (text, number) => {
    const old = new WeakSet(document.querySelectorAll('[data-step-type]'));
    const state = {text, number, sent: null, first: null, last: null, done: false};
    window.__bench = state;
    const ownUserMessage = () => {
      const users = [...document.querySelectorAll('[data-step-type="user_message"]')]
        .filter(el => isNew(el, old) && el.innerText.includes(text));
      return users.length ? users[users.length - 1] : null;
    };
    const replies = (mine) => [...document.querySelectorAll('[data-step-type]')].filter(el =>
      el.getAttribute('data-step-type') !== 'user_message' && isNew(el, old)
      && (mine.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING)
      && el.innerText.trim() !== '');
    const look = () => {
      if (state.sent === null || state.done) return;
      const now = performance.now();
      const mine = ownUserMessage();
      if (!mine) return;
      const seen = replies(mine);
      if (!seen.length) return;
      if (state.first === null) state.first = now;
      state.last = now;
    };
    const observer = new MutationObserver(look);
    observer.observe(document.body, {childList: true, subtree: true, characterData: true});
    const finish = setInterval(() => {
      if (state.last === null || state.done) return;
      const mine = ownUserMessage();
      const answered = mine && replies(mine).some(el =>
        el.getAttribute('data-step-type') === 'assistant_message'
        && el.innerText.includes(number));
      const running = document.querySelector('#stop-button') !== null;
      if (answered && !running && performance.now() - state.last >= QUIET_MS) {
        state.done = true;
        observer.disconnect();
        clearInterval(finish);
      }
    }, 50);
  };
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && event.target.id === 'chat-input' && window.__bench
        && window.__bench.sent === null) {
      window.__bench.sent = performance.now();
    }
  }, true);
}
""".replace("QUIET_MS", str(QUIET_MS))


def gt(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=PROJECT_DIR,
        env=checkout_env(env),
        check=True,
        capture_output=True,
        text=True,
        timeout=180,
    )
    return done.stdout


async def sign_in(browser, url: str, email: str):
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(TURN_TIMEOUT_MS)
    await page.goto(url)
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.locator("#chat-input").wait_for()
    await page.evaluate(WATCH)
    return context, page


async def turn(page, text: str, number: str, retry: bool) -> tuple[float, float]:
    """One turn: arm the watch, type, press Enter; the page's (first, final) in ms. `retry`
    presses Enter again while the input keeps the text (right after sign-in the socket may
    still be connecting): only for the unmeasured warm-up turn."""
    await page.evaluate("([t, n]) => window.__benchTurn(t, n)", [text, number])
    box = page.locator("#chat-input")
    await box.fill(text)
    for _ in range(30 if retry else 1):
        await box.press("Enter")
        try:  # a measured turn waits as long as it takes: a loaded machine is slow, not wrong
            await page.wait_for_function(
                "() => document.querySelector('#chat-input').value === ''",
                timeout=2000 if retry else TURN_TIMEOUT_MS,
            )
            break
        except Exception:
            await page.evaluate("() => { window.__bench.sent = null; }")
    else:
        if retry:
            raise RuntimeError(f"the chat never took {text!r}")
    await page.wait_for_function("() => window.__bench.done", timeout=TURN_TIMEOUT_MS)
    state = await page.evaluate("() => window.__bench")
    return state["first"] - state["sent"], state["last"] - state["sent"]


async def session(browser, url: str, index: int, numbers: list[str]) -> dict:
    context, page = await sign_in(browser, url, user(index))
    first, final, errors, reasons = [], [], 0, []
    try:
        await turn(page, f"RO {numbers[0]}", numbers[0], retry=True)  # warm up, connect
        for number in numbers[1:]:
            try:
                f, z = await turn(page, f"RO {number}", number, retry=False)
                first.append(f)
                final.append(z)
            except Exception as error:
                errors += 1
                reasons.append(f"{type(error).__name__}: {str(error).splitlines()[0][:160]}")
    finally:
        await context.close()
    return {"first": first, "final": final, "errors": errors, "reasons": reasons}


async def load(url: str, sessions: int, turns: int, numbers: list[str]) -> dict:
    from playwright.async_api import async_playwright

    plans = [
        [numbers[(i * 7 + j) % len(numbers)] for j in range(turns + 1)] for i in range(sessions)
    ]
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=shutil.which(CHROMIUM) or CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            results = await asyncio.gather(
                *(session(browser, url, i, plans[i]) for i in range(sessions)),
                return_exceptions=True,
            )
        finally:
            await browser.close()
    done = [r for r in results if isinstance(r, dict)]
    first = [t for r in done for t in r["first"]]
    final = [t for r in done for t in r["final"]]
    failed = [repr(r) for r in results if not isinstance(r, dict)]
    return {
        "first_p50_ms": pct(first, 0.5) if first else None,
        "first_p95_ms": pct(first, 0.95) if first else None,
        "final_p50_ms": pct(final, 0.5) if final else None,
        "final_p95_ms": pct(final, 0.95) if final else None,
        "turns": len(final),
        "errors": sum(r["errors"] for r in done) + len(failed) * turns,
        "failed_sessions": failed[:3],
        "error_examples": sorted({x for r in done for x in r["reasons"]})[:3],
    }


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 1) if a is not None and b else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 20])
    parser.add_argument("--turns", type=int, default=10)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="gt-bench-browser-")
    bare_dir = tempfile.mkdtemp(prefix="gt-bench-bare-")  # Chainlit writes .chainlit/ here
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "ANTHROPIC_API_KEY", "GT_CLI_USER"}
    }
    env |= {"GT_VAR_DIR": folder, "GT_CHAT_RATE_PER_MIN": "10000", "GT_NEW_USER_PASSWORD": PASSWORD}
    results: dict[str, dict] = {}
    try:
        gt(env, "demo", "seed")
        for i in range(max(args.sessions)):
            gt(env, "users", "add", user(i), "--role", "viewer")
        listed = json.loads(gt(env, "ro", "list", "--limit", "100", "--json"))
        numbers = [str(item["number"]) for item in listed["items"]]
        apps = {
            "ro_tracker": ([sys.executable, "-m", "cli", "serve"], env, PROJECT_DIR),
            "bare_chainlit": (
                [sys.executable, "-m", "chainlit", "run",
                 str(PROJECT_DIR / "bench" / "bare_chainlit.py"), "--headless"],
                env | {"CHAINLIT_AUTH_SECRET": "bench-" + uuid.uuid4().hex},
                bare_dir,
            ),
        }  # fmt: skip
        for name, (command, app_env, cwd) in apps.items():
            server, url = serve(command, app_env, cwd)
            try:
                for n in args.sessions:
                    results[f"{name}_{n}"] = asyncio.run(load(url, n, args.turns, numbers))
            finally:
                stop(server)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(bare_dir, ignore_errors=True)

    summary: dict = {
        "benchmark": "chat_browser",
        "turns_per_session": args.turns,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    for n in args.sessions:
        ours, bare = results[f"ro_tracker_{n}"], results[f"bare_chainlit_{n}"]
        for label, m in (("RO Tracker", ours), ("bare Chainlit", bare)):
            print(
                f"{label}, {n} sessions x {args.turns} RO lookups: first visible p50 "
                f"{m['first_p50_ms']} ms, p95 {m['first_p95_ms']} ms; final p50 "
                f"{m['final_p50_ms']} ms, p95 {m['final_p95_ms']} ms; errors {m['errors']}"
            )
        summary[f"sessions_{n}"] = {
            "ui": ours,
            "bare_chainlit": bare,
            "ratio_first_p95": ratio(ours["first_p95_ms"], bare["first_p95_ms"]),
            "ratio_final_p50": ratio(ours["final_p50_ms"], bare["final_p50_ms"]),
            "ratio_final_p95": ratio(ours["final_p95_ms"], bare["final_p95_ms"]),
        }
    top = summary.get("sessions_20", {}).get("ui")
    summary["goal"] = {"first_p95_ms_at_20_sessions": 200}
    summary["goal_met"] = (
        top is not None
        and top["first_p95_ms"] is not None
        and top["first_p95_ms"] <= 200
        and top["errors"] == 0
    )
    emit(summary)


if __name__ == "__main__":
    main()
