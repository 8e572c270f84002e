package io.pulse.workers.testjobs;

/**
 * A job of the batched test type: {@code failure} is {@code none}, {@code permanent}, {@code
 * transient} (fails its first attempt), {@code statement} (a failed SQL statement on its first
 * attempt) or {@code gate} (waits for {@link BatchedTestHandler#openGate}).
 */
public record BatchedJob(String key, String failure) {}
