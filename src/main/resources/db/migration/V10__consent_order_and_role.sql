-- Consent changes take effect in the order the hub accepts them (the commit of their receipt), on every
-- instance: a database sequence, taken under the subject's row lock, numbers them. The role the first
-- accepted change gave the subject is kept, so a later change cannot re-label a victim or a child.
create sequence consent_seq;
alter table consent add column seq bigint;
alter table consent add column subject_role text;
alter table consent_history add column seq bigint;
alter table consent_history add column subject_role text;
