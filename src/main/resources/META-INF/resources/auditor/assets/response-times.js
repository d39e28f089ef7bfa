// Safehub audit console: response times, one table per agency (what GET /api/v1/audit/response-times gives).
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);

  /** Seconds as a person reads them: "45 s", "10 min", "1 h 30 min", "2 d 3 h"; "none acknowledged" when absent. */
  function human(seconds) {
    if (seconds == null) { return "none acknowledged"; }
    let s = Math.round(seconds);
    if (s < 60) { return s + " s"; }
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    const parts = [];
    if (d) { parts.push(d + " d"); }
    if (h) { parts.push(h + " h"); }
    if (m && !d) { parts.push(m + " min"); }
    if (s && !d && !h) { parts.push(s + " s"); }
    return parts.join(" ");
  }

  function header(row, text) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = text;
    row.appendChild(th);
  }

  function duration(row, seconds) {
    const td = Console.cell(row, human(seconds));
    if (seconds != null) { td.title = seconds + " seconds"; }
    td.dataset.seconds = seconds == null ? "" : String(seconds);
  }

  function table(agency, rows, report) {
    const wrap = document.createElement("div");
    wrap.className = "table-wrap";
    wrap.tabIndex = 0;
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", "Response times of " + agency + " (scrolls sideways)");
    const t = document.createElement("table");
    t.className = "rt";
    t.dataset.agency = agency;
    const cap = document.createElement("caption");
    cap.append("Agency " + agency + ": copies due from ", Console.time(report.from), " to ", Console.time(report.to));
    t.appendChild(cap);
    const head = document.createElement("tr");
    ["Message type", "Due", "Acknowledged in time", "Acknowledged late", "Still overdue",
      "Median time to acknowledge", "90th percentile time to acknowledge"].forEach(h => header(head, h));
    t.createTHead().appendChild(head);
    const body = t.createTBody();
    for (const r of rows) {
      const tr = document.createElement("tr");
      tr.dataset.type = r.type;
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = r.type;
      tr.appendChild(th);
      Console.cell(tr, r.due).className = "due";
      Console.cell(tr, r.acknowledgedInTime).className = "in-time";
      Console.cell(tr, r.acknowledgedLate).className = "late";
      Console.cell(tr, r.overdue).className = "overdue";
      duration(tr, r.medianSecondsToAcknowledge);
      tr.lastChild.className = "median";
      duration(tr, r.p90SecondsToAcknowledge);
      tr.lastChild.className = "p90";
      body.appendChild(tr);
    }
    wrap.appendChild(t);
    return wrap;
  }

  async function load(q) {
    const status = $("rt-status");
    const out = $("rt-tables");
    status.textContent = "Loading…";
    try {
      const p = new URLSearchParams();
      Object.entries(q).forEach(([k, v]) => { if (v) { p.set(k, v); } });
      const report = await Console.get("/auditor/api/response-times?" + p);
      out.textContent = "";
      const byAgency = new Map();
      for (const r of report.agencies) {
        if (!byAgency.has(r.agency)) { byAgency.set(r.agency, []); }
        byAgency.get(r.agency).push(r);
      }
      for (const [agency, rows] of byAgency) { out.appendChild(table(agency, rows, report)); }
      status.textContent = byAgency.size === 0
        ? "No copy had a deadline in this period."
        : byAgency.size + (byAgency.size === 1 ? " agency" : " agencies") + " shown; overdue as of " + Console.time(report.asOf).textContent + ".";
    } catch (e) {
      out.textContent = "";
      status.textContent = "Could not load: " + e.message;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("rt-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      load({
        from: Console.londonToUtc($("from").value),
        to: Console.londonToUtc($("to").value),
        agency: $("agency").value.trim(),
        type: $("type").value.trim()
      });
    });
    load({});
  });
})();
