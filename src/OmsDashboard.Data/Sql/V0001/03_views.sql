-- The design's two reporting views.

CREATE VIEW oms_active_outages AS
SELECT oe.id,
       oe.event_id,
       oe.status,
       oe.severity,
       oe.confidence_score,
       oe.affected_customers_count,
       oe.first_detected_at,
       oe.confirmed_at,
       oe.etr,
       oe.device_id,
       oe.device_kind,
       oe.feeder_id,
       oe.substation_id,
       ns.name AS substation_name,
       nf.name AS feeder_name,
       COUNT(es.id) AS source_count,
       STRING_AGG(DISTINCT es.source_type, ', ' ORDER BY es.source_type) AS source_types
FROM oms_outage_events oe
LEFT JOIN network_substations ns ON ns.id = oe.substation_id
LEFT JOIN network_feeders nf ON nf.id = oe.feeder_id
LEFT JOIN oms_event_sources es ON es.outage_event_id = oe.id
WHERE oe.status IN ('unconfirmed', 'probable', 'confirmed')
GROUP BY oe.id, ns.name, nf.name;

CREATE VIEW oms_correlation_summary AS
SELECT oe.id,
       oe.event_id,
       oe.status,
       oe.confidence_score,
       COUNT(es.id) AS total_sources,
       COUNT(*) FILTER (WHERE es.source_type = 'scada') AS scada_sources,
       COUNT(*) FILTER (WHERE es.source_type = 'kaifa') AS kaifa_sources,
       COUNT(*) FILTER (WHERE es.source_type = 'onu') AS onu_sources,
       COUNT(*) FILTER (WHERE es.source_type = 'callcenter') AS callcenter_sources,
       COUNT(DISTINCT es.customer_id) AS distinct_customers,
       MIN(es.detected_at) AS first_evidence_at,
       MAX(es.detected_at) AS last_evidence_at,
       COALESCE(SUM(es.weight), 0) AS total_weight
FROM oms_outage_events oe
LEFT JOIN oms_event_sources es ON es.outage_event_id = oe.id
GROUP BY oe.id;
