-- Signals the correlation pass has taken into the engine but whose hold has not yet passed are
-- 'queued': the next pass does not load them again, and a restarted engine replays them.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['scada_events', 'kaifa_events', 'onu_events', 'callcenter_tickets'] LOOP
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT ck_%s_state', t, t);
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT ck_%s_state CHECK (correlation_state IN (''pending'', ''queued'', ''correlated'', ''unmatched''))', t, t);
    END LOOP;
END $$;
