-- issue 13, exactly once: the escalator's transactional outbox. The escalator's look writes each
-- sealed notice of a round here in the transaction that claims the copy and records the round
-- (DeadlineEscalator); the relay (EscalationRelay) sends the rows in seq order to the delivery
-- topics in one Kafka transaction with a marker of the highest seq sent, and deletes them after.
-- Sealed CMS bytes only (never plaintext); the other columns are ids and codes, nothing personal.
-- topic_prefix names the deployment whose relay sends the row (its safehub.kafka.topic-prefix).
-- Rows are inserted under a transaction-scoped advisory lock, so seq order is commit order.
create table escalation_outbox (
  seq          bigserial   primary key,
  topic_prefix text        not null,
  recipient    text        not null,
  message_id   uuid        not null,
  kind         text        not null,
  format       text        not null,
  sealed       bytea       not null,
  created_at   timestamptz not null default now()
);
create index escalation_outbox_relay on escalation_outbox (topic_prefix, seq);
