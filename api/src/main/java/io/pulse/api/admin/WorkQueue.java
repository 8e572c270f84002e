package io.pulse.api.admin;

public record WorkQueue(
    String type,
    String queue,
    Long ready,
    Long unacked,
    Long consumers,
    String deadLetterQueue,
    Long deadLetters) {}
