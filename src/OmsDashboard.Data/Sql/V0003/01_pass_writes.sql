-- The correlation pass no longer updates signal rows (docs/decisions/0010-pass-writes.md).
-- What a pass has taken in is a watermark per source table: every row with seq <= the mark.
-- The design's columns correlation_state / correlation_note / outage_event_id on the source
-- tables stay for the design's own oms_correlate_events() (the benchmark baseline); the pass
-- neither reads nor writes them.

CREATE TABLE oms_correlation_watermarks (
    source_type text   NOT NULL CONSTRAINT ck_oms_correlation_watermarks_source CHECK (source_type IN ('scada','kaifa','onu','callcenter')),
    seq         bigint NOT NULL,
    CONSTRAINT pk_oms_correlation_watermarks PRIMARY KEY (source_type)
);

-- A database the old pass already worked on: below the first signal it left pending everything
-- was taken in (queued, correlated or unmatched). Signals it took in above that point are read
-- once more by the next pass; the evidence upsert makes that harmless.
INSERT INTO oms_correlation_watermarks (source_type, seq)
SELECT 'scada',      coalesce((SELECT min(seq) - 1 FROM scada_events WHERE correlation_state = 'pending'), (SELECT max(seq) FROM scada_events), 0)
UNION ALL SELECT 'kaifa',      coalesce((SELECT min(seq) - 1 FROM kaifa_events WHERE correlation_state = 'pending'), (SELECT max(seq) FROM kaifa_events), 0)
UNION ALL SELECT 'onu',        coalesce((SELECT min(seq) - 1 FROM onu_events WHERE correlation_state = 'pending'), (SELECT max(seq) FROM onu_events), 0)
UNION ALL SELECT 'callcenter', coalesce((SELECT min(seq) - 1 FROM callcenter_tickets WHERE correlation_state = 'pending'), (SELECT max(seq) FROM callcenter_tickets), 0);

-- Why a signal taken in is not (or not yet) evidence of an outage: unmatched with the reason, or
-- matched with nothing to attach it to. Only these signals get a row; a signal that is evidence
-- has its oms_event_sources row instead, and its row here is deleted when it becomes evidence.
CREATE TABLE oms_signal_outcomes (
    source_type     text        NOT NULL CONSTRAINT ck_oms_signal_outcomes_source CHECK (source_type IN ('scada','kaifa','onu','callcenter')),
    source_event_id text        NOT NULL,
    state           text        NOT NULL CONSTRAINT ck_oms_signal_outcomes_state CHECK (state IN ('correlated','unmatched')),
    note            text,
    decided_at      timestamptz NOT NULL,
    CONSTRAINT pk_oms_signal_outcomes PRIMARY KEY (source_type, source_event_id)
);

INSERT INTO oms_signal_outcomes (source_type, source_event_id, state, note, decided_at)
SELECT 'scada', event_id, correlation_state, correlation_note, coalesce(correlated_at, now()) FROM scada_events
 WHERE correlation_state IN ('correlated','unmatched') AND outage_event_id IS NULL
UNION ALL SELECT 'kaifa', event_id, correlation_state, correlation_note, coalesce(correlated_at, now()) FROM kaifa_events
 WHERE correlation_state IN ('correlated','unmatched') AND outage_event_id IS NULL
UNION ALL SELECT 'onu', event_id, correlation_state, correlation_note, coalesce(correlated_at, now()) FROM onu_events
 WHERE correlation_state IN ('correlated','unmatched') AND outage_event_id IS NULL
UNION ALL SELECT 'callcenter', ticket_id, correlation_state, correlation_note, coalesce(correlated_at, now()) FROM callcenter_tickets
 WHERE correlation_state IN ('correlated','unmatched') AND outage_event_id IS NULL;
