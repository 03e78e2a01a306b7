# The monitor family: the operators' monitoring station and its telemetry pipeline (SNMP polling or gNMI streaming,
# a time-series store, rules, an alert manager, dashboards, audit log delivery, access paths).

# The pipeline's pure cores (no ns-3), tested alone.
add_library(planelab_telemetry_core STATIC monitor/pipeline/telemetry_core.cc monitor/pipeline/telemetry_pipeline.cc)
target_link_libraries(planelab_telemetry_core PUBLIC planelab_util planelab_vocabulary nlohmann_json::nlohmann_json)

planelab_family(NAME monitor
  SCHEMA monitor/telemetry.schema.json kTelemetrySchemaText
  PURE monitor/monitor_catalog.cc monitor/monitor_kind.cc monitor/telemetry_section.cc
  PURE_LINKS planelab_telemetry_core
  KERNEL monitor/monitoring_station.cc monitor/monitor_family.cc
  KERNEL_LINKS planelab_snmp planelab_telemetry_core)
