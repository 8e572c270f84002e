package io.pulse.workers.testjobs;

/** A test job that fails its first {@code failTimes} attempts with the given kind of failure. */
public record ScriptedJob(String key, int failTimes, String failure) {}
