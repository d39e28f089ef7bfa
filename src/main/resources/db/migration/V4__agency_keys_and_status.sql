-- The agency key directory: each agency's encryption certificates (several may be valid at once, for rotation).
create table agency_certificate (
  agency_id   text        not null,
  key_id      text        not null,
  pem         text        not null,
  not_before  timestamptz not null,
  not_after   timestamptz not null,
  revoked_at  timestamptz,
  added_at    timestamptz not null,
  added_by    text        not null,
  primary key (agency_id, key_id)
);

-- Operator overrides of an agency's status (active / suspended), newest decision per agency.
create table agency_status (
  agency_id   text        primary key,
  status      text        not null check (status in ('active', 'suspended')),
  changed_at  timestamptz not null,
  changed_by  text        not null
);
