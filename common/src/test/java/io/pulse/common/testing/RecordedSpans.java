package io.pulse.common.testing;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Keeps the spans the app ends in memory for tests to read. Being a span exporter bean, it also
 * keeps Quarkus's OTLP exporter out, so tests need no collector.
 */
@ApplicationScoped
public class RecordedSpans {
  @Produces
  @Singleton
  InMemorySpanExporter spans() {
    return InMemorySpanExporter.create();
  }
}
