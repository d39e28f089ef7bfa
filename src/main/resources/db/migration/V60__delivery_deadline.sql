-- issue 13: each delivered copy's acknowledgement deadline (none when it need not be acknowledged,
-- and none on a withheld copy) and whether its acknowledgement came after it
alter table delivery add column deadline timestamptz;
alter table delivery add column acknowledged_late boolean;
