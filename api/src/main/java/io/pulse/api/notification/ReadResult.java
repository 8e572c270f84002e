package io.pulse.api.notification;

public record ReadResult(int marked) {}
