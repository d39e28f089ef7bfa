-- issue 12: per victim (pseudonymous subject ref), when she was last referred to MARAC (the acceptance
-- time of the latest marac-referral about her); nothing else. A referral within the previous 12 months
-- (routing.yaml's repeat rule) makes a new one a repeat.
create table marac_referral (
  subject_ref  text        primary key,
  referred_at  timestamptz not null
);

-- why routing chose each recipient: explicit, subscription, case or rule:<name> (null while pending)
alter table delivery add column via text;
