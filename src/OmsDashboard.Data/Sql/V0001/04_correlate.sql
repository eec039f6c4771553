-- The design's correlation, literally: each signal is placed on the map, and joins the nearest
-- active outage whose seed lies within the rule set's radius (ST_DWithin on geography) and
-- whose first detection lies within ± the rule set's window of the signal; otherwise it seeds a
-- new outage. Confidence is the design's weighted average over the outage's sources.
--
-- This is the BASELINE the in-memory correlation engine is measured against (speed and
-- quality), not the product's engine: it knows nothing of the network below the feeder, so it
-- cannot tell two fuse outages apart or find the device that opened. Kept correct and
-- idempotent so the comparison is fair: a signal already correlated is returned as it is.

CREATE FUNCTION oms_classify_severity(p_customers integer, p_confidence numeric, p_hazard boolean)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN p_hazard OR p_customers >= 1000 THEN 'critical'
        WHEN p_customers >= 100 THEN 'high'
        WHEN p_customers >= 10 OR p_confidence >= 0.9 THEN 'medium'
        ELSE 'low'
    END
$$;

CREATE FUNCTION oms_correlate_event(p_source_type text, p_source_event_id text)
RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
    v_signal_type text;
    v_occurred    timestamptz;
    v_received    timestamptz;
    v_state       text;
    v_outage      uuid;
    v_location    geography;
    v_customer    text;
    v_asset       text;
    v_device      text;
    v_device_kind text;
    v_feeder      text;
    v_substation  text;
    v_is_evidence boolean;
    v_rule        oms_correlation_rules%ROWTYPE;
    v_weight      numeric;
    v_confidence  numeric;
    v_customers   integer;
    v_hazard      boolean;
    v_status      text;
    v_new_status  text;
BEGIN
    -- 1. The signal, its place and its asset.
    IF p_source_type = 'kaifa' THEN
        SELECT k.event_type, k.occurred_at, k.received_at, k.correlation_state, k.outage_event_id,
               c.location, c.id, k.meter_id, c.distribution_point_id, c.feeder_id, f.substation_id
          INTO v_signal_type, v_occurred, v_received, v_state, v_outage,
               v_location, v_customer, v_asset, v_device, v_feeder, v_substation
          FROM kaifa_events k
          LEFT JOIN oms_smart_meters m ON m.id = k.meter_id
          LEFT JOIN oms_customers c ON c.id = m.customer_id
          LEFT JOIN network_feeders f ON f.id = c.feeder_id
         WHERE k.event_id = p_source_event_id;
        v_is_evidence := v_signal_type = 'last_gasp';
        v_device_kind := 'transformer';
    ELSIF p_source_type = 'onu' THEN
        SELECT o.event_type, o.occurred_at, o.received_at, o.correlation_state, o.outage_event_id,
               c.location, c.id, o.onu_id, c.distribution_point_id, c.feeder_id, f.substation_id
          INTO v_signal_type, v_occurred, v_received, v_state, v_outage,
               v_location, v_customer, v_asset, v_device, v_feeder, v_substation
          FROM onu_events o
          LEFT JOIN oms_onu_devices d ON d.id = o.onu_id
          LEFT JOIN oms_customers c ON c.id = d.customer_id
          LEFT JOIN network_feeders f ON f.id = c.feeder_id
         WHERE o.event_id = p_source_event_id;
        v_is_evidence := v_signal_type = 'dying_gasp'; -- los is a fiber fault, not a power outage
        v_device_kind := 'transformer';
    ELSIF p_source_type = 'callcenter' THEN
        SELECT t.category, t.occurred_at, t.received_at, t.correlation_state, t.outage_event_id,
               COALESCE(t.location, c.location), c.id, t.account_number, c.distribution_point_id, c.feeder_id, f.substation_id
          INTO v_signal_type, v_occurred, v_received, v_state, v_outage,
               v_location, v_customer, v_asset, v_device, v_feeder, v_substation
          FROM callcenter_tickets t
          LEFT JOIN oms_customers c ON c.account_number = t.account_number
          LEFT JOIN network_feeders f ON f.id = c.feeder_id
         WHERE t.ticket_id = p_source_event_id;
        v_is_evidence := v_signal_type IN ('no_power', 'partial_power', 'wire_down');
        v_device_kind := 'transformer';
    ELSIF p_source_type = 'scada' THEN
        SELECT s.event_type, s.occurred_at, s.received_at, s.correlation_state, s.outage_event_id,
               COALESCE(d.location, f.location), s.device_id, s.device_id,
               COALESCE(d.kind, CASE WHEN f.id IS NOT NULL THEN 'feeder' END),
               COALESCE(d.feeder_id, f.id)
          INTO v_signal_type, v_occurred, v_received, v_state, v_outage,
               v_location, v_device, v_asset, v_device_kind, v_feeder
          FROM scada_events s
          LEFT JOIN network_devices d ON d.id = s.device_id
          LEFT JOIN network_feeders f ON f.id = s.device_id
         WHERE s.event_id = p_source_event_id;
        SELECT substation_id INTO v_substation FROM network_feeders WHERE id = v_feeder;
        v_is_evidence := v_signal_type IN ('trip', 'lockout');
    ELSE
        RAISE EXCEPTION 'unknown source type %', p_source_type USING ERRCODE = '22023';
    END IF;

    IF v_occurred IS NULL THEN
        RAISE EXCEPTION 'no % signal with id %', p_source_type, p_source_event_id USING ERRCODE = 'P0002';
    END IF;
    IF v_state <> 'pending' THEN
        RETURN v_outage; -- already correlated: idempotent
    END IF;
    IF NOT v_is_evidence OR v_location IS NULL THEN
        PERFORM oms_mark_signal(p_source_type, p_source_event_id, 'unmatched',
            CASE WHEN v_location IS NULL THEN 'no known asset or location' ELSE 'not outage evidence: ' || v_signal_type END, NULL);
        RETURN NULL;
    END IF;

    -- 2. The rule set: SCADA evidence uses scada_priority, everything else the active set.
    SELECT r.* INTO v_rule FROM oms_correlation_rules r
     WHERE r.name = CASE WHEN p_source_type = 'scada' THEN 'scada_priority'
                         ELSE (SELECT active_rule_set FROM oms_storm_mode_state WHERE id = 1) END;
    SELECT weight INTO v_weight FROM oms_source_weights WHERE source_type = p_source_type;

    -- 3. Spatial + temporal neighbour: the nearest active outage within radius and window.
    SELECT oe.id INTO v_outage
      FROM oms_outage_events oe
     WHERE oe.status IN ('unconfirmed', 'probable', 'confirmed')
       AND ST_DWithin(oe.location, v_location, v_rule.spatial_radius_meters)
       AND v_occurred BETWEEN oe.first_detected_at - v_rule.time_window AND oe.first_detected_at + v_rule.time_window
     ORDER BY ST_Distance(oe.location, v_location), oe.first_detected_at
     LIMIT 1
       FOR UPDATE;

    -- 4. Or a new outage seeded by this signal.
    IF v_outage IS NULL THEN
        INSERT INTO oms_outage_events (event_id, status, severity, confidence_score, affected_customers_count,
                                       device_id, device_kind, feeder_id, substation_id, location,
                                       first_detected_at, has_hazard, created_at, updated_at)
        VALUES ('OUT-' || to_char(v_occurred AT TIME ZONE 'UTC', 'YYYYMMDD') || '-' || lpad(nextval('oms_outage_event_number_seq')::text, 4, '0'),
                'unconfirmed', 'low', 0, 0, v_device, v_device_kind, v_feeder, v_substation, v_location,
                v_occurred, false, now(), now())
        RETURNING id INTO v_outage;
        INSERT INTO oms_event_timeline (outage_event_id, occurred_at, entry_type, to_status, description, actor)
        VALUES (v_outage, v_occurred, 'created', 'unconfirmed',
                format('Seeded by %s %s %s (rule set %s)', p_source_type, v_signal_type, p_source_event_id, v_rule.name), 'system');
    END IF;

    INSERT INTO oms_event_sources (outage_event_id, source_type, source_event_id, signal_type, detected_at,
                                   received_at, weight, customer_id, asset_id, correlated_at)
    VALUES (v_outage, p_source_type, p_source_event_id, v_signal_type, v_occurred, v_received, v_weight,
            v_customer, v_asset, now())
    ON CONFLICT (source_type, source_event_id) DO NOTHING;

    -- 5. The design's weighted average, customers reached, severity and status.
    SELECT SUM(w.weight) / COUNT(*), COUNT(DISTINCT es.customer_id), bool_or(es.signal_type = 'wire_down')
      INTO v_confidence, v_customers, v_hazard
      FROM oms_event_sources es
      JOIN oms_source_weights w ON w.source_type = es.source_type
     WHERE es.outage_event_id = v_outage;

    SELECT status INTO v_status FROM oms_outage_events WHERE id = v_outage;
    v_new_status := CASE WHEN v_confidence >= v_rule.confidence_threshold THEN 'confirmed' ELSE v_status END;
    UPDATE oms_outage_events
       SET confidence_score = round(v_confidence, 4),
           affected_customers_count = v_customers,
           has_hazard = v_hazard,
           severity = oms_classify_severity(v_customers, v_confidence, v_hazard),
           status = v_new_status,
           confirmed_at = CASE WHEN v_new_status = 'confirmed' AND confirmed_at IS NULL THEN v_occurred ELSE confirmed_at END,
           updated_at = now()
     WHERE id = v_outage;
    IF v_new_status <> v_status THEN
        INSERT INTO oms_event_timeline (outage_event_id, occurred_at, entry_type, from_status, to_status, description, actor)
        VALUES (v_outage, v_occurred, 'status_changed', v_status, v_new_status,
                format('Confidence %s reached the %s threshold %s', round(v_confidence, 4), v_rule.name, v_rule.confidence_threshold), 'system');
    END IF;

    PERFORM oms_mark_signal(p_source_type, p_source_event_id, 'correlated', NULL, v_outage);
    RETURN v_outage;
END
$$;

CREATE FUNCTION oms_mark_signal(p_source_type text, p_source_event_id text, p_state text, p_note text, p_outage uuid)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    CASE p_source_type
        WHEN 'kaifa' THEN
            UPDATE kaifa_events SET correlation_state = p_state, correlation_note = p_note, correlated_at = now(), outage_event_id = p_outage WHERE event_id = p_source_event_id;
        WHEN 'onu' THEN
            UPDATE onu_events SET correlation_state = p_state, correlation_note = p_note, correlated_at = now(), outage_event_id = p_outage WHERE event_id = p_source_event_id;
        WHEN 'callcenter' THEN
            UPDATE callcenter_tickets SET correlation_state = p_state, correlation_note = p_note, correlated_at = now(), outage_event_id = p_outage WHERE ticket_id = p_source_event_id;
        WHEN 'scada' THEN
            UPDATE scada_events SET correlation_state = p_state, correlation_note = p_note, correlated_at = now(), outage_event_id = p_outage WHERE event_id = p_source_event_id;
    END CASE;
END
$$;

-- Every pending signal, oldest first by event time (ties: source, then id, so the order is
-- deterministic), one oms_correlate_event call each. Returns how many were processed.
CREATE FUNCTION oms_correlate_events()
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    v_signal record;
    v_count integer := 0;
BEGIN
    FOR v_signal IN
        SELECT * FROM (
            SELECT 'scada' AS source_type, event_id AS source_event_id, occurred_at FROM scada_events WHERE correlation_state = 'pending'
            UNION ALL SELECT 'kaifa', event_id, occurred_at FROM kaifa_events WHERE correlation_state = 'pending'
            UNION ALL SELECT 'onu', event_id, occurred_at FROM onu_events WHERE correlation_state = 'pending'
            UNION ALL SELECT 'callcenter', ticket_id, occurred_at FROM callcenter_tickets WHERE correlation_state = 'pending'
        ) pending
        ORDER BY occurred_at, source_type, source_event_id
    LOOP
        PERFORM oms_correlate_event(v_signal.source_type, v_signal.source_event_id);
        v_count := v_count + 1;
    END LOOP;
    RETURN v_count;
END
$$;
