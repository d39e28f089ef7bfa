-- Hashes of complete aligned subtrees of the audit Merkle tree, 2^level leaves from idx * 2^level, for levels
-- 8 and up (org.safehub.audit.TreeStore): roots and proofs read O(log n) rows here, plus at most 255 leaf hashes
-- from audit_event for the levels below, so no hub instance holds the whole tree in memory. Derived from
-- audit_event.leaf_hash (and rebuilt from it if missing); append-only like the log.
create table audit_subtree (
  level smallint not null check (level >= 8 and level < 63),
  idx   bigint   not null check (idx >= 0),
  hash  bytea    not null check (length(hash) = 32),
  primary key (level, idx)
);
create trigger audit_subtree_append_only before update or delete on audit_subtree
  for each row execute function audit_append_only();
create trigger audit_subtree_no_truncate before truncate on audit_subtree
  for each statement execute function audit_append_only();
