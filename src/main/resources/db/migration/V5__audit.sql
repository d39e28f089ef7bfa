-- The audit log (org.safehub.audit.AuditLog): one row per event, append-only, no message content.
-- event_json is the event's canonical JSON exactly as hashed into leaf_hash (RFC 9162 leaf), so it is text,
-- not jsonb (jsonb would reorder keys). The other columns are copies of its fields for the auditor's queries.
create table audit_event (
  seq           bigint      primary key check (seq >= 0),
  time          timestamptz not null,
  action        text        not null,
  actor_agency  text,
  actor_client  text,
  message_id    uuid,
  message_type  text,
  case_ref      text,
  recipient     text,
  legal_basis   text,
  event_json    text        not null,
  leaf_hash     bytea       not null check (length(leaf_hash) = 32)
);
-- Queries filter on one of these and page in seq order (keyset: seq > afterSeq).
create index audit_event_by_case      on audit_event (case_ref, seq);
create index audit_event_by_time      on audit_event (time);
create index audit_event_by_action    on audit_event (action, seq);
create index audit_event_by_actor     on audit_event (actor_agency, seq);
create index audit_event_by_recipient on audit_event (recipient, seq);
create index audit_event_by_basis     on audit_event (legal_basis, seq);
create index audit_event_by_message   on audit_event (message_id);
-- "Everything shared without consent": the predicate matches AuditLog.sharedWithoutConsent word for word.
create index audit_event_without_consent on audit_event (seq)
  where action = 'delivered' and legal_basis is distinct from 'consent';

-- Signed checkpoints: the hub's ECDSA P-256 signature over (tree_size, root_hash, time); see Checkpoint.
create table audit_checkpoint (
  tree_size  bigint      primary key check (tree_size >= 0),
  root_hash  bytea       not null check (length(root_hash) = 32),
  time       timestamptz not null,
  signature  bytea       not null,
  key_id     text        not null
);

-- Append-only: the hub never updates or deletes audit rows, so the database refuses to. (An owner can still
-- drop these triggers; that is what the signed checkpoints and the offline verifier are for.)
create function audit_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'the audit log is append-only: % on % refused', tg_op, tg_table_name;
end
$$;
create trigger audit_event_append_only before update or delete on audit_event
  for each row execute function audit_append_only();
create trigger audit_event_no_truncate before truncate on audit_event
  for each statement execute function audit_append_only();
create trigger audit_checkpoint_append_only before update or delete on audit_checkpoint
  for each row execute function audit_append_only();
create trigger audit_checkpoint_no_truncate before truncate on audit_checkpoint
  for each statement execute function audit_append_only();
