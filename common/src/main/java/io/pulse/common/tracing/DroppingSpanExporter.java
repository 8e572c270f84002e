package io.pulse.common.tracing;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.quarkus.arc.Unremovable;
import io.quarkus.arc.lookup.LookupIfProperty;
import io.quarkus.opentelemetry.runtime.config.runtime.exporter.OtlpExporterConfig;
import jakarta.inject.Singleton;
import java.util.Collection;

/**
 * Keeps OTLP export off until an endpoint is configured. Spans, the propagated trace and the trace
 * ids in the logs need the SDK on, but Quarkus's OTLP exporter then sends to its default endpoint,
 * localhost:4317, and logs a failure for every batch when nothing listens there; Quarkus has no
 * runtime switch for the exporter alone (quarkusio/quarkus#44200). Quarkus leaves its exporter out
 * when the application has a {@link SpanExporter} bean, so this one is there (and drops what it is
 * given) exactly while {@code quarkus.otel.exporter.otlp.traces.endpoint}, or the generic {@code
 * quarkus.otel.exporter.otlp.endpoint} it falls back to, is Quarkus's default.
 */
@Singleton
@Unremovable
@LookupIfProperty(
    name = "quarkus.otel.exporter.otlp.traces.endpoint",
    stringValue = OtlpExporterConfig.DEFAULT_GRPC_BASE_URI)
public class DroppingSpanExporter implements SpanExporter {

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
