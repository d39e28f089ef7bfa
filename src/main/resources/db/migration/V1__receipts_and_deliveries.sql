-- Receipts: one row per accepted messageId (the idempotency key). Content-free: a hash, not the message.
create table receipt (
  message_id    uuid primary key,
  sender        text        not null,
  content_hash  bytea       not null,
  message_type  text        not null,
  case_ref      text        not null,
  received_at   timestamptz not null,
  state         text        not null check (state in ('accepting', 'accepted'))
);

-- Per recipient of each message: pending, delivered, acknowledged or withheld (with the reason).
create table delivery (
  message_id    uuid        not null,
  recipient     text        not null,
  state         text        not null check (state in ('pending', 'delivered', 'acknowledged', 'withheld')),
  reason        text,
  updated_at    timestamptz not null,
  primary key (message_id, recipient)
);
create index delivery_by_recipient on delivery (recipient, updated_at);
