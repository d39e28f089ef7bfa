-- issue 13: the clock the hub owns. One row per delivered copy that must be acknowledged, written with
-- its delivery decision. Content-free: ids, type, priority, area and times only.
-- next_at is when the escalator must next look at the copy: its deadline, then each repeat; null once
-- acknowledged, escalated for the last time, or closed (withheld, suspended). escalations counts the
-- escalation rounds done (0: the miss not yet handled). acknowledged_at is by the hub's clock.
create table copy_deadline (
  message_id      uuid        not null,
  recipient       text        not null,
  sender          text        not null,
  message_type    text        not null,
  priority        text        not null,
  area            text        not null,
  case_ref        text        not null,
  accepted_at     timestamptz not null,
  deadline        timestamptz not null,
  next_at         timestamptz,
  escalations     integer     not null default 0,
  missed_at       timestamptz,
  acknowledged_at timestamptz,
  primary key (message_id, recipient)
);
-- the escalator's poll: only rows still to look at are indexed, so an idle poll reads an empty range
create index copy_deadline_due on copy_deadline (next_at) where next_at is not null;
-- the response-time report and metrics: copies due in a period
create index copy_deadline_by_deadline on copy_deadline (deadline, recipient, message_type);
