// Safehub audit console: every copy shared without consent, with its justification.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  let range = {};

  async function load(after, append) {
    const status = $("swc-status");
    const body = $("shared").querySelector("tbody");
    status.textContent = "Loading…";
    try {
      const p = new URLSearchParams({ limit: "100" });
      if (range.from) { p.set("from", range.from); }
      if (range.to) { p.set("to", range.to); }
      if (after != null) { p.set("after", after); }
      const page = await Console.get("/auditor/api/shared-without-consent?" + p);
      if (!append) { body.textContent = ""; }
      for (const e of page.events) {
        const row = document.createElement("tr");
        Console.cell(row, e.seq);
        Console.cell(row, Console.time(e.time));
        Console.cell(row, e.actorAgency);
        Console.cell(row, e.recipient);
        Console.cell(row, e.messageType);
        Console.cell(row, e.caseRef);
        Console.cell(row, e.legalBasis);
        Console.cell(row, e.justification || "(no justification readable: the audit key that sealed it is gone)").className = "just";
        body.appendChild(row);
      }
      const shown = body.querySelectorAll("tr").length;
      status.textContent = shown === 0 ? "No copy was shared without consent in this range." : shown + " copies shown" + (page.nextAfter != null ? "; more are available." : ".");
      $("more").hidden = page.nextAfter == null;
      $("more").dataset.after = page.nextAfter == null ? "" : page.nextAfter;
    } catch (e) {
      status.textContent = "Could not load: " + e.message;
    }
  }

  // The response-time panel: shown only if the hub serves it; nothing is invented otherwise.
  async function responseTimes() {
    let data;
    try {
      data = await Console.get("/auditor/api/response-times");
    } catch (e) {
      return; // absent (404) or refused: the panel stays hidden
    }
    if (!data) { return; }
    const rows = Array.isArray(data) ? data : (data && (data.agencies || data.rows)) || [];
    if (!rows.length || typeof rows[0] !== "object") { return; }
    const cols = Object.keys(rows[0]);
    const head = document.createElement("tr");
    cols.forEach(c => { const th = document.createElement("th"); th.scope = "col"; th.textContent = c; head.appendChild(th); });
    $("rt-table").querySelector("thead").appendChild(head);
    rows.forEach(r => {
      const tr = document.createElement("tr");
      cols.forEach(c => Console.cell(tr, typeof r[c] === "object" ? JSON.stringify(r[c]) : r[c]));
      $("rt-table").querySelector("tbody").appendChild(tr);
    });
    $("response-times").hidden = false;
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("range").addEventListener("submit", (ev) => {
      ev.preventDefault();
      range = { from: Console.londonToUtc($("from").value), to: Console.londonToUtc($("to").value) };
      load(null, false);
    });
    $("more").addEventListener("click", () => { load($("more").dataset.after, true); });
    load(null, false);
    responseTimes();
  });
})();
