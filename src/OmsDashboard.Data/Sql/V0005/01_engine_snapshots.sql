-- Engine snapshots (docs/decisions/0013-engine-snapshots-and-retention.md). The correlation pass
-- writes one inside its transaction when due and keeps the last few; a rebuild restores the
-- newest usable one and replays only the signals above its watermarks and the operator actions
-- queued by later passes. Retention deletes signals only at or below the watermarks of the oldest
-- snapshot kept, so every kept snapshot stays usable.
CREATE TABLE oms_engine_snapshots (
    id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    taken_at           timestamptz NOT NULL DEFAULT now(),
    -- oms_correlation_state.passes after the pass that wrote it: actions queued by later passes follow it.
    pass               bigint      NOT NULL,
    scada_seq          bigint      NOT NULL,
    kaifa_seq          bigint      NOT NULL,
    onu_seq            bigint      NOT NULL,
    callcenter_seq     bigint      NOT NULL,
    processed_until    timestamptz,
    next_outage_number bigint      NOT NULL,
    settings_version   text,
    format_version     integer     NOT NULL,
    size_bytes         integer     NOT NULL CHECK (size_bytes = octet_length(state)),
    state              bytea       NOT NULL
);
-- The state is mostly ids and times already dense; compressing megabytes inside the pass's
-- transaction would cost more than the space it saves.
ALTER TABLE oms_engine_snapshots ALTER COLUMN state SET STORAGE EXTERNAL;
CREATE INDEX idx_oms_engine_snapshots_pass ON oms_engine_snapshots (pass DESC);

-- Which pass took an action in: a rebuild from a snapshot replays the actions of later passes
-- only. Actions queued before this column existed predate every snapshot.
ALTER TABLE oms_operator_actions ADD COLUMN queued_pass bigint;
