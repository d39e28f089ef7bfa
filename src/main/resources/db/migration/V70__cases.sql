-- issue 12: cases. Hub state keyed by the pseudonymous caseRef: its area, status and member agencies
-- with their role on the case. No personal data: agency ids, codes and times only.
create table hub_case (
  case_ref    text        primary key,
  area        text        not null,
  status      text        not null check (status in ('open', 'closed')),
  opened_at   timestamptz not null,
  updated_at  timestamptz not null
);

create table case_member (
  case_ref  text        not null references hub_case (case_ref),
  agency    text        not null,
  role      text        not null check (role in ('programme', 'partner-support', 'childrens-services', 'mash', 'marac', 'other')),
  added_at  timestamptz not null,
  primary key (case_ref, agency)
);
create index case_member_agency on case_member (agency);

-- Attendance on a case, one row per attendance message (idempotent on a retried batch): the session
-- date and whether it was an unexplained absence (missed, not notified). A row that completed a run of
-- unexplained absences long enough for an attendance-concern notice holds that run (count, first and
-- last session date), so the notice is sent once per run and the same on a retry.
create table case_attendance (
  message_id     uuid        primary key,
  case_ref       text        not null references hub_case (case_ref),
  session_date   date        not null,
  unexplained    boolean     not null,
  seq            bigserial   not null,
  concern_count  integer,
  concern_first  date,
  concern_last   date
);
create index case_attendance_case on case_attendance (case_ref, session_date, seq);
