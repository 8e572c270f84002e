package io.pulse.api.admin;

import java.util.List;

public record DeadLetterPage(List<DeadLetter> items, String nextCursor) {}
