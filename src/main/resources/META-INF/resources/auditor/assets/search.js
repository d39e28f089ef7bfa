// Safehub audit console: search, newest first, through the console's own endpoint (same results
// as GET /api/v1/audit/events).
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  let query = null;       // the search's parameters

  function params(before) {
    const p = new URLSearchParams();
    Object.entries(query).forEach(([k, v]) => { if (v) { p.set(k, v); } });
    if (before != null) { p.set("before", before); }
    return p.toString();
  }

  function removedOrWhy(e) {
    const parts = [];
    if (e.reason) { parts.push(e.reason); }
    if (e.categories && e.categories.length) { parts.push("removed: " + e.categories.join(", ")); }
    if (e.justification) { parts.push("justification: " + e.justification); }
    return parts.join("; ");
  }

  async function show(before) {
    const status = $("search-status");
    const body = $("events").querySelector("tbody");
    status.textContent = "Searching…";
    try {
      const page = await Console.get("/auditor/api/events?" + params(before));
      body.textContent = "";
      for (const e of page.events) {
        const row = document.createElement("tr");
        row.dataset.seq = e.seq;
        Console.cell(row, e.seq);
        Console.cell(row, Console.time(e.time));
        Console.cell(row, e.action);
        Console.cell(row, [e.actorAgency, e.actorClient && e.actorClient !== e.actorAgency ? "(" + e.actorClient + ")" : null, e.detail && e.detail.person ? "person: " + e.detail.person : null].filter(Boolean).join(" "));
        Console.cell(row, e.messageType);
        Console.cell(row, e.caseRef);
        Console.cell(row, e.recipient);
        Console.cell(row, e.legalBasis);
        Console.cell(row, removedOrWhy(e)).className = "just";
        const proofCell = Console.cell(row, "");
        const b = document.createElement("button");
        b.type = "button"; b.className = "secondary";
        b.textContent = "Check inclusion";
        b.setAttribute("aria-label", "Check inclusion of event " + e.seq);
        const out = document.createElement("div");
        out.className = "proof"; out.setAttribute("role", "status"); out.setAttribute("aria-live", "polite");
        b.addEventListener("click", () => { Verify.checkInclusion(e, out); });
        proofCell.appendChild(b); proofCell.appendChild(out);
        body.appendChild(row);
      }
      const n = page.events.length;
      status.textContent = n === 0 ? "No events match." : n + " events" + (query.caseRef ? " for case " + query.caseRef : "") + (page.nextAfter != null ? " (older events on the next page)" : "") + ".";
      $("older").hidden = page.nextAfter == null;
      $("older").dataset.before = page.nextAfter == null ? "" : page.nextAfter;
      $("newer").hidden = before == null;
    } catch (e) {
      status.textContent = "The search failed: " + e.message;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("search").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const from = Console.londonToUtc($("from").value);
      const to = Console.londonToUtc($("to").value);
      query = {
        caseRef: $("caseRef").value.trim(), agency: $("agency").value.trim(), action: $("action").value,
        legalBasis: $("legalBasis").value, from, to, limit: $("limit").value
      };
      show(null);
    });
    $("older").addEventListener("click", () => {
      const before = $("older").dataset.before;
      show(before);
    });
    $("newer").addEventListener("click", () => show(null));
  });
})();
