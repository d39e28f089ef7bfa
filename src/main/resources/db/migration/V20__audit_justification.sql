-- The written justification of a share without consent, once per message, sealed (AES-256-GCM under the hub's
-- audit key, see org.safehub.crypto.HubKeys): audit_event rows hold only sealed_sha256 (in detail.justificationSeal),
-- so the Merkle leaf commits to the sealed form and the log verifies even after the audit key is destroyed.
create table audit_justification (
  message_id    uuid        primary key,
  sealed        bytea       not null,
  sealed_sha256 bytea       not null unique check (length(sealed_sha256) = 32),
  time          timestamptz not null
);
-- A sealed justification is never rewritten (deleting a row for retention is allowed: the leaf keeps its hash).
create trigger audit_justification_no_update before update on audit_justification
  for each row execute function audit_append_only();
