-- Issue 16: fewer index writes per audit event. Auditors query by case, agency (actor or recipient),
-- action, legal basis and time (AuditQueries); nothing reads audit_event by message_id, yet every
-- event paid for a b-tree insert at a random place in that index (a random UUID), the costliest kind
-- of index write and the one that dirties most pages. The column stays; an index can come back with
-- a query that needs it. AuditLogIT#theAuditTableIsIndexedForTheAuditorsFiltersAndNothingElse.
drop index if exists audit_event_by_message;
