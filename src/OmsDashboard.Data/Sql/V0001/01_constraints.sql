-- A topology tree is written in one transaction in any order: the foreign keys inside the
-- network (device tree, transformer → device, customer → transformer/feeder, feeder →
-- substation, assets → customer) are checked at commit, not per row.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT conrelid::regclass AS tbl, conname
          FROM pg_constraint
         WHERE contype = 'f'
           AND conrelid IN ('network_feeders'::regclass, 'network_devices'::regclass,
                            'network_distribution_points'::regclass, 'oms_customers'::regclass,
                            'oms_smart_meters'::regclass, 'oms_onu_devices'::regclass)
    LOOP
        EXECUTE format('ALTER TABLE %s ALTER CONSTRAINT %I DEFERRABLE INITIALLY DEFERRED', r.tbl, r.conname);
    END LOOP;
END $$;

-- Human outage numbers, OUT-YYYYMMDD-NNNN; the number part never repeats.
CREATE SEQUENCE oms_outage_event_number_seq;
