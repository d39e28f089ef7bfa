-- First fetch of each copy by its recipient: recorded once in the audit log, and the owning agency notified once.
create table fetch_log (
  message_id  uuid        not null,
  recipient   text        not null,
  fetched_at  timestamptz not null,
  primary key (message_id, recipient)
);
