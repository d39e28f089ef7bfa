// Safehub audit console: verification in the browser with WebCrypto (ECDSA P-256 / SHA-256, SHA-256
// Merkle hashes as RFC 9162 with 0x00 leaf and 0x01 node prefixes). Nothing here trusts the hub's
// own word that something verified: the key is pinned in this browser on first use, the signature
// and every hash are computed here.
"use strict";
(function () {
  const PIN = "safehub.audit.pinnedKey.v1";
  const enc = new TextEncoder();

  const hex = (bytes) => Array.from(new Uint8Array(bytes), b => b.toString(16).padStart(2, "0")).join("");
  function unhex(h) {
    if (!/^([0-9a-f]{2})*$/.test(h)) { throw new Error("not hex"); }
    const out = new Uint8Array(h.length / 2);
    for (let i = 0; i < out.length; i++) { out[i] = parseInt(h.substr(2 * i, 2), 16); }
    return out;
  }
  const b64 = (s) => Uint8Array.from(atob(s), c => c.charCodeAt(0));
  function toB64(bytes) { let s = ""; new Uint8Array(bytes).forEach(b => { s += String.fromCharCode(b); }); return btoa(s); }
  const pemToDer = (pem) => b64(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""));
  const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let i = 0; parts.forEach(p => { out.set(p, i); i += p.length; });
    return out;
  }
  const equal = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

  // WebCrypto wants an ECDSA signature as r || s (32 bytes each); the hub signs DER.
  function derToRaw(der) {
    if (der[0] !== 0x30) { throw new Error("signature is not DER"); }
    let i = (der[1] & 0x80) ? 2 + (der[1] & 0x7f) : 2;
    const out = new Uint8Array(64);
    for (let k = 0; k < 2; k++) {
      if (der[i++] !== 0x02) { throw new Error("signature is not DER"); }
      const len = der[i++];
      let v = der.slice(i, i + len); i += len;
      while (v.length > 32 && v[0] === 0) { v = v.slice(1); }
      if (v.length > 32) { throw new Error("signature integer too long"); }
      out.set(v, 32 * (k + 1) - v.length);
    }
    return out;
  }

  async function importSpki(spki) {
    return crypto.subtle.importKey("spki", spki, { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]);
  }
  /** As the hub's keyId: hex of the first 16 bytes of SHA-256 over the uncompressed point. */
  async function fingerprint(key) {
    const raw = new Uint8Array(await crypto.subtle.exportKey("raw", key));
    return hex((await sha256(raw)).slice(0, 16));
  }
  const groups = (fp) => fp.match(/.{1,4}/g).join(" ");

  function pinned() {
    try { return JSON.parse(localStorage.getItem(PIN)); } catch (e) { return null; }
  }

  /** The key to verify with: the pinned one; pins the served key on first use. */
  async function trustedKey(state) {
    const servedSpki = pemToDer(await Console.get("/auditor/api/public-key", "text"));
    const served = await importSpki(servedSpki);
    const servedFp = await fingerprint(served);
    let pin = pinned();
    if (!pin) {
      pin = { fingerprint: servedFp, spki: toB64(servedSpki), pinnedAt: new Date().toISOString() };
      localStorage.setItem(PIN, JSON.stringify(pin));
      state.notes.push("This browser had no audit key pinned: it has now pinned the hub's key with fingerprint " + groups(servedFp) + ". Compare that fingerprint with the one your organisation published; from now on a different key is reported.");
    }
    showPin(pin.fingerprint);
    const key = await importSpki(b64(pin.spki));
    if (servedFp !== pin.fingerprint) {
      state.keyChanged = servedFp;
      const w = document.getElementById("key-warning");
      w.textContent = "WARNING: the hub now presents a DIFFERENT audit key (fingerprint " + groups(servedFp) + ") from the one pinned in this browser (" + groups(pin.fingerprint) + "). Checkpoints are verified against the pinned key only. Do not trust the new key unless your organisation has announced a key change with that fingerprint.";
      w.hidden = false;
      document.getElementById("repin").hidden = false;
      window.__safehubServedKey = { fingerprint: servedFp, spki: toB64(servedSpki) };
    }
    return { key, fingerprint: pin.fingerprint };
  }

  function showPin(fp) {
    const el = document.getElementById("pinned-fingerprint");
    if (el) { el.textContent = groups(fp); }
  }

  function signedText(cp) {
    return "safehub-audit-checkpoint v1\n" + cp.treeSize + "\n" + toB64(unhex(cp.rootHash)) + "\n" + Date.parse(cp.time) + "\n";
  }

  let verified = null; // the last checkpoint verified here: {treeSize, root (bytes), time}

  async function verifyCheckpoint() {
    const state = { notes: [] };
    const trusted = await trustedKey(state);
    const cp = await Console.get("/auditor/api/checkpoint");
    let ok = false;
    let why = "";
    try {
      if (cp.keyId !== trusted.fingerprint) {
        why = "the checkpoint names key " + cp.keyId + ", not the pinned key";
      }
      const sigOk = await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, trusted.key, derToRaw(b64(cp.signature)), enc.encode(signedText(cp)));
      if (!sigOk) { why = (why ? why + "; " : "") + "its signature does not verify with the pinned key"; }
      ok = sigOk && !why;
    } catch (e) {
      why = "it could not be checked (" + e.message + ")";
    }
    verified = ok ? { treeSize: cp.treeSize, root: unhex(cp.rootHash), time: cp.time } : null;
    return { ok, why, cp, trusted, notes: state.notes, keyChanged: state.keyChanged };
  }

  function report(target, ok, headline, verifiedLines, notVerifiedLines) {
    target.textContent = "";
    const box = document.createElement("div");
    box.className = "result " + (ok ? "ok" : "bad");
    const h = document.createElement("strong");
    h.textContent = (ok ? "✓ VERIFIED: " : "✗ NOT VERIFIED: ") + headline;
    box.appendChild(h);
    const add = (title, lines) => {
      if (!lines.length) { return; }
      const p = document.createElement("p"); p.textContent = title; box.appendChild(p);
      const ul = document.createElement("ul");
      lines.forEach(l => { const li = document.createElement("li"); li.textContent = l; ul.appendChild(li); });
      box.appendChild(ul);
    };
    add("What was checked in this browser:", verifiedLines);
    add("What was not checked:", notVerifiedLines);
    target.appendChild(box);
  }

  async function runVerify() {
    const out = document.getElementById("verify-result");
    out.textContent = "Verifying…";
    try {
      const r = await verifyCheckpoint();
      const cpDesc = "checkpoint of " + r.cp.treeSize + " events, root " + r.cp.rootHash.substring(0, 16) + "…, signed " + r.cp.time;
      const notChecked = [
        "that the pinned key is the hub's genuine key: compare its fingerprint with the one your organisation published",
        "that this log is consistent with checkpoints seen by others (no consistency proof was checked)",
        "events written after this checkpoint (they are covered by the next one)",
        "the content of every event: “Check inclusion” checks one row; the offline verifier checks a whole export"
      ];
      if (r.ok) {
        report(out, true, "the latest " + cpDesc + " is signed by the pinned audit key " + groups(r.trusted.fingerprint) + ".",
          r.notes.concat(["the ECDSA P-256 / SHA-256 signature over the checkpoint's tree size, root hash and time"]), notChecked);
      } else {
        report(out, false, "the latest " + cpDesc + " FAILED verification: " + r.why + ".",
          r.notes.concat(r.keyChanged ? ["the hub presented a different key from the pinned one (see the warning above)"] : []),
          ["nothing about this checkpoint can be relied on; do not trust this log's proofs until this is explained"]);
      }
    } catch (e) {
      report(out, false, "the checkpoint could not be checked: " + e.message, [], ["nothing was verified"]);
    }
  }

  // The event's canonical JSON, exactly as the hub hashed it (AuditEvent.canonicalBytes): fields in
  // a fixed order, absent when empty; a justification stored sealed is hashed only as its seal.
  function jsonString(s) {
    return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, (m, h) => "\\u00" + h.toUpperCase());
  }
  function canonical(e) {
    const parts = [];
    const put = (k, v) => { if (v !== null && v !== undefined) { parts.push(jsonString(k) + ":" + (typeof v === "number" ? String(v) : jsonString(v))); } };
    put("seq", e.seq); put("time", e.time); put("action", e.action);
    ["actorAgency", "actorClient", "messageId", "messageType", "caseRef", "recipient", "legalBasis", "reason"].forEach(k => put(k, e[k]));
    if (e.categories && e.categories.length) { parts.push("\"categories\":[" + e.categories.map(jsonString).join(",") + "]"); }
    const detail = e.detail || {};
    if (!detail.justificationSeal) { put("justification", e.justification); }
    const keys = Object.keys(detail).sort();
    if (keys.length) { parts.push("\"detail\":{" + keys.map(k => jsonString(k) + ":" + jsonString(detail[k])).join(",") + "}"); }
    return "{" + parts.join(",") + "}";
  }

  // RFC 9162 section 2.1.3.2: the root from a leaf hash and its inclusion path.
  async function rootFromPath(index, size, leaf, path) {
    if (index >= size) { return null; }
    let fn = index, sn = size - 1, r = leaf;
    for (const p of path) {
      if (sn === 0) { return null; }
      if ((fn & 1) === 1 || fn === sn) {
        r = await sha256(concat(Uint8Array.of(1), p, r));
        if ((fn & 1) === 0) { while ((fn & 1) === 0 && fn !== 0) { fn >>= 1; sn >>= 1; } }
      } else {
        r = await sha256(concat(Uint8Array.of(1), r, p));
      }
      fn >>= 1; sn >>= 1;
    }
    return sn === 0 ? r : null;
  }

  async function checkInclusion(event, target) {
    target.textContent = "Checking…";
    try {
      if (!verified) {
        const r = await verifyCheckpoint();
        if (!r.ok) {
          report(target, false, "no checkpoint verified (" + r.why + "), so inclusion cannot be shown.", [], ["this event's inclusion"]);
          return;
        }
      }
      if (event.seq >= verified.treeSize) {
        report(target, false, "event " + event.seq + " is newer than the latest verified checkpoint (" + verified.treeSize + " events).", [], ["its inclusion: verify again after the next checkpoint"]);
        return;
      }
      const proof = await Console.get("/auditor/api/events/" + event.seq + "/inclusion?treeSize=" + verified.treeSize);
      const leaf = await sha256(concat(Uint8Array.of(0), enc.encode(canonical(event))));
      const leafMatches = hex(leaf) === proof.leafHash;
      const root = await rootFromPath(event.seq, verified.treeSize, leaf, proof.path.map(unhex));
      const ok = leafMatches && root !== null && equal(root, verified.root);
      if (ok) {
        report(target, true, "event " + event.seq + " as shown is in the signed log.",
          ["its hash, computed here from the fields shown", "the path of " + proof.path.length + " hashes from it to the root of the verified checkpoint (" + verified.treeSize + " events)"],
          ["the justification's text (the log commits to its sealed form only)"]);
      } else {
        report(target, false, "event " + event.seq + " as shown does NOT match the signed log" + (leafMatches ? " (its path does not lead to the signed root)" : " (its fields hash differently from the log's leaf)") + ".", [], ["treat this row as unproven"]);
      }
    } catch (e) {
      report(target, false, "the proof could not be checked: " + e.message, [], ["this event's inclusion"]);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const pin = pinned();
    if (pin) { showPin(pin.fingerprint); }
    const v = document.getElementById("verify");
    if (v) { v.addEventListener("click", () => { runVerify(); }); }
    const repin = document.getElementById("repin");
    if (repin) {
      repin.addEventListener("click", () => {
        const served = window.__safehubServedKey;
        if (served && window.confirm("Trust the new audit key " + groups(served.fingerprint) + " from now on? Only do this if your organisation announced this key.")) {
          localStorage.setItem(PIN, JSON.stringify({ fingerprint: served.fingerprint, spki: served.spki, pinnedAt: new Date().toISOString() }));
          document.getElementById("key-warning").hidden = true;
          repin.hidden = true;
          runVerify();
        }
      });
    }
  });

  window.Verify = { checkInclusion, canonical };
})();
