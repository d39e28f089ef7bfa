// Safehub audit console: what every console page shares. No inline script anywhere (CSP).
"use strict";
(function () {
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
  const LONDON = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/London", year: "numeric", month: "short", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short"
  });

  /** A GET of the console's own data endpoints (the session cookie authenticates). */
  async function get(path, as) {
    const r = await fetch(path, { headers: { "X-Requested-With": "JavaScript", "Accept": as === "text" ? "*/*" : "application/json" }, credentials: "same-origin" });
    if (r.status === 499 || r.status === 401) {
      throw new Error("Your session has ended: reload the page to sign in again.");
    }
    if (!r.ok) {
      let detail = "";
      try { detail = (await r.json()).detail || ""; } catch (e) { /* not a problem document */ }
      const err = new Error(path.split("?")[0] + " answered " + r.status + (detail ? ": " + detail : ""));
      err.status = r.status;
      throw err;
    }
    return as === "text" ? r.text() : r.json();
  }

  /** A <time> showing Europe/London, with the UTC instant on hover and for machines. */
  function time(iso) {
    const t = document.createElement("time");
    t.dateTime = iso;
    const d = new Date(iso);
    t.textContent = isNaN(d) ? iso : LONDON.format(d);
    t.title = "UTC " + iso;
    return t;
  }

  /** The UTC instant of a datetime-local value read as Europe/London wall-clock time. */
  function londonToUtc(value) {
    if (!value) { return null; }
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
    if (!m) { return null; }
    const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
    let guess = wall;
    for (let i = 0; i < 2; i++) { guess = wall - offset(guess); }
    return new Date(guess).toISOString();
  }
  function offset(utcMillis) {
    const parts = {};
    new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" })
      .formatToParts(new Date(utcMillis)).forEach(p => { parts[p.type] = p.value; });
    const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
    return asUtc - Math.floor(utcMillis / 1000) * 1000;
  }

  function cell(row, content) {
    const td = document.createElement("td");
    if (content instanceof Node) { td.appendChild(content); } else { td.textContent = content == null ? "" : String(content); }
    row.appendChild(td);
    return td;
  }

  async function signOut() {
    const r = await fetch("/auditor/sign-out", { method: "POST", headers: { "X-CSRF-Token": csrf(), "X-Requested-With": "JavaScript" }, credentials: "same-origin" });
    if (r.ok) {
      location.assign((await r.json()).location);
    } else {
      location.assign("/auditor/");
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const b = document.getElementById("sign-out");
    if (b) { b.addEventListener("click", () => { signOut(); }); }
  });

  window.Console = { get, time, londonToUtc, cell };
})();
