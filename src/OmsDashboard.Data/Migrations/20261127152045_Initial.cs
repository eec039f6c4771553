using System;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.Migrations;
using NetTopologySuite.Geometries;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace OmsDashboard.Data.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:postgis", ",,");

            migrationBuilder.CreateTable(
                name: "network_substations",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    location = table.Column<Point>(type: "geography(Point,4326)", nullable: false),
                    phase = table.Column<string>(type: "text", nullable: true),
                    status = table.Column<string>(type: "text", nullable: false, defaultValue: "energized")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_network_substations", x => x.id);
                    table.CheckConstraint("ck_network_substations_status", "status IN ('energized','de_energized')");
                });

            migrationBuilder.CreateTable(
                name: "oms_correlation_rules",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "text", nullable: false),
                    time_window = table.Column<TimeSpan>(type: "interval", nullable: false),
                    spatial_radius_meters = table.Column<double>(type: "double precision", nullable: false),
                    confidence_threshold = table.Column<decimal>(type: "numeric(5,4)", precision: 5, scale: 4, nullable: false),
                    description = table.Column<string>(type: "text", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_by = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_oms_correlation_rules", x => x.id);
                    table.CheckConstraint("ck_oms_correlation_rules_radius", "spatial_radius_meters > 0");
                    table.CheckConstraint("ck_oms_correlation_rules_threshold", "confidence_threshold BETWEEN 0 AND 1");
                    table.CheckConstraint("ck_oms_correlation_rules_window", "time_window > interval '0'");
                });

            migrationBuilder.CreateTable(
                name: "oms_crews",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    lead_name = table.Column<string>(type: "text", nullable: true),
                    phone = table.Column<string>(type: "text", nullable: true),
                    status = table.Column<string>(type: "text", nullable: false, defaultValue: "available"),
                    location = table.Column<Point>(type: "geography(Point,4326)", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_oms_crews", x => x.id);
                    table.CheckConstraint("ck_oms_crews_status", "status IN ('available','dispatched','en_route','on_site','off_duty')");
                });

            migrationBuilder.CreateTable(
                name: "oms_source_weights",
                columns: table => new
                {
                    source_type = table.Column<string>(type: "text", nullable: false),
                    weight = table.Column<decimal>(type: "numeric(5,4)", precision: 5, scale: 4, nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_by = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_oms_source_weights", x => x.source_type);
                    table.CheckConstraint("ck_oms_source_weights_source_type", "source_type IN ('scada','kaifa','onu','callcenter')");
                    table.CheckConstraint("ck_oms_source_weights_weight", "weight > 0 AND weight <= 1");
                });

            migrationBuilder.CreateTable(
                name: "oms_storm_mode_settings",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    activation_signals_per_hour = table.Column<int>(type: "integer", nullable: false),
                    deactivation_signals_per_hour = table.Column<int>(type: "integer", nullable: false),
                    minimum_active_duration = table.Column<TimeSpan>(type: "interval", nullable: false),
                    manual_override = table.Column<string>(type: "text", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_by = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_oms_storm_mode_settings", x => x.id);
                    table.CheckConstraint("ck_oms_storm_mode_settings_hysteresis", "deactivation_signals_per_hour < activation_signals_per_hour");
                    table.CheckConstraint("ck_oms_storm_mode_settings_override", "manual_override IS NULL OR manual_override IN ('on','off')");
                    table.CheckConstraint("ck_oms_storm_mode_settings_single_row", "id = 1");
                });

            migrationBuilder.CreateTable(
                name: "oms_storm_mode_state",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    is_active = table.Column<bool>(type: "boolean", nullable: false),
                    since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    reason = table.Column<string>(type: "text", nullable: true),
                    active_rule_set = table.Column<string>(type: "text", nullable: false),
                    signals_last_hour = table.Column<int>(type: "integer", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_oms_storm_mode_state", x => x.id);
                    table.CheckConstraint("ck_oms_storm_mode_state_single_row", "id = 1");
                });

            migrationBuilder.CreateTable(
                name: "network_feeders",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    substation_id = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    location = table.Column<Point>(type: "geography(Point,4326)", nullable: false),
                    phase = table.Column<string>(type: "text", nullable: true),
                    status = table.Column<string>(type: "text", nullable: false, defaultValue: "energized"),
                    is_telemetered = table.Column<bool>(type: "boolean", nullable: false, defaultValue: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_network_feeders", x => x.id);
                    table.CheckConstraint("ck_network_feeders_status", "status IN ('energized','de_energized')");
                    table.ForeignKey(
                        name: "fk_network_feeders_substations_substation_id",
                        column: x => x.substation_id,
                        principalTable: "network_substations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "network_devices",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    feeder_id = table.Column<string>(type: "text", nullable: false),
                    parent_device_id = table.Column<string>(type: "text", nullable: true),
                    kind = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    location = table.Column<Point>(type: "geography(Point,4326)", nullable: false),
                    phase = table.Column<string>(type: "text", nullable: true),
                    is_telemetered = table.Column<bool>(type: "boolean", nullable: false),
                    normally_open = table.Column<bool>(type: "boolean", nullable: false),
                    depth = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<string>(type: "text", nullable: false, defaultValue: "closed")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_network_devices", x => x.id);
                    table.CheckConstraint("ck_network_devices_kind", "kind IN ('recloser','fuse','switch')");
                    table.CheckConstraint("ck_network_devices_status", "status IN ('closed','open')");
                    table.ForeignKey(
                        name: "fk_network_devices_feeders_feeder_id",
                        column: x => x.feeder_id,
                        principalTable: "network_feeders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_network_devices_parent",
                        column: x => x.parent_device_id,
                        principalTable: "network_devices",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "oms_outage_events",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                    event_id = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<string>(type: "text", nullable: false),
                    severity = table.Column<string>(type: "text", nullable: false),
                    confidence_score = table.Column<decimal>(type: "numeric(5,4)", precision: 5, scale: 4, nullable: false),
                    affected_customers_count = table.Column<int>(type: "integer", nullable: false),
                    device_id = table.Column<string>(type: "text", nullable: true),
                    device_kind = table.Column<string>(type: "text", nullable: true),
                    feeder_id = table.Column<string>(type: "text", nullable: true),
                    substation_id = table.Column<string>(type: "text", nullable: true),
                    location = table.Column<Point>(type: "geography(Point,4326)", nullable: true),
                    parent_outage_id = table.Column<Guid>(type: "uuid", nullable: true),
                    merged_into_id = table.Column<Guid>(type: "uuid", nullable: true),
                    first_detected_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    confirmed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    restored_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    etr = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    etr_source = table.Column<string>(type: "text", nullable: true),
                    cause = table.Column<string>(type: "text", nullable: true),
                    has_hazard = table.Column<bool>(type: "boolean", nullable: false),
                    explanation = table.Column<JsonDocument>(type: "jsonb", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_oms_outage_events", x => x.id);
                    table.CheckConstraint("ck_oms_outage_events_confidence", "confidence_score BETWEEN 0 AND 1");
                    table.CheckConstraint("ck_oms_outage_events_customers", "affected_customers_count >= 0");
                    table.CheckConstraint("ck_oms_outage_events_severity", "severity IN ('low','medium','high','critical')");
                    table.CheckConstraint("ck_oms_outage_events_status", "status IN ('unconfirmed','probable','confirmed','restored','momentary','merged','cancelled')");
                    table.ForeignKey(
                        name: "fk_oms_outage_events_network_feeders_feeder_id",
                        column: x => x.feeder_id,
                        principalTable: "network_feeders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_oms_outage_events_network_substations_substation_id",
                        column: x => x.substation_id,
                        principalTable: "network_substations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_oms_outage_events_oms_outage_events_merged_into_id",
                        column: x => x.merged_into_id,
                        principalTable: "oms_outage_events",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_oms_outage_events_oms_outage_events_parent_outage_id",
                        column: x => x.parent_outage_id,
                        principalTable: "oms_outage_events",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "network_distribution_points",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    feeder_id = table.Column<string>(type: "text", nullable: false),
                    parent_device_id = table.Column<string>(type: "text", nullable: true),
                    name = table.Column<string>(type: "text", nullable: false),
                    location = table.Column<Point>(type: "geography(Point,4326)", nullable: false),
                    phase = table.Column<string>(type: "text", nullable: true),
                    status = table.Column<string>(type: "text", nullable: false, defaultValue: "energized")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_network_distribution_points", x => x.id);
                    table.CheckConstraint("ck_network_distribution_points_status", "status IN ('energized','de_energized')");
                    table.ForeignKey(
                        name: "fk_network_distribution_points_feeders_feeder_id",
                        column: x => x.feeder_id,
                        principalTable: "network_feeders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_network_distribution_points_parent",
                        column: x => x.parent_device_id,
                        principalTable: "network_devices",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "oms_crew_assignments",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    crew_id = table.Column<string>(type: "text", nullable: false),
                    outage_event_id = table.Column<Guid>(type: "uuid", nullable: false),
                    status = table.Column<string>(type: "text", nullable: false, defaultValue: "assigned"),
                    assigned_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    acknowledged_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    arrived_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    etr = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    notes = table.Column<string>(type: "text", nullable: true),
                    assigned_by = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_oms_crew_assignments", x => x.id);
                    table.CheckConstraint("ck_oms_crew_assignments_status", "status IN ('assigned','en_route','on_site','completed','cancelled')");
                    table.ForeignKey(
                        name: "fk_oms_crew_assignments_crews_crew_id",
                        column: x => x.crew_id,
                        principalTable: "oms_crews",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_oms_crew_assignments_outage_events_outage_event_id",
                        column: x => x.outage_event_id,
                        principalTable: "oms_outage_events",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "oms_event_sources",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    outage_event_id = table.Column<Guid>(type: "uuid", nullable: false),
                    source_type = table.Column<string>(type: "text", nullable: false),
                    source_event_id = table.Column<string>(type: "text", nullable: false),
                    signal_type = table.Column<string>(type: "text", nullable: false),
                    detected_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    weight = table.Column<decimal>(type: "numeric(5,4)", precision: 5, scale: 4, nullable: false),
                    customer_id = table.Column<string>(type: "text", nullable: true),
                    asset_id = table.Column<string>(type: "text", nullable: true),
                    correlated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_oms_event_sources", x => x.id);
                    table.CheckConstraint("ck_oms_event_sources_source_type", "source_type IN ('scada','kaifa','onu','callcenter')");
                    table.ForeignKey(
                        name: "fk_oms_event_sources_oms_outage_events_outage_event_id",
                        column: x => x.outage_event_id,
                        principalTable: "oms_outage_events",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "oms_event_timeline",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    outage_event_id = table.Column<Guid>(type: "uuid", nullable: false),
                    occurred_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    entry_type = table.Column<string>(type: "text", nullable: false),
                    from_status = table.Column<string>(type: "text", nullable: true),
                    to_status = table.Column<string>(type: "text", nullable: true),
                    description = table.Column<string>(type: "text", nullable: false),
                    actor = table.Column<string>(type: "text", nullable: false),
                    details = table.Column<JsonDocument>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_oms_event_timeline", x => x.id);
                    table.ForeignKey(
                        name: "fk_oms_event_timeline_oms_outage_events_outage_event_id",
                        column: x => x.outage_event_id,
                        principalTable: "oms_outage_events",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "oms_customers",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    account_number = table.Column<string>(type: "text", nullable: false),
                    distribution_point_id = table.Column<string>(type: "text", nullable: false),
                    feeder_id = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    location = table.Column<Point>(type: "geography(Point,4326)", nullable: false),
                    phase = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_oms_customers", x => x.id);
                    table.ForeignKey(
                        name: "fk_oms_customers_network_distribution_points_distribution_poin",
                        column: x => x.distribution_point_id,
                        principalTable: "network_distribution_points",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_oms_customers_network_feeders_feeder_id",
                        column: x => x.feeder_id,
                        principalTable: "network_feeders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "oms_customer_notifications",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    outage_event_id = table.Column<Guid>(type: "uuid", nullable: false),
                    customer_id = table.Column<string>(type: "text", nullable: false),
                    channel = table.Column<string>(type: "text", nullable: false),
                    notification_type = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<string>(type: "text", nullable: false, defaultValue: "pending"),
                    message = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    sent_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    delivered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    error = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_oms_customer_notifications", x => x.id);
                    table.CheckConstraint("ck_oms_customer_notifications_channel", "channel IN ('sms','email','voice','push')");
                    table.CheckConstraint("ck_oms_customer_notifications_status", "status IN ('pending','sent','delivered','failed')");
                    table.CheckConstraint("ck_oms_customer_notifications_type", "notification_type IN ('outage_detected','etr_update','restored')");
                    table.ForeignKey(
                        name: "fk_oms_customer_notifications_oms_customers_customer_id",
                        column: x => x.customer_id,
                        principalTable: "oms_customers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_oms_customer_notifications_outage_events_outage_event_id",
                        column: x => x.outage_event_id,
                        principalTable: "oms_outage_events",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "oms_onu_devices",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    customer_id = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<string>(type: "text", nullable: false, defaultValue: "active")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_oms_onu_devices", x => x.id);
                    table.CheckConstraint("ck_oms_onu_devices_status", "status IN ('active','inactive')");
                    table.ForeignKey(
                        name: "fk_oms_onu_devices_oms_customers_customer_id",
                        column: x => x.customer_id,
                        principalTable: "oms_customers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "oms_smart_meters",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    customer_id = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<string>(type: "text", nullable: false, defaultValue: "active")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_oms_smart_meters", x => x.id);
                    table.CheckConstraint("ck_oms_smart_meters_status", "status IN ('active','inactive')");
                    table.ForeignKey(
                        name: "fk_oms_smart_meters_oms_customers_customer_id",
                        column: x => x.customer_id,
                        principalTable: "oms_customers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.InsertData(
                table: "oms_correlation_rules",
                columns: new[] { "id", "confidence_threshold", "description", "name", "spatial_radius_meters", "time_window", "updated_at", "updated_by" },
                values: new object[,]
                {
                    { 1, 0.7m, "Normal operation", "standard", 1000.0, new TimeSpan(0, 0, 30, 0, 0), new DateTimeOffset(new DateTime(2026, 11, 27, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)), "system" },
                    { 2, 0.5m, "Storm mode: relaxed windows for high volume", "storm", 2000.0, new TimeSpan(0, 1, 0, 0, 0), new DateTimeOffset(new DateTime(2026, 11, 27, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)), "system" },
                    { 3, 0.9m, "Evidence led by a SCADA operation", "scada_priority", 500.0, new TimeSpan(0, 0, 15, 0, 0), new DateTimeOffset(new DateTime(2026, 11, 27, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)), "system" }
                });

            migrationBuilder.InsertData(
                table: "oms_source_weights",
                columns: new[] { "source_type", "updated_at", "updated_by", "weight" },
                values: new object[,]
                {
                    { "callcenter", new DateTimeOffset(new DateTime(2026, 11, 27, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)), "system", 0.4m },
                    { "kaifa", new DateTimeOffset(new DateTime(2026, 11, 27, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)), "system", 0.8m },
                    { "onu", new DateTimeOffset(new DateTime(2026, 11, 27, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)), "system", 0.6m },
                    { "scada", new DateTimeOffset(new DateTime(2026, 11, 27, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)), "system", 1.0m }
                });

            migrationBuilder.InsertData(
                table: "oms_storm_mode_settings",
                columns: new[] { "id", "activation_signals_per_hour", "deactivation_signals_per_hour", "manual_override", "minimum_active_duration", "updated_at", "updated_by" },
                values: new object[] { 1, 100, 50, null, new TimeSpan(0, 0, 30, 0, 0), new DateTimeOffset(new DateTime(2026, 11, 27, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)), "system" });

            migrationBuilder.InsertData(
                table: "oms_storm_mode_state",
                columns: new[] { "id", "active_rule_set", "is_active", "reason", "signals_last_hour", "since", "updated_at" },
                values: new object[] { 1, "standard", false, null, 0, null, new DateTimeOffset(new DateTime(2026, 11, 27, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)) });

            migrationBuilder.CreateIndex(
                name: "idx_network_devices_location",
                table: "network_devices",
                column: "location")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "ix_network_devices_feeder_id",
                table: "network_devices",
                column: "feeder_id");

            migrationBuilder.CreateIndex(
                name: "ix_network_devices_parent_device_id",
                table: "network_devices",
                column: "parent_device_id");

            migrationBuilder.CreateIndex(
                name: "idx_network_distribution_points_location",
                table: "network_distribution_points",
                column: "location")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "ix_network_distribution_points_feeder_id",
                table: "network_distribution_points",
                column: "feeder_id");

            migrationBuilder.CreateIndex(
                name: "ix_network_distribution_points_parent_device_id",
                table: "network_distribution_points",
                column: "parent_device_id");

            migrationBuilder.CreateIndex(
                name: "idx_network_feeders_location",
                table: "network_feeders",
                column: "location")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "ix_network_feeders_substation_id",
                table: "network_feeders",
                column: "substation_id");

            migrationBuilder.CreateIndex(
                name: "idx_network_substations_location",
                table: "network_substations",
                column: "location")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "ix_oms_correlation_rules_name",
                table: "oms_correlation_rules",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_oms_crew_assignments_crew_id",
                table: "oms_crew_assignments",
                column: "crew_id");

            migrationBuilder.CreateIndex(
                name: "ix_oms_crew_assignments_outage_event_id",
                table: "oms_crew_assignments",
                column: "outage_event_id");

            migrationBuilder.CreateIndex(
                name: "idx_oms_crews_location",
                table: "oms_crews",
                column: "location")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "ix_oms_customer_notifications_customer_id",
                table: "oms_customer_notifications",
                column: "customer_id");

            migrationBuilder.CreateIndex(
                name: "ix_oms_customer_notifications_outage_event_id",
                table: "oms_customer_notifications",
                column: "outage_event_id");

            migrationBuilder.CreateIndex(
                name: "ix_oms_customer_notifications_status",
                table: "oms_customer_notifications",
                column: "status",
                filter: "status = 'pending'");

            migrationBuilder.CreateIndex(
                name: "idx_oms_customers_location",
                table: "oms_customers",
                column: "location")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "ix_oms_customers_account_number",
                table: "oms_customers",
                column: "account_number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_oms_customers_distribution_point_id",
                table: "oms_customers",
                column: "distribution_point_id");

            migrationBuilder.CreateIndex(
                name: "ix_oms_customers_feeder_id",
                table: "oms_customers",
                column: "feeder_id");

            migrationBuilder.CreateIndex(
                name: "idx_oms_event_sources_correlation",
                table: "oms_event_sources",
                columns: new[] { "outage_event_id", "source_type", "detected_at" });

            migrationBuilder.CreateIndex(
                name: "ix_oms_event_sources_customer_id",
                table: "oms_event_sources",
                column: "customer_id");

            migrationBuilder.CreateIndex(
                name: "ix_oms_event_sources_source_type_source_event_id",
                table: "oms_event_sources",
                columns: new[] { "source_type", "source_event_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_oms_event_timeline_outage_event_id_occurred_at",
                table: "oms_event_timeline",
                columns: new[] { "outage_event_id", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "ix_oms_onu_devices_customer_id",
                table: "oms_onu_devices",
                column: "customer_id");

            migrationBuilder.CreateIndex(
                name: "idx_oms_outage_events_active",
                table: "oms_outage_events",
                column: "status",
                filter: "status IN ('unconfirmed','probable','confirmed')");

            migrationBuilder.CreateIndex(
                name: "idx_oms_outage_events_detected",
                table: "oms_outage_events",
                column: "first_detected_at",
                descending: new bool[0]);

            migrationBuilder.CreateIndex(
                name: "idx_oms_outage_events_location",
                table: "oms_outage_events",
                column: "location")
                .Annotation("Npgsql:IndexMethod", "gist");

            migrationBuilder.CreateIndex(
                name: "ix_oms_outage_events_device_id",
                table: "oms_outage_events",
                column: "device_id");

            migrationBuilder.CreateIndex(
                name: "ix_oms_outage_events_event_id",
                table: "oms_outage_events",
                column: "event_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_oms_outage_events_feeder_id_first_detected_at",
                table: "oms_outage_events",
                columns: new[] { "feeder_id", "first_detected_at" });

            migrationBuilder.CreateIndex(
                name: "ix_oms_outage_events_merged_into_id",
                table: "oms_outage_events",
                column: "merged_into_id");

            migrationBuilder.CreateIndex(
                name: "ix_oms_outage_events_parent_outage_id",
                table: "oms_outage_events",
                column: "parent_outage_id");

            migrationBuilder.CreateIndex(
                name: "ix_oms_outage_events_substation_id",
                table: "oms_outage_events",
                column: "substation_id");

            migrationBuilder.CreateIndex(
                name: "ix_oms_smart_meters_customer_id",
                table: "oms_smart_meters",
                column: "customer_id");
        
            // What EF cannot express: deferrable tree constraints, the partitioned source
            // tables, the design's views and the baseline correlation function.
            migrationBuilder.Sql(SqlScripts.Read("V0001/01_constraints.sql"));
            migrationBuilder.Sql(SqlScripts.Read("V0001/02_source_tables.sql"));
            migrationBuilder.Sql(SqlScripts.Read("V0001/03_views.sql"));
            migrationBuilder.Sql(SqlScripts.Read("V0001/04_correlate.sql"));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP FUNCTION IF EXISTS oms_correlate_events();
                DROP FUNCTION IF EXISTS oms_correlate_event(text, text);
                DROP FUNCTION IF EXISTS oms_mark_signal(text, text, text, text, uuid);
                DROP FUNCTION IF EXISTS oms_classify_severity(integer, numeric, boolean);
                DROP VIEW IF EXISTS oms_correlation_summary;
                DROP VIEW IF EXISTS oms_active_outages;
                DROP TABLE IF EXISTS scada_events, kaifa_events, onu_events, callcenter_tickets;
                DROP SEQUENCE IF EXISTS oms_outage_event_number_seq;
                """);

            migrationBuilder.DropTable(
                name: "oms_correlation_rules");

            migrationBuilder.DropTable(
                name: "oms_crew_assignments");

            migrationBuilder.DropTable(
                name: "oms_customer_notifications");

            migrationBuilder.DropTable(
                name: "oms_event_sources");

            migrationBuilder.DropTable(
                name: "oms_event_timeline");

            migrationBuilder.DropTable(
                name: "oms_onu_devices");

            migrationBuilder.DropTable(
                name: "oms_smart_meters");

            migrationBuilder.DropTable(
                name: "oms_source_weights");

            migrationBuilder.DropTable(
                name: "oms_storm_mode_settings");

            migrationBuilder.DropTable(
                name: "oms_storm_mode_state");

            migrationBuilder.DropTable(
                name: "oms_crews");

            migrationBuilder.DropTable(
                name: "oms_outage_events");

            migrationBuilder.DropTable(
                name: "oms_customers");

            migrationBuilder.DropTable(
                name: "network_distribution_points");

            migrationBuilder.DropTable(
                name: "network_devices");

            migrationBuilder.DropTable(
                name: "network_feeders");

            migrationBuilder.DropTable(
                name: "network_substations");
        }
    }
}
