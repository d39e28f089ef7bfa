-- Consent registry: the current consent of each pseudonymous subject, and every change to it.
create table consent (
  subject_ref         text        primary key,
  status              text        not null check (status in ('granted', 'withdrawn')),
  agency_types        text[]      not null default '{}',
  message_types       text[]      not null default '{}',   -- empty: every message type
  recorded_by_agency  text        not null,
  recorded_by_message uuid        not null,
  recorded_at         timestamptz not null,
  updated_at          timestamptz not null
);

create table consent_history (
  id                  bigserial   primary key,
  subject_ref         text        not null,
  change              text        not null check (change in ('granted', 'narrowed', 'withdrawn')),
  agency_types        text[]      not null default '{}',
  message_types       text[]      not null default '{}',
  recorded_by_agency  text        not null,
  recorded_by_message uuid        not null,
  recorded_at         timestamptz not null,
  applied_at          timestamptz not null,
  unique (recorded_by_message, subject_ref)
);
create index consent_history_by_subject on consent_history (subject_ref, applied_at);

-- What each receipt relied on, so withdrawals can find earlier consent-based shares.
alter table receipt add column legal_basis text;
alter table receipt add column subject_refs text[];
create index receipt_by_subject on receipt using gin (subject_refs);
