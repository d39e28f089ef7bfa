-- How far the hub has counted an agency's Kafka reads as fetches: every copy of its delivery topic
-- before next_offset that one of its consumer groups (named "<agency>.") has committed past.
create table kafka_fetch_offset (
  agency_id   text   primary key,
  next_offset bigint not null
);
