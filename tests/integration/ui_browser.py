#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# ui_browser.py -- drive Debian's headless Chromium over the DevTools
# protocol on a pipe (--remote-debugging-pipe: no port, no WebDriver, no
# download) and report what the operator's page shows.
#
#   ui_browser.py URL OUT.json [--auth USER:PASS] [--zone DOMAIN] [--screenshot FILE]
#
# Loads URL (the page, /ui/), waits until its script has drawn twice (two
# refreshes without a reload), reads the DOM; with --zone also loads
# URL?zone=DOMAIN. OUT.json: {overview, zone, console[], perf}. console
# holds every console error or warning, uncaught exception and browser
# log entry (failed loads, CSP violations). Exit 0 unless the browser
# could not be driven.
import argparse
import base64
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
         "--remote-debugging-pipe"]

# What the page shows, read from the DOM (stable ids and data attributes).
COLLECT = r"""
(() => {
  const $ = (id) => document.getElementById(id);
  const t = (id) => ($(id) ? $(id).textContent : null);
  const fields = (tr) => { const f = {}; tr.querySelectorAll('[data-field]').forEach((td) => { f[td.dataset.field] = td.textContent; }); return f; };
  const rows = (sel, key) => { const o = {}; document.querySelectorAll(sel).forEach((tr) => { o[tr.dataset[key]] = fields(tr); }); return o; };
  return {
    loaded: Number(document.body.dataset.loaded || 0),
    title: document.title,
    overall: t('overall'), overall_state: $('overall').dataset.state,
    reasons: [...document.querySelectorAll('#reasons li')].map((li) => li.textContent),
    zones: t('zones'), tombstones: t('tombstones'), jobs_dead: t('jobs-dead'), dead_count: t('dead-count'),
    problem: $('problem').hidden ? null : t('problem'),
    backends: rows('#backends tr[data-backend]', 'backend'),
    dead: [...document.querySelectorAll('#dead-jobs tr[data-job]')].map((tr) => Object.assign({ id: tr.dataset.job }, fields(tr))),
    recent: document.querySelectorAll('#recent tr[data-seq]').length,
    recent_served: [...document.querySelectorAll('#recent [data-field=served]')].map((td) => [td.className, td.textContent]),
    latency: [...document.querySelectorAll('#latency [data-latency]')].map((d) => [d.dataset.latency, d.querySelectorAll('rect').length]),
    per_minute_svg: document.querySelectorAll('#per-minute svg').length,
    secondaries_shown: !$('secondaries-box').hidden,
    zone_view: !$('zone-view').hidden,
    zone_name: t('zone-name'), zone_text: t('zone-text'),
    zone_facts: fields($('zone-facts')),
    zone_backends: rows('#zone-backends tr[data-backend]', 'backend'),
    zone_missing: $('zone-missing').hidden ? null : t('zone-missing'),
    body_text: document.body.innerText,
    x: typeof window.__x,
    imgs: document.querySelectorAll('img').length,
    scripts: document.scripts.length,
    inline_handlers: document.querySelectorAll('[onerror],[onload],[onclick]').length,
  };
})()
"""

PERF = r"""
(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const paint = {};
  performance.getEntriesByType('paint').forEach((e) => { paint[e.name] = e.startTime; });
  const res = performance.getEntriesByType('resource').map((e) => ({ name: e.name, type: e.initiatorType, size: e.decodedBodySize, transfer: e.transferSize, start_ms: Math.round(e.startTime), ms: Math.round(e.duration) }));
  return { html: nav.decodedBodySize, html_request_ms: nav.requestStart, html_response_ms: nav.responseEnd, dom_content_loaded_ms: nav.domContentLoadedEventEnd, load_ms: nav.loadEventEnd, paint: paint, resources: res };
})()
"""


class Browser:
    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="dadns-chromium-")
        r, self.to_chrome = os.pipe()
        self.from_chrome, w = os.pipe()
        # Above 4 first, so that moving them to 3 and 4 clobbers neither.
        to_chrome_r = fcntl.fcntl(r, fcntl.F_DUPFD_CLOEXEC, 10)
        from_chrome_w = fcntl.fcntl(w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(r)
        os.close(w)

        def fds():
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if not exe:
            sys.exit("ui_browser: chromium is not installed (make deps)")
        self.log = open(os.path.join(self.profile, "chromium.log"), "w")
        self.proc = subprocess.Popen([exe, *FLAGS, "--user-data-dir=" + self.profile, "about:blank"],
                                     preexec_fn=fds, pass_fds=(3, 4),
                                     stdout=self.log, stderr=self.log)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def close(self):
        try:
            self.send("Browser.close", session=False, wait=False)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def _read(self, deadline):
        while b"\0" not in self.buf:
            if time.time() > deadline:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=True, wait=True, timeout=60):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        if not wait:
            return None
        deadline = time.time() + timeout
        while True:
            m = self._read(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)

    def wait_event(self, method, timeout=60):
        deadline = time.time() + timeout
        while True:
            for i, m in enumerate(self.events):
                if m.get("method") == method:
                    return self.events.pop(i)
            self.events.append(self._read(deadline))

    def evaluate(self, expr):
        r = self.send("Runtime.evaluate", {"expression": expr, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in r:
            raise RuntimeError("evaluate: %s" % r["exceptionDetails"])
        return r["result"].get("value")

    def open_page(self, auth):
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        for m in ("Page.enable", "Runtime.enable", "Log.enable", "Network.enable"):
            self.send(m)
        if auth:
            self.send("Network.setExtraHTTPHeaders",
                      {"headers": {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()}})
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})

    def load(self, url, draws=2, timeout=60):
        self.events = [e for e in self.events if e.get("method") != "Page.loadEventFired"]
        self.send("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired", timeout)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if (self.evaluate("Number(document.body && document.body.dataset.loaded || 0)") or 0) >= draws:
                return True
            time.sleep(0.2)
        return False

    def console(self):
        out = []
        for m in self.events:
            p = m.get("params", {})
            if m["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
                out.append("console.%s: %s" % (p["type"], " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))))
            elif m["method"] == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                out.append("exception: %s %s" % (d.get("text", ""), d.get("exception", {}).get("description", "")))
            elif m["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") in ("error", "warning"):
                e = p["entry"]
                out.append("log.%s: %s %s" % (e["level"], e.get("text", ""), e.get("url", "")))
        return out

    def screenshot(self, path):
        h = int(self.evaluate("Math.min(document.documentElement.scrollHeight, 2400)"))
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": 1280, "height": h, "deviceScaleFactor": 1, "mobile": False})
        time.sleep(0.3)
        png = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(png))
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("out")
    ap.add_argument("--auth")
    ap.add_argument("--zone")
    ap.add_argument("--screenshot")
    a = ap.parse_args()
    b = Browser()
    result = {}
    try:
        b.open_page(a.auth)
        result["overview_drawn"] = b.load(a.url)
        result["overview"] = b.evaluate(COLLECT)
        result["perf"] = b.evaluate(PERF)
        if a.screenshot:
            b.screenshot(a.screenshot)
        if a.zone:
            sep = "&" if "?" in a.url else "?"
            result["zone_drawn"] = b.load(a.url + sep + "zone=" + urllib.parse.quote(a.zone))
            result["zone"] = b.evaluate(COLLECT)
        result["console"] = b.console()
    finally:
        b.close()
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
