-- A topology tree is written in one transaction in any order: the self references of the
-- device tree and the transformer → device link are checked at commit, not per row.
ALTER TABLE network_devices ALTER CONSTRAINT fk_network_devices_parent DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE network_distribution_points ALTER CONSTRAINT fk_network_distribution_points_parent DEFERRABLE INITIALLY DEFERRED;

-- Human outage numbers, OUT-YYYYMMDD-NNNN; the number part never repeats.
CREATE SEQUENCE oms_outage_event_number_seq;
