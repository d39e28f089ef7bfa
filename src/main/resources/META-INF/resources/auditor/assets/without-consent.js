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

  document.addEventListener("DOMContentLoaded", () => {
    $("range").addEventListener("submit", (ev) => {
      ev.preventDefault();
      range = { from: Console.londonToUtc($("from").value), to: Console.londonToUtc($("to").value) };
      load(null, false);
    });
    $("more").addEventListener("click", () => { load($("more").dataset.after, true); });
    load(null, false);
  });
})();
